"""What one member owns across the Plan stage: features, releases and milestones, user
stories, grouped by status with counts. Read by the "my work" page in a fixed number of
queries, however much the member owns (lists are capped; the counts are not)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from lodestar.planning.models import (
    Feature,
    FeatureStatus,
    Release,
    ReleaseStatus,
    StoryStatus,
    UserStory,
)
from lodestar.workspaces.models import Membership

LISTED = 50  # items shown per group; the count says how many there are
RECENT_DAYS = 14  # done stories and shipped releases shown from this far back

# The groups, in the order shown: (status, heading).
FEATURE_GROUPS = (
    (FeatureStatus.IN_PROGRESS, "In progress"),
    (FeatureStatus.PLANNED, "Planned"),
    (FeatureStatus.UNDER_CONSIDERATION, "Under consideration"),
    (FeatureStatus.NEW, "New"),
)
RELEASE_GROUPS = (
    (ReleaseStatus.IN_PROGRESS, "In progress"),
    (ReleaseStatus.PLANNED, "Planned"),
)
STORY_GROUPS = (
    (StoryStatus.DOING, "Doing"),
    (StoryStatus.TODO, "To do"),
)


@dataclass
class Group:
    status: str
    heading: str
    count: int = 0
    items: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


@dataclass
class MyWork:
    features: list[Group]
    releases: list[Group]
    stories: list[Group]
    done_stories: list[UserStory]  # done in the last RECENT_DAYS (up to LISTED)
    done_count: int  # LISTED + 1 means "more than LISTED"
    since: datetime

    @property
    def done_more(self) -> bool:
        return self.done_count > len(self.done_stories)

    @property
    def feature_count(self) -> int:
        return sum(g.count for g in self.features)

    @property
    def release_count(self) -> int:
        return sum(g.count for g in self.releases)

    @property
    def story_count(self) -> int:
        return sum(g.count for g in self.stories)

    @property
    def empty(self) -> bool:
        return not (self.feature_count or self.release_count or self.story_count or self.done_count)


def _counts(qs: QuerySet, statuses: list[str]) -> dict[str, int]:
    """Rows of each status, in one query."""
    totals = qs.aggregate(**{s: Count("pk", filter=Q(status=s)) for s in statuses})
    return {s: totals[s] or 0 for s in statuses}


def _groups(specs, counts: dict[str, int], rows: list) -> list[Group]:
    groups = [Group(str(status), heading, counts.get(str(status), 0)) for status, heading in specs]
    by_status = {g.status: g for g in groups}
    for row in rows:
        group = by_status.get(row.status)
        if group is not None and len(group.items) < LISTED:
            group.items.append(row)
    return groups


def _capped(qs: QuerySet, statuses: list[str], order: tuple[str, ...]) -> list:
    """Up to LISTED rows of each status, in one query (numbered within their status)."""
    numbered = qs.filter(status__in=statuses).annotate(
        nth=Window(RowNumber(), partition_by=F("status"), order_by=[F(o) for o in order])
    )
    return list(numbered.filter(nth__lte=LISTED).order_by(*order))


def my_work(*, membership: Membership, now: datetime | None = None) -> MyWork:
    """The member's open features, current and planned releases, open stories, and the
    stories they finished recently. Seven queries, whatever the amounts."""
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    workspace = membership.workspace

    features = Feature.objects.filter(workspace=workspace, owner=membership)
    feature_statuses = [str(s) for s, _ in FEATURE_GROUPS]
    feature_counts = _counts(features, feature_statuses)
    feature_rows = _capped(
        features.select_related("product", "release", "team"), feature_statuses, ("rank", "pk")
    )

    releases = Release.objects.filter(workspace=workspace, owner=membership)
    release_statuses = [str(s) for s, _ in RELEASE_GROUPS]
    release_counts = _counts(releases, release_statuses)
    release_rows = _capped(
        releases.select_related("product", "team").annotate(feature_count=Count("features")),
        release_statuses,
        ("target", "pk"),
    )

    stories = UserStory.objects.filter(workspace=workspace, owner=membership)
    story_statuses = [str(s) for s, _ in STORY_GROUPS]
    story_counts = _counts(stories, story_statuses)
    story_rows = _capped(
        stories.select_related("feature", "iteration"), story_statuses, ("rank", "pk")
    )
    done = stories.filter(status=StoryStatus.DONE, done_at__gte=since)
    done_rows = list(done.select_related("feature").order_by("-done_at", "-pk")[: LISTED + 1])
    done_count = len(done_rows)

    return MyWork(
        features=_groups(FEATURE_GROUPS, feature_counts, feature_rows),
        releases=_groups(RELEASE_GROUPS, release_counts, release_rows),
        stories=_groups(STORY_GROUPS, story_counts, story_rows),
        done_stories=done_rows[:LISTED],
        done_count=done_count,
        since=since,
    )
