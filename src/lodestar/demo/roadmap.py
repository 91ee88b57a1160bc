"""The demo's roadmap and backlog: releases and milestones per product (shipped, under way,
planned, one cancelled), the features placed in them consistently with their status, a few
dependencies (one scheduled before its blocker, so the warning shows), user stories with
acceptance criteria under the features being built, two-week iterations per team, half a
year of done stories (each team's weekly throughput), the roadmap's recent history and a
share link for the board.

Runs late in `build_demo`: the data a seed gave earlier stays as it was. The hand-written
releases' dates move to the build day (lodestar.demo.clock); open stories are sized so that
most releases are comfortably on track and two are at risk (LOAD). Deterministic for (seed,
size, day), apart from random keys and the share link's expiry (30 days after the build).
Everything is written with bulk_create: the large demo's ~20,000 stories take seconds."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.demo.clock import Clock
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.people import EMAIL_DOMAIN, LARGE_TEAM_AREAS
from lodestar.demo.roadmap_text import (
    ACTIONS,
    BENEFITS,
    CRITERIA,
    DEPENDENCIES,
    EXTRA_FEATURES,
    GOAL_BULLETS,
    RELEASE_THEMES,
    RELEASES,
    ROLES,
    SLICES,
    STORIES,
    THEME_STATUS,
    ReleaseSpec,
)
from lodestar.planning.models import (
    AcceptanceCriterion,
    ChangeKind,
    Dependency,
    EffortUnit,
    Feature,
    FeatureStatus,
    Horizon,
    Iteration,
    Release,
    ReleaseKind,
    ReleaseStatus,
    RoadmapChange,
    RoadmapView,
    ShareLink,
    StoryStatus,
    UserStory,
)
from lodestar.workspaces.models import Membership, Product, Role, Team, Workspace

SIZES: dict[str, dict[str, Any]] = {
    # generated releases beside the hand-written ones; done stories a team finishes a week
    # (core teams, extra squads); open stories per feature being built
    "small": {"releases": 0, "core_rate": (4, 9), "squad_rate": (2, 5), "open": (3, 6)},
    "large": {"releases": 280, "core_rate": (4, 9), "squad_rate": (3, 7), "open": (6, 12)},
}
SHARE_LABEL = "Board update — Q4"
RANK_STEP = 1024
WEEKS = 26  # of done-story history
SPRINT_DAYS = 14
# Weeks (their Monday, as of clock.STORY_DAY) most of the team was away: the throughput dips.
HOLIDAYS = {date(2026, 6, 29): 0.35, date(2026, 8, 24): 0.6, date(2026, 9, 7): 0.75}
# The forecast's story: each hand-written release's open stories as a share of what its team
# finishes by the target at its recent pace (the mean of its last RECENT_WEEKS full weeks,
# after the team's earlier releases). Well under 1: on track, with room to spare; about 1
# or more: genuinely at risk. Keyed by roadmap_text names.
LOAD_IN_PROGRESS, LOAD_PLANNED = 0.55, 0.4
LOAD = {"2026.11 — Arrival-window texts": 1.1, "Tech 5.4 — Photos that never get lost": 1.2}
RECENT_WEEKS = 12
OPEN_PER_FEATURE = (2, 12)  # the least and most open stories of a feature, hand-written
POINTS = (1, 2, 3, 5, 8, 13)
POINT_WEIGHTS = (2, 4, 5, 4, 2, 1)

Report = Callable[[str, int, int], None]


def build_roadmap(
    rng: random.Random,
    workspace: Workspace,
    now: datetime,
    report: Report,
    size: str = "small",
) -> dict[str, int]:
    """Build it all; return counts by kind (for the tests and the report)."""
    plan = SIZES[size]
    clock = Clock(now)
    today = now.date()
    people = _personas(workspace)
    products = {p.key: p for p in Product.objects.filter(workspace=workspace)}
    teams = list(Team.objects.filter(workspace=workspace).order_by("pk"))
    features = _features(rng, workspace, products, people)
    releases = _releases(rng, workspace, products, teams, people, plan["releases"], clock)
    report("releases", len(releases), len(releases))
    placed = _place(rng, features, releases, people, today)
    deps = _dependencies(rng, features, placed)
    changes = _changes(rng, workspace, releases, features, placed, people, now)
    members_of = _team_members(teams)
    sprints = _iterations(workspace, teams, today)
    hand = {r.pk: spec.name for spec, r in zip(RELEASES, releases, strict=False)}
    stories, criteria = _stories(
        rng,
        workspace,
        teams,
        features,
        placed,
        members_of,
        sprints,
        people,
        plan,
        clock,
        report,
        hand,
    )
    link = _share_link(rng, workspace, products, people)
    actor = people["priya"].user if "priya" in people else None
    activity_record(
        workspace=workspace,
        actor=actor,
        verb="planned",
        target_type="roadmap",
        target_label=f"{len(releases)} releases",
        changes={"stories": [None, stories]},
    )
    return {
        "releases": len(releases),
        "dependencies": deps,
        "changes": changes,
        "iterations": sum(len(s) for s in sprints.values()),
        "stories": stories,
        "criteria": criteria,
        "share_links": 1 if link else 0,
    }


def _personas(workspace: Workspace) -> dict[str, Membership]:
    rows = Membership.objects.filter(
        workspace=workspace, user__email__endswith="@" + EMAIL_DOMAIN
    ).select_related("user")
    return {m.user.email.split("@")[0]: m for m in rows}


def _key(feature: Feature, themes: dict[str, str]) -> str:
    """A feature's name in roadmap_text: its theme key, else its title."""
    return themes.get(feature.title, feature.title)


def _features(
    rng: random.Random,
    workspace: Workspace,
    products: dict[str, Product],
    people: dict[str, Membership],
) -> list[Feature]:
    """The extra features the story needs, the themes' new statuses; all features by pk."""
    existing = set(
        Feature.objects.filter(
            workspace=workspace, title__in=[t for t, *_ in EXTRA_FEATURES]
        ).values_list("title", flat=True)
    )
    creator = people["priya"].user if "priya" in people else None
    Feature.objects.bulk_create(
        [
            Feature(
                workspace=workspace,
                product=products.get(product),
                title=title,
                description=text,
                status=status,
                owner=people.get(owner),
                effort=rng.choice((5, 6, 8)),
                effort_unit=EffortUnit.WEEKS,
                created_by=creator,
            )
            for title, product, status, owner, text in EXTRA_FEATURES
            if title not in existing
        ]
    )
    features = list(Feature.objects.filter(workspace=workspace).order_by("pk"))
    themes = {t.title: t.key for t in THEMES}
    for feature in features:
        key = themes.get(feature.title)
        if key in THEME_STATUS:
            feature.status = THEME_STATUS[key]
    return features


def _by_spec_name(releases: list[Release]) -> dict[str, Release]:
    """Releases by the name they have in roadmap_text (a hand-written release's month in its
    name follows the build day), generated ones by their own."""
    named = {spec.name: r for spec, r in zip(RELEASES, releases, strict=False)}
    return {**{r.name: r for r in releases[len(RELEASES) :]}, **named}


def _releases(
    rng: random.Random,
    workspace: Workspace,
    products: dict[str, Product],
    teams: list[Team],
    people: dict[str, Membership],
    generated: int,
    clock: Clock,
) -> list[Release]:
    """The hand-written releases (in RELEASES' order, their dates moved to the build day),
    then the generated ones."""
    today = clock.today
    rows = []
    for spec in RELEASES:
        target = clock.day(spec.target)
        assert target is not None
        rows.append(
            Release(
                workspace=workspace,
                product=products[spec.product],
                team=teams[spec.team % len(teams)],
                kind=spec.kind,
                name=clock.release_name(spec.name, target),
                goal=spec.goal,
                start=clock.day(spec.start),
                target=target,
                status=spec.status,
                owner=people.get(spec.owner),
                released_on=clock.day(spec.released_on),
            )
        )
    squads = teams[5:] or teams
    owners = list(
        Membership.objects.filter(
            workspace=workspace, role__in=[Role.PRODUCT_MANAGER, Role.PRODUCT_OWNER]
        ).order_by("pk")
    )
    taken = {(r.product_id, r.name) for r in rows}
    for i in range(generated):
        team = squads[i % len(squads)]
        phase = i // len(squads)  # 0: shipped, 1: under way, 2: next
        release = _generated(rng, workspace, products, team, phase, i, owners, today)
        if release.kind == ReleaseKind.MILESTONE:  # the VP of product keeps the milestones
            release.start, release.owner = None, people.get("dana", release.owner)
        base, n = release.name, 2
        while (release.product_id, release.name) in taken:  # same month, team and theme
            release.name, n = f"{base} ({n})", n + 1
        taken.add((release.product_id, release.name))
        rows.append(release)
    return Release.objects.bulk_create(rows, batch_size=500)


def _generated(
    rng: random.Random,
    workspace: Workspace,
    products: dict[str, Product],
    team: Team,
    phase: int,
    i: int,
    owners: list[Membership],
    today: date,
) -> Release:
    area = LARGE_TEAM_AREAS[i % len(LARGE_TEAM_AREAS)]
    product = products["mobile" if area in ("Offline sync", "Inventory") else "web"]
    weeks = rng.choice((4, 6, 6, 8, 10))
    if phase == 0:
        target = today - timedelta(days=rng.randint(14, 170))
        status = ReleaseStatus.CANCELLED if rng.random() < 0.05 else ReleaseStatus.RELEASED
    elif phase == 1:
        target = today + timedelta(days=rng.randint(7, 45))
        status = ReleaseStatus.IN_PROGRESS
    else:
        target = today + timedelta(days=rng.randint(60, 250))
        status = ReleaseStatus.PLANNED
    start = target - timedelta(weeks=weeks)
    if phase == 1:
        start = min(start, today - timedelta(days=7))
    late = rng.choice((0, 0, 0, 2, 5, 9, 14))
    theme = rng.choice(RELEASE_THEMES)
    bullets = "\n".join(f"- {b}" for b in rng.sample(GOAL_BULLETS, 2))
    return Release(
        workspace=workspace,
        product=product,
        team=team,
        kind=ReleaseKind.MILESTONE if rng.random() < 0.06 else ReleaseKind.RELEASE,
        name=f"{target:%Y.%m} — {team.name}: {theme}",
        goal=f"{area} for **{theme}**.\n\n{bullets}",
        start=start,
        target=target,
        status=status,
        owner=rng.choice(owners) if owners else None,
        released_on=target + timedelta(days=late) if status == ReleaseStatus.RELEASED else None,
    )


def _phase(release: Release, today: date) -> str:
    if release.status == ReleaseStatus.RELEASED:
        return FeatureStatus.SHIPPED
    if release.status == ReleaseStatus.IN_PROGRESS:
        return FeatureStatus.IN_PROGRESS
    if release.status == ReleaseStatus.PLANNED:
        return FeatureStatus.PLANNED
    return ""


def _place(
    rng: random.Random,
    features: list[Feature],
    releases: list[Release],
    people: dict[str, Membership],
    today: date,
) -> dict[int, Release]:
    """Put features in releases consistently with their status, set horizons (now: a
    release under way, next: a planned one, later: none) and board ranks. Returns the
    placement by feature pk."""
    themes = {t.title: t.key for t in THEMES}
    named = {key: spec for spec in RELEASES for key in spec.features}
    by_name = _by_spec_name(releases)
    pools: dict[tuple[int, str], list[Release]] = {}
    for each in releases[len(RELEASES) :]:
        phase = _phase(each, today)
        if phase:
            pools.setdefault((each.product_id, phase), []).append(each)
    placed: dict[int, Release] = {}
    for feature in features:
        spec: ReleaseSpec | None = named.get(_key(feature, themes))
        release: Release | None = by_name.get(spec.name) if spec else None
        if spec and spec.owner in people:  # the release's owner owns its main feature
            feature.owner = people[spec.owner]
        if spec and feature.effort is None:  # estimated once it was planned
            feature.effort, feature.effort_unit = Decimal(6), EffortUnit.WEEKS
        if release is None and feature.status in (
            FeatureStatus.SHIPPED,
            FeatureStatus.IN_PROGRESS,
            FeatureStatus.PLANNED,
        ):
            pool = pools.get((feature.product_id or 0, str(feature.status)), [])
            hand = [
                r
                for r in releases[: len(RELEASES)]
                if r.product_id == feature.product_id
                and r.kind == ReleaseKind.RELEASE
                and _phase(r, today) == feature.status
            ]
            # Small demo: the hand-written releases take the tail too; large: mostly squads.
            choices = pool if pool and rng.random() < 0.9 else hand
            keep = feature.status != FeatureStatus.SHIPPED or rng.random() < 0.7
            if choices and keep and (feature.status != FeatureStatus.PLANNED or rng.random() < 0.8):
                release = rng.choice(choices)
        if release is not None:
            placed[feature.pk] = release
            feature.release = release
            feature.team_id = release.team_id
        feature.horizon = _horizon(feature, release)
    order = features[:]
    rng.shuffle(order)
    order.sort(key=lambda f: f.title not in themes and f.title not in ACTIONS)
    for i, feature in enumerate(order):
        feature.rank = (i + 1) * RANK_STEP
    _update(
        features,
        ["status", "release", "team", "horizon", "rank", "owner", "effort", "effort_unit"],
    )
    return placed


def _update(features: list[Feature], names: list[str]) -> None:
    """Save these fields of every feature with one prepared UPDATE run per row: bulk_update's
    CASE WHEN over 5,000 rows takes seconds to compile, this a fraction of one."""
    fields = [cast(Field, Feature._meta.get_field(n)) for n in names]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(Feature._meta.db_table)
    sql = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[getattr(f, field.attname) for field in fields] + [f.pk] for f in features]
        )


def _horizon(feature: Feature, release: Release | None) -> str:
    if release is not None:
        if release.status == ReleaseStatus.IN_PROGRESS:
            return Horizon.NOW
        if release.status == ReleaseStatus.PLANNED:
            return Horizon.NEXT
        return ""
    if feature.status in (FeatureStatus.SHIPPED, FeatureStatus.WONT_DO):
        return ""
    if feature.status == FeatureStatus.IN_PROGRESS:
        return Horizon.NOW
    if feature.status == FeatureStatus.PLANNED:
        return Horizon.NEXT
    # Later means no release; what has none stays next or later as scoring left it.
    return feature.horizon if feature.horizon != Horizon.NOW else Horizon.NEXT


def _dependencies(rng: random.Random, features: list[Feature], placed: dict[int, Release]) -> int:
    themes = {t.title: t.key for t in THEMES}
    by_key = {_key(f, themes): f for f in features}
    rows = [
        Dependency(blocker=by_key[a], blocked=by_key[b])
        for a, b in DEPENDENCIES
        if a in by_key and b in by_key
    ]
    pairs = {(d.blocker_id, d.blocked_id) for d in rows}
    # Generated: within a product, something under way blocks something planned later
    # (never the other way round, so never a cycle).
    now_ = [f for f in features if f.pk in placed and f.status == FeatureStatus.IN_PROGRESS]
    next_ = [f for f in features if f.pk in placed and f.status == FeatureStatus.PLANNED]
    for blocked in next_:
        if rng.random() < 0.25:
            same = [f for f in now_ if f.product_id == blocked.product_id]
            if same:
                blocker = rng.choice(same)
                if (blocker.pk, blocked.pk) not in pairs and blocker.title not in ACTIONS:
                    pairs.add((blocker.pk, blocked.pk))
                    rows.append(Dependency(blocker=blocker, blocked=blocked))
    Dependency.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _changes(
    rng: random.Random,
    workspace: Workspace,
    releases: list[Release],
    features: list[Feature],
    placed: dict[int, Release],
    people: dict[str, Membership],
    now: datetime,
) -> int:
    """The last 60 days of the roadmap's history: releases that slipped (one pulled in),
    started, shipped and were cancelled, features added, moved and dropped."""
    by_name = _by_spec_name(releases)
    themes = {t.title: t.key for t in THEMES}
    by_key = {_key(f, themes): f for f in features}
    pm = people.get("priya")
    po = people.get("tomas")
    actors = {
        "web": pm.user if pm else None,
        "mobile": po.user if po else (pm.user if pm else None),
    }
    rows: list[RoadmapChange] = []

    def add(days: float, kind: str, target, field: str = "", old: object = "", new: object = ""):
        product = target.product
        rows.append(
            RoadmapChange(
                workspace=workspace,
                product=product,
                actor=actors.get(product.key if product else "web"),
                at=now - timedelta(days=days, hours=rng.randint(0, 8)),
                kind=kind,
                target_type="release" if isinstance(target, Release) else "feature",
                target_key=target.key,
                target_label=str(target)[:200],
                field=field,
                old=old.isoformat() if isinstance(old, date) else str(old or ""),
                new=new.isoformat() if isinstance(new, date) else str(new or ""),
            )
        )

    def release(name: str) -> Release | None:
        return by_name.get(name)

    def feature(key: str) -> Feature | None:
        return by_key.get(key)

    story = (
        # (days ago, kind, release name or feature key, field, old, new); dates as offsets
        # from the current target: slipped releases had an earlier target.
        (52, ChangeKind.RELEASE_ADDED, "Public API GA", "target", "", 0),
        (45, ChangeKind.RELEASE_DATES, "SOC 2 Type II audit", "target", -15, 0),
        (40, ChangeKind.RELEASE_STATUS, "2026.10 — Xero sync", "status", "Planned", "Cancelled"),
        (31, ChangeKind.RELEASE_STATUS, "2026.09 — Office roles by branch", "status",
         "In progress", "Released"),
        (30, ChangeKind.RELEASE_DATES, "Tech 5.4 — Photos that never get lost", "target", 7, 0),
        (28, ChangeKind.RELEASE_STATUS, "2026.11 — Arrival-window texts", "status", "Planned",
         "In progress"),
        (25, ChangeKind.RELEASE_ADDED, "2027.04 — Predictive maintenance alerts", "target",
         "", 0),
        (21, ChangeKind.RELEASE_STATUS, "2026.12 — Telematics ingest v2", "status", "Planned",
         "In progress"),
        (20, ChangeKind.RELEASE_DATES, "2026.11 — Dispatch board for large fleets", "target",
         -14, 0),
        (12, ChangeKind.RELEASE_DATES, "2027.02 — Service plans", "target", -28, 0),
        (4, ChangeKind.RELEASE_DATES, "2027.01 — Online booking", "target", -7, 0),
    )  # fmt: skip
    for days, kind, name, field, old, new in story:
        target = release(name)
        if target is None:
            continue
        before: object = old
        after: object = new
        if kind == ChangeKind.RELEASE_ADDED:  # as release_create records it
            after = target.target
        elif kind == ChangeKind.RELEASE_DATES:
            before = target.target + timedelta(days=int(old))
            after = target.target + timedelta(days=int(new))
        add(days, kind, target, field, before, after)
    moves = (
        # (days ago, kind, feature key, old release, new release)
        (25, ChangeKind.FEATURE_ADDED, "Predictive maintenance alerts", "",
         "2027.04 — Predictive maintenance alerts"),
        (18, ChangeKind.FEATURE_ADDED, "online-booking", "", "2027.01 — Online booking"),
        (12, ChangeKind.FEATURE_MOVED, "service-plans", "2026.12 — Clean QuickBooks sync",
         "2027.02 — Service plans"),
        (10, ChangeKind.FEATURE_ADDED, "spanish-app", "", "Tech 5.5 — Acme Tech en español"),
        (8, ChangeKind.FEATURE_ADDED, "multi-day-jobs", "", "2027.01 — Route optimizer beta"),
        (6, ChangeKind.FEATURE_DROPPED, "job-costing", "2027.01 — Route optimizer beta", ""),
    )  # fmt: skip
    for days, kind, key, old_name, new_name in moves:
        moved = feature(key)
        if moved is not None:
            old_release, new_release = release(old_name), release(new_name)
            add(days, kind, moved, "release", old_release.name if old_release else old_name,
                new_release.name if new_release else new_name)  # fmt: skip
    # The large demo's squads: some releases slipped, features came and went.
    for each in releases[len(RELEASES) :]:
        if each.status in (ReleaseStatus.IN_PROGRESS, ReleaseStatus.PLANNED) and (
            rng.random() < 0.3
        ):
            slip = rng.choice((7, 14, 14, 21, 28))
            add(rng.uniform(1, 59), ChangeKind.RELEASE_DATES, each, "target",
                each.target - timedelta(days=slip), each.target)  # fmt: skip
    generated = {r.pk for r in releases[len(RELEASES) :]}
    squads = [f for f in features if f.pk in placed and placed[f.pk].pk in generated]
    for added in squads:
        if added.status == FeatureStatus.PLANNED and rng.random() < 0.15:
            add(rng.uniform(1, 59), ChangeKind.FEATURE_ADDED, added, "release", "",
                placed[added.pk].name)  # fmt: skip
    rows.sort(key=lambda r: r.at)
    RoadmapChange.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _team_members(teams: list[Team]) -> dict[int, list[int]]:
    """Membership pks of each team (for story owners)."""
    through = Team.members.through
    members: dict[int, list[int]] = {t.pk: [] for t in teams}
    rows = through.objects.filter(team__in=teams).order_by("team_id", "membership_id")
    for team_id, membership_id in rows.values_list("team_id", "membership_id"):
        members[team_id].append(membership_id)
    return members


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _iterations(workspace: Workspace, teams: list[Team], today: date) -> dict[int, list[Iteration]]:
    """Two-week sprints for every team: 13 over the last half year, the current one and the
    next two. Same cadence for all teams (they plan together on Mondays)."""
    current = _monday(today) - timedelta(days=7 * (_monday(today).isocalendar()[1] % 2))
    first = current - timedelta(days=SPRINT_DAYS * 13)
    rows = []
    for team in teams:
        for n in range(16):
            start = first + timedelta(days=SPRINT_DAYS * n)
            rows.append(
                Iteration(
                    workspace=workspace,
                    team=team,
                    name=f"Sprint {start:%Y}-{start.isocalendar()[1]:02d}",
                    start=start,
                    end=start + timedelta(days=SPRINT_DAYS - 1),
                )
            )
    created = Iteration.objects.bulk_create(rows, batch_size=1000)
    sprints: dict[int, list[Iteration]] = {}
    for sprint in created:
        sprints.setdefault(sprint.team_id, []).append(sprint)
    return sprints


def _sprint_of(sprints: list[Iteration], day: date) -> Iteration | None:
    for sprint in sprints:
        if sprint.start <= day <= sprint.end:
            return sprint
    return None


def _stories(
    rng: random.Random,
    workspace: Workspace,
    teams: list[Team],
    features: list[Feature],
    placed: dict[int, Release],
    members_of: dict[int, list[int]],
    sprints: dict[int, list[Iteration]],
    people: dict[str, Membership],
    plan: dict,
    clock: Clock,
    report: Report,
    hand: dict[int, str],
) -> tuple[int, int]:
    """Open stories under the features under way and planned; done stories over the last
    26 weeks and this week's days before today for every team (its throughput). Returns
    (stories, criteria) created."""
    now, today = clock.now, clock.today
    holidays = {clock.day(monday): share for monday, share in HOLIDAYS.items()}
    themes = {t.title: t.key for t in THEMES}
    product_key = {p.pk: p.key for p in Product.objects.filter(workspace=workspace)}
    rows: list[UserStory] = []
    checks: list[list[tuple[str, bool]]] = []
    used: dict[int, int] = {}  # stories per feature so far (for the slices)

    def story(feature: Feature, status: str, team_id: int, done_at=None, sprint=None) -> None:
        key = _key(feature, themes)
        kind = product_key.get(feature.product_id or 0, "web")
        n = used.get(feature.pk, 0)
        used[feature.pk] = n + 1
        written = STORIES.get(key, ())
        if n < len(written):
            title, as_a, i_want, so_that, criteria = written[n]
        else:
            most = 3 if status == StoryStatus.DONE else 5  # fewer rows for the history
            title, as_a, i_want, so_that, criteria = _generic(rng, feature, key, kind, n, most)
        owners = members_of.get(team_id) or []
        owner_id = rng.choice(owners) if owners else None
        if status == StoryStatus.DONE:
            ticks = [(c, True) for c in criteria]
        elif status == StoryStatus.DOING:
            ticks = [(c, rng.random() < 0.5) for c in criteria]
        else:
            ticks = [(c, False) for c in criteria]
        rows.append(
            UserStory(
                workspace=workspace,
                feature=feature,
                title=title[:200],
                as_a=as_a,
                i_want=i_want[:500],
                so_that=so_that[:500],
                points=rng.choices(POINTS, weights=POINT_WEIGHTS)[0],
                status=status,
                owner_id=owner_id,
                iteration=sprint,
                done_at=done_at,
                created_at=(done_at or now) - timedelta(days=rng.randint(5, 40)),
            )
        )
        checks.append(ticks)

    # Features each team builds: under way first, shipped (in the last half year) beside.
    building: dict[int, list[Feature]] = {}
    shipped: dict[int, list[Feature]] = {}
    for feature in features:
        release = placed.get(feature.pk)
        if release is None:
            continue
        if feature.status == FeatureStatus.IN_PROGRESS:
            building.setdefault(release.team_id, []).append(feature)
        elif feature.status == FeatureStatus.SHIPPED:
            shipped.setdefault(release.team_id, []).append(feature)
    # A team with nothing of its own on the roadmap built some older, release-less feature.
    spare = [f for f in features if f.status == FeatureStatus.SHIPPED and f.pk not in placed]
    adopted: list[Feature] = []
    # 1. The throughput history: done stories, week by week.
    paces: dict[int, float] = {}
    first_monday = _monday(today) - timedelta(weeks=WEEKS)
    for t, team in enumerate(teams):
        low, high = plan["core_rate"] if t < 5 else plan["squad_rate"]
        pool = building.get(team.pk, []) + shipped.get(team.pk, [])
        if not pool and spare:
            pool = [spare.pop()]
            pool[0].team_id = team.pk
            adopted.append(pool[0])
        pool = pool or features
        team_sprints = sprints.get(team.pk, [])
        pace = rng.uniform(low, high)
        weekly: list[int] = []
        for w in range(WEEKS + 1):
            monday = first_monday + timedelta(weeks=w)
            # This week: the working days before today (none on a Monday).
            days = 5 if w < WEEKS else min(today.weekday(), 5)
            if not days:
                continue
            count = round((pace + rng.gauss(0, 1.4)) * holidays.get(monday, 1) * days / 5)
            count = max(1, min(high + 2, count))
            if days == 5:
                weekly.append(count)
            for _ in range(count):
                when = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) + timedelta(
                    days=rng.randint(0, days - 1),
                    hours=rng.randint(14, 23),
                    minutes=rng.randint(0, 59),
                )
                story(
                    rng.choice(pool),
                    StoryStatus.DONE,
                    team.pk,
                    done_at=when,
                    sprint=_sprint_of(team_sprints, when.date()),
                )
        recent = weekly[-RECENT_WEEKS:]
        paces[team.pk] = sum(recent) / len(recent)  # what a forecast sees
        report("stories", t + 1, len(teams))
    # 2. Open stories: under way (doing and to do, in this sprint or the next), planned.
    lo, hi = plan["open"]
    quota = _open_quota(features, placed, hand, paces, today)
    for feature in features:
        release = placed.get(feature.pk)
        if release is None or feature.status not in (
            FeatureStatus.IN_PROGRESS,
            FeatureStatus.PLANNED,
        ):
            continue
        team_sprints = sprints.get(release.team_id, [])
        current = _sprint_of(team_sprints, today)
        upcoming = [s for s in team_sprints if s.start > today]
        under_way = feature.status == FeatureStatus.IN_PROGRESS
        count = quota[feature.pk] if feature.pk in quota else rng.randint(lo, hi)
        for i in range(count):
            if under_way and i < 2:
                story(feature, StoryStatus.DOING, release.team_id, sprint=current)
            elif under_way:
                sprint = rng.choice([current, current, *upcoming, None, None])
                story(feature, StoryStatus.TODO, release.team_id, sprint=sprint)
            else:
                sprint = rng.choice(upcoming) if upcoming and rng.random() < 0.2 else None
                story(feature, StoryStatus.TODO, release.team_id, sprint=sprint)
    _persona_owners(rng, rows, people, product_key)
    _update(adopted, ["team"])
    # Ranks: open stories in backlog order (under way first), done ones after, 1024 apart.
    order = sorted(
        range(len(rows)),
        key=lambda i: (
            rows[i].status == StoryStatus.DONE,
            rows[i].status != StoryStatus.DOING,
            rows[i].feature.rank,
            i,
        ),
    )
    for position, i in enumerate(order):
        rows[i].rank = (position + 1) * RANK_STEP
    created = UserStory.objects.bulk_create(rows, batch_size=2000)
    criteria = [
        AcceptanceCriterion(story=row, text=text, done=done, position=p)
        for row, ticks in zip(created, checks, strict=True)
        for p, (text, done) in enumerate(ticks)
    ]
    AcceptanceCriterion.objects.bulk_create(criteria, batch_size=5000)
    return len(created), len(criteria)


def _open_quota(
    features: list[Feature],
    placed: dict[int, Release],
    hand: dict[int, str],
    paces: dict[int, float],
    today: date,
) -> dict[int, int]:
    """Open stories per feature of the hand-written releases (LOAD): per team, in target
    order, a release gets its load times what the team finishes between today and its
    target, less the earlier releases' open work; split evenly over its open features."""
    open_features: dict[int, list[Feature]] = {}
    for feature in features:
        release = placed.get(feature.pk)
        if (
            release is not None
            and release.pk in hand
            and feature.status
            in (
                FeatureStatus.IN_PROGRESS,
                FeatureStatus.PLANNED,
            )
        ):
            open_features.setdefault(release.pk, []).append(feature)
    releases = sorted(
        {placed[f[0].pk] for f in open_features.values()}, key=lambda r: (r.target, r.pk)
    )
    ahead: dict[int, int] = {}  # open stories of a team's earlier releases
    quota: dict[int, int] = {}
    least, most = OPEN_PER_FEATURE
    for release in releases:
        team_id = release.team_id or 0
        weeks = max(0, (release.target - today).days) / 7
        room = max(0.0, paces.get(team_id, 5.0) * weeks - ahead.get(team_id, 0))
        default = LOAD_IN_PROGRESS if release.status == ReleaseStatus.IN_PROGRESS else LOAD_PLANNED
        wanted = round(room * LOAD.get(hand[release.pk], default))
        mine = open_features[release.pk]
        share, extra = divmod(wanted, len(mine))
        cap = most if hand[release.pk] not in LOAD else wanted
        for i, feature in enumerate(mine):
            quota[feature.pk] = min(cap, max(least, share + (i < extra)))
        ahead[team_id] = ahead.get(team_id, 0) + sum(quota[f.pk] for f in mine)
    return quota


def _generic(
    rng: random.Random, feature: Feature, key: str, kind: str, n: int, most: int
) -> tuple[str, str, str, str, tuple[str, ...]]:
    action = ACTIONS.get(key) or feature.title[:1].lower() + feature.title[1:]
    suffix, want, benefit = SLICES[n % len(SLICES)]
    role = rng.choice(ROLES.get(kind, ROLES["web"]))
    title = f"{feature.title[:150]}: {suffix}"
    if n >= len(SLICES):
        title += f" ({n // len(SLICES) + 1})"
    so_that = benefit.format(benefit=BENEFITS[role])
    criteria = tuple(rng.sample(CRITERIA[kind], rng.randint(2, most)))
    return title, role, f"to {action}{want}", so_that, criteria


def _persona_owners(
    rng: random.Random,
    rows: list[UserStory],
    people: dict[str, Membership],
    product_key: dict[int, str],
) -> None:
    """The personas own some open stories, so their "my work" page has something on it:
    Lena the platform stories, Tomás some of the app's."""
    lena, tomas = people.get("lena"), people.get("tomas")
    for row in rows:
        if row.status == StoryStatus.DONE:
            continue
        if lena and row.feature.title in ("Telematics ingest v2", "Public API v2"):
            row.owner_id = lena.pk
        elif (
            tomas
            and product_key.get(row.feature.product_id or 0) == "mobile"
            and rng.random() < 0.3
        ):
            row.owner_id = tomas.pk


def _share_link(
    rng: random.Random,
    workspace: Workspace,
    products: dict[str, Product],
    people: dict[str, Membership],
) -> ShareLink | None:
    """The board's quarterly update: the main product's timeline and releases, internal
    fields off, valid for 30 days from the build."""
    alphabet = string.ascii_letters + string.digits
    owner = people.get("priya")
    link = ShareLink.objects.create(
        workspace=workspace,
        token="".join(rng.choices(alphabet, k=43)),
        label=SHARE_LABEL,
        views=[RoadmapView.TIMELINE.value, RoadmapView.RELEASES.value],
        expires_at=timezone.now() + timedelta(days=30),
        created_by=owner.user if owner else None,
    )
    if "web" in products:
        link.products.add(products["web"])
    return link


def share_link_path(workspace: Workspace) -> str | None:
    """The demo share link's public path (`lodestar demo` prints it with the logins)."""
    link = (
        ShareLink.objects.filter(workspace=workspace, label=SHARE_LABEL, revoked_at=None)
        .order_by("-pk")
        .first()
    )
    return f"/s/{link.token}/" if link else None
