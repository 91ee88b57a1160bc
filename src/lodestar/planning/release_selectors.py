"""Reads for releases and milestones: lists, capacity against planned effort, and the
warnings dependencies raise when a feature is scheduled before what it depends on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from lodestar.core.errors import NotFound
from lodestar.planning.business import _weeks
from lodestar.planning.models import EffortUnit, Feature, FeatureStatus, Horizon
from lodestar.planning.roadmap_models import Dependency, Release, ReleaseStatus
from lodestar.workspaces.models import Workspace

OPEN_STATUSES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)


def release_list(*, workspace: Workspace, product: str = "", status: str = "") -> QuerySet[Release]:
    """The workspace's releases, soonest target first, with `feature_count`."""
    rows = (
        Release.objects.filter(workspace=workspace)
        .select_related("product", "team", "owner__user")
        .annotate(feature_count=Count("features"))
        .order_by("target", "pk")
    )
    if product:
        rows = rows.filter(product__key=product)
    if status:
        rows = rows.filter(status=status)
    return rows


def release_get(*, workspace: Workspace, key: str) -> Release:
    try:
        return Release.objects.select_related("product", "team", "owner__user").get(
            workspace=workspace, key=key
        )
    except Release.DoesNotExist:
        raise NotFound("No such release.") from None


def release_choices(
    *, product_id: int | None, keep: Release | None = None
) -> list[tuple[str, str]]:
    """(key, label) of a product's open releases (and `keep`, the one a feature is in)."""
    if product_id is None:
        return [(keep.key, keep.name)] if keep is not None else []
    rows = Release.objects.filter(product_id=product_id).filter(
        Q(status__in=OPEN_STATUSES) | Q(pk=getattr(keep, "pk", None))
    )
    return [
        (key, f"{name} (target {target:%b %-d, %Y})")
        for key, name, target in rows.order_by("target").values_list("key", "name", "target")[:200]
    ]


def features_in(*, release: Release) -> list[Feature]:
    return list(
        release.features.select_related("owner__user", "team").order_by("rank", "title")[:500]
    )


def addable_titles(*, release: Release, limit: int = 200) -> list[str]:
    """Titles to suggest for adding to `release`: its product's other features, newest first
    (typing finds the rest)."""
    rows = Feature.objects.filter(
        workspace_id=release.workspace_id, product_id=release.product_id
    ).exclude(release=release)
    return list(rows.order_by("-pk").values_list("title", flat=True)[:limit])


# -- dependencies ---------------------------------------------------------------------------

# Why a dependency warns (DependencyWarning.reason).
BLOCKER_UNSCHEDULED = "blocker_unscheduled"  # the blocked feature has a release, its blocker none
BLOCKER_LATER = "blocker_later"  # the blocker's release's target is after the blocked one's
BLOCKER_LATER_HORIZON = "blocker_later_horizon"  # neither in a release: horizons out of order

DONE = (FeatureStatus.SHIPPED, FeatureStatus.WONT_DO)
_HORIZON_ORDER = {Horizon.NOW: 0, Horizon.NEXT: 1, Horizon.LATER: 2}


@dataclass(frozen=True)
class DependencyWarning:
    """`blocked` is scheduled before `blocker`, which it depends on. The target dates are the
    features' releases' (None: no release, or a cancelled one)."""

    reason: str
    blocked_key: str
    blocked_title: str
    blocked_target: date | None
    blocker_key: str
    blocker_title: str
    blocker_target: date | None
    message: str


def _target(feature: Feature) -> date | None:
    release = feature.release
    if release is None or release.status == ReleaseStatus.CANCELLED:
        return None
    return release.target


def _warning(link: Dependency) -> DependencyWarning | None:
    blocker, blocked = link.blocker, link.blocked
    # Done is done; a feature that will not be built waits for nothing.
    if blocker.status == FeatureStatus.SHIPPED or blocked.status in DONE:
        return None
    mine, theirs = _target(blocked), _target(blocker)
    reason = message = ""
    if mine is not None:
        if theirs is None:
            reason = BLOCKER_UNSCHEDULED
            message = (
                f"{blocked.title} is due {mine:%b %-d, %Y} in {blocked.release}, but "
                f"{blocker.title}, which it depends on, is in no release."
            )
        elif theirs > mine:
            reason = BLOCKER_LATER
            message = (
                f"{blocked.title} is due {mine:%b %-d, %Y} in {blocked.release}, before "
                f"{blocker.title}, which it depends on ({theirs:%b %-d, %Y} in "
                f"{blocker.release})."
            )
    elif theirs is None and blocked.horizon:
        rank = _HORIZON_ORDER[Horizon(blocked.horizon)]
        theirs_rank = _HORIZON_ORDER.get(Horizon(blocker.horizon), 3) if blocker.horizon else 3
        if theirs_rank > rank:
            reason = BLOCKER_LATER_HORIZON
            where = blocker.get_horizon_display() if blocker.horizon else "on no horizon"
            message = (
                f"{blocked.title} is planned for {blocked.get_horizon_display()}, but "
                f"{blocker.title}, which it depends on, is {where}."
            )
    if not reason:
        return None
    return DependencyWarning(
        reason=reason,
        blocked_key=blocked.key,
        blocked_title=blocked.title,
        blocked_target=mine,
        blocker_key=blocker.key,
        blocker_title=blocker.title,
        blocker_target=theirs,
        message=message,
    )


def dependency_warnings(*, features) -> dict[int, list[DependencyWarning]]:
    """{feature id: warnings involving it, as blocked or as blocker} for the given features
    (any iterable of Feature or ids), in one query whatever their number. A warning whose
    two features are both given appears under both ids: for a flat list without repeats,
    take `set().union(*result.values())`. Features without warnings have no entry."""
    ids = {f if isinstance(f, int) else f.pk for f in features}
    found: dict[int, list[DependencyWarning]] = {}
    if not ids:
        return found
    links = Dependency.objects.filter(Q(blocked_id__in=ids) | Q(blocker_id__in=ids)).select_related(
        "blocker__release", "blocked__release"
    )
    for link in links:
        warning = _warning(link)
        if warning is None:
            continue
        for pk in {link.blocked_id, link.blocker_id} & ids:
            found.setdefault(pk, []).append(warning)
    return found


@dataclass
class Dependencies:
    blocked_by: list[Feature] = field(default_factory=list)
    blocks: list[Feature] = field(default_factory=list)


def feature_dependencies(*, feature: Feature) -> Dependencies:
    """What `feature` is blocked by and what it blocks (one query)."""
    result = Dependencies()
    links = Dependency.objects.filter(Q(blocked=feature) | Q(blocker=feature)).select_related(
        "blocker__release", "blocked__release"
    )
    for link in links.order_by("pk"):
        if link.blocked_id == feature.pk:
            result.blocked_by.append(link.blocker)
        else:
            result.blocks.append(link.blocked)
    return result


# -- capacity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """A release's planned effort against its team's capacity over its dates.

    Everything is in weeks of the team's work: a feature estimated in points counts
    effort / team.capacity_points weeks (business._weeks). The capacity is the number of
    calendar weeks from start to target, both days counted, rounded up (a release from
    Monday to the Friday after next: 12 days, 2 weeks); in points, capacity_points x weeks."""

    weeks: int | None  # the release's span in weeks; None: no start date (a milestone)
    capacity_points: int  # the team's points per week (0: unknown)
    planned_weeks: Decimal  # the estimated features that could be counted
    features: int
    unestimated: int  # features without an effort estimate
    unconvertible: int  # in points, but the team has no capacity to turn them into weeks

    @property
    def capacity_total_points(self) -> int | None:
        if self.weeks is None or not self.capacity_points:
            return None
        return self.capacity_points * self.weeks

    @property
    def planned_points(self) -> Decimal | None:
        if not self.capacity_points:
            return None
        return (self.planned_weeks * self.capacity_points).quantize(Decimal("0.1"))

    @property
    def over(self) -> bool:
        return self.weeks is not None and self.planned_weeks > self.weeks

    @property
    def load(self) -> int | None:
        """Planned as a percentage of the capacity."""
        if not self.weeks:
            return None
        return round(self.planned_weeks * 100 / self.weeks)

    @property
    def how(self) -> str:
        """How the numbers were computed, in a sentence."""
        if self.weeks is None:
            return "No start date, so no capacity to compare with."
        text = f"{self.weeks} week{'s' if self.weeks != 1 else ''} from start to target"
        if self.capacity_points:
            text += (
                f" x {self.capacity_points} points a week = {self.capacity_total_points} points;"
                " features estimated in points count points ÷ points a week as weeks"
            )
        text += "."
        if self.unestimated:
            plural = "s" if self.unestimated != 1 else ""
            text += f" {self.unestimated} feature{plural} without an estimate not counted."
        if self.unconvertible:
            text += (
                f" {self.unconvertible} feature{'s' if self.unconvertible != 1 else ''} in points"
                " not counted: the team has no capacity (points a week) to turn them into weeks."
            )
        return text


def span_weeks(start: date | None, target: date) -> int | None:
    """Calendar weeks from start to target, both days counted, rounded up."""
    if start is None:
        return None
    return max(1, math.ceil(((target - start).days + 1) / 7))


def release_capacity(*, releases) -> dict[int, Capacity]:
    """{release id: Capacity} for releases loaded with their team (select_related), in one
    query whatever their number."""
    releases = list(releases)
    features: dict[int, list[Feature]] = {r.pk: [] for r in releases}
    if releases:
        rows = Feature.objects.filter(release_id__in=features).only(
            "pk", "release_id", "effort", "effort_unit"
        )
        for feature in rows:
            features[feature.release_id].append(feature)  # type: ignore[index]
    result = {}
    for release in releases:
        team = release.team
        planned = Decimal(0)
        unestimated = unconvertible = 0
        for feature in features[release.pk]:
            weeks = _weeks(feature, team)
            if weeks is not None:
                planned += weeks
            elif feature.effort is None:
                unestimated += 1
            elif feature.effort_unit == EffortUnit.POINTS:
                unconvertible += 1
        result[release.pk] = Capacity(
            weeks=span_weeks(release.start, release.target),
            capacity_points=team.capacity_points,
            planned_weeks=planned.quantize(Decimal("0.1")),
            features=len(features[release.pk]),
            unestimated=unestimated,
            unconvertible=unconvertible,
        )
    return result


def release_warning_counts(*, releases) -> dict[int, int]:
    """{release id: number of dependency warnings involving its features} (two queries)."""
    releases = list(releases)
    rows = list(
        Feature.objects.filter(release_id__in=[r.pk for r in releases]).values_list(
            "pk", "release_id"
        )
    )
    warnings = dependency_warnings(features=[pk for pk, _ in rows])
    per_release: dict[int, set[DependencyWarning]] = {r.pk: set() for r in releases}
    for pk, release_id in rows:
        per_release[release_id].update(warnings.get(pk, []))
    return {pk: len(found) for pk, found in per_release.items()}


@dataclass(frozen=True)
class Overlap:
    """Another open release of the same team whose dates overlap: `share_weeks` is the part
    of its planned effort falling within this release's dates (its work is taken as spread
    evenly over its own span)."""

    release: Release
    planned_weeks: Decimal
    share_weeks: Decimal


@dataclass(frozen=True)
class TeamLoad:
    overlaps: list[Overlap]
    combined_weeks: Decimal  # this release's planned weeks plus the overlapping shares
    weeks: int | None

    @property
    def over(self) -> bool:
        return self.weeks is not None and self.combined_weeks > self.weeks


def team_load(*, release: Release, capacity: Capacity) -> TeamLoad:
    """The team's load over `release`'s dates, counting its other open releases that overlap
    them (two queries). A release without a start has no span: no overlaps."""
    if release.start is None:
        return TeamLoad([], capacity.planned_weeks, None)
    others = list(
        Release.objects.filter(
            team_id=release.team_id,
            status__in=OPEN_STATUSES,
            start__isnull=False,
            start__lte=release.target,
            target__gte=release.start,
        )
        .exclude(pk=release.pk)
        .select_related("team")
        .order_by("start", "pk")[:50]
    )
    planned = release_capacity(releases=others)
    overlaps = []
    for other in others:
        assert other.start is not None
        days = (other.target - other.start).days + 1
        shared = (min(other.target, release.target) - max(other.start, release.start)).days + 1
        weeks = planned[other.pk].planned_weeks
        share = (weeks * shared / days).quantize(Decimal("0.1"))
        if weeks:
            overlaps.append(Overlap(other, weeks, share))
    combined = capacity.planned_weeks + sum((o.share_weeks for o in overlaps), Decimal(0))
    return TeamLoad(overlaps, combined, capacity.weeks)
