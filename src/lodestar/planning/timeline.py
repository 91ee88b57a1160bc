"""The roadmap timeline: a layout of releases and milestones on a time axis, drawn as SVG.

`timeline_build` reads everything in a fixed number of queries (releases, their features,
the unscheduled features, the dependencies between releases, and for the objective grouping
the objectives their features serve) and computes every position; `timeline_svg` and
`exports.timeline_png` only draw what the layout says, so the page, the SVG file and the PNG
show the same picture.

Internal fields (customers, ARR, scores, comments) are not on the timeline at all; `visible`
is kept on the layout so that renderers and exports that add any can ask it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from lodestar.planning.models import (
    Dependency,
    Feature,
    Horizon,
    Release,
    ReleaseKind,
    ReleaseStatus,
)
from lodestar.planning.visibility import Visible
from lodestar.workspaces.models import Product, Workspace

GROUPS = ("team", "objective", "product")
ZOOMS = ("month", "quarter")
PX_PER_DAY = {"month": 4.0, "quarter": 1.5}

# Layout, in SVG user units (pixels at 1x).
LABEL_W = 210  # the left gutter with the lane names
AXIS_H = 40
LANE_HEAD_H = 26
BAR_H = 20
LINE_H = 14  # one feature name under a bar
ROW_GAP = 10
RIGHT_PAD = 24
FEATURES_SHOWN = 3  # feature names drawn under a bar; the rest as "+ N more"
UNSCHEDULED_SHOWN = 8  # per horizon in the "Not scheduled" band
UNSCHEDULED_COL_W = 260
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# Dark enough for white text on them (contrast 4.5:1 or more).
STATUS_COLOURS: dict[str, str] = {
    ReleaseStatus.PLANNED: "#3a5f9e",
    ReleaseStatus.IN_PROGRESS: "#1f6f8b",
    ReleaseStatus.RELEASED: "#1e6b3a",
    ReleaseStatus.CANCELLED: "#6b7280",
}
LATE_COLOUR = "#b3261e"
INK = "#17202b"
MUTED = "#55606e"
GRID = "#d9dee5"
LANE_BG = "#eef1f5"
TODAY_COLOUR = "#9a4f00"
ARROW_COLOUR = "#55606e"
NO_OBJECTIVE = "No objective"


@dataclass
class FeatureItem:
    key: str
    title: str
    status: str
    horizon: str


@dataclass
class Bar:
    """One release (a bar from start to target) or milestone (a diamond on its target)."""

    key: str
    name: str
    kind: str
    status: str
    status_label: str
    product: str
    team: str
    goal: str
    start: date | None
    target: date
    released_on: date | None
    late: bool
    x0: float
    x1: float
    y: float  # top of the bar
    height: float  # the whole row: the bar and the feature names under it
    features: list[FeatureItem] = field(default_factory=list)  # the first FEATURES_SHOWN
    feature_count: int = 0

    @property
    def is_milestone(self) -> bool:
        return self.kind == ReleaseKind.MILESTONE

    @property
    def more(self) -> int:
        return self.feature_count - len(self.features)

    @property
    def mid_y(self) -> float:
        return self.y + BAR_H / 2

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, STATUS_COLOURS[ReleaseStatus.PLANNED])

    @property
    def dates(self) -> str:
        if self.start is None or self.is_milestone:
            return f"{self.target:%d %b %Y}"
        return f"{self.start:%d %b %Y} to {self.target:%d %b %Y}"


@dataclass
class Lane:
    key: str
    label: str
    y: float
    height: float
    rows: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    day: date
    x: float
    label: str


@dataclass
class Arrow:
    """A dependency: a feature of `blocked` needs one of `blocker` done first. `conflict`:
    the blocked release is due before the blocker (not yet released)."""

    blocker: str
    blocked: str
    blocker_name: str
    blocked_name: str
    x1: float
    y1: float
    x2: float
    y2: float
    conflict: bool


@dataclass
class Unscheduled:
    horizon: str
    label: str
    x: float
    features: list[FeatureItem]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.features)


@dataclass
class Timeline:
    workspace_slug: str
    workspace_name: str
    products: list[str]
    group: str
    zoom: str
    visible: Visible
    start: date  # the first day drawn
    end: date  # the day after the last one drawn
    today: date
    today_x: float | None
    width: float
    height: float
    ticks: list[Tick] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)
    unscheduled_y: float = 0.0
    unscheduled_h: float = 0.0
    release_count: int = 0
    feature_count: int = 0

    @property
    def bars(self) -> list[Bar]:
        return [bar for lane in self.lanes for bar in lane.rows]

    @property
    def late_count(self) -> int:
        return sum(1 for bar in self.bars if bar.late)

    @property
    def unscheduled_count(self) -> int:
        return sum(u.count for u in self.unscheduled)

    @property
    def is_empty(self) -> bool:
        return not self.lanes and not self.unscheduled_count

    def x(self, day: date) -> float:
        return LABEL_W + (day - self.start).days * PX_PER_DAY[self.zoom]

    @property
    def title(self) -> str:
        what = ", ".join(self.products) if self.products else "all products"
        return f"Roadmap of {self.workspace_name}: {what}"

    @property
    def description(self) -> str:
        group = {"team": "team", "objective": "objective", "product": "product"}[self.group]
        text = (
            f"{self.release_count} release{'s' if self.release_count != 1 else ''} and "
            f"milestones by {group}, from {self.start:%B %Y} to "
            f"{self.end - timedelta(days=1):%B %Y}, one tick per {self.zoom}"
        )
        if self.late_count:
            text += f"; {self.late_count} late"
        if self.unscheduled_count:
            text += f"; {self.unscheduled_count} features not scheduled in a release"
        return text + "."


# -- dates ---------------------------------------------------------------------------------


def _period_start(day: date, zoom: str) -> date:
    month = day.month if zoom == "month" else 3 * ((day.month - 1) // 3) + 1
    return date(day.year, month, 1)


def _next_period(day: date, zoom: str) -> date:
    step = 1 if zoom == "month" else 3
    month = day.month - 1 + step
    return date(day.year + month // 12, month % 12 + 1, 1)


def _tick_label(day: date, zoom: str) -> str:
    if zoom == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return f"{day:%b %Y}" if day.month == 1 else f"{day:%b}"


def _ticks(start: date, end: date, zoom: str) -> list[date]:
    days = []
    day = start
    while day < end:
        days.append(day)
        day = _next_period(day, zoom)
    return days


# -- reading -------------------------------------------------------------------------------


def _drawn(workspace: Workspace, product_ids: list[int], start, end) -> QuerySet[Release]:
    """The releases on the timeline. The other reads take it as a subquery, not a list of
    ids, so they run (and count) the same however many releases there are, none included."""
    rows = Release.objects.filter(workspace=workspace, product_id__in=product_ids)
    if start is not None:
        rows = rows.filter(target__gte=start)
    if end is not None:
        rows = rows.filter(Q(start__lt=end) | Q(start__isnull=True, target__lt=end))
    return rows


def _releases(drawn: QuerySet[Release]) -> list[Release]:
    return list(
        drawn.select_related("product", "team")
        .order_by("target", "name")
        .only(
            "key",
            "name",
            "kind",
            "status",
            "goal",
            "start",
            "target",
            "released_on",
            "product__name",
            "team__name",
        )
    )


def _features(workspace: Workspace, drawn: QuerySet[Release], product_ids: list[int]) -> list[Any]:
    """The features of the releases drawn, and the features with a horizon but no release
    (of these products): one query, plain values."""
    return list(
        Feature.objects.filter(workspace=workspace)
        .filter(
            Q(release__in=drawn.values("pk"))
            | Q(release__isnull=True, product_id__in=product_ids) & ~Q(horizon="")
        )
        .order_by("rank", "title")
        .values("pk", "key", "title", "status", "horizon", "release_id")
    )


def _release_dependencies(drawn: QuerySet[Release]) -> set[tuple[int, int]]:
    """(blocker release id, blocked release id) for features in two different releases."""
    pairs = (
        Dependency.objects.filter(
            blocker__release__in=drawn.values("pk"), blocked__release__in=drawn.values("pk")
        )
        .values_list("blocker__release_id", "blocked__release_id")
        .distinct()
    )
    return {(a, b) for a, b in pairs if a != b}


def _objective_lanes(drawn: QuerySet[Release]) -> dict[int, tuple[str, str]]:
    """Each release's objective: the one most of its features serve (then the heavier, then
    by title). A release serving none goes to "No objective"."""
    from lodestar.strategy.models import ObjectiveFeature

    counts: dict[int, Counter] = defaultdict(Counter)
    info: dict[str, tuple[str, int]] = {}
    rows = ObjectiveFeature.objects.filter(feature__release__in=drawn.values("pk")).values_list(
        "feature__release_id", "objective__key", "objective__title", "objective__weight"
    )
    for release_id, key, title, weight in rows:
        counts[release_id][key] += 1
        info[key] = (title, weight)
    chosen = {}
    for release_id, counter in counts.items():
        key = min(counter, key=lambda k: (-counter[k], -info[k][1], info[k][0]))
        chosen[release_id] = (key, info[key][0])
    return chosen


# -- the layout ----------------------------------------------------------------------------


def timeline_build(
    *,
    workspace: Workspace,
    products: Iterable[Product],
    group: str = "team",
    zoom: str = "quarter",
    visible: Visible,
    today: date | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Timeline:
    """The timeline of `products`' releases and milestones, grouped into lanes by team,
    objective or product, on a month or quarter axis. `start`/`end` restrict it to releases
    overlapping that window (default: all, and the axis spans them and today). Six queries
    at most, whatever the number of releases and features."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    if zoom not in ZOOMS:
        raise ValueError(f"zoom must be one of {', '.join(ZOOMS)}")
    products = list(products)
    product_ids = [p.pk for p in products]
    today = today or timezone.localdate()
    drawn = _drawn(workspace, product_ids, start, end)
    releases = _releases(drawn)
    feature_rows = _features(workspace, drawn, product_ids)

    by_release: dict[int, list[FeatureItem]] = defaultdict(list)
    counts: Counter = Counter()
    unscheduled: dict[str, list[FeatureItem]] = defaultdict(list)
    unscheduled_counts: Counter = Counter()
    for row in feature_rows:
        item = FeatureItem(row["key"], row["title"], row["status"], row["horizon"])
        if row["release_id"] is not None:
            counts[row["release_id"]] += 1
            if len(by_release[row["release_id"]]) < FEATURES_SHOWN:
                by_release[row["release_id"]].append(item)
        else:
            unscheduled_counts[row["horizon"]] += 1
            if len(unscheduled[row["horizon"]]) < UNSCHEDULED_SHOWN:
                unscheduled[row["horizon"]].append(item)

    # The axis: whole periods covering every release (or the window asked for) and today.
    days = [today]
    for r in releases:
        days += [r.start or r.target, r.target]
    first = start or min(days)
    last = (end - timedelta(days=1)) if end else max(days)
    axis_start = _period_start(first, zoom)
    axis_end = _next_period(_period_start(last, zoom), zoom)
    if zoom == "month" and len(_ticks(axis_start, axis_end, zoom)) < 3:
        axis_end = _next_period(_next_period(axis_end, zoom), zoom)
    ppd = PX_PER_DAY[zoom]
    chart_w = (axis_end - axis_start).days * ppd
    timeline = Timeline(
        workspace_slug=workspace.slug,
        workspace_name=workspace.name,
        products=[p.name for p in products],
        group=group,
        zoom=zoom,
        visible=visible,
        start=axis_start,
        end=axis_end,
        today=today,
        today_x=None,
        width=LABEL_W + chart_w + RIGHT_PAD,
        height=0,
        release_count=len(releases),
        feature_count=len(feature_rows),
    )
    timeline.width = max(timeline.width, LABEL_W + 3 * UNSCHEDULED_COL_W + RIGHT_PAD)
    if axis_start <= today < axis_end:
        timeline.today_x = timeline.x(today)
    timeline.ticks = [
        Tick(day, timeline.x(day), _tick_label(day, zoom))
        for day in _ticks(axis_start, axis_end, zoom)
    ]

    # Lanes, then one row per release in each.
    lane_of: dict[int, tuple[str, str]] = {}
    if group == "objective":
        objectives = _objective_lanes(drawn)
        for r in releases:
            lane_of[r.pk] = objectives.get(r.pk, ("", NO_OBJECTIVE))
    else:
        for r in releases:
            owner = r.team if group == "team" else r.product
            lane_of[r.pk] = (str(owner.pk), owner.name)
    members: dict[tuple[str, str], list[Release]] = defaultdict(list)
    for r in releases:
        members[lane_of[r.pk]].append(r)
    y = float(AXIS_H)
    bar_at: dict[int, Bar] = {}
    for lane_key, label in sorted(members, key=lambda k: (k[1] == NO_OBJECTIVE, k[1].lower())):
        lane = Lane(key=lane_key, label=label, y=y, height=0)
        y += LANE_HEAD_H
        rows = sorted(members[(lane_key, label)], key=lambda r: (r.start or r.target, r.target))
        for r in rows:
            shown = by_release.get(r.pk, [])
            lines = len(shown) + (1 if counts[r.pk] > len(shown) else 0)
            height = BAR_H + lines * LINE_H + ROW_GAP
            first_day = r.target if r.kind == ReleaseKind.MILESTONE else (r.start or r.target)
            bar = Bar(
                key=r.key,
                name=r.name,
                kind=r.kind,
                status=r.status,
                status_label=r.get_status_display(),
                product=r.product.name,
                team=r.team.name,
                goal=r.goal,
                start=r.start,
                target=r.target,
                released_on=r.released_on,
                late=r.target < today
                and r.status not in (ReleaseStatus.RELEASED, ReleaseStatus.CANCELLED),
                x0=timeline.x(max(first_day, axis_start)),
                x1=timeline.x(min(r.target + timedelta(days=1), axis_end)),
                y=y + ROW_GAP / 2,
                height=height,
                features=shown,
                feature_count=counts[r.pk],
            )
            lane.rows.append(bar)
            bar_at[r.pk] = bar
            y += height
        lane.height = y - lane.y
        timeline.lanes.append(lane)

    for blocker_id, blocked_id in sorted(_release_dependencies(drawn)):
        a, b = bar_at[blocker_id], bar_at[blocked_id]
        timeline.arrows.append(
            Arrow(
                blocker=a.key,
                blocked=b.key,
                blocker_name=a.name,
                blocked_name=b.name,
                x1=a.x1,
                y1=a.mid_y,
                x2=b.x0,
                y2=b.mid_y,
                # As release_selectors.dependency_warnings says of features: due before
                # what it depends on (and that is not out yet).
                conflict=b.target < a.target and a.status != ReleaseStatus.RELEASED,
            )
        )

    if unscheduled_counts:
        y += 8
        timeline.unscheduled_y = y
        x = float(LABEL_W)
        for value, label in Horizon.choices:
            timeline.unscheduled.append(
                Unscheduled(
                    horizon=value,
                    label=str(label),
                    x=x,
                    features=unscheduled.get(value, []),
                    count=unscheduled_counts[value],
                )
            )
            x += UNSCHEDULED_COL_W
        tallest = max(len(u.features) + (1 if u.more else 0) for u in timeline.unscheduled)
        timeline.unscheduled_h = LANE_HEAD_H + 22 + tallest * LINE_H + 8
        y += timeline.unscheduled_h
    timeline.height = max(y, AXIS_H + 60) + 8
    return timeline
