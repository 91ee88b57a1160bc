"""Reads for the changelog: a workspace's entries (drafts and published), the public ones, the
shipped features an entry can be written from, and who asked for those features."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.db.models import Max, Q, QuerySet

from lodestar.activity.models import Entry as ActivityEntry
from lodestar.core.errors import NotFound
from lodestar.customers.models import Person
from lodestar.delivery.models import ChangelogEntry
from lodestar.feedback.portal_models import Idea
from lodestar.feedback.portal_services import recipients as idea_recipients
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.workspaces.models import Workspace

# The statuses that mean "customers can use it": the only ones a changelog is written from.
SHIPPED = (FeatureStatus.SHIPPED,)
FEED_SIZE = 20
MAX_CANDIDATES = 300


def entry_list(*, workspace: Workspace) -> QuerySet[ChangelogEntry]:
    """Every entry of the workspace, drafts included (members' list)."""
    return ChangelogEntry.objects.filter(workspace=workspace).select_related("product")


def entry_published(*, workspace: Workspace) -> QuerySet[ChangelogEntry]:
    """What the portal shows: published entries only (order them by -published_at)."""
    return entry_list(workspace=workspace).filter(published_at__isnull=False)


def entry_get(*, workspace: Workspace, key: str) -> ChangelogEntry:
    """Any entry of this workspace by key, draft or published (members' pages)."""
    try:
        return entry_list(workspace=workspace).get(key=key)
    except ChangelogEntry.DoesNotExist:
        raise NotFound("No such changelog entry.") from None


def entry_public(*, workspace: Workspace, key: str) -> ChangelogEntry:
    """A published entry by key; a draft is NotFound, exactly like a key that does not exist."""
    try:
        return entry_published(workspace=workspace).get(key=key)
    except ChangelogEntry.DoesNotExist:
        raise NotFound("No such changelog entry.") from None


def feed_entries(*, workspace: Workspace) -> list[ChangelogEntry]:
    """The latest published entries, newest first, for the Atom feed."""
    return list(entry_published(workspace=workspace).order_by("-published_at", "-pk")[:FEED_SIZE])


def entry_features(entry: ChangelogEntry) -> list[Feature]:
    return list(entry.features.select_related("product").order_by("product__name", "title"))


def entry_ideas(entry: ChangelogEntry) -> list[Idea]:
    """The portal ideas (as visitors see them) that the entry's features answer."""
    return list(
        Idea.objects.filter(
            feature__in=entry.features.all(),
            merged_into__isnull=True,
            hidden=False,
            confirmed=True,
        ).order_by("-vote_count", "-pk")[:50]
    )


def was_published(entry: ChangelogEntry) -> bool:
    """Whether the entry was ever published (its people were told then), even if it is a
    draft again now: the activity log keeps every publication."""
    return (
        entry.notified > 0
        or ActivityEntry.objects.filter(
            workspace_id=entry.workspace_id, target_type="changelog", target_key=entry.key,
            verb="published",
        ).exists()
    )  # fmt: skip


# -- shipped features ----------------------------------------------------------------------


@dataclass
class Candidate:
    feature: Feature
    shipped_at: datetime | None  # None: Lodestar cannot tell when
    in_entry: bool  # already in some entry (draft or published)
    suggested: bool  # ticked by default: new since the last published entry


def shipped_features(*, workspace: Workspace) -> QuerySet[Feature]:
    return Feature.objects.filter(workspace=workspace, status__in=SHIPPED).select_related(
        "product", "release"
    )


def shipped_at(*, workspace: Workspace, features: Iterable[Feature]) -> dict[int, datetime]:
    """When each feature shipped: the last time its status was set to shipped (the activity
    log records every status change), else the day its release was released. Features with
    neither are left out."""
    features = list(features)
    by_key = {f.key: f for f in features}
    moments = (
        ActivityEntry.objects.filter(
            workspace=workspace,
            target_type="feature",
            target_key__in=list(by_key),
            changes__status__1__in=list(SHIPPED),
        )
        .values("target_key")
        .annotate(at=Max("created_at"))
    )
    found = {by_key[row["target_key"]].pk: row["at"] for row in moments}
    for f in features:
        if f.pk not in found and f.release is not None and f.release.released_on:
            found[f.pk] = datetime.combine(f.release.released_on, time(0, 0), tzinfo=UTC)
    return found


def last_published_at(*, workspace: Workspace) -> datetime | None:
    return entry_published(workspace=workspace).aggregate(at=Max("published_at"))["at"]


def candidates(*, workspace: Workspace, include_used: bool = False) -> list[Candidate]:
    """Shipped features to write an entry from, the most recently shipped first. Not yet in
    any entry, unless `include_used`. Suggested (ticked by default): not in any entry and
    shipped after the last published entry (or when Lodestar cannot tell when it shipped)."""
    used = set(
        ChangelogEntry.features.through.objects.filter(
            changelogentry__workspace=workspace
        ).values_list("feature_id", flat=True)
    )
    rows = shipped_features(workspace=workspace)
    if not include_used:
        rows = rows.exclude(pk__in=used)
    features = list(rows.order_by("-pk")[:MAX_CANDIDATES])
    when = shipped_at(workspace=workspace, features=features)
    since = last_published_at(workspace=workspace)
    result = [
        Candidate(
            feature=f,
            shipped_at=when.get(f.pk),
            in_entry=f.pk in used,
            suggested=f.pk not in used
            and (since is None or when.get(f.pk) is None or when[f.pk] > since),
        )
        for f in features
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    result.sort(key=lambda c: (c.shipped_at or oldest, c.feature.pk), reverse=True)
    return result


def feature_choices(*, workspace: Workspace, entry: ChangelogEntry | None = None):
    """(key, label) of the features an entry may list: shipped ones, and those it has."""
    rows = Feature.objects.filter(workspace=workspace).filter(
        Q(status__in=SHIPPED) | Q(pk__in=entry.features.all()) if entry else Q(status__in=SHIPPED)
    )
    rows = rows.select_related("product").order_by("product__name", "title")[:MAX_CANDIDATES]
    return [(f.key, f"{f.title} ({f.product.name})" if f.product else f.title) for f in rows]


# -- who to tell ---------------------------------------------------------------------------


def requesters(*, features: Iterable[Feature]) -> list[str]:
    """Everyone who asked for these features, each address once (lower-cased): for each
    portal idea linked to them, its voters, author and the authors of its merged duplicates
    (`portal_services.recipients`); and the people whose feedback was linked to them through
    an insight."""
    features = list(features)
    seen: dict[str, None] = {}
    # Not an unconfirmed idea (its author never proved the address) nor a hidden one (spam).
    ideas = Idea.objects.filter(
        feature__in=features, merged_into__isnull=True, confirmed=True, hidden=False
    ).order_by("pk")
    for idea in ideas:
        for email in idea_recipients(idea):
            seen.setdefault(email.lower(), None)
    people = (
        Person.objects.filter(feedback__insights__feature__in=features)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
        .order_by("email")
    )
    for email in people:
        seen.setdefault(email.strip().lower(), None)
    return [e for e in seen if e]
