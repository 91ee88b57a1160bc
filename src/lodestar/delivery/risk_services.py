"""Writes for the risk register: risks and their mitigation actions (issues:
issue_services.py; review reminders: risk_reminders.py).

Every write is recorded in the activity log in the same transaction: a risk's history is
its entries (target_type "risk"), actions included; an issue's are target_type "issue".
A risk's edit is versioned (planning.concurrency): a save against an older version raises
EditConflict (409) listing what the other person changed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid
from lodestar.delivery.issue_services import issue_created, issue_values
from lodestar.delivery.models import (
    Issue,
    Risk,
    RiskAction,
    RiskCategory,
    RiskStatus,
)
from lodestar.delivery.risk_checks import (
    changes_of,
    link_labels,
    linked_objects,
    member_of,
    review_date,
    scale,
    shown,
    text_field,
    workspace_today,
)
from lodestar.planning.concurrency import save_versioned
from lodestar.workspaces.models import Product

log = logging.getLogger(__name__)

# What a person may set by hand. "occurred" goes through risk_occurred (it asks for the
# issue); proposed and dismissed belong to Lodestar's proposals (accept / dismiss).
MANUAL_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.CLOSED)


def _risk_values(
    workspace,
    *,
    title,
    description,
    category,
    likelihood,
    impact,
    owner_key,
    mitigation,
    contingency,
) -> dict[str, Any]:
    if category not in RiskCategory.values:
        raise Invalid(fields={"category": [f"Choose one of: {', '.join(RiskCategory.labels)}."]})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks = {
        "title": lambda: text_field(title, "title", required="Give the risk a title.", limit=200),
        "description": lambda: text_field(description, "description"),
        "likelihood": lambda: scale(likelihood, "likelihood"),
        "impact": lambda: scale(impact, "impact"),
        "owner": lambda: member_of(workspace, owner_key),
        "mitigation": lambda: text_field(mitigation, "mitigation"),
        "contingency": lambda: text_field(contingency, "contingency"),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except Invalid as exc:
            for field, messages in exc.fields.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise Invalid(fields=errors)
    values["category"] = category
    values["exposure"] = values["likelihood"] * values["impact"]
    return values


# -- risks --------------------------------------------------------------------------------


def risk_create(
    *,
    product: Product,
    actor,
    title: str,
    category: str,
    likelihood: Any,
    impact: Any,
    description: str = "",
    owner_key: str = "",
    mitigation: str = "",
    contingency: str = "",
    status: str = RiskStatus.OPEN,
    review_on: date | None = None,
    feature_keys: Iterable[str] = (),
    release_keys: Iterable[str] = (),
    objective_keys: Iterable[str] = (),
    today: date | None = None,
) -> Risk:
    """A risk in `product`'s register, written by a person (status open, mitigating or
    closed; Invalid naming the field for anything out of range, a review date in the past,
    or a link to another product's feature, release or objective)."""
    workspace = product.workspace
    values = _risk_values(
        workspace,
        title=title,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        owner_key=owner_key,
        mitigation=mitigation,
        contingency=contingency,
    )
    if status not in MANUAL_STATUSES:
        raise Invalid(fields={"status": ["Choose open, mitigating or closed."]})
    values["status"] = status
    values["review_on"] = review_date(
        review_on, today=today or workspace_today(workspace), changed=True
    )
    links = linked_objects(
        product,
        {
            "feature_keys": feature_keys,
            "release_keys": release_keys,
            "objective_keys": objective_keys,
        },
    )
    with transaction.atomic():
        risk = Risk.objects.create(workspace=workspace, product=product, created_by=actor, **values)
        for attr, objs in links.items():
            getattr(risk, attr).set(objs)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="risk",
            target_key=risk.key,
            target_label=risk.title,
            changes=changes_of({}, {**values, **link_labels(links)}),
        )
    return risk


def risk_update(
    *,
    risk: Risk,
    actor,
    version: int | None,
    title: str,
    category: str,
    likelihood: Any,
    impact: Any,
    description: str = "",
    owner_key: str = "",
    mitigation: str = "",
    contingency: str = "",
    status: str | None = None,
    review_on: date | None = None,
    feature_keys: Iterable[str] = (),
    release_keys: Iterable[str] = (),
    objective_keys: Iterable[str] = (),
    today: date | None = None,
) -> dict[str, list[Any]]:
    """Save a person's edit of `risk` (every field, links included) and record what changed.
    `status` None leaves it (proposals: accept or dismiss them); "occurred" is only kept,
    never set here (risk_occurred asks for the issue). A review date may stay in the past,
    but a changed one may not. `version` is the one the form was shown (None: no check);
    a stale one raises EditConflict. Returns {field: [old, new]} ({} when nothing changed)."""
    workspace = risk.workspace
    values = _risk_values(
        workspace,
        title=title,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        owner_key=owner_key,
        mitigation=mitigation,
        contingency=contingency,
    )
    if status is not None and status != risk.status:
        if risk.status in (RiskStatus.PROPOSED, RiskStatus.DISMISSED):
            raise Invalid(fields={"status": ["Accept or dismiss the proposal first."]})
        if status == RiskStatus.OCCURRED:
            raise Invalid(fields={"status": ["Say what happened: use “It happened…”."]})
        if status not in MANUAL_STATUSES:
            raise Invalid(fields={"status": ["Choose open, mitigating or closed."]})
        values["status"] = status
    values["review_on"] = review_date(
        review_on, today=today or workspace_today(workspace), changed=review_on != risk.review_on
    )
    links = linked_objects(
        risk.product,
        {
            "feature_keys": feature_keys,
            "release_keys": release_keys,
            "objective_keys": objective_keys,
        },
    )
    before = {name: getattr(risk, name) for name in values}
    before_links = {attr: list(getattr(risk, attr).all()) for attr in links}
    changes = changes_of(before, values)
    changes |= changes_of(link_labels(before_links), link_labels(links))
    if not changes:
        return {}
    for name, value in values.items():
        setattr(risk, name, value)
    with transaction.atomic():
        # Always bump the version (links alone too), so a form shown before this save is stale.
        save_versioned(risk, version=version, fields=list(values), target_type="risk")
        for attr, objs in links.items():
            if {o.pk for o in objs} != {o.pk for o in before_links[attr]}:
                getattr(risk, attr).set(objs)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="updated",
            target_type="risk",
            target_key=risk.key,
            target_label=risk.title,
            changes=changes,
        )
    return changes


def risk_occurred(
    *,
    risk: Risk,
    actor,
    title: str,
    impact: str,
    severity: Any,
    occurred_on: date | None,
    today: date | None = None,
) -> Issue:
    """The risk happened: an Issue (title, what happened and what it cost, severity 1..5,
    the day, not in the future) linked to it, and the risk's status becomes occurred.
    Conflict when it already occurred or is still a proposal."""
    workspace = risk.workspace
    values = issue_values(
        workspace,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=occurred_on,
        today=today,
    )
    with transaction.atomic():
        locked = Risk.objects.select_for_update().get(pk=risk.pk)
        if locked.status in (RiskStatus.PROPOSED, RiskStatus.DISMISSED):
            raise Conflict("This risk is a proposal: accept it before saying it happened.")
        if Issue.objects.filter(risk=locked).exists():
            raise Conflict("This risk already occurred: see its issue.")
        issue = Issue.objects.create(
            workspace=workspace,
            product=locked.product,
            risk=locked,
            owner=locked.owner,
            created_by=actor,
            **values,
        )
        old = locked.status
        Risk.objects.filter(pk=locked.pk).update(
            status=RiskStatus.OCCURRED, version=locked.version + 1
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="updated",
            target_type="risk",
            target_key=locked.key,
            target_label=locked.title,
            changes={
                "status": [shown("status", old), shown("status", RiskStatus.OCCURRED)],
                "issue": [None, issue.title],
            },
        )
        issue_created(issue, actor=actor)
    risk.refresh_from_db()
    return issue


# -- mitigation actions -------------------------------------------------------------------


def _action_logged(action: RiskAction, *, actor, changes: dict[str, list[Any]]) -> None:
    risk = action.risk
    activity_record(
        workspace=risk.workspace,
        actor=actor,
        verb="updated",
        target_type="risk",
        target_key=risk.key,
        target_label=risk.title,
        changes=changes,
    )


def action_add(
    *, risk: Risk, actor, title: str, owner_key: str = "", due_on: date | None = None
) -> RiskAction:
    """One step of the risk's mitigation plan: what, who, by when."""
    title = text_field(title, "title", required="Say what is to be done.", limit=200)
    owner = member_of(risk.workspace, owner_key)
    with transaction.atomic():
        position = risk.actions.count()
        action = RiskAction.objects.create(
            risk=risk, title=title, owner=owner, due_on=due_on, position=position
        )
        detail = ", ".join(
            part
            for part in (
                owner.user.display_name if owner else "",
                f"due {due_on.isoformat()}" if due_on else "",
            )
            if part
        )
        _action_logged(
            action,
            actor=actor,
            changes={"action added": [None, f"{title} ({detail})" if detail else title]},
        )
    return action


def action_toggle(*, action: RiskAction, actor) -> RiskAction:
    """Mark the action done, or not done again."""
    done = action.done_at is None
    with transaction.atomic():
        action.done_at = timezone.now() if done else None
        action.save(update_fields=["done_at"])
        _action_logged(
            action,
            actor=actor,
            changes={f"action “{action.title}”": ["to do", "done"] if done else ["done", "to do"]},
        )
    return action


def action_delete(*, action: RiskAction, actor) -> None:
    with transaction.atomic():
        _action_logged(action, actor=actor, changes={"action deleted": [action.title, None]})
        action.delete()
