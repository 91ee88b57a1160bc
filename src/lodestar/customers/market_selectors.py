"""Reads for competitors, the capability matrix and research notes, always in one workspace."""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from lodestar.core.errors import NotFound
from lodestar.customers.market_models import (
    Capability,
    Competitor,
    Highlight,
    Level,
    ResearchNote,
)
from lodestar.customers.models import Company
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.workspaces.models import Workspace

MAX_COLUMNS = 40  # competitors shown as matrix columns; a market rarely has more worth tracking


def competitor_list(*, workspace: Workspace, q: str = "") -> QuerySet[Competitor]:
    rows = Competitor.objects.filter(workspace=workspace)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return rows


def competitor_get(*, workspace: Workspace, key: str) -> Competitor:
    try:
        return Competitor.objects.get(workspace=workspace, key=key)
    except Competitor.DoesNotExist:
        raise NotFound("No such competitor.") from None


def competitor_levels(*, competitor: Competitor) -> dict[str, int]:
    """How many of our features the competitor has, partly has, lacks."""
    rows = competitor.capabilities.values("level").annotate(n=Count("pk")).order_by()
    counts = {level: 0 for level in Level.values}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def competitor_capabilities(*, competitor: Competitor, limit: int = 100) -> list[Capability]:
    """Its rated features, what it has first (bounded: the matrix page shows them all)."""
    rank = Case(
        When(level=Level.HAS, then=Value(0)),
        When(level=Level.PARTIAL, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = competitor.capabilities.select_related("feature").annotate(rank=rank)
    return list(rows.order_by("rank", "feature__title", "pk")[:limit])


# The matrix's row filters: which of our features to compare (label, what it means).
MATRIX_SHOWS = {
    "assessed": ("Compared features", "compared with at least one competitor"),
    "all": ("All features", "all our features"),
    "lagging": ("Where we lag", "a competitor has it and we have not shipped it"),
    "leading": ("Where we lead", "we shipped it and no competitor fully has it"),
}


def matrix_features(
    *,
    workspace: Workspace,
    show: str = "all",
    q: str = "",
    product_key: str = "",
    status: str = "",
) -> QuerySet[Feature]:
    """The rows of the capability matrix (our features), filtered; order it to page it."""
    rows = Feature.objects.filter(workspace=workspace).select_related("product")
    if q:
        rows = rows.filter(title__icontains=q)
    if product_key:
        rows = rows.filter(product__key=product_key)
    if status:
        rows = rows.filter(status=status)
    cells = Capability.objects.filter(feature=OuterRef("pk"))
    if show == "assessed":
        rows = rows.filter(Exists(cells))
    elif show == "lagging":
        rows = rows.filter(Exists(cells.filter(level=Level.HAS))).exclude(
            status=FeatureStatus.SHIPPED
        )
    elif show == "leading":
        rows = rows.filter(status=FeatureStatus.SHIPPED).exclude(
            Exists(cells.filter(level=Level.HAS))
        )
    return rows


def matrix_any(*, workspace: Workspace) -> bool:
    """Whether any cell of the workspace's matrix is filled in."""
    return Capability.objects.filter(competitor__workspace=workspace).exists()


def matrix_cells(
    *, features: list[Feature], competitors: list[Competitor]
) -> dict[tuple[int, int], Capability]:
    """The filled cells among these rows and columns, by (feature id, competitor id)."""
    if not features or not competitors:
        return {}
    rows = Capability.objects.filter(
        feature__in=[f.pk for f in features], competitor__in=[c.pk for c in competitors]
    )
    return {(c.feature_id, c.competitor_id): c for c in rows}


def capability_get(*, competitor: Competitor, feature: Feature) -> Capability | None:
    return Capability.objects.filter(competitor=competitor, feature=feature).first()


def research_note_list(
    *,
    workspace: Workspace,
    q: str = "",
    kind: str = "",
    company: Company | None = None,
    company_key: str = "",
) -> QuerySet[ResearchNote]:
    """Notes, with `day` (the date as ISO text) to page them newest first: keyset cursors
    carry strings, and ISO dates sort as text the way they sort as dates."""
    rows = (
        ResearchNote.objects.filter(workspace=workspace)
        .select_related("company", "person", "author")
        .annotate(day=Cast("date", output_field=CharField(max_length=10)))
    )
    if q:
        rows = rows.filter(
            Q(title__icontains=q) | Q(body__icontains=q) | Q(participants__icontains=q)
        )
    if kind:
        rows = rows.filter(kind=kind)
    if company is not None:
        rows = rows.filter(company=company)
    if company_key:
        rows = rows.filter(company__key=company_key)
    return rows


def research_note_get(*, workspace: Workspace, key: str) -> ResearchNote:
    try:
        return ResearchNote.objects.select_related("company", "person", "author").get(
            workspace=workspace, key=key
        )
    except ResearchNote.DoesNotExist:
        raise NotFound("No such research note.") from None


def note_companies(*, workspace: Workspace, limit: int = 200) -> list[tuple[str, str]]:
    """(key, name) of the companies research notes are about, for the list's filter."""
    rows = (
        Company.objects.filter(workspace=workspace, research_notes__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("key", "name")
    )
    return list(rows[:limit])


def highlight_list(*, note: ResearchNote) -> list[Highlight]:
    return list(note.highlights.select_related("feedback").order_by("pk"))


def notes_mentioning(*, competitor: Competitor, limit: int = 10) -> list[ResearchNote]:
    """Research notes whose title or body names the competitor, newest first."""
    rows = ResearchNote.objects.filter(workspace_id=competitor.workspace_id).filter(
        Q(title__icontains=competitor.name) | Q(body__icontains=competitor.name)
    )
    return list(rows.select_related("company").order_by("-date", "-pk")[:limit])
