"""The demo's roadmap and backlog (lodestar.demo.roadmap): releases that tell a story, features
placed consistently with their status, dependencies with one warning, stories with criteria,
each team's weekly throughput, the roadmap's history, the share link; same seed, same data."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from lodestar.demo.build import SLUG, build_demo
from lodestar.demo.clock import demo_now
from lodestar.demo.roadmap import SHARE_LABEL, share_link_path
from lodestar.planning.backlog_selectors import team_throughput
from lodestar.planning.models import (
    AcceptanceCriterion,
    Dependency,
    Feature,
    Iteration,
    Release,
    RoadmapChange,
    ShareLink,
    UserStory,
)
from lodestar.workspaces.models import Team, Workspace

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 26)  # a Thursday: the story's dates move 3 weeks on from 2 November
EPOCH = demo_now(DAY)

# A feature's status and the status of the release it is in.
CONSISTENT = {"shipped": "released", "in_progress": "in_progress", "planned": "planned"}


@pytest.fixture
def demo():
    build_demo(seed=7, size="small", today=DAY)
    return Workspace.objects.get(slug=SLUG)


def _fingerprint() -> str:
    rows = [
        *Release.objects.order_by("product__key", "name").values_list(
            "product__key", "team__name", "kind", "name", "goal", "start", "target", "status",
            "released_on", "owner__user__email",
        ),
        *Feature.objects.order_by("title").values_list(
            "title", "status", "horizon", "rank", "release__name", "team__name"
        ),
        *Dependency.objects.order_by("blocker__title", "blocked__title").values_list(
            "blocker__title", "blocked__title"
        ),
        *Iteration.objects.order_by("team__name", "start").values_list("team__name", "name"),
        *UserStory.objects.order_by("rank", "title").values_list(
            "feature__title", "title", "as_a", "i_want", "so_that", "points", "status", "rank",
            "owner__user__email", "iteration__name", "done_at",
        ),
        *AcceptanceCriterion.objects.order_by("story__rank", "position").values_list(
            "story__rank", "text", "done", "position"
        ),
        *RoadmapChange.objects.order_by("at", "target_label").values_list(
            "at", "kind", "target_label", "field", "old", "new", "actor__email"
        ),
        *ShareLink.objects.values_list("label", "token", "views"),
    ]  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_releases_tell_a_story(demo):
    releases = list(Release.objects.filter(workspace=demo).select_related("team", "owner"))
    assert 12 <= len(releases) <= 20
    assert all(r.team_id and r.owner_id for r in releases)
    statuses = Counter(r.status for r in releases)
    assert set(statuses) == {"released", "in_progress", "planned", "cancelled"}
    assert statuses["cancelled"] == 1
    assert sum(r.kind == "milestone" for r in releases) >= 2
    assert all(r.start is None for r in releases if r.kind == "milestone")
    shipped = [r for r in releases if r.status == "released"]
    assert all(r.released_on and r.target < EPOCH.date() for r in shipped)
    assert any(r.released_on > r.target for r in shipped)  # some shipped late
    today = EPOCH.date()
    assert all(r.target >= today for r in releases if r.status == "planned")
    assert max(r.target for r in releases) >= today + timedelta(days=120)  # 2-3 quarters on
    assert {r.product.key for r in releases} == {"web", "mobile"}
    assert all(r.goal for r in releases)


def test_features_in_releases_match_their_status(demo):
    features = list(Feature.objects.filter(workspace=demo).select_related("release"))
    placed = [f for f in features if f.release]
    assert len(placed) >= 15
    for feature in placed:
        assert CONSISTENT[feature.status] == feature.release.status, feature.title
        assert feature.team_id == feature.release.team_id
        assert feature.product_id == feature.release.product_id
        expected = {"in_progress": "now", "planned": "next", "released": ""}
        assert feature.horizon == expected[feature.release.status], feature.title
    assert all(f.release is None for f in features if f.horizon == "later")
    assert all(f.release is None for f in features if f.status in ("new", "wont_do"))
    ranks = [f.rank for f in features]
    assert len(set(ranks)) == len(ranks) and min(ranks) > 0


def test_a_dependency_is_scheduled_before_its_blocker(demo):
    deps = list(
        Dependency.objects.filter(blocker__workspace=demo).select_related(
            "blocker__release", "blocked__release"
        )
    )
    assert len(deps) >= 4
    early = [
        d
        for d in deps
        if d.blocker.release and d.blocked.release
        and d.blocked.release.target < d.blocker.release.target
    ]  # fmt: skip
    assert [(d.blocker.title, d.blocked.title) for d in early] == [
        ("Google Calendar two-way sync", "Online booking in the customer portal")
    ]
    titles = {(d.blocker.title, d.blocked.title) for d in deps}
    assert ("Telematics ingest v2", "Predictive maintenance alerts") in titles


def test_stories_with_criteria(demo):
    stories = list(UserStory.objects.filter(workspace=demo).select_related("feature"))
    counts = Counter(
        AcceptanceCriterion.objects.filter(story__workspace=demo).values_list("story", flat=True)
    )
    assert all(2 <= counts[s.pk] <= 5 for s in stories)
    statuses = Counter(s.status for s in stories)
    assert statuses["todo"] and statuses["doing"] and statuses["done"]
    assert all(s.as_a and s.i_want and s.so_that and s.points for s in stories)
    open_ = [s for s in stories if s.status != "done"]
    assert {s.feature.status for s in open_} == {"in_progress", "planned"}
    ranks = sorted(s.rank for s in stories)
    assert ranks[0] == 1024 and all(b - a == 1024 for a, b in pairwise(ranks))
    ticked = AcceptanceCriterion.objects.filter(story__workspace=demo, done=True)
    assert not ticked.filter(story__status="todo").exists()
    assert not AcceptanceCriterion.objects.filter(story__status="done", done=False).exists()
    assert ticked.filter(story__status="doing").exists()
    assert all(s.done_at for s in stories if s.status == "done")
    assert all(s.owner_id for s in stories)
    # "As a dispatcher I want …": in the customers' words.
    assert any(s.as_a == "dispatcher" for s in stories)


def test_every_team_has_a_weekly_throughput(demo):
    teams = list(Team.objects.filter(workspace=demo))
    assert len(teams) == 5
    for team in teams:
        weeks = team_throughput(team=team, weeks=26, today=EPOCH.date() - timedelta(days=1))
        counts = [count for _monday, count, _points in weeks]
        assert len(counts) == 26 and all(counts), (team.name, counts)
        assert 3 <= sum(counts) / len(counts) <= 10, (team.name, counts)
        assert len(set(counts)) > 2  # noise, not a flat line
        assert Iteration.objects.filter(team=team, start__gt=EPOCH.date()).count() == 2


def test_roadmap_changes_in_the_last_60_days(demo):
    changes = list(RoadmapChange.objects.filter(workspace=demo))
    assert len(changes) >= 12
    assert all(EPOCH - timedelta(days=60) <= c.at <= EPOCH for c in changes)
    kinds = Counter(c.kind for c in changes)
    for kind in ("release_dates", "release_status", "feature_added", "feature_dropped"):
        assert kinds[kind], kind
    dates = [c for c in changes if c.kind == "release_dates"]
    assert any(c.new > c.old for c in dates) and any(c.new < c.old for c in dates)
    current = {r.key: r.target.isoformat() for r in Release.objects.filter(workspace=demo)}
    assert all(current[c.target_key] == c.new for c in dates)


def test_share_link(demo):
    link = ShareLink.objects.get(workspace=demo)
    assert link.label == SHARE_LABEL == "Board update — Q4"
    assert [p.key for p in link.products.all()] == ["web"]
    assert set(link.views) == {"timeline", "releases"}
    assert not (link.show_customers or link.show_arr or link.show_scores or link.show_comments)
    assert link.revoked_at is None
    assert timedelta(days=29) < link.expires_at - timezone.now()
    assert share_link_path(demo) == f"/s/{link.token}/"


def test_same_seed_same_roadmap(demo):
    first = _fingerprint()
    build_demo(seed=7, size="small", today=DAY)
    assert _fingerprint() == first
    build_demo(seed=8, size="small", today=DAY)
    assert _fingerprint() != first
