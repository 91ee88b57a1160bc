"""Reads for feedback, always within one workspace."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from lodestar.core.errors import NotFound
from lodestar.feedback.models import Feedback, Insight, Status, Tag
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
    if q:
        rows = rows.filter(Q(text__icontains=q) | Q(company__name__icontains=q))
    if assignee is not None:
        rows = rows.filter(assignee=assignee)
    if unassigned:
        rows = rows.filter(assignee__isnull=True)
    if company is not None:
        rows = rows.filter(company=company)
    return rows


def status_counts(*, workspace: Workspace) -> dict[str, int]:
    counts = dict(
        Feedback.objects.filter(workspace=workspace)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {s.value: counts.get(s.value, 0) for s in Status}


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
