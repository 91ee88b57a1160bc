"""Validation helpers shared by the workspace services."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError

from lodestar.core.errors import Invalid
from lodestar.workspaces.models import Role


def field_errors(instance, exclude: list[str] | None = None) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {}


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(fields=errors)


def clean_text(value: str, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(fields={field: ["This field is required."]})
    return value


def validate_time_zone(name: str) -> dict[str, list[str]]:
    if name not in zoneinfo.available_timezones():
        return {"time_zone": [f"{name!r} is not a time zone name like Europe/Berlin."]}
    return {}


def validate_role(role: str) -> dict[str, list[str]]:
    if role not in Role.values:
        return {"role": [f"Unknown role {role!r}; use one of {', '.join(Role.values)}."]}
    return {}
