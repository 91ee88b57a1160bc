"""Writes for the risk register: risks, their mitigation actions, the issues risks become
(or that are logged directly), and the review reminders.

Every write is recorded in the activity log in the same transaction: a risk's history is
its entries (target_type "risk"), actions included; an issue's are target_type "issue".
A risk's edit is versioned (planning.concurrency): a save against an older version raises
EditConflict (409) listing what the other person changed."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid
from lodestar.delivery.models import (
    ACTIVE_RISK,
    MAX_TEXT,
    Issue,
    Risk,
    RiskAction,
    RiskCategory,
    RiskStatus,
)
from lodestar.delivery.risk_selectors import IMPACT_LABELS, LIKELIHOOD_LABELS
from lodestar.planning.concurrency import save_versioned
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release
from lodestar.strategy.models import Objective
from lodestar.workspaces.models import Membership, Product

log = logging.getLogger(__name__)

# What a person may set by hand. "occurred" goes through risk_occurred (it asks for the
# issue); proposed and dismissed belong to Lodestar's proposals (accept / dismiss).
MANUAL_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.CLOSED)
LINKS = {
    "feature_keys": ("features", Feature, "title", "feature"),
    "release_keys": ("releases", Release, "name", "release"),
    "objective_keys": ("objectives", Objective, "title", "objective"),
}


# -- validation ---------------------------------------------------------------------------


def _text(value: str | None, field: str, *, required: str = "", limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text and required:
        raise Invalid(fields={field: [required]})
    if "\x00" in text:
        raise Invalid(fields={field: ["Null characters are not allowed."]})
    if len(text) > limit:
        raise Invalid(fields={field: [f"Use at most {limit:,} characters (got {len(text):,})."]})
    return text


def scale(value: Any, field: str) -> int:
    """A 1..5 rating (likelihood, impact, severity), else Invalid naming the scale."""
    labels = {
        "likelihood": LIKELIHOOD_LABELS,
        "impact": IMPACT_LABELS,
    }.get(field, {1: "Minor", 5: "Critical"})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise Invalid(
            fields={
                field: [
                    f"{field.capitalize()} runs from 1 ({labels[1].lower()}) to 5 "
                    f"({labels[5].lower()}); {value!r} is not on the scale."
                ]
            }
        )
    return number


def _today(workspace) -> date:
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(workspace.time_zone)).date()


def _owner(workspace, key: str | None, field: str = "owner_key") -> Membership | None:
    if not key:
        return None
    owner = Membership.objects.filter(workspace=workspace, key=key).select_related("user").first()
    if owner is None:
        raise Invalid(fields={field: ["Choose a member of this workspace."]})
    return owner


def _links(product: Product, keys: dict[str, Iterable[str]]) -> dict[str, list[Any]]:
    """The features, releases and objectives the keys name; each must belong to `product`
    (so to its workspace): anything else is a field error naming the key."""
    found: dict[str, list[Any]] = {}
    for field, (attr, model, _label, noun) in LINKS.items():
        wanted = list(dict.fromkeys(str(k) for k in keys.get(field) or () if k))
        rows = {
            r.key: r
            for r in model.objects.filter(  # type: ignore[attr-defined]
                workspace_id=product.workspace_id, product=product, key__in=wanted
            )
        }
        missing = [k for k in wanted if k not in rows]
        if missing:
            raise Invalid(
                fields={
                    field: [
                        f"No {noun} with key {missing[0]!r} in {product.name}: a risk links "
                        f"only to its own product's {noun}s."
                    ]
                }
            )
        found[attr] = [rows[k] for k in wanted]
    return found


def _review_on(value: date | None, *, today: date, changed: bool) -> date | None:
    if value is not None and changed and value < today:
        raise Invalid(
            fields={
                "review_on": [
                    f"The review date {value:%d %b %Y} is in the past: choose today or later."
                ]
            }
        )
    return value


def _shown(name: str, value: Any) -> Any:
    """A field's value as the history shows it (labels, names, ISO dates)."""
    if value is None or value == "":
        return None
    if name == "status":
        return str(RiskStatus(value).label)
    if name == "category":
        return str(RiskCategory(value).label)
    if name == "owner":
        return value.user.display_name
    if isinstance(value, list):
        return ", ".join(sorted(str(v) for v in value)) or None
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, str | int | bool | float) else str(value)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for name, value in after.items():
        old, new = _shown(name, before.get(name)), _shown(name, value)
        if old != new:
            out[name] = [old, new]
    return out


def _link_labels(links: dict[str, list[Any]]) -> dict[str, list[str]]:
    labels = {attr: label for attr, _model, label, _noun in LINKS.values()}
    return {attr: [getattr(o, labels[attr]) for o in objs] for attr, objs in links.items()}


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
        "title": lambda: _text(title, "title", required="Give the risk a title.", limit=200),
        "description": lambda: _text(description, "description"),
        "likelihood": lambda: scale(likelihood, "likelihood"),
        "impact": lambda: scale(impact, "impact"),
        "owner": lambda: _owner(workspace, owner_key),
        "mitigation": lambda: _text(mitigation, "mitigation"),
        "contingency": lambda: _text(contingency, "contingency"),
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
    values["review_on"] = _review_on(review_on, today=today or _today(workspace), changed=True)
    links = _links(
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
            changes=_changes({}, {**values, **_link_labels(links)}),
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
    values["review_on"] = _review_on(
        review_on, today=today or _today(workspace), changed=review_on != risk.review_on
    )
    links = _links(
        risk.product,
        {
            "feature_keys": feature_keys,
            "release_keys": release_keys,
            "objective_keys": objective_keys,
        },
    )
    before = {name: getattr(risk, name) for name in values}
    before_links = {attr: list(getattr(risk, attr).all()) for attr in links}
    changes = _changes(before, values)
    changes |= _changes(_link_labels(before_links), _link_labels(links))
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
    values = _issue_values(
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
                "status": [_shown("status", old), _shown("status", RiskStatus.OCCURRED)],
                "issue": [None, issue.title],
            },
        )
        _issue_created(issue, actor=actor)
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
    title = _text(title, "title", required="Say what is to be done.", limit=200)
    owner = _owner(risk.workspace, owner_key)
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


# -- issues -------------------------------------------------------------------------------


def _issue_values(workspace, *, title, impact, severity, occurred_on, today) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    today = today or _today(workspace)

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
        "title": lambda: _text(title, "title", required="Give the issue a title.", limit=200),
        "impact": lambda: _text(
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


def _issue_created(issue: Issue, *, actor) -> None:
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
    values = _issue_values(
        product.workspace,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=occurred_on,
        today=today,
    )
    owner = _owner(product.workspace, owner_key)
    with transaction.atomic():
        issue = Issue.objects.create(
            workspace=product.workspace, product=product, owner=owner, created_by=actor, **values
        )
        _issue_created(issue, actor=actor)
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
    today = today or _today(issue.workspace)
    values = _issue_values(
        issue.workspace,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=occurred_on,
        today=today,
    )
    values["owner"] = _owner(issue.workspace, owner_key)
    values["resolution"] = _text(resolution, "resolution")
    if resolved_on is not None:
        if resolved_on > today:
            raise Invalid(fields={"resolved_on": ["It cannot be resolved in the future."]})
        if resolved_on < values["occurred_on"]:
            raise Invalid(fields={"resolved_on": ["It was resolved before it happened?"]})
        if not values["resolution"]:
            raise Invalid(fields={"resolution": ["Say how it was resolved."]})
    values["resolved_on"] = resolved_on
    before = {name: getattr(issue, name) for name in values}
    changes = _changes(before, values)
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


# -- review reminders ---------------------------------------------------------------------


def _remind(risk: Risk, *, today: date) -> bool:
    from lodestar.delivery.risk_selectors import mitigation_summary

    # The conditional UPDATE is the claim: of two processes, only one sees 1 row updated.
    claimed = (
        Risk.objects.filter(pk=risk.pk, status__in=ACTIVE_RISK, review_on__lte=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .update(reminded_on=today)
    )
    if not claimed:
        return False
    context = {
        "risk": risk,
        "product": risk.product,
        "workspace": risk.workspace,
        "path": reverse("risks:risk", kwargs={"slug": risk.workspace.slug, "risk_key": risk.key}),
        "mitigation": mitigation_summary(risk, today=today),
        "overdue_days": (today - risk.review_on).days if risk.review_on else 0,
    }
    subject = " ".join(render_to_string("delivery/risk_reminder_subject.txt", context).split())
    body = render_to_string("delivery/risk_reminder.txt", context)
    try:
        owner = risk.owner.user  # type: ignore[union-attr]  # only risks with an owner get here
        mail.EmailMessage(subject=subject, body=body, to=[owner.email]).send()
    except Exception:
        # Not sent: give the claim back so the next run tries again.
        Risk.objects.filter(pk=risk.pk, reminded_on=today).update(reminded_on=risk.reminded_on)
        log.exception("review reminder for risk %s not sent", risk.key)
        return False
    return True


def send_review_reminders(*, today: date | None = None) -> int:
    """Email each active risk's owner when its review date has come (review_on <= today, in
    the workspace's time zone unless `today` is given) and no reminder went out today yet.
    Safe to run from several processes at once: each risk is claimed by a conditional
    UPDATE of reminded_on. Returns how many emails were sent."""
    horizon = today or (timezone.now().date() + timedelta(days=1))  # the earliest zone's today
    candidates = (
        Risk.objects.filter(status__in=ACTIVE_RISK, review_on__lte=horizon, owner__isnull=False)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=horizon))
        .exclude(owner__user__email="")
        .select_related("workspace", "product", "owner__user")
        .order_by("id")
    )
    sent = 0
    for risk in candidates.iterator(chunk_size=200):
        day = today or _today(risk.workspace)
        due = risk.review_on is not None and risk.review_on <= day
        if not due or (risk.reminded_on is not None and risk.reminded_on >= day):
            continue
        sent += _remind(risk, today=day)
    return sent
