"""Writes for user accounts."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from lodestar.accounts.models import User
from lodestar.core.errors import Invalid


def user_create(*, email: str, password: str, name: str = "") -> User:
    """Create a user; Invalid names each bad field (email taken, weak password, ...)."""
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if len(name) > 120:
        errors["name"] = ["Use at most 120 characters."]
    if "email" not in errors and User.objects.filter(email=email).exists():
        errors["email"] = ["An account with this email exists. Sign in instead."]
    try:
        password_validation.validate_password(password or "", User(email=email, name=name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise Invalid(fields=errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise Invalid(
            fields={"email": ["An account with this email exists. Sign in instead."]}
        ) from None
