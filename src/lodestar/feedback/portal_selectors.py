"""Reads for the ideas portal, always within one workspace."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum

from lodestar.core.errors import Invalid, NotFound
from lodestar.feedback.portal_models import Comment, Idea, IdeaStatus, Portal, Vote
from lodestar.feedback.search import fold
from lodestar.workspaces.models import Workspace

SORTS = {"votes": "-vote_count", "newest": None}


def portal_for(*, workspace: Workspace) -> Portal:
    """The workspace's portal settings (an unsaved, switched-off default when never set)."""
    portal = Portal.objects.filter(workspace=workspace).first()
    return portal or Portal(workspace=workspace, enabled=False, public=True)


def portal_open(*, slug: str) -> Portal:
    """The switched-on portal at /p/<slug>/; NotFound when there is none or it is off."""
    portal = Portal.objects.select_related("workspace").filter(workspace__slug=slug).first()
    if portal is None or not portal.enabled:
        raise NotFound("There is no ideas portal here.")
    return portal


def idea_list(
    *,
    workspace: Workspace,
    status: str = "",
    q: str = "",
    listed_only: bool = True,
) -> QuerySet[Idea]:
    """Ideas, without those merged into another. `listed_only`: only what visitors see
    (confirmed, not hidden); moderators pass False to see the hidden and unconfirmed too."""
    ideas = Idea.objects.filter(workspace=workspace, merged_into__isnull=True)
    if listed_only:
        ideas = ideas.filter(hidden=False, confirmed=True)
    if status:
        ideas = ideas.filter(status=status)
    words = fold(q).split()
    for word in words[:8]:
        ideas = ideas.filter(search_text__contains=f" {word}")
    return ideas


def status_counts(*, workspace: Workspace, listed_only: bool = True) -> dict[str, int]:
    ideas = idea_list(workspace=workspace, listed_only=listed_only)
    counts = dict(ideas.order_by().values_list("status").annotate(n=Count("id")))
    return {value: counts.get(value, 0) for value in IdeaStatus.values}


def idea_get(*, workspace: Workspace, key: str) -> Idea:
    """Any idea of this workspace by key (the view decides what a visitor may see)."""
    try:
        return Idea.objects.select_related("feature", "merged_into", "person", "company").get(
            workspace=workspace, key=key
        )
    except Idea.DoesNotExist:
        raise NotFound("No such idea.") from None


def idea_find(*, workspace: Workspace, text: str) -> Idea:
    """The idea named by `text`: its key, its portal address, or its exact title (merged
    ideas excluded). Invalid(into) when none or several match."""
    text = (text or "").strip().rstrip("/")
    rows = idea_list(workspace=workspace, listed_only=False)
    by_key = rows.filter(key=text.rsplit("/", 1)[-1]).first()
    if by_key is not None:
        return by_key
    matches = list(rows.filter(title__iexact=text)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Invalid(fields={"into": ["Several ideas have this title: use the idea's key."]})
    raise Invalid(fields={"into": [f"No idea has the key or title {text!r}."]})


def idea_titles(*, workspace: Workspace, exclude: Idea | None = None, limit: int = 200):
    """Recent ideas to suggest as a merge target."""
    rows = idea_list(workspace=workspace, listed_only=False).order_by("-pk")
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return list(rows.values_list("key", "title")[:limit])


def comment_list(*, idea: Idea, include_hidden: bool = False) -> QuerySet[Comment]:
    comments = Comment.objects.filter(idea=idea).select_related("author_member__user")
    if not include_hidden:
        comments = comments.filter(hidden=False, confirmed=True)
    return comments.order_by("created_at", "pk")


def comment_get(*, workspace: Workspace, key: str) -> Comment:
    try:
        return Comment.objects.select_related("idea__workspace").get(
            idea__workspace=workspace, key=key
        )
    except Comment.DoesNotExist:
        raise NotFound("No such comment.") from None


def vote_list(*, idea: Idea) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(idea=idea)
        .select_related("person", "company", "proxy_by__user")
        .order_by("-created_at", "-pk")
    )


def voted(*, email: str, ideas) -> set[int]:
    """Ids of `ideas` this email has voted for."""
    if not email:
        return set()
    ids = [i.pk for i in ideas]
    return set(Vote.objects.filter(email=email, idea_id__in=ids).values_list("idea_id", flat=True))


def has_voted(*, email: str, idea: Idea) -> bool:
    return bool(email) and Vote.objects.filter(idea=idea, email=email).exists()


def company_ideas(*, company, limit: int = 20) -> dict:
    """What one company asked for on the portal: ideas its people posted, and its votes."""
    asked = (
        Idea.objects.filter(company=company, merged_into__isnull=True)
        .only("key", "title", "status", "vote_count", "hidden", "confirmed")
        .order_by("-pk")
    )
    votes = (
        Vote.objects.filter(company=company)
        .select_related("idea", "person")
        .only("key", "proxy", "email", "idea__key", "idea__title", "idea__status", "person__name")
        .order_by("-pk")
    )
    return {
        "ideas": list(asked[:limit]),
        "votes": list(votes[:limit]),
        "idea_count": asked.count(),
        "vote_count": votes.count(),
    }


def feature_ideas(*, feature, limit: int = 20) -> dict:
    """The portal ideas linked to a feature, and their votes together."""
    ideas = Idea.objects.filter(feature=feature, merged_into__isnull=True)
    total = ideas.aggregate(votes=Sum("vote_count"), n=Count("id"))
    return {
        "ideas": list(ideas.order_by("-vote_count", "-pk")[:limit]),
        "votes": total["votes"] or 0,
        "count": total["n"],
    }
