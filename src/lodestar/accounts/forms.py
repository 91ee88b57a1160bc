from django import forms

from lodestar.core.forms import StyledForm


class SignupForm(StyledForm):
    name = forms.CharField(max_length=120, required=False, label="Your name")
    email = forms.EmailField(label="Email")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Password",
        help_text="At least 10 characters, not a common password.",
    )


class LoginForm(StyledForm):
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Password"
    )
