"""Writes for release budgets: the planned-cost override, actual cost lines, and the
over-budget check that drafts (or withdraws) a budget risk for the product manager.

Every write is in the activity log (target types "release budget" and "cost line") and
is followed by `check_budget(release)`, in the same transaction. The scheduler runs
`check_all_budgets()` (delivery/jobs.py)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete, record_update
from lodestar.core.errors import Invalid
from lodestar.delivery import proposals
from lodestar.delivery.budget_selectors import (
    OPEN_STATUSES,
    Budget,
    release_budgets,
    releases_to_check,
    threshold_for,
    workspace_today,
)
from lodestar.delivery.models import (
    CostCategory,
    CostLine,
    ReleaseBudget,
    Risk,
    RiskCategory,
    RiskSource,
    RiskStatus,
)
from lodestar.planning.roadmap_models import Release
from lodestar.planning.templatetags.business import money_full

MAX_AMOUNT = Decimal("1000000000000")  # the columns hold 12 digits before the point
AMOUNT_HELP = "Use an amount like 1250, 1,250.50 or 12.5k."
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_SYMBOLS = "$€£¥₹₩₪"


def parse_amount(raw: Any, *, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    """An amount of money from a form or JSON: 1250, "1,250.50", "12.5k", "1.2M" (a comma
    only as a thousands separator). None, with a message in `errors[name]`, when it is not
    a number, negative, has more than 2 decimals (after k/M) or is not below 10^12."""
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "").replace("_", "")
    text = text.lstrip(_SYMBOLS)
    if text.startswith("-"):
        errors[name] = ["An amount cannot be negative: record money spent, 0 or more."]
        return None
    scale = {"k": Decimal(1_000), "m": Decimal(1_000_000)}.get(text[-1:].lower(), Decimal(1))
    if scale != 1:
        text = text[:-1]
    if not (_PLAIN.match(text) or _GROUPED.match(text)):
        errors[name] = [f"“{str(raw)[:40]}” is not an amount. {AMOUNT_HELP}"]
        return None
    try:
        value = Decimal(text.replace(",", "")) * scale
    except InvalidOperation:  # pragma: no cover - the patterns above only pass numbers
        errors[name] = [f"“{str(raw)[:40]}” is not an amount. {AMOUNT_HELP}"]
        return None
    if value >= MAX_AMOUNT:
        errors[name] = ["That is too large: use an amount below 1,000,000,000,000."]
        return None
    if value != value.quantize(Decimal("0.01")):
        errors[name] = [
            f"Use at most 2 decimals (cents): {str(raw).strip()[:40]} has more.",
        ]
        return None
    return value.quantize(Decimal("0.01"))


def _line_values(*, release: Release, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    description = " ".join(str(data.get("description") or "").split())
    if not description:
        errors["description"] = ["Say what the money was spent on."]
    elif len(description) > 200 or "\x00" in description:
        errors["description"] = [f"Use at most 200 characters (got {len(description)})."]
    values["description"] = description
    category = str(data.get("category") or CostCategory.PEOPLE)
    if category not in CostCategory.values:
        errors["category"] = [
            "Choose a category: " + ", ".join(str(label) for label in CostCategory.labels) + "."
        ]
    values["category"] = category
    raw = data.get("amount")
    if raw is None or str(raw).strip() == "":
        errors["amount"] = ["Enter the amount spent. " + AMOUNT_HELP]
    else:
        values["amount"] = parse_amount(raw, name="amount", errors=errors)
    spent_on = data.get("spent_on")
    if isinstance(spent_on, str) and spent_on:
        try:
            spent_on = date.fromisoformat(spent_on)
        except ValueError:
            errors["spent_on"] = ["Use a date like 2027-03-15."]
    if not spent_on:
        errors["spent_on"] = ["Enter the date the money was spent."]
    elif isinstance(spent_on, date):
        today = workspace_today(release.workspace)
        if spent_on > today:
            errors["spent_on"] = [
                f"{spent_on:%b %-d, %Y} is in the future: record money already spent "
                f"(today is {today:%b %-d, %Y})."
            ]
        elif spent_on.year < 2000:
            errors["spent_on"] = ["Use a date from 2000 on."]
    values["spent_on"] = spent_on
    if errors:
        raise Invalid("The cost line was not saved: check the fields marked.", fields=errors)
    return values


@transaction.atomic
def cost_line_create(
    *, release: Release, actor, description, amount, spent_on, category=CostCategory.PEOPLE
) -> CostLine:
    """Record money spent on `release` (then re-check its budget)."""
    values = _line_values(
        release=release,
        data={
            "description": description,
            "category": category,
            "amount": amount,
            "spent_on": spent_on,
        },
    )
    line = CostLine.objects.create(
        workspace=release.workspace, release=release, created_by=actor, **values
    )
    activity_record(
        workspace=release.workspace,
        actor=actor,
        verb="created",
        target_type="cost line",
        target_key=line.key,
        target_label=f"{line.description} ({release.name})",
        changes=diff({}, {**values, "release": release.name}),
    )
    check_budget(release)
    return line


@transaction.atomic
def cost_line_update(
    *, line: CostLine, actor, description, amount, spent_on, category=CostCategory.PEOPLE
) -> CostLine:
    release = line.release
    values = _line_values(
        release=release,
        data={
            "description": description,
            "category": category,
            "amount": amount,
            "spent_on": spent_on,
        },
    )
    record_update(line, actor=actor, values=values, target_type="cost line")
    check_budget(release)
    return line


@transaction.atomic
def cost_line_delete(*, line: CostLine, actor) -> None:
    release = line.release
    record_delete(line, actor=actor, target_type="cost line")
    check_budget(release)


@transaction.atomic
def budget_plan_set(*, release: Release, actor, planned_override, note="") -> ReleaseBudget:
    """Set (or, with a blank `planned_override`, clear) the planned cost by hand; `note`
    says where the figure comes from. Then re-check the budget."""
    errors: dict[str, list[str]] = {}
    override = None
    if planned_override is not None and str(planned_override).strip() != "":
        override = parse_amount(planned_override, name="planned_override", errors=errors)
        if override is not None and override <= 0:
            errors["planned_override"] = [
                "A planned cost is above 0; leave it blank to use the computed plan."
            ]
    note = " ".join(str(note or "").split())
    if len(note) > 300:
        errors["note"] = [f"Use at most 300 characters (got {len(note)})."]
    if errors:
        raise Invalid("The plan was not saved: check the fields marked.", fields=errors)
    row, _ = ReleaseBudget.objects.select_for_update().get_or_create(release=release)
    before = {"planned_override": row.planned_override, "note": row.note}
    after = {"planned_override": override, "note": note}
    changes = diff(before, after)
    if changes:
        row.planned_override, row.note = override, note
        row.save()
        activity_record(
            workspace=release.workspace,
            actor=actor,
            verb="updated",
            target_type="release budget",
            target_key=release.key,
            target_label=release.name,
            changes=changes,
        )
    check_budget(release)
    return row


# -- the over-budget check -----------------------------------------------------------------


def impact_of(overrun: float) -> int:
    """Impact 1..5 by how far actual cost is beyond plan (a fraction: 0.3 is 30 % over)."""
    for level, below in ((1, 0.10), (2, 0.25), (3, 0.50), (4, 1.00)):
        if overrun < below:
            return level
    return 5


def _describe(budget: Budget) -> tuple[str, dict[str, Any]]:
    assert budget.planned is not None and budget.over_by is not None
    currency = budget.currency
    overrun = budget.over_by
    elapsed = (
        f" with {budget.time_share:.0%} of its time elapsed"
        if budget.time_share is not None
        else ""
    )
    text = (
        f"{budget.release.name} has spent {money_full(budget.actual, currency)} against a "
        f"planned {money_full(budget.planned, currency)}{elapsed}: "
        f"{overrun:.0%} over plan, beyond the product's {budget.threshold} % threshold."
        f"\n\nThe plan is {'set by hand' if budget.planned_override is not None else 'computed from effort x the team cost per week'}"  # noqa: E501
        f"; {budget.line_count} cost line{'s' if budget.line_count != 1 else ''} recorded."
    )
    evidence = {
        "planned": str(budget.planned),
        "actual": str(budget.actual),
        "overrun": round(overrun, 4),
        "threshold": budget.threshold,
        "currency": currency,
        "time_elapsed": None if budget.time_share is None else round(budget.time_share, 4),
    }
    return text, evidence


def check_budget(release: Release) -> Risk | None:
    """Propose a draft budget risk when `release`'s actual cost is beyond its plan by more
    than the product's threshold (refreshing a pending one); withdraw a pending one when it
    is back within it, or the release is no longer open. Returns the pending proposal, or
    None (none needed, or the PM already accepted or dismissed it: see proposals.propose)."""
    release = Release.objects.select_related("product", "team", "workspace").get(pk=release.pk)
    threshold_for(release.product)  # the settings row, created with its defaults if missing
    budget = release_budgets(releases=[release])[release.pk]
    return _apply(budget)


def _apply(budget: Budget) -> Risk | None:
    release = budget.release
    if release.status not in OPEN_STATUSES or not budget.over_threshold:
        proposals.withdraw(release=release, source=RiskSource.BUDGET)
        return None
    assert budget.over_by is not None
    description, evidence = _describe(budget)
    return proposals.propose(
        release=release,
        source=RiskSource.BUDGET,
        title=f"{release.name} is over budget",
        description=description,
        category=RiskCategory.BUDGET,
        likelihood=5,  # the overrun is not a chance: it is happening
        impact=impact_of(budget.over_by),
        evidence=evidence,
        severity=round(budget.over_by, 4),
    )


def check_all_budgets() -> int:
    """Run the over-budget check on every open release with cost lines, and withdraw the
    pending proposals of releases that no longer qualify. Returns how many releases are
    over budget now (pending, accepted or dismissed)."""
    over = 0
    checked: set[int] = set()
    for release in releases_to_check().iterator(chunk_size=200):
        with transaction.atomic():
            threshold_for(release.product)
            budget = release_budgets(releases=[release])[release.pk]
            _apply(budget)
        checked.add(release.pk)
        over += budget.over_threshold
    stale = (
        Risk.objects.filter(source=RiskSource.BUDGET, status=RiskStatus.PROPOSED)
        .exclude(source_release_id__in=checked)
        .select_related("source_release")
    )
    for risk in stale:
        if risk.source_release is not None:
            proposals.withdraw(release=risk.source_release, source=RiskSource.BUDGET)
    return over
