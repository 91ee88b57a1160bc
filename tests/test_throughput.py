"""A team's weekly throughput, worked by hand: stories done in known weeks, zero weeks kept,
and the week boundary in the workspace's time zone (Monday 00:00 there, not in UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lodestar.planning import backlog_services as services
from lodestar.planning.backlog_models import UserStory
from lodestar.planning.backlog_selectors import team_throughput
from lodestar.planning.services import feature_create
from lodestar.workspaces.services import team_create

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)  # a Thursday; with weeks=4 the Mondays are 2, 9, 16 and 23 Nov


def _done(world, feature, title, when: datetime, points: int | None) -> UserStory:
    story = services.story_create(
        workspace=world.workspace,
        actor=world["po"].user,
        membership=world["po"].membership,
        feature_key=feature.key,
        title=title,
        points=points,
        status="done",
    )
    UserStory.objects.filter(pk=story.pk).update(done_at=when)
    return story


@pytest.fixture
def history(world):
    feature = feature_create(
        workspace=world.workspace, actor=world["pm"].user, title="Routing", team_key=world.team.key
    )
    utc = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731
    _done(world, feature, "Before the range", utc(2026, 11, 1, 10), 8)  # Sun 1 Nov (both zones)
    _done(world, feature, "Tue", utc(2026, 11, 3, 10), 3)
    _done(world, feature, "Wed, no points", utc(2026, 11, 4, 10), None)
    _done(world, feature, "Sun noon UTC", utc(2026, 11, 15, 12), 5)  # Mon 01:00 in Auckland
    _done(world, feature, "Sun 10:30 UTC", utc(2026, 11, 22, 10, 30), 2)  # Sun 23:30 Auckland
    _done(world, feature, "Sun 11:30 UTC", utc(2026, 11, 22, 11, 30), 1)  # Mon 00:30 Auckland
    # Not counted: another team's story, and a story not done.
    mobile = team_create(workspace=world.workspace, actor=world["owner"].user, name="Mobile")
    theirs = feature_create(
        workspace=world.workspace, actor=world["pm"].user, title="App", team_key=mobile.key
    )
    _done(world, theirs, "Other team", utc(2026, 11, 3, 10), 13)
    return world


def test_weeks_in_utc(history):
    assert team_throughput(team=history.team, weeks=4, today=TODAY) == [
        (date(2026, 11, 2), 2, 3),
        (date(2026, 11, 9), 1, 5),
        (date(2026, 11, 16), 2, 3),
        (date(2026, 11, 23), 0, 0),
    ]


def test_weeks_follow_the_workspace_time_zone(history):
    history.workspace.time_zone = "Pacific/Auckland"  # UTC+13 in November
    history.workspace.save()
    history.team.refresh_from_db()
    assert team_throughput(team=history.team, weeks=4, today=TODAY) == [
        (date(2026, 11, 2), 2, 3),
        (date(2026, 11, 9), 0, 0),
        (date(2026, 11, 16), 2, 7),
        (date(2026, 11, 23), 1, 1),
    ]


def test_a_reopened_story_leaves_the_history(history):
    story = UserStory.objects.get(title="Tue")
    services.story_status(
        story=story,
        status="doing",
        actor=history["po"].user,
        membership=history["po"].membership,
    )
    rows = team_throughput(team=history.team, weeks=4, today=TODAY)
    assert rows[0] == (date(2026, 11, 2), 1, 0)


def test_default_is_26_weeks_ending_this_week_oldest_first(history):
    rows = team_throughput(team=history.team, today=TODAY)
    assert len(rows) == 26
    assert rows[-1][0] == date(2026, 11, 23) and rows[0][0] == date(2026, 6, 1)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert team_throughput(team=history.team, weeks=0, today=TODAY) == []


def test_throughput_page_and_api(history):
    client = history["stakeholder"].client()
    page = client.get(f"/w/acme/teams/{history.team.key}/throughput/?weeks=4")
    assert page.status_code == 200
    rows = page.context["throughput"]
    assert len(rows) == 4 and rows[-1][0].weekday() == 0  # this week's Monday
    assert "Stories done" in page.content.decode()
    api = history["stakeholder"].api()
    body = api.get(f"/api/v1/workspaces/acme/teams/{history.team.key}/throughput?weeks=3").json()
    assert body["time_zone"] == "UTC" and len(body["weeks"]) == 3
    assert all(set(w) == {"week_start", "stories", "points"} for w in body["weeks"])
