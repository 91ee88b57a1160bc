"""Reads for feedback, always within one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from lodestar.core.errors import NotFound
from lodestar.customers.models import Company
from lodestar.feedback import search
from lodestar.feedback.models import Feedback, Insight, Status, Tag
from lodestar.feedback.search import parse
from lodestar.workspaces.models import Membership, Workspace


def feedback_list(
    *,
    workspace: Workspace,
    status: str = "",
    tag: str = "",
    q: str = "",
    assignee: Membership | None = None,
    unassigned: bool = False,
    company=None,
) -> QuerySet[Feedback]:
    rows = Feedback.objects.filter(workspace=workspace).select_related(
        "person", "company", "assignee__user", "product"
    )
    if status:
        rows = rows.filter(status=status)
    if tag:
        rows = rows.filter(tags__workspace=workspace, tags__name=tag)
    query = parse(q)
    if query:
        rows = rows.filter(search.condition(query, _companies(workspace, query)))
    if assignee is not None:
        rows = rows.filter(assignee=assignee)
    if unassigned:
        rows = rows.filter(assignee__isnull=True)
    if company is not None:
        rows = rows.filter(company=company)
    return rows


def _companies(workspace: Workspace, query: search.Query) -> list[tuple[int, str]]:
    """The workspace's companies with folded names, when the query needs them (one query;
    see lodestar.feedback.search for why names are folded here and not in the database)."""
    if not query.needs_companies:
        return []
    names = Company.objects.filter(workspace=workspace).values_list("id", "name")
    return search.folded_companies(names.iterator(chunk_size=2000))


# The status tabs count up to this many and then say "999+": an exact count of a large
# inbox costs a scan of every row of that status on each page view, and tells no one more.
COUNT_CAP = 999


def status_counts(*, workspace: Workspace) -> dict[str, int]:
    """Feedback per status, each counted up to COUNT_CAP + 1 (more than the cap: "999+").
    One index range of at most 1,000 rows per status, however large the workspace."""
    rows = Feedback.objects.filter(workspace=workspace)
    return {s.value: rows.filter(status=s.value)[: COUNT_CAP + 1].count() for s in Status}


def tag_names(*, workspace: Workspace) -> list[str]:
    return list(
        Tag.objects.filter(workspace=workspace)
        .order_by("name")
        .values_list("name", flat=True)[:200]
    )


def insight_list_for_feedback(*, feedback: Feedback) -> list[Insight]:
    return list(feedback.insights.select_related("feature").order_by("pk"))


def insight_list_for_feature(*, feature) -> QuerySet[Insight]:
    return Insight.objects.filter(feature=feature).select_related(
        "feedback__person", "feedback__company"
    )


def insight_get(*, workspace: Workspace, key: str) -> Insight:
    try:
        return Insight.objects.select_related("feedback", "feature").get(
            feedback__workspace=workspace, key=key
        )
    except Insight.DoesNotExist:
        raise NotFound("No such insight.") from None


def feedback_get(*, workspace: Workspace, key: str) -> Feedback:
    try:
        return (
            Feedback.objects.select_related(
                "person", "company", "assignee__user", "product", "submitted_by"
            )
            .prefetch_related("tags")
            .get(workspace=workspace, key=key)
        )
    except Feedback.DoesNotExist:
        raise NotFound("No such feedback.") from None
