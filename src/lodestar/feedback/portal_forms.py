"""Forms for the ideas portal: the visitors' side (each with a honeypot) and the team's."""

from __future__ import annotations

from django import forms

from lodestar.core.forms import StyledForm
from lodestar.feedback.portal_models import (
    MAX_BODY,
    MAX_COMMENT,
    MAX_REASON,
    MAX_TITLE,
    MAX_WELCOME,
    IdeaStatus,
)

HONEYPOT = "homepage"
MARKDOWN_HELP = "Markdown works: **bold**, _italic_, lists, links."


class VisitorForm(StyledForm):
    """A visitor form: an email field unless the visitor is verified, and a honeypot that
    people never see (hidden by CSS) and bots fill in."""

    def __init__(self, *args, verified_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.verified_email = verified_email
        if not verified_email:
            self.fields["email"] = forms.EmailField(
                max_length=254,
                label="Your email",
                help_text="We email you a link to confirm it's you. It is never shown.",
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )
        self.fields[HONEYPOT] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def email(self) -> str:
        return self.verified_email or self.cleaned_data.get("email", "").lower()

    def values(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {HONEYPOT, "email"}
        }


class IdeaForm(VisitorForm):
    title = forms.CharField(
        max_length=MAX_TITLE,
        label="Your idea in one line",
        help_text="For example: “Let technicians see the customer's gate code offline”.",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_BODY,
        required=False,
        label="Tell us more",
        help_text="What would it let you do, and how do you manage today? " + MARKDOWN_HELP,
    )


class CommentForm(VisitorForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT,
        label="Your comment",
        help_text=MARKDOWN_HELP,
    )


class VoteForm(VisitorForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "vote-%s")
        super().__init__(*args, **kwargs)


class SignInForm(VisitorForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "signin-%s")
        super().__init__(*args, verified_email="", **kwargs)


SORT_CHOICES = [("votes", "Most votes"), ("newest", "Newest")]


class IdeaFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search")
    status = forms.ChoiceField(
        choices=[("", "Any status"), *IdeaStatus.choices], required=False, label="Status"
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)

    def chosen(self) -> dict:
        self.is_valid()  # a bad value drops that filter only
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "status": data.get("status", ""),
            "sort": data.get("sort") or "votes",
        }


# -- the team's side ---------------------------------------------------------------------


class MemberIdeaForm(StyledForm):
    title = forms.CharField(max_length=MAX_TITLE, label="Idea")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_BODY,
        required=False,
        label="Details",
        help_text=MARKDOWN_HELP,
    )
    customer_email = forms.CharField(
        max_length=254,
        required=False,
        label="On behalf of (customer email)",
        help_text="The customer who asked; empty: it is your own idea.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "new-%s")
        super().__init__(*args, **kwargs)


class ProxyVoteForm(StyledForm):
    person_email = forms.CharField(
        max_length=254, required=False, label="Customer email", help_text="A person's email."
    )
    company_domain = forms.CharField(
        max_length=253,
        required=False,
        label="or company domain",
        help_text="When no one person asked: the company's domain.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "proxy-%s")
        super().__init__(*args, **kwargs)


class MemberCommentForm(StyledForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_COMMENT,
        label="Comment",
        help_text="Visitors see it on the portal. " + MARKDOWN_HELP,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)


class StatusForm(StyledForm):
    status = forms.ChoiceField(choices=IdeaStatus.choices)
    declined_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_REASON,
        required=False,
        label="Why declined",
        help_text="Needed when declining. Everyone who voted gets it by email.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)


class FeatureLinkForm(StyledForm):
    feature_title = forms.CharField(
        max_length=200,
        required=False,
        label="Feature",
        help_text="An existing feature's title; empty: unlink.",
        widget=forms.TextInput(attrs={"list": "feature-titles", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)


class MergeForm(StyledForm):
    into = forms.CharField(
        max_length=200,
        label="Merge into",
        help_text="The idea this one duplicates: its title or key. Votes and comments move there.",
        widget=forms.TextInput(attrs={"list": "idea-titles", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "merge-%s")
        super().__init__(*args, **kwargs)


class PortalForm(StyledForm):
    enabled = forms.BooleanField(required=False, label="The portal is on")
    visibility = forms.ChoiceField(
        choices=[
            ("public", "Public: anyone can read; visitors confirm their email to post"),
            ("private", "Private: only customers we know (by email) can sign in and see it"),
        ],
        label="Who can see it",
    )
    welcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_WELCOME,
        required=False,
        label="Welcome text",
        help_text="Shown at the top of the portal. " + MARKDOWN_HELP,
    )
