"""Reads for release budgets: the planned cost (effort x the release team's cost per week,
unless a person set it), the actual cost lines, the burn against the plan and its chart.

`release_budget(release)` is the one other areas call (the status report reads it);
`release_budgets(releases)` does the same for a list in a fixed number of queries.
docs/ship-budgets.md explains every number for users."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Sum

from lodestar.core.errors import NotFound
from lodestar.delivery.models import CostLine, DeliverySettings, ReleaseBudget, Risk, RiskSource
from lodestar.planning.business import _weeks
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release, ReleaseStatus
from lodestar.planning.share_services import local_today as workspace_today
from lodestar.workspaces.models import Product, Workspace

CENT = Decimal("0.01")
OPEN_STATUSES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)
DEFAULT_THRESHOLD = 10  # % over plan before a budget risk is proposed (DeliverySettings)

# Why the computed plan is missing or partial: plain sentences for the page and the report.
NO_FEATURES = "the release has no features"
NO_ESTIMATES = "none of its features has an effort estimate"
NO_COST_RATE = "its team ({team}) has no cost per week"
NO_CAPACITY = (
    "{count} feature{s} estimated in points cannot be turned into weeks: the team has no "
    "capacity (points per week)"
)
UNESTIMATED = "{count} feature{s} without an effort estimate {are} not counted"


@dataclass(frozen=True)
class FeatureCost:
    """One feature's share of the computed plan: its effort in weeks and what that costs
    (None, with `missing`, when it cannot be known)."""

    feature: Feature
    weeks: Decimal | None
    cost: Decimal | None
    missing: str = ""


@dataclass(frozen=True)
class Budget:
    """A release's budget as the page and the status report show it.

    `planned` is the override when one is set, else the computed plan; None when neither
    exists. `spent_share` is actual / planned and `over_by` is actual / planned - 1
    (negative while under plan); both None without a plan above 0. `lines` is filled by
    `release_budget` only (`release_budgets`, for lists, leaves it empty)."""

    release: Release
    planned: Decimal | None
    planned_computed: Decimal | None
    planned_override: Decimal | None
    actual: Decimal
    spent_share: float | None
    over_by: float | None
    lines: list[CostLine] = field(default_factory=list)
    note: str = ""
    line_count: int = 0
    features: list[FeatureCost] = field(default_factory=list)
    weeks: Decimal = Decimal(0)  # the estimated effort the computed plan is made of
    cost_per_week: Decimal = Decimal(0)
    missing: list[str] = field(default_factory=list)  # why the computed plan is absent/partial
    threshold: int = DEFAULT_THRESHOLD
    currency: str = "USD"
    plan_start: date | None = None  # release start, else the first cost line
    time_share: float | None = None  # share of plan_start..target elapsed today (0..1)
    first_spent: date | None = None
    today: date | None = None

    @property
    def over_threshold(self) -> bool:
        """Actual beyond planned x (1 + threshold): what raises a draft budget risk."""
        if self.planned is None or self.planned <= 0:
            return False
        # In Decimal: 38,500 against 35,000 is exactly 10 % over, not 10.000000000000009.
        return self.actual > self.planned * (1 + Decimal(self.threshold) / 100)

    @property
    def status(self) -> str:
        """One of: no_plan; over (beyond the threshold); above (over plan, within the
        threshold); on_plan."""
        if self.over_by is None:
            return "no_plan"
        if self.over_threshold:
            return "over"
        return "above" if self.over_by > 0 else "on_plan"

    @property
    def remaining(self) -> Decimal | None:
        """Planned minus actual (negative when over)."""
        return None if self.planned is None else self.planned - self.actual

    @property
    def over_amount(self) -> Decimal | None:
        """Actual minus planned when above plan, else None."""
        if self.planned is None or self.actual <= self.planned:
            return None
        return self.actual - self.planned

    @property
    def planned_to_date(self) -> Decimal | None:
        """What the linear plan says should be spent by today."""
        if self.planned is None or self.time_share is None:
            return None
        return (self.planned * Decimal(str(self.time_share))).quantize(CENT)

    def as_dict(self) -> dict:
        """For JSON (reports, scripts): money as strings, ratios as numbers."""
        money = lambda v: None if v is None else str(v)  # noqa: E731
        return {
            "release": self.release.key,
            "name": self.release.name,
            "currency": self.currency,
            "planned": money(self.planned),
            "planned_computed": money(self.planned_computed),
            "planned_override": money(self.planned_override),
            "actual": money(self.actual),
            "spent_share": self.spent_share,
            "over_by": self.over_by,
            "time_share": self.time_share,
            "threshold": self.threshold,
            "status": self.status,
            "missing": list(self.missing),
        }


def threshold_for(product: Product) -> int:
    """The product's over-budget threshold in %, creating its settings row (defaults) when
    missing."""
    from lodestar.delivery.forecast_services import delivery_settings

    return int(delivery_settings(product).over_budget_threshold)


def _plural(template: str, count: int) -> str:
    return template.format(
        count=count, s="" if count == 1 else "s", are="is" if count == 1 else "are"
    )


def _computed(release: Release, features: list[Feature]) -> tuple:
    """(computed plan or None, per-feature costs, weeks, reasons missing)."""
    team = release.team
    rate = Decimal(team.cost_per_week or 0)
    costs: list[FeatureCost] = []
    weeks_total = Decimal(0)
    unestimated = unconvertible = 0
    for feature in features:
        weeks = _weeks(feature, team)
        if weeks is None:
            if feature.effort is None:
                unestimated += 1
                why = "no effort estimate"
            else:
                unconvertible += 1
                why = "in points, and the team has no capacity to turn points into weeks"
            costs.append(FeatureCost(feature, None, None, why))
            continue
        weeks_total += weeks
        costs.append(FeatureCost(feature, weeks, (weeks * rate).quantize(CENT) if rate else None))
    missing = []
    estimated = len(features) - unestimated - unconvertible
    if not features:
        missing.append(NO_FEATURES)
    elif unestimated == len(features):
        missing.append(NO_ESTIMATES)
    else:
        if unestimated:
            missing.append(_plural(UNESTIMATED, unestimated))
        if unconvertible:
            missing.append(_plural(NO_CAPACITY, unconvertible))
    if estimated and not rate:
        missing.append(NO_COST_RATE.format(team=team.name))
    computed = (weeks_total * rate).quantize(CENT) if estimated and rate else None
    return computed, costs, weeks_total.quantize(CENT), missing


def _ratio(part: Decimal, whole: Decimal | None) -> float | None:
    if whole is None or whole <= 0:
        return None
    return float(part / whole)


def _time_share(start: date | None, target: date, today: date) -> float | None:
    if start is None:
        return None
    if start >= target:
        return 1.0 if today >= target else 0.0
    elapsed = (today - start).days
    return min(1.0, max(0.0, elapsed / (target - start).days))


def release_budgets(*, releases, with_lines: bool = False) -> dict[int, Budget]:
    """{release id: Budget} for releases of one workspace loaded with their product and
    team (select_related), in five queries whatever their number (six with lines)."""
    releases = list(releases)
    if not releases:
        return {}
    ids = [r.pk for r in releases]
    features: dict[int, list[Feature]] = {pk: [] for pk in ids}
    rows = Feature.objects.filter(release_id__in=ids).only(
        "pk", "key", "title", "status", "release_id", "effort", "effort_unit"
    )
    for feature in rows.order_by("rank", "title"):
        features[feature.release_id].append(feature)  # type: ignore[index]
    budgets = {b.release_id: b for b in ReleaseBudget.objects.filter(release_id__in=ids)}
    sums = {
        row["release_id"]: row
        for row in CostLine.objects.filter(release_id__in=ids)
        .values("release_id")
        .annotate(total=Sum("amount"), first=Min("spent_on"), count=Count("pk"))
    }
    lines: dict[int, list[CostLine]] = {pk: [] for pk in ids}
    if with_lines:
        for line in CostLine.objects.filter(release_id__in=ids).select_related("created_by"):
            lines[line.release_id].append(line)
    products = {r.product_id: r.product for r in releases}
    existing = {
        s.product_id: int(s.over_budget_threshold)
        for s in DeliverySettings.objects.filter(product_id__in=products)
    }
    # A read creates no settings row: a missing one means the defaults (check_budget makes it).
    thresholds = {pk: existing.get(pk, DEFAULT_THRESHOLD) for pk in products}
    workspace = releases[0].workspace
    today = workspace_today(workspace)
    result = {}
    for release in releases:
        computed, costs, weeks, missing = _computed(release, features[release.pk])
        row = budgets.get(release.pk)
        override = row.planned_override if row is not None else None
        planned = override if override is not None else computed
        spent = sums.get(release.pk, {})
        actual = Decimal(spent.get("total") or 0).quantize(CENT)
        share = _ratio(actual, planned)
        first = spent.get("first")
        plan_start = release.start or first
        if plan_start is not None and plan_start > release.target:
            plan_start = release.target
        result[release.pk] = Budget(
            release=release,
            planned=planned,
            planned_computed=computed,
            planned_override=override,
            actual=actual,
            spent_share=share,
            over_by=None if share is None else share - 1,
            lines=lines[release.pk],
            note=row.note if row is not None else "",
            line_count=spent.get("count", 0),
            features=costs,
            weeks=weeks,
            cost_per_week=Decimal(release.team.cost_per_week or 0),
            missing=missing,
            threshold=thresholds[release.product_id],
            currency=workspace.currency,
            plan_start=plan_start,
            time_share=_time_share(plan_start, release.target, today),
            first_spent=first,
            today=today,
        )
    return result


def release_budget(release: Release) -> Budget:
    """The budget of one release, with its cost lines (oldest first)."""
    return release_budgets(releases=[release], with_lines=True)[release.pk]


# -- lists and lookups -----------------------------------------------------------------------

# Sort keys of the list: (value, tiebreak); a release without the value sorts last either way.
SORTS = {
    "target": lambda b: (b.release.target, b.release.pk),
    "name": lambda b: (b.release.name.casefold(), b.release.pk),
    "planned": lambda b: None if b.planned is None else (b.planned, b.release.pk),
    "actual": lambda b: (b.actual, b.release.pk),
    "burn": lambda b: None if b.spent_share is None else (b.spent_share, b.release.pk),
}


def budget_list(*, workspace: Workspace, product: Product, sort: str = "target") -> list[Budget]:
    """The budgets of a product's releases (at most 300), sorted by `sort` (a SORTS key,
    "-" in front for descending; releases without a plan last either way)."""
    key = SORTS.get(sort.lstrip("-"), SORTS["target"])
    releases = (
        Release.objects.filter(workspace=workspace, product=product)
        .select_related("product", "team", "workspace")
        .order_by("target", "pk")[:300]
    )
    rows = list(release_budgets(releases=releases).values())
    known = [b for b in rows if key(b) is not None]
    known.sort(key=key, reverse=sort.startswith("-"))  # type: ignore[arg-type]
    return known + [b for b in rows if key(b) is None]


def budget_release_get(*, workspace: Workspace, key: str) -> Release:
    try:
        return Release.objects.select_related("product", "team", "owner__user", "workspace").get(
            workspace=workspace, key=key
        )
    except Release.DoesNotExist:
        raise NotFound("No such release.") from None


def cost_line_get(*, release: Release, key: str) -> CostLine:
    try:
        return CostLine.objects.select_related("release").get(release=release, key=key)
    except CostLine.DoesNotExist:
        raise NotFound("No such cost line.") from None


def budget_risk(release: Release) -> Risk | None:
    """The latest budget risk Lodestar drafted for `release` (pending, accepted or
    dismissed), or None."""
    return (
        Risk.objects.filter(source_release=release, source=RiskSource.BUDGET)
        .order_by("-pk")
        .first()
    )


def releases_to_check():
    """Open releases that have cost lines (the only ones that can be over budget), with
    what release_budgets needs."""
    return (
        Release.objects.filter(status__in=OPEN_STATUSES, cost_lines__isnull=False)
        .distinct()
        .select_related("product", "team", "workspace")
        .order_by("pk")
    )


# -- the burn chart --------------------------------------------------------------------------

PLAN_COLOUR = "#6b7280"
ACTUAL_COLOUR = "#1d4ed8"
OVER_COLOUR = "#b91c1c"


def burn_figure(budget: Budget) -> dict | None:
    """The Plotly figure of cumulative actual cost beside the plan spread linearly from
    `plan_start` to the target; None when there is nothing to draw (no plan, no lines)."""
    release = budget.release
    traces = []
    shapes = []
    if budget.planned is not None and budget.plan_start is not None:
        start = budget.plan_start
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Plan",
                "x": [start.isoformat(), release.target.isoformat()],
                "y": [0, float(budget.planned)],
                "line": {"color": PLAN_COLOUR, "dash": "dash", "width": 2},
                "hovertemplate": "Plan: %{y:,.2f} by %{x}<extra></extra>",
            }
        )
        limit = float(budget.planned) * (1 + budget.threshold / 100)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Plan + {budget.threshold} %",
                "x": [start.isoformat(), release.target.isoformat()],
                "y": [limit, limit],
                "line": {"color": OVER_COLOUR, "dash": "dot", "width": 1},
                "hovertemplate": "Over-budget line: %{y:,.2f}<extra></extra>",
            }
        )
    if budget.lines:
        days: dict[date, Decimal] = {}
        for line in budget.lines:
            days[line.spent_on] = days.get(line.spent_on, Decimal(0)) + line.amount
        xs, ys, total = [], [], Decimal(0)
        first = min(days)
        xs.append((first - timedelta(days=1)).isoformat())
        ys.append(0.0)
        for day in sorted(days):
            total += days[day]
            xs.append(day.isoformat())
            ys.append(float(total))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Actual (cumulative)",
                "x": xs,
                "y": ys,
                "line": {"color": ACTUAL_COLOUR, "shape": "hv", "width": 3},
                "hovertemplate": "Spent by %{x}: %{y:,.2f}<extra></extra>",
            }
        )
    if not traces:
        return None
    if budget.today is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": budget.today.isoformat(),
                "x1": budget.today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#374151", "width": 1},
            }
        )
    return {
        "data": traces,
        "layout": {
            "height": 380,
            "margin": {"l": 80, "r": 20, "t": 20, "b": 50},
            "xaxis": {"type": "date", "title": {"text": "Date"}},
            "yaxis": {"title": {"text": f"Cost ({budget.currency})"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.2},
            "shapes": shapes,
            "annotations": [
                {
                    "x": budget.today.isoformat(),
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": "today",
                    "showarrow": False,
                    "yanchor": "bottom",
                }
            ]
            if budget.today is not None
            else [],
        },
    }
