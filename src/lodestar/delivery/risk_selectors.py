"""Reads for the risk register: a product's risks (filtered, sorted), the 5x5 heatmap, the
top risks of a product, a risk's history and mitigation actions, and issues.

Every fetch by key goes through the workspace, so another workspace's key is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, DateField, QuerySet, Value
from django.db.models.functions import Coalesce

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, NotFound
from lodestar.delivery.models import (
    ACTIVE_RISK,
    Issue,
    Risk,
    RiskAction,
    RiskCategory,
    RiskStatus,
)

# Exposure (likelihood x impact) bands, as the register and the heatmap colour them.
BANDS = (("low", 1, 4), ("medium", 5, 9), ("high", 10, 16), ("critical", 20, 25))
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}

# The register's status filter: the statuses, plus "active" (open or mitigating: the default)
# and "all" (everything but proposals and dismissed proposals, which have their own place).
STATUS_FILTERS = {
    "active": "Active (open or mitigating)",
    "all": "All but proposals",
    **{
        s.value: str(s.label)
        for s in RiskStatus
        if s not in (RiskStatus.PROPOSED,)  # proposals: the section above the register
    },
}
SORTS = {
    "exposure": ("Exposure, highest first", "-exposure"),
    "review": ("Review date, soonest first", "review_sort"),
    "status": ("Status", "status"),
}
FAR_FUTURE = date(9999, 12, 31)  # a risk without a review date sorts last


def band(exposure: int) -> str:
    """The exposure band's name: low 1-4, medium 5-9, high 10-16, critical 20-25."""
    for name, low, high in BANDS:
        if low <= exposure <= high:
            return name
    return "low"


def risk_get(*, workspace, key: str) -> Risk:
    risk = (
        Risk.objects.filter(workspace=workspace, key=key)
        .select_related("product", "owner__user", "source_release")
        .first()
    )
    if risk is None:
        raise NotFound("No such risk in this workspace.")
    return risk


def action_get(*, risk: Risk, key: str) -> RiskAction:
    action = RiskAction.objects.filter(risk=risk, key=key).select_related("owner__user").first()
    if action is None:
        raise NotFound("No such action on this risk.")
    return action


def issue_get(*, workspace, key: str) -> Issue:
    issue = (
        Issue.objects.filter(workspace=workspace, key=key)
        .select_related("product", "risk", "owner__user")
        .first()
    )
    if issue is None:
        raise NotFound("No such issue in this workspace.")
    return issue


@dataclass(frozen=True)
class RiskFilters:
    status: str = "active"
    category: str = ""
    owner: str = ""  # a membership key
    q: str = ""
    likelihood: int | None = None  # a heatmap cell
    impact: int | None = None
    sort: str = "exposure"

    @property
    def cell(self) -> bool:
        return self.likelihood is not None and self.impact is not None


def _scale(raw: str, name: str) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise Invalid(
            f"{name.capitalize()} runs from 1 to 5; {raw!r} is not on the scale.",
            fields={name[0]: [f"Use 1 to 5, not {raw!r}."]},
        )
    return value


def parse_filters(params) -> RiskFilters:
    """The register's filters from a query string; an unknown value is a 400 naming it."""
    status = (params.get("status") or "active").strip()
    if status not in STATUS_FILTERS:
        raise Invalid(
            f"Unknown status {status!r}: use one of {', '.join(STATUS_FILTERS)}.",
            fields={"status": [f"Unknown status {status!r}."]},
        )
    category = (params.get("category") or "").strip()
    if category and category not in RiskCategory.values:
        raise Invalid(
            f"Unknown category {category!r}: use one of {', '.join(RiskCategory.values)}.",
            fields={"category": [f"Unknown category {category!r}."]},
        )
    sort = (params.get("sort") or "exposure").strip()
    if sort not in SORTS:
        raise Invalid(
            f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.",
            fields={"sort": [f"Unknown sort {sort!r}."]},
        )
    likelihood = _scale((params.get("l") or "").strip(), "likelihood")
    impact = _scale((params.get("i") or "").strip(), "impact")
    if (likelihood is None) != (impact is None):
        raise Invalid(
            "A heatmap cell needs both a likelihood (l) and an impact (i).",
            fields={"l": ["Give both l and i."]},
        )
    return RiskFilters(
        status=status,
        category=category,
        owner=(params.get("owner") or "").strip()[:20],
        q=(params.get("q") or "").strip()[:200],
        likelihood=likelihood,
        impact=impact,
        sort=sort,
    )


def risk_list(*, product, filters: RiskFilters = RiskFilters()) -> QuerySet[Risk]:
    """The register's rows for `product` (not ordered: `SORTS[filters.sort][1]` orders it, with
    the primary key, in core.pagination). Proposals never show here. A heatmap cell shows the
    cell's active risks, as the heatmap counts them."""
    rows = (
        Risk.objects.filter(product=product)
        .exclude(status=RiskStatus.PROPOSED)
        .select_related("owner__user")
        .annotate(review_sort=Coalesce("review_on", Value(FAR_FUTURE), output_field=DateField()))
    )
    if filters.likelihood is not None and filters.impact is not None:
        rows = rows.filter(
            status__in=ACTIVE_RISK, likelihood=filters.likelihood, impact=filters.impact
        )
    elif filters.status == "active":
        rows = rows.filter(status__in=ACTIVE_RISK)
    elif filters.status == "all":
        rows = rows.exclude(status=RiskStatus.DISMISSED)
    else:
        rows = rows.filter(status=filters.status)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.owner:
        rows = rows.filter(owner__key=filters.owner)
    if filters.q:
        rows = rows.filter(title__icontains=filters.q)
    return rows


def next_actions(risks: list[Risk]) -> dict[int, RiskAction]:
    """Each risk's next open mitigation action: the earliest due (undated last), by risk pk."""
    found: dict[int, RiskAction] = {}
    actions = (
        RiskAction.objects.filter(risk__in=[r.pk for r in risks], done_at__isnull=True)
        .annotate(due_sort=Coalesce("due_on", Value(FAR_FUTURE), output_field=DateField()))
        .order_by("due_sort", "position", "id")
    )
    for action in actions:
        found.setdefault(action.risk_id, action)
    return found


def proposals(*, product) -> list[Risk]:
    """Risks Lodestar drafted for this product, waiting for a person to accept or dismiss."""
    return list(
        Risk.objects.filter(product=product, status=RiskStatus.PROPOSED)
        .select_related("source_release")
        .order_by("-exposure", "-id")[:50]
    )


def heatmap(product) -> list[list[int]]:
    """Counts of the product's active risks (open, mitigating) in a 5x5 grid:
    `grid[likelihood - 1][impact - 1]`."""
    grid = [[0] * 5 for _ in range(5)]
    cells = (
        Risk.objects.filter(product=product, status__in=ACTIVE_RISK)
        .values("likelihood", "impact")
        .annotate(n=Count("id"))
    )
    for cell in cells:
        grid[cell["likelihood"] - 1][cell["impact"] - 1] = cell["n"]
    return grid


def top_risks(product, limit: int = 5) -> list[Risk]:
    """The product's active risks of highest exposure, then soonest review date."""
    return list(
        Risk.objects.filter(product=product, status__in=ACTIVE_RISK)
        .select_related("owner__user")
        .annotate(review_sort=Coalesce("review_on", Value(FAR_FUTURE), output_field=DateField()))
        .order_by("-exposure", "review_sort", "id")[:limit]
    )


def risk_actions(risk: Risk) -> list[RiskAction]:
    return list(risk.actions.select_related("owner__user"))


def risk_history(risk: Risk, limit: int = 200) -> list[Entry]:
    """The activity log entries for this risk, newest first (who, when, old -> new)."""
    return list(
        Entry.objects.filter(
            workspace_id=risk.workspace_id, target_type="risk", target_key=risk.key
        ).order_by("-id")[:limit]
    )


def issue_history(issue: Issue, limit: int = 100) -> list[Entry]:
    return list(
        Entry.objects.filter(
            workspace_id=issue.workspace_id, target_type="issue", target_key=issue.key
        ).order_by("-id")[:limit]
    )


ISSUE_STATES = {"open": "Open", "resolved": "Resolved", "all": "All"}


def issue_list(*, product, state: str = "open") -> QuerySet[Issue]:
    if state not in ISSUE_STATES:
        raise Invalid(
            f"Unknown state {state!r}: use open, resolved or all.",
            fields={"state": [f"Unknown state {state!r}."]},
        )
    rows = Issue.objects.filter(product=product).select_related("risk", "owner__user")
    if state == "open":
        rows = rows.filter(resolved_on__isnull=True)
    elif state == "resolved":
        rows = rows.filter(resolved_on__isnull=False)
    return rows


def mitigation_summary(risk: Risk, *, today: date) -> str:
    """A line on the state of the risk's mitigation plan, for reminders and summaries."""
    actions = list(risk.actions.all())
    if not actions:
        return "No mitigation actions yet."
    done = sum(1 for a in actions if a.done_at is not None)
    overdue = sum(1 for a in actions if a.done_at is None and a.due_on and a.due_on < today)
    text = f"{done} of {len(actions)} mitigation action{'s' * (len(actions) != 1)} done"
    if overdue:
        text += f", {overdue} overdue"
    return text + "."


def link_choices(product) -> dict[str, list[tuple[str, str]]]:
    """What a risk of `product` may link to: its features, releases and objectives, as
    (key, label) choices (at most 300 of each)."""
    from lodestar.planning.models import Feature
    from lodestar.planning.roadmap_models import Release
    from lodestar.strategy.models import Objective

    def rows(model, label: str, order: str) -> list[tuple[str, str]]:
        found = model.objects.filter(workspace_id=product.workspace_id, product=product)
        return list(found.order_by(order, "pk").values_list("key", label)[:300])

    return {
        "features": rows(Feature, "title", "title"),
        "releases": rows(Release, "name", "target"),
        "objectives": rows(Objective, "title", "title"),
    }
