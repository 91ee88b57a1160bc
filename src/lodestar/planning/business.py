"""The business case of a feature: the revenue at stake, what building it costs, the ROI and
the payback, each as a low / expected / high range. docs/decide-business-case.md explains the
formulas for users.

`business_case` is a pure calculation over a feature, its demand and its team (no queries);
`business_cases` loads what it needs for any number of features in a fixed number of queries.

The three columns are scenarios, not sorted magnitudes: "low" is the pessimistic case (least
revenue, highest cost), "high" the optimistic one. So the low payback is the *longest*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lodestar.planning.models import Confidence, EffortUnit, Feature, ImpactUnit
from lodestar.planning.selectors import Demand, feature_demand
from lodestar.workspaces.models import Team

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")  # ROI: a ratio; 1.5 means the first year returns 150 % of the cost
TENTH = Decimal("0.1")  # payback months

# How far the real effort may land from the estimate, by the planner's confidence in it:
# (low multiplier, high multiplier). Estimates overrun more often and further than they
# underrun, so the spread is lopsided: a medium-confidence 6 weeks is 4.8 to 9 weeks.
CONFIDENCE_SPREAD: dict[str, tuple[Decimal, Decimal]] = {
    Confidence.HIGH: (Decimal("0.9"), Decimal("1.2")),
    Confidence.MEDIUM: (Decimal("0.8"), Decimal("1.5")),
    Confidence.LOW: (Decimal("0.7"), Decimal("2.0")),
}

# Why a part of the case cannot be computed: plain sentences for the page and the API.
NO_EFFORT = "no effort estimate"
NO_TEAM = "no team"
NO_COST_RATE = "the team has no cost per week"
NO_CAPACITY = (
    "effort is in points and the team has no capacity (points per week) to turn points into weeks"
)
ZERO_COST = "the estimated cost is 0, so there is no return to divide by it"


@dataclass(frozen=True)
class Range:
    """A low / expected / high triple (scenarios: pessimistic, expected, optimistic)."""

    low: Decimal
    expected: Decimal
    high: Decimal

    def as_dict(self) -> dict[str, Decimal]:
        return {"low": self.low, "expected": self.expected, "high": self.high}


@dataclass(frozen=True)
class Months:
    """Payback months per scenario; None in a scenario whose revenue is 0: never."""

    low: Decimal | None  # the longest: highest cost, lowest revenue
    expected: Decimal | None
    high: Decimal | None  # the shortest: lowest cost, highest revenue

    def as_dict(self) -> dict[str, Decimal | None]:
        return {"low": self.low, "expected": self.expected, "high": self.high}


@dataclass(frozen=True)
class BusinessCase:
    """What the page shows, and the inputs it came from so the page can show its working.

    `cost`, `roi` and `payback_months` are None when they cannot be computed; `missing` says
    why. `payback_months` is also None when the revenue is 0 in every scenario: `never` is
    then True."""

    revenue: Range  # annual, in the workspace currency
    cost: Range | None
    roi: Range | None
    payback_months: Months | None
    missing: list[str] = field(default_factory=list)
    # The working.
    asking_arr: Decimal = Decimal(0)  # every asking company's ARR (the high case)
    weighted_arr: Decimal = Decimal(0)  # weighted by importance (the expected case)
    critical_arr: Decimal = Decimal(0)  # companies that said critical (the low case)
    companies: int = 0
    new_revenue: Range = Range(Decimal(0), Decimal(0), Decimal(0))  # the PM's estimate
    weeks: Decimal | None = None  # the expected effort in weeks
    cost_per_week: Decimal | None = None
    team_name: str = ""
    confidence: str = Confidence.MEDIUM
    spread: tuple[Decimal, Decimal] = CONFIDENCE_SPREAD[Confidence.MEDIUM]

    @property
    def never(self) -> bool:
        """The cost is known but no scenario brings revenue: it never pays back."""
        return self.cost is not None and self.revenue.high == 0

    @property
    def spread_text(self) -> str:
        """The confidence spread in words: "-20 % / +50 %" for medium (a real minus sign)."""
        low, high = self.spread
        return f"\u2212{int((1 - low) * 100)} % / +{int((high - 1) * 100)} %"

    def as_dict(self) -> dict:
        """For the API: money as Decimal (JSON strings, like company ARR), ratios as numbers."""
        return {
            "revenue": self.revenue.as_dict(),
            "cost": self.cost.as_dict() if self.cost else None,
            "roi": self.roi.as_dict() if self.roi else None,
            "payback_months": self.payback_months.as_dict() if self.payback_months else None,
            "never_pays_back": self.never,
            "missing": list(self.missing),
            "inputs": {
                "asking_arr": self.asking_arr,
                "weighted_arr": self.weighted_arr,
                "critical_arr": self.critical_arr,
                "companies": self.companies,
                "new_revenue": self.new_revenue.as_dict(),
                "weeks": self.weeks,
                "cost_per_week": self.cost_per_week,
                "team": self.team_name,
                "confidence": self.confidence,
            },
        }


def _new_revenue(feature: Feature) -> Range:
    """The PM's expected new revenue: a lone expected value is its own low and high."""
    expected = feature.new_revenue if feature.new_revenue is not None else Decimal(0)
    low = feature.new_revenue_low if feature.new_revenue_low is not None else expected
    high = feature.new_revenue_high if feature.new_revenue_high is not None else expected
    return Range(low, expected, high)


def _weeks(feature: Feature, team: Team | None) -> Decimal | None:
    """The expected effort in weeks, when it can be known."""
    if feature.effort is None:
        return None
    if feature.effort_unit == EffortUnit.WEEKS:
        return Decimal(feature.effort)
    if team is None or not team.capacity_points:
        return None
    return Decimal(feature.effort) / Decimal(team.capacity_points)


def _missing(feature: Feature, team: Team | None) -> list[str]:
    missing = []
    if feature.effort is None:
        missing.append(NO_EFFORT)
    if team is None:
        missing.append(NO_TEAM)
        return missing
    if not team.cost_per_week:
        missing.append(NO_COST_RATE)
    in_points = feature.effort is not None and feature.effort_unit != EffortUnit.WEEKS
    if in_points and not team.capacity_points:
        missing.append(NO_CAPACITY)
    return missing


def business_case(feature: Feature, demand: Demand, team: Team | None) -> BusinessCase:
    """The business case of `feature` given its `demand` (planning.selectors.feature_demand)
    and its `team` (passed in so this runs no query; None: no team). Money is rounded to
    cents, ROI to 4 places, payback to a tenth of a month."""
    pm = _new_revenue(feature)
    revenue = Range(
        (demand.critical_arr + pm.low).quantize(CENT),
        (demand.weighted_arr + pm.expected).quantize(CENT),
        (demand.arr + pm.high).quantize(CENT),
    )
    confidence = str(feature.effort_confidence)
    spread = CONFIDENCE_SPREAD.get(confidence, CONFIDENCE_SPREAD[Confidence.MEDIUM])
    missing = _missing(feature, team)
    weeks = _weeks(feature, team)
    rate = team.cost_per_week if team is not None else None
    cost = roi = payback = None
    if weeks is not None and rate:
        expected = weeks * rate
        cost = Range(
            (expected * spread[0]).quantize(CENT),
            expected.quantize(CENT),
            (expected * spread[1]).quantize(CENT),
        )
        if cost.expected > 0:
            roi = Range(
                ((revenue.low - cost.high) / cost.high).quantize(RATIO),
                ((revenue.expected - cost.expected) / cost.expected).quantize(RATIO),
                ((revenue.high - cost.low) / cost.low).quantize(RATIO),
            )
        else:
            missing.append(ZERO_COST)
        if revenue.high > 0:
            payback = Months(
                _months(cost.high, revenue.low),
                _months(cost.expected, revenue.expected),
                _months(cost.low, revenue.high),
            )
    return BusinessCase(
        revenue=revenue,
        cost=cost,
        roi=roi,
        payback_months=payback,
        missing=missing,
        asking_arr=demand.arr,
        weighted_arr=demand.weighted_arr,
        critical_arr=demand.critical_arr,
        companies=demand.companies,
        new_revenue=pm,
        weeks=None if weeks is None else weeks.quantize(CENT),
        cost_per_week=rate,
        team_name=team.name if team is not None else "",
        confidence=confidence,
        spread=spread,
    )


def _months(cost: Decimal, annual_revenue: Decimal) -> Decimal | None:
    """Months of revenue to earn `cost` back; None when there is no revenue (never)."""
    if cost == 0:
        return Decimal(0)
    if annual_revenue <= 0:
        return None
    return (cost / (annual_revenue / 12)).quantize(TENTH)


def business_cases(
    *, features: list[Feature], demand: dict[int, Demand] | None = None
) -> dict[int, BusinessCase]:
    """The business case of each feature, by feature pk, in at most three queries whatever
    the number of features: demand (two, batched; none when the caller passes the
    `feature_demand` it already has) and the teams not already loaded (one; none when the
    features came with select_related("team")). The features must be of one workspace (the
    caller's selector scopes them)."""
    features = list(features)
    if demand is None:
        demand = feature_demand(features=features)
    teams: dict[int, Team] = {}
    wanted = set()
    for f in features:
        if f.team_id is None:
            continue
        if Feature.team.is_cached(f) and f.team is not None:  # the caller's select_related
            teams[f.team_id] = f.team
        else:
            wanted.add(f.team_id)
    wanted -= set(teams)
    if wanted:
        teams.update(
            (t.pk, t)
            for t in Team.objects.filter(pk__in=wanted).only(
                "pk", "name", "key", "workspace_id", "capacity_points", "cost_per_week"
            )
        )
    return {
        f.pk: business_case(f, demand[f.pk], teams.get(f.team_id) if f.team_id else None)
        for f in features
    }


def predicted_change(feature: Feature) -> str:
    """The predicted impact's change in words: "+15 %", "-2 percentage points" (a real
    minus sign), "+200"; "" when none is recorded."""
    if feature.impact_change is None:
        return ""
    change = Decimal(feature.impact_change)
    text = f"{abs(change):,.2f}".rstrip("0").rstrip(".")
    text = f"\u2212{text}" if change < 0 else f"+{text}"
    if feature.impact_unit == ImpactUnit.PERCENT:
        return f"{text} %"
    if feature.impact_unit == ImpactUnit.POINTS:
        return f"{text} percentage points"
    return text
