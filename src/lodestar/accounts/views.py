from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lodestar.accounts.forms import LoginForm, SignupForm
from lodestar.accounts.services import user_create
from lodestar.core.access import public
from lodestar.core.errors import Invalid, RateLimited
from lodestar.core.forms import apply_errors
from lodestar.core.ratelimit import Limit, client_ip

# Failed sign-ins are counted per email and per address; sign-ups per address.
LOGIN_FAILURES_PER_EMAIL = Limit("login-email", limit=10, window_seconds=15 * 60)
LOGIN_FAILURES_PER_IP = Limit("login-ip", limit=50, window_seconds=15 * 60)
SIGNUPS_PER_IP = Limit("signup-ip", limit=20, window_seconds=60 * 60)
RESETS_PER_IP = Limit("reset-ip", limit=10, window_seconds=60 * 60)
RESETS_PER_EMAIL = Limit("reset-email", limit=3, window_seconds=60 * 60)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@public
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            SIGNUPS_PER_IP.consume(client_ip(request))
            user = user_create(**form.cleaned_data)
        except Invalid as exc:
            apply_errors(form, exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to Lodestar.")
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(
        request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=status
    )


@public
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        ip = client_ip(request)
        try:
            LOGIN_FAILURES_PER_EMAIL.check(email)
            LOGIN_FAILURES_PER_IP.check(ip)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/login.html", {"form": form}, status=429)
        user = authenticate(request, email=email, password=form.cleaned_data["password"])
        if user is None:
            LOGIN_FAILURES_PER_EMAIL.hit(email)
            LOGIN_FAILURES_PER_IP.hit(ip)
            form.add_error(None, "That email and password do not match an account.")
        else:
            LOGIN_FAILURES_PER_EMAIL.reset(email)
            login(request, user)
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(
        request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, rate-limited so it cannot be used to flood someone's inbox."""

    def form_valid(self, form):
        try:
            RESETS_PER_IP.consume(client_ip(self.request))
            RESETS_PER_EMAIL.consume(form.cleaned_data["email"].lower())
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


password_reset = public(
    PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
