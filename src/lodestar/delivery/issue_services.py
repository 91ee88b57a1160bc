"""Writes for issues: things that happened (a risk that occurred, or logged directly),
with their impact and resolution; recorded in the activity log as target_type "issue"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid
from lodestar.delivery.models import Issue
from lodestar.delivery.risk_checks import changes_of, member_of, scale, text_field, workspace_today
from lodestar.workspaces.models import Product


def issue_values(workspace, *, title, impact, severity, occurred_on, today) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    today = today or workspace_today(workspace)

    def when() -> date:
        if occurred_on is None:
            raise Invalid(fields={"occurred_on": ["Give the day it happened."]})
        if occurred_on > today:
            raise Invalid(
                fields={
                    "occurred_on": [
                        f"{occurred_on:%d %b %Y} is in the future: an issue is something "
                        "that already happened."
                    ]
                }
            )
        return occurred_on

    checks = {
        "title": lambda: text_field(title, "title", required="Give the issue a title.", limit=200),
        "impact": lambda: text_field(
            impact,
            "impact",
            required="Say what happened and what it cost (days, money, customers).",
        ),
        "severity": lambda: scale(severity, "severity"),
        "occurred_on": when,
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except Invalid as exc:
            for field, messages in exc.fields.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise Invalid(fields=errors)
    return values


def issue_created(issue: Issue, *, actor) -> None:
    activity_record(
        workspace=issue.workspace,
        actor=actor,
        verb="created",
        target_type="issue",
        target_key=issue.key,
        target_label=issue.title,
        changes={
            "severity": [None, issue.severity],
            "occurred_on": [None, issue.occurred_on.isoformat()],
            **({"risk": [None, issue.risk.title]} if issue.risk else {}),
        },
    )


def issue_create(
    *,
    product: Product,
    actor,
    title: str,
    impact: str,
    severity: Any,
    occurred_on: date | None,
    owner_key: str = "",
    today: date | None = None,
) -> Issue:
    """An issue logged directly, without a risk before it."""
    values = issue_values(
        product.workspace,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=occurred_on,
        today=today,
    )
    owner = member_of(product.workspace, owner_key)
    with transaction.atomic():
        issue = Issue.objects.create(
            workspace=product.workspace, product=product, owner=owner, created_by=actor, **values
        )
        issue_created(issue, actor=actor)
    return issue


def issue_update(
    *,
    issue: Issue,
    actor,
    title: str,
    impact: str,
    severity: Any,
    occurred_on: date | None,
    owner_key: str = "",
    resolution: str = "",
    resolved_on: date | None = None,
    today: date | None = None,
) -> dict[str, list[Any]]:
    """Edit an issue; a resolution day (not in the future, not before it occurred) marks it
    resolved. Returns the changes."""
    today = today or workspace_today(issue.workspace)
    values = issue_values(
        issue.workspace,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=occurred_on,
        today=today,
    )
    values["owner"] = member_of(issue.workspace, owner_key)
    values["resolution"] = text_field(resolution, "resolution")
    if resolved_on is not None:
        if resolved_on > today:
            raise Invalid(fields={"resolved_on": ["It cannot be resolved in the future."]})
        if resolved_on < values["occurred_on"]:
            raise Invalid(fields={"resolved_on": ["It was resolved before it happened?"]})
        if not values["resolution"]:
            raise Invalid(fields={"resolution": ["Say how it was resolved."]})
    values["resolved_on"] = resolved_on
    before = {name: getattr(issue, name) for name in values}
    changes = changes_of(before, values)
    if not changes:
        return {}
    with transaction.atomic():
        for name, value in values.items():
            setattr(issue, name, value)
        issue.save()
        activity_record(
            workspace=issue.workspace,
            actor=actor,
            verb="updated",
            target_type="issue",
            target_key=issue.key,
            target_label=issue.title,
            changes=changes,
        )
    return changes
