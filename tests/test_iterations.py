"""Iterations: a team's time boxes. Dates in order, no overlap within a team (refused, see
docs/plan-backlog.md), stories planned in, points planned versus done."""

from __future__ import annotations

import json

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, PermissionDenied
from lodestar.planning import backlog_services as services
from lodestar.planning import iteration_services
from lodestar.planning.backlog_models import Iteration, UserStory
from lodestar.workspaces.services import team_create

pytestmark = pytest.mark.django_db


def _who(world, persona="po") -> dict:
    return {"actor": world[persona].user, "membership": world[persona].membership}


def _iteration(world, name, start, end, team=None, persona="po") -> Iteration:
    return iteration_services.iteration_create(
        workspace=world.workspace,
        team_key=(team or world.team).key,
        name=name,
        start=start,
        end=end,
        **_who(world, persona),
    )


def test_dates_must_be_in_order(world):
    with pytest.raises(Invalid) as caught:
        _iteration(world, "Backwards", "2026-12-14", "2026-12-01")
    assert "must come after the start" in caught.value.fields["end"][0]
    with pytest.raises(Invalid) as caught:
        _iteration(world, "Same day", "2026-12-01", "2026-12-01")
    assert "end" in caught.value.fields
    with pytest.raises(Invalid) as caught:
        _iteration(world, "Bad", "someday", "2026-12-01")
    assert caught.value.fields["start"] == ["Use a date like 2026-11-30."]


def test_overlap_within_a_team_is_refused_but_back_to_back_is_fine(world):
    # world.iteration: Sprint 1, 2 to 16 Nov 2026 (Platform).
    with pytest.raises(Invalid) as caught:
        _iteration(world, "Sprint 1b", "2026-11-10", "2026-11-24")
    assert "Sprint 1" in caught.value.fields["start"][0]
    nxt = _iteration(world, "Sprint 2", "2026-11-16", "2026-11-30")  # starts as 1 ends
    assert nxt.team == world.team
    other = team_create(workspace=world.workspace, actor=world["owner"].user, name="Mobile")
    _iteration(world, "Mobile 1", "2026-11-10", "2026-11-24", team=other)  # another team
    with pytest.raises(Invalid) as caught:
        _iteration(world, "sprint 1", "2027-01-04", "2027-01-18")
    assert "already has an iteration called" in caught.value.fields["name"][0]
    with pytest.raises(Invalid) as caught:  # moving dates onto another iteration
        iteration_services.iteration_update(iteration=nxt, start="2026-11-12", **_who(world))
    assert "start" in caught.value.fields


def test_only_backlog_managers_plan_iterations(world):
    with pytest.raises(PermissionDenied):
        _iteration(world, "Nope", "2027-01-04", "2027-01-18", persona="contributor")


def test_iteration_page_plans_stories_and_sums_points(world):
    story = services.story_create(
        workspace=world.workspace,
        feature_key=world.feature.key,
        title="Second",
        points=3,
        **_who(world),
    )
    client = world["po"].client()
    url = f"/w/acme/iterations/{world.iteration.key}/"
    page = client.get(url).content.decode()
    assert "5 points planned, 0 done" in page and "Second" in page  # plannable
    assert client.post(url, {"action": "plan", "story": story.key}).status_code == 302
    services.story_status(story=world.story, status="done", **_who(world))
    page = client.get(url).content.decode()
    assert "8 points planned, 5 done" in page
    assert client.post(url, {"action": "unplan", "story": story.key}).status_code == 302
    assert UserStory.objects.get(pk=story.pk).iteration is None
    listing = client.get("/w/acme/iterations/").content.decode()
    assert "Sprint 1" in listing


def test_iteration_forms_re_show_errors(world):
    client = world["po"].client()
    response = client.post(
        "/w/acme/iterations/",
        {
            "team_key": world.team.key,
            "name": "Sprint 9",
            "start": "2026-12-10",
            "end": "2026-12-01",
        },
    )
    assert response.status_code == 400 and "must come after the start" in response.content.decode()
    response = client.post(
        f"/w/acme/iterations/{world.iteration.key}/",
        {"action": "edit", "name": "", "start": "2026-11-02", "end": "2026-11-16"},
    )
    assert response.status_code == 400
    response = client.post(
        f"/w/acme/iterations/{world.iteration.key}/", {"action": "plan", "story": ""}
    )
    assert response.status_code == 400 and "Choose a story" in response.content.decode()


def test_deleting_an_iteration_unplans_its_stories(world):
    client = world["po"].client()
    response = client.post(f"/w/acme/iterations/{world.iteration.key}/", {"action": "delete"})
    assert response.status_code == 302
    assert UserStory.objects.get(pk=world.story.pk).iteration is None
    assert Entry.objects.filter(target_type="iteration", verb="deleted").exists()


def test_iterations_api(world):
    api = world["po"].api()
    made = api.post(
        "/api/v1/workspaces/acme/iterations",
        data=json.dumps(
            {
                "team_key": world.team.key,
                "name": "Sprint 2",
                "start": "2026-11-16",
                "end": "2026-11-30",
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    bad = api.post(
        "/api/v1/workspaces/acme/iterations",
        data=json.dumps(
            {
                "team_key": world.team.key,
                "name": "Sprint 3",
                "start": "2026-11-20",
                "end": "2026-11-25",
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "start" in bad.json()["error"]["fields"]
    listed = api.get(f"/api/v1/workspaces/acme/iterations?team={world.team.key}").json()
    assert [i["name"] for i in listed["items"]] == ["Sprint 2", "Sprint 1"]
    assert listed["items"][1]["points_planned"] == 5
