"""Releases and milestones, moving features on the roadmap (feature_move), capacity and the
roadmap's history of these changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, NotFound, PermissionDenied
from lodestar.planning.concurrency import EditConflict
from lodestar.planning.models import Feature
from lodestar.planning.release_selectors import release_capacity, span_weeks
from lodestar.planning.release_services import (
    feature_move,
    release_create,
    release_delete,
    release_update,
)
from lodestar.planning.roadmap_models import Release, RoadmapChange
from lodestar.planning.services import feature_create, feature_update
from lodestar.workspaces.services.catalog import product_create, team_create

pytestmark = pytest.mark.django_db


def _changes(**filters):
    return list(
        RoadmapChange.objects.filter(**filters)
        .order_by("pk")
        .values_list("kind", "field", "old", "new")
    )


def _move(world, persona, feature=None, **kwargs):
    return feature_move(
        feature=feature or world.feature,
        actor=world[persona].user,
        membership=world[persona].membership,
        **kwargs,
    )


# -- feature_move ---------------------------------------------------------------------------


def test_feature_move_records_added_moved_and_dropped(world):
    feature = world.feature
    RoadmapChange.objects.all().delete()
    _move(world, "pm", horizon="next")
    assert _changes(target_key=feature.key) == [("feature_added", "horizon", "", "Next")]
    _move(world, "pm", horizon="now", release_key=world.release.key)
    assert _changes(target_key=feature.key)[1:] == [
        ("feature_moved", "horizon", "Next", "Now"),
        ("feature_moved", "release", "", "Spring 2027"),
    ]
    _move(world, "pm", status="wont_do")
    assert _changes(target_key=feature.key)[-1] == (
        "feature_dropped",
        "status",
        "New",
        "Won't do",
    )
    feature.refresh_from_db()
    assert feature.release == world.release and feature.horizon == "now"
    # Every move is in the activity log too, with old -> new.
    entry = Entry.objects.filter(target_key=feature.key, verb="updated").latest("pk")
    assert entry.changes == {"status": ["new", "wont_do"]}


def test_losing_both_horizon_and_release_drops_the_feature(world):
    _move(world, "pm", horizon="later", release_key=world.release.key)
    RoadmapChange.objects.all().delete()
    _move(world, "pm", horizon="", release_key="")
    assert _changes() == [
        ("feature_dropped", "horizon", "Later", ""),
        ("feature_moved", "release", "Spring 2027", ""),
    ]
    world.feature.refresh_from_db()
    assert world.feature.release is None


def test_feature_move_checks_each_field_against_the_role(world):
    # A product owner manages releases but not horizons or status.
    _move(world, "po", release_key=world.release.key)
    with pytest.raises(PermissionDenied):
        _move(world, "po", horizon="now")
    with pytest.raises(PermissionDenied):
        _move(world, "po", status="planned")
    with pytest.raises(PermissionDenied):
        _move(world, "contributor", release_key="")
    with pytest.raises(PermissionDenied):
        _move(world, "stakeholder", horizon="later")
    # The PM may do all of it at once.
    _move(world, "pm", horizon="now", status="planned", release_key="")
    world.feature.refresh_from_db()
    assert (world.feature.horizon, world.feature.status, world.feature.release) == (
        "now",
        "planned",
        None,
    )


def test_feature_move_refuses_another_products_or_workspaces_release(world):
    other_release = release_create(
        workspace=world.other,
        actor=world["outsider"].user,
        name="Theirs",
        product_key=world.other_product.key,
        team_key=world.other_team.key,
        start="2027-01-04",
        target="2027-02-26",
    )
    with pytest.raises(Invalid) as caught:
        _move(world, "pm", release_key=other_release.key)
    assert "No release with key" in caught.value.fields["release_key"][0]
    mobile = product_create(
        workspace=world.workspace, actor=world["owner"].user, key="mobile", name="Mobile"
    )
    mobile_release = release_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        name="Mobile 1.0",
        product_key=mobile.key,
        team_key=world.team.key,
        start="2027-01-04",
        target="2027-02-26",
    )
    with pytest.raises(Invalid) as caught:
        _move(world, "pm", release_key=mobile_release.key)
    assert caught.value.fields["release_key"] == [
        "Mobile 1.0 is a release of Mobile; Fast dispatch board for large fleets belongs to Web."
    ]
    # The outsider cannot move acme's features at all.
    with pytest.raises(NotFound):
        feature_move(
            feature=world.feature,
            actor=world["outsider"].user,
            membership=world.other.memberships.get(),
            horizon="now",
        )
    with pytest.raises(Invalid) as caught:
        _move(world, "pm", horizon="soon")
    assert "horizon" in caught.value.fields


def test_feature_move_is_versioned(world):
    version = world.feature.version
    stale = Feature.objects.get(pk=world.feature.pk)
    moved = _move(world, "pm", horizon="now", version=version)
    assert moved.version == version + 1
    with pytest.raises(EditConflict) as caught:
        _move(world, "po", feature=stale, release_key=world.release.key, version=version)
    (change,) = caught.value.changes
    assert change["who"] == "Pm" and change["changes"] == {"horizon": ["", "now"]}
    assert "Pm changed this feature" in caught.value.message
    stale.refresh_from_db()
    assert stale.release is None and stale.horizon == "now"  # nothing overwritten


def test_feature_move_returns_dependency_warnings(world):
    from lodestar.planning.release_services import dependency_add

    blocker = feature_create(
        workspace=world.workspace, actor=world["pm"].user, title="Map tiles", product_key="web"
    )
    dependency_add(feature=world.feature, actor=world["pm"].user, title="Map tiles")
    moved = _move(world, "pm", release_key=world.release.key)
    (warning,) = moved.warnings
    assert warning.reason == "blocker_unscheduled" and warning.blocker_key == blocker.key


def test_feature_update_records_roadmap_changes_through_the_same_path(world):
    RoadmapChange.objects.all().delete()
    feature_update(
        feature=world.feature,
        actor=world["pm"].user,
        release_key=world.release.key,
        title="Fast dispatch board",
    )
    assert _changes() == [("feature_added", "release", "", "Spring 2027")]
    with pytest.raises(EditConflict):
        feature_update(feature=world.feature, actor=world["pm"].user, title="Old", version=1)


# -- releases -------------------------------------------------------------------------------


def _release(world, **data):
    values = {
        "name": "Summer",
        "product_key": "web",
        "team_key": world.team.key,
        "start": "2027-06-07",
        "target": "2027-07-30",
    } | data
    return release_create(workspace=world.workspace, actor=world["pm"].user, **values)


def test_release_needs_a_team_and_dates_in_order(world):
    with pytest.raises(Invalid) as caught:
        _release(world, team_key="", start="2027-08-01")
    assert caught.value.fields == {
        "team_key": ["A release needs a team: choose the team that delivers it."],
        "target": [
            "The target date (2027-07-30) is before the start (2027-08-01): the dates are "
            "out of order."
        ],
    }
    with pytest.raises(Invalid) as caught:
        _release(world, start="")
    assert "start" in caught.value.fields
    milestone = _release(world, kind="milestone", start="", name="Beta")
    assert milestone.start is None
    with pytest.raises(Invalid) as caught:
        _release(world, name="spring 2027")
    assert caught.value.fields["name"] == ["Web already has a release called 'spring 2027'."]
    with pytest.raises(Invalid):
        release_update(release=world.release, actor=world["pm"].user, start="2027-06-01")


def test_release_changes_are_in_the_roadmap_history(world):
    release = _release(world)
    release_update(release=release, actor=world["pm"].user, target="2027-08-13")
    release_update(release=release, actor=world["pm"].user, status="in_progress")
    release_update(release=release, actor=world["pm"].user, goal="Nothing for the roadmap")
    assert _changes(target_key=release.key) == [
        ("release_added", "target", "", "2027-07-30"),
        ("release_dates", "target", "2027-07-30", "2027-08-13"),
        ("release_status", "status", "Planned", "In progress"),
    ]
    assert release.version == 4
    release_update(release=release, actor=world["pm"].user, status="released")
    assert release.released_on is not None


def test_deleting_a_release_keeps_its_features(world):
    _move(world, "pm", release_key=world.release.key)
    version = Feature.objects.get(pk=world.feature.pk).version
    release_delete(release=world.release, actor=world["pm"].user)
    feature = Feature.objects.get(pk=world.feature.pk)
    assert feature.release is None and feature.version == version + 1
    assert _changes(target_key=world.release.key)[-1] == (
        "release_dropped",
        "target",
        "2027-05-28",
        "",
    )
    assert _changes(target_key=feature.key)[-1] == ("feature_dropped", "release", "Spring 2027", "")
    assert not Release.objects.filter(pk=world.release.pk).exists()


def test_release_update_is_versioned(world):
    release = world.release
    stale = Release.objects.get(pk=release.pk)
    release_update(release=release, actor=world["pm"].user, name="Spring", version=1)
    with pytest.raises(EditConflict) as caught:
        release_update(release=stale, actor=world["po"].user, goal="Mine", version=1)
    assert caught.value.changes[0]["changes"] == {"name": ["Spring 2027", "Spring"]}
    assert stale.name == "Spring" and stale.goal == ""


# -- capacity -------------------------------------------------------------------------------


def test_span_weeks_counts_calendar_weeks_rounded_up():
    assert span_weeks(date(2027, 3, 1), date(2027, 3, 1)) == 1
    assert span_weeks(date(2027, 3, 1), date(2027, 3, 7)) == 1
    assert span_weeks(date(2027, 3, 1), date(2027, 3, 12)) == 2  # Monday to Friday after next
    assert span_weeks(date(2027, 3, 1), date(2027, 5, 28)) == 13  # 89 days
    assert span_weeks(None, date(2027, 3, 1)) is None


def test_capacity_by_hand(world):
    # Platform: 30 points a week. Spring 2027: Mar 1 to May 28, 89 days: 13 weeks, 390 points.
    pm = world["pm"].user
    for title, effort, unit in (
        ("A", "150", "points"),  # 5 weeks
        ("B", "6", "weeks"),
        ("C", "", "points"),  # not estimated
    ):
        f = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web",
            effort=effort, effort_unit=unit,
        )  # fmt: skip
        _move(world, "pm", feature=f, release_key=world.release.key)
    capacity = release_capacity(releases=[world.release])[world.release.pk]
    assert capacity.weeks == 13 and capacity.capacity_total_points == 390
    assert capacity.planned_weeks == Decimal("11.0") and capacity.planned_points == Decimal("330.0")
    assert capacity.unestimated == 1 and capacity.features == 3 and not capacity.over
    assert capacity.load == 85
    d = feature_create(
        workspace=world.workspace, actor=pm, title="D", product_key="web", effort="3",
        effort_unit="weeks",
    )  # fmt: skip
    _move(world, "pm", feature=d, release_key=world.release.key)
    capacity = release_capacity(releases=[world.release])[world.release.pk]
    assert capacity.planned_weeks == Decimal("14.0") and capacity.over
    # A team without capacity cannot turn points into weeks: those features are named.
    slow = team_create(workspace=world.workspace, actor=pm, name="Slow")
    release_update(release=world.release, actor=pm, team_key=slow.key)
    release = Release.objects.select_related("team").get(pk=world.release.pk)
    capacity = release_capacity(releases=[release])[release.pk]
    assert capacity.planned_weeks == Decimal("9.0") and capacity.unconvertible == 1
    assert "1 feature in points not counted" in capacity.how


# -- pages ----------------------------------------------------------------------------------


def test_release_pages(world):
    client = world["po"].client()
    pm = world["pm"].user
    feature_update(feature=world.feature, actor=pm, effort="500", effort_unit="points")
    _move(world, "pm", release_key=world.release.key)
    page = client.get("/w/acme/releases/?product=web&status=planned").content.decode()
    assert "Spring 2027" in page and "16.7 of 13 weeks — over capacity" in page
    page = client.get(f"/w/acme/releases/{world.release.key}/").content.decode()
    assert "Over capacity" in page and "500 points" in page and world.feature.title in page
    assert "13 weeks from start to target x 30 points a week = 390 points" in page
    # A stakeholder reads it, without the edit form.
    page = world["stakeholder"].client().get(f"/w/acme/releases/{world.release.key}/")
    assert page.status_code == 200 and b"edit-release" not in page.content


def test_release_form_errors_are_reshown(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/releases/new/",
        {"name": "Autumn", "kind": "release", "product_key": "web", "team_key": "",
         "start": "2027-10-01", "target": "2027-09-01", "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "A release needs a team" in page and "the dates are out of order" in page
    assert 'value="Autumn"' in page
    response = client.post(
        "/w/acme/releases/new/",
        {"name": "Autumn", "kind": "milestone", "product_key": "web",
         "team_key": world.team.key, "target": "2027-09-01", "status": "planned",
         "goal": "Ship **beta**"},
    )  # fmt: skip
    release = Release.objects.get(name="Autumn")
    assert response.status_code == 302 and release.start is None
    page = client.get(f"/w/acme/releases/{release.key}/").content.decode()
    assert "<strong>beta</strong>" in page


def test_adding_and_removing_features_and_deleting_a_release(world):
    client = world["po"].client()
    url = f"/w/acme/releases/{world.release.key}/"
    response = client.post(url + "features/", {"title": "fast dispatch BOARD for large fleets"})
    assert response.status_code == 302
    world.feature.refresh_from_db()
    assert world.feature.release == world.release
    response = client.post(url + "features/", {"title": "Nothing like it"})
    assert response.status_code == 400 and b"No feature called" in response.content
    response = client.post(url + "features/remove/", {"feature": world.feature.key})
    world.feature.refresh_from_db()
    assert response.status_code == 302 and world.feature.release is None
    _move(world, "pm", release_key=world.release.key)
    assert b"1 feature stays" in client.get(url + "delete/").content
    assert client.post(url + "delete/").status_code == 302
    world.feature.refresh_from_db()
    assert world.feature.release is None


def test_release_api(world):
    import json

    api = world["po"].api()
    base = "/api/v1/workspaces/acme/releases"
    body = {"name": "Autumn", "product_key": "web", "team_key": world.team.key,
            "start": "2027-09-06", "target": "2027-10-29"}  # fmt: skip
    response = api.post(base, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["capacity"]["weeks"] == 8 and created["capacity"]["capacity_points"] == 30
    bad = api.post(
        base, json.dumps(body | {"name": "Winter", "team_key": ""}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["team_key"] == [
        "A release needs a team: choose the team that delivers it."
    ]
    listed = api.get(base + "?product=web&status=planned").json()
    assert listed["count"] == 2 and {r["name"] for r in listed["items"]} == {
        "Spring 2027",
        "Autumn",
    }
    assert api.get(base + "?status=released").json()["count"] == 0
    url = f"{base}/{created['key']}"
    assert api.get(url).json()["feature_keys"] == []
    patched = api.patch(
        url, json.dumps({"target": "2027-11-05", "version": 1}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api.patch(url, json.dumps({"goal": "x", "version": 1}), content_type="application/json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["changes"][0]["who"] == "Po"
    assert error["changes"][0]["changes"] == {"target": ["2027-10-29", "2027-11-05"]}
    # Without a version, the PATCH wins (an API client that does not care about conflicts).
    response = api.patch(url, json.dumps({"goal": "x"}), content_type="application/json")
    assert response.status_code == 200
    refused = (
        world["contributor"].api().post(base, json.dumps(body), content_type="application/json")
    )
    assert refused.status_code == 403


def test_overlapping_releases_of_the_same_team_share_its_capacity(world):
    from lodestar.planning.release_selectors import team_load

    pm = world["pm"].user
    team = world.release.team  # 30 points a week
    overlap = _release(
        world, name="Hotfixes", team_key=team.key, start="2027-04-05", target="2027-05-02"
    )  # 28 days inside Spring 2027 (13 weeks)
    for title, release, weeks in (("Big", world.release, "10"), ("Fix", overlap, "4")):
        f = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web",
            effort=weeks, effort_unit="weeks",
        )  # fmt: skip
        _move(world, "pm", feature=f, release_key=release.key)
    release = Release.objects.select_related("team").get(pk=world.release.pk)
    capacity = release_capacity(releases=[release])[release.pk]
    assert not capacity.over  # 10 of 13 weeks alone
    load = team_load(release=release, capacity=capacity)
    (o,) = load.overlaps
    assert (o.release, o.planned_weeks, o.share_weeks) == (overlap, Decimal("4.0"), Decimal("4.0"))
    assert load.combined_weeks == Decimal("14.0") and load.over
    page = world["pm"].client().get(f"/w/acme/releases/{release.key}/").content.decode()
    assert "Together: 14 weeks of work in 13 weeks — over capacity." in page
    # Seen from Hotfixes: 10 weeks of Spring spread over its 89 days, 28 of them shared.
    hotfixes = Release.objects.select_related("team").get(pk=overlap.pk)
    load = team_load(release=hotfixes, capacity=release_capacity(releases=[hotfixes])[overlap.pk])
    assert load.overlaps[0].share_weeks == Decimal("3.1")  # 10 x 28 / 89
