"""Writes for the strategy: vision, objectives, key results (each change of `current` is a
check-in), objective ↔ feature links, and decisions. Every write lands in the activity log."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Invalid, NotFound
from lodestar.feedback.search import fold
from lodestar.planning.models import Feature
from lodestar.strategy.models import (
    MAX_TEXT,
    Decision,
    DecisionStatus,
    KeyResult,
    KeyResultCheckin,
    Objective,
    ObjectiveFeature,
    ObjectiveStatus,
    Vision,
)
from lodestar.workspaces.models import Membership, Product, Workspace

PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")
_NUMBER_LIMIT = Decimal("999999999999")

Errors = dict[str, list[str]]


def _text(
    data: dict[str, Any], name: str, limit: int, errors: Errors, *, required: str = ""
) -> str:
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        errors[name] = ["Null characters are not allowed."]
    elif len(value) > limit:
        errors[name] = [f"Use at most {limit:,} characters (got {len(value):,})."]
    elif required and not value:
        errors[name] = [required]
    return value


def _number(data: dict[str, Any], name: str, errors: Errors, *, required: bool = False):
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        if required:
            errors[name] = ["Enter a number."]
        return Decimal(0)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors[name] = [f"{str(raw)[:40]!r} is not a number."]
        return Decimal(0)
    if not value.is_finite() or abs(value) > _NUMBER_LIMIT:
        errors[name] = ["Use a number between -999,999,999,999 and 999,999,999,999."]
        return Decimal(0)
    return value.quantize(Decimal("0.0001"))


def _date(data: dict[str, Any], name: str, errors: Errors) -> date | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = [f"{str(raw)[:40]!r} is not a date (YYYY-MM-DD)."]
        return None


def clean_period(value: str) -> str:
    """ "2026-q4" -> "2026-Q4"; anything that is not a quarter raises Invalid."""
    period = (value or "").strip().upper()
    match = PERIOD.match(period)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise Invalid(
            fields={"period": [f"Write the quarter as YYYY-Qn, e.g. 2026-Q4 (got {value[:20]!r})."]}
        )
    return period


def _member(workspace: Workspace, key: str, errors: Errors, name: str) -> Membership | None:
    if not key:
        return None
    found = Membership.objects.filter(workspace=workspace, key=key).select_related("user").first()
    if found is None:
        errors[name] = ["No such member in this workspace."]
    return found


def _product(workspace: Workspace, key: str, errors: Errors, *, required: bool) -> Product | None:
    if not key:
        if required:
            errors["product_key"] = ["Choose a product."]
        return None
    found = Product.objects.filter(workspace=workspace, key=key).first()
    if found is None:
        errors["product_key"] = [f"No product with key {key[:40]!r}."]
    return found


# -- vision -----------------------------------------------------------------------------


def vision_set(*, product: Product, actor, statement: str) -> Vision:
    errors: Errors = {}
    text = _text({"statement": statement}, "statement", MAX_TEXT, errors)
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        vision, _ = Vision.objects.get_or_create(
            product=product, defaults={"workspace_id": product.workspace_id}
        )
        if vision.statement == text:
            return vision
        vision.statement = text
        vision.updated_by = actor
        vision.save()
        activity_record(
            workspace=product.workspace,
            actor=actor,
            verb="updated",
            target_type="vision",
            target_key=product.key,
            target_label=f"Vision of {product.name}",
            changes={"statement": ["…", "…"]},
        )
    return vision


# -- objectives -------------------------------------------------------------------------


def _objective_values(workspace: Workspace, data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {}
    if "title" in data:
        values["title"] = _text(data, "title", 200, errors, required="An objective needs a title.")
    if "description" in data:
        values["description"] = _text(data, "description", MAX_TEXT, errors)
    if "period" in data:
        try:
            values["period"] = clean_period(str(data.get("period") or ""))
        except Invalid as exc:
            errors.update({k: list(v) for k, v in exc.fields.items()})
    if "product_key" in data:
        values["product"] = _product(
            workspace, data.get("product_key") or "", errors, required=True
        )
    if "weight" in data:
        raw = data.get("weight")
        try:
            weight = int(str(raw)) if raw not in (None, "") else 1
        except (TypeError, ValueError):
            weight = -1
        if not 1 <= weight <= 100:
            errors["weight"] = ["Use a whole number from 1 to 100."]
        values["weight"] = weight
    if "owner_key" in data:
        values["owner"] = _member(workspace, data.get("owner_key") or "", errors, "owner_key")
    if "status" in data:
        status = data.get("status") or ObjectiveStatus.ON_TRACK
        if status not in ObjectiveStatus.values:
            errors["status"] = [f"Use one of {', '.join(ObjectiveStatus.values)}."]
        values["status"] = status
    return values, errors


def objective_create(*, workspace: Workspace, actor, **data) -> Objective:
    values, errors = _objective_values(
        workspace, {"title": "", "period": "", "product_key": "", **data}
    )
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        objective = Objective.objects.create(workspace=workspace, **values)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="objective",
            target_key=objective.key,
            target_label=objective.title,
        )
    return objective


def objective_update(*, objective: Objective, actor, **data) -> Objective:
    values, errors = _objective_values(objective.workspace, data)
    if errors:
        raise Invalid(fields=errors)
    before = {name: getattr(objective, name) for name in values}
    with transaction.atomic():
        for name, value in values.items():
            setattr(objective, name, value)
        objective.save()
        changes = diff(before, values)
        if "description" in changes:
            changes["description"] = ["…", "…"]
        if changes:
            activity_record(
                workspace=objective.workspace,
                actor=actor,
                verb="updated",
                target_type="objective",
                target_key=objective.key,
                target_label=objective.title,
                changes=changes,
            )
    return objective


def objective_feature_link(*, objective: Objective, actor, feature_title: str) -> ObjectiveFeature:
    title = " ".join(str(feature_title or "").split())
    if not title:
        raise Invalid(fields={"feature_title": ["Type the title of a feature."]})
    feature = Feature.objects.filter(workspace=objective.workspace, title__iexact=title).first()
    if feature is None:
        raise Invalid(fields={"feature_title": [f"No feature is called {title[:200]!r}."]})
    if ObjectiveFeature.objects.filter(objective=objective, feature=feature).exists():
        raise Invalid(fields={"feature_title": [f"{feature.title!r} is already linked."]})
    try:
        with transaction.atomic():
            link = ObjectiveFeature.objects.create(objective=objective, feature=feature)
            activity_record(
                workspace=objective.workspace,
                actor=actor,
                verb="linked",
                target_type="objective",
                target_key=objective.key,
                target_label=objective.title,
                changes={"feature": [None, feature.title]},
            )
    except IntegrityError:  # a concurrent link of the same pair
        raise Invalid(fields={"feature_title": [f"{feature.title!r} is already linked."]}) from None
    return link


def objective_feature_unlink(*, objective: Objective, actor, feature_key: str) -> None:
    link = (
        ObjectiveFeature.objects.filter(objective=objective, feature__key=feature_key)
        .select_related("feature")
        .first()
    )
    if link is None:
        raise NotFound("That feature is not linked to this objective.")
    with transaction.atomic():
        activity_record(
            workspace=objective.workspace,
            actor=actor,
            verb="unlinked",
            target_type="objective",
            target_key=objective.key,
            target_label=objective.title,
            changes={"feature": [link.feature.title, None]},
        )
        link.delete()


# -- key results ------------------------------------------------------------------------


def _kr_values(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {}
    if "metric" in data:
        values["metric"] = _text(data, "metric", 200, errors, required="Name the metric.")
    if "unit" in data:
        values["unit"] = _text(data, "unit", 20, errors)
    for name in ("baseline", "target", "current"):
        if name in data:
            values[name] = _number(data, name, errors, required=name == "target")
    if "due_date" in data:
        values["due_date"] = _date(data, "due_date", errors)
    return values, errors


def _checkin(kr: KeyResult, actor) -> None:
    KeyResultCheckin.objects.create(key_result=kr, value=kr.current, by=actor)


def key_result_create(*, objective: Objective, actor, **data) -> KeyResult:
    values, errors = _kr_values({"metric": "", "target": "", **data})
    values.setdefault("current", values.get("baseline", Decimal(0)))
    if "baseline" in values and "target" in values and values["baseline"] == values["target"]:
        errors.setdefault("target", ["The target must differ from the baseline."])
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        kr = KeyResult.objects.create(objective=objective, **values)
        _checkin(kr, actor)
        activity_record(
            workspace=objective.workspace,
            actor=actor,
            verb="created",
            target_type="key result",
            target_key=kr.key,
            target_label=f"{objective.title}: {kr.metric}",
        )
    return kr


def key_result_update(*, key_result: KeyResult, actor, **data) -> KeyResult:
    """Change a key result; a change of `current` is also a check-in (its value over time)."""
    values, errors = _kr_values(data)
    baseline = values.get("baseline", key_result.baseline)
    target = values.get("target", key_result.target)
    if baseline == target and "target" not in errors:
        errors["target"] = ["The target must differ from the baseline."]
    if errors:
        raise Invalid(fields=errors)
    before = {name: getattr(key_result, name) for name in values}
    with transaction.atomic():
        for name, value in values.items():
            setattr(key_result, name, value)
        key_result.save()
        changes = diff(before, values)
        if "current" in changes:
            _checkin(key_result, actor)
        if changes:
            activity_record(
                workspace=key_result.objective.workspace,
                actor=actor,
                verb="checked in" if set(changes) == {"current"} else "updated",
                target_type="key result",
                target_key=key_result.key,
                target_label=f"{key_result.objective.title}: {key_result.metric}",
                changes=changes,
            )
    return key_result


# -- decisions --------------------------------------------------------------------------


def _split(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(x).strip() for x in raw if str(x).strip()]
    return [p.strip() for p in re.split(r"[\n,]", str(raw or "")) if p.strip()]


def _decision_values(
    workspace: Workspace, data: dict[str, Any], decision: Decision | None
) -> tuple[dict[str, Any], dict[str, list], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {}
    links: dict[str, list] = {}
    if "title" in data:
        values["title"] = _text(data, "title", 200, errors, required="A decision needs a title.")
    for name in ("context", "options", "outcome", "rationale"):
        if name in data:
            values[name] = _text(data, name, MAX_TEXT, errors)
    if "product_key" in data:
        values["product"] = _product(
            workspace, data.get("product_key") or "", errors, required=False
        )
    if "decided_on" in data:
        values["decided_on"] = _date(data, "decided_on", errors)
    if "status" in data:
        status = data.get("status") or DecisionStatus.PROPOSED
        if status not in DecisionStatus.values:
            errors["status"] = [f"Use one of {', '.join(DecisionStatus.values)}."]
        values["status"] = status
    if "superseded_by_key" in data:
        key = str(data.get("superseded_by_key") or "").strip()
        newer = None
        if key:
            newer = Decision.objects.filter(workspace=workspace, key=key).first()
            if newer is None:
                errors["superseded_by_key"] = ["No such decision in this workspace."]
            elif decision is not None and _leads_to(newer, decision):
                errors["superseded_by_key"] = [
                    "That would make a loop: this decision already supersedes that one."
                    if newer.pk != decision.pk
                    else "A decision cannot supersede itself."
                ]
        values["superseded_by"] = newer
        if newer is not None:
            values["status"] = DecisionStatus.SUPERSEDED  # setting it marks the status
        elif values.get("status") == DecisionStatus.SUPERSEDED:
            errors["superseded_by_key"] = ["Say which decision supersedes this one."]
    if "decider_keys" in data:
        keys = _split(data.get("decider_keys"))
        found = list(Membership.objects.filter(workspace=workspace, key__in=keys))
        if len(found) != len(set(keys)):
            errors["decider_keys"] = ["Some deciders are not members of this workspace."]
        links["deciders"] = found
    if "feature_titles" in data:
        titles = _split(data.get("feature_titles"))[:50]
        features = []
        for title in titles:
            match = Feature.objects.filter(workspace=workspace, title__iexact=title).first()
            if match is None:
                errors.setdefault("feature_titles", []).append(
                    f"No feature is called {title[:200]!r}."
                )
            elif match not in features:
                features.append(match)
        links["features"] = features
    if "objective_keys" in data:
        keys = _split(data.get("objective_keys"))
        found_objectives = list(Objective.objects.filter(workspace=workspace, key__in=keys))
        if len(found_objectives) != len(set(keys)):
            errors["objective_keys"] = ["Some objectives are not in this workspace."]
        links["objectives"] = found_objectives
    if "insight_keys" in data:
        from lodestar.feedback.models import Insight

        keys = _split(data.get("insight_keys"))
        insights = list(Insight.objects.filter(feedback__workspace=workspace, key__in=keys))
        if len(insights) != len(set(keys)):
            errors["insight_keys"] = ["Some insight keys are not in this workspace."]
        links["insights"] = insights
    return values, links, errors


def _leads_to(start: Decision, target: Decision) -> bool:
    """Whether following `superseded_by` from `start` reaches `target` (or is `target`)."""
    seen: set[int] = set()
    current: Decision | None = start
    while current is not None and current.pk not in seen:
        if current.pk == target.pk:
            return True
        seen.add(current.pk)
        current = current.superseded_by
    return False


def _search_text(decision: Decision) -> str:
    return fold(" ".join([decision.title, decision.context, decision.outcome, decision.rationale]))


def _set_links(decision: Decision, links: dict[str, list]) -> dict[str, list]:
    changes: dict[str, list] = {}
    for name, items in links.items():
        manager = getattr(decision, name)
        before = sorted(str(x.key) for x in manager.all())
        manager.set(items)
        after = sorted(str(x.key) for x in items)
        if before != after:
            changes[name] = [len(before), len(after)]
    return changes


def decision_create(*, workspace: Workspace, actor, **data) -> Decision:
    values, links, errors = _decision_values(workspace, {"title": "", **data}, None)
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        decision = Decision(workspace=workspace, created_by=actor, **values)
        decision.search_text = _search_text(decision)
        decision.save()
        _set_links(decision, links)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="decision",
            target_key=decision.key,
            target_label=decision.title,
        )
    return decision


def decision_update(*, decision: Decision, actor, **data) -> Decision:
    values, links, errors = _decision_values(decision.workspace, data, decision)
    if errors:
        raise Invalid(fields=errors)
    before = {name: getattr(decision, name) for name in values}
    with transaction.atomic():
        for name, value in values.items():
            setattr(decision, name, value)
        decision.search_text = _search_text(decision)
        decision.save()
        changes: dict[str, Any] = diff(before, values)
        for name in ("context", "options", "outcome", "rationale"):
            if name in changes:
                changes[name] = ["…", "…"]
        changes |= _set_links(decision, links)
        if changes:
            activity_record(
                workspace=decision.workspace,
                actor=actor,
                verb="updated",
                target_type="decision",
                target_key=decision.key,
                target_label=decision.title,
                changes=changes,
            )
    return decision


# -- deletes ----------------------------------------------------------------------------


def objective_delete(*, objective: Objective, actor) -> None:
    """The objective goes with its key results, check-ins and feature links; decisions that
    cite it stay, without it."""
    with transaction.atomic():
        record_delete(objective, actor=actor, target_type="objective")


def key_result_delete(*, key_result: KeyResult, actor) -> None:
    with transaction.atomic():
        record_delete(key_result, actor=actor, target_type="key result")


def decision_delete(*, decision: Decision, actor) -> None:
    """Decisions it superseded are accepted again: nothing supersedes them any more."""
    with transaction.atomic():
        Decision.objects.filter(superseded_by=decision).update(
            status=DecisionStatus.ACCEPTED, superseded_by=None
        )
        record_delete(decision, actor=actor, target_type="decision")
