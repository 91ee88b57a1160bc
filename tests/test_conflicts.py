"""Two people editing the same feature or release: the second save gets a conflict (409)
showing the other person's change, keeps their own input, and can then apply it."""

from __future__ import annotations

import json

import pytest

from lodestar.planning.release_services import release_update
from lodestar.planning.services import feature_update

pytestmark = pytest.mark.django_db


def test_a_stale_release_save_shows_the_conflict_and_keeps_my_input(world):
    release = world.release
    release_update(release=release, actor=world["pm"].user, target="2027-06-04", version=1)
    response = world["po"].client().post(
        f"/w/acme/releases/{release.key}/",
        {"version": "1", "name": "Spring 2027", "kind": "release",
         "team_key": world.release.team.key, "start": "2027-03-01", "target": "2027-05-28",
         "status": "planned", "goal": "My own goal"},
    )  # fmt: skip
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else changed this release" in page
    assert "Pm" in page and "Target 2027-05-28 → 2027-06-04" in page
    assert "My own goal" in page  # nothing lost
    assert 'name="version" value="2"' in page  # saving again applies mine
    release.refresh_from_db()
    assert release.goal == ""


def test_feature_page_conflict_keeps_my_input(world):
    feature = world.feature
    client = world["pm"].client()
    page = client.get(f"/w/acme/features/{feature.key}/").content.decode()
    assert f'name="version" value="{feature.version}"' in page
    assert f'<option value="{world.release.key}">Spring 2027' in page
    shown = feature.version
    feature_update(feature=feature, actor=world["admin"].user, horizon="later", version=shown)
    form = {
        "version": str(shown), "title": feature.title, "status": "planned", "product_key": "web",
        "horizon": "now", "release_key": world.release.key, "effort_unit": "points",
        "effort_confidence": "medium", "tags": "my tag", "impact_unit": "percent",
    }  # fmt: skip
    response = client.post(f"/w/acme/features/{feature.key}/", form)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Admin" in page and "Horizon — → later" in page
    assert 'value="my tag"' in page
    assert f'name="version" value="{shown + 1}"' in page
    form["version"] = str(shown + 1)
    assert client.post(f"/w/acme/features/{feature.key}/", form).status_code == 302
    feature.refresh_from_db()
    assert (feature.horizon, feature.release, feature.tags) == ("now", world.release, "my tag")


# -- API ------------------------------------------------------------------------------------


def test_a_save_without_changes_does_not_bump_the_version(world):
    version = world.feature.version
    feature_update(feature=world.feature, actor=world["pm"].user, title=world.feature.title)
    assert world.feature.version == version


def test_the_api_patch_conflict_lists_the_changes(world):
    release = world.release
    release_update(release=release, actor=world["admin"].user, status="in_progress", version=1)
    response = (
        world["pm"]
        .api()
        .patch(
            f"/api/v1/workspaces/acme/releases/{release.key}",
            json.dumps({"name": "Mine", "version": 1}),
            content_type="application/json",
        )
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert "Admin changed this release" in error["message"]
    assert error["changes"][0]["changes"] == {"status": ["planned", "in_progress"]}
    release.refresh_from_db()
    assert release.name == "Spring 2027"


def test_the_reshown_form_takes_their_changes_where_i_changed_nothing(world):
    release = world.release
    shown = {
        "name": "Spring 2027", "kind": "release", "team_key": release.team.key,
        "start": "2027-03-01", "target": "2027-05-28", "status": "planned", "goal": "",
        "owner_key": "",
    }  # fmt: skip
    release_update(release=release, actor=world["pm"].user, target="2027-06-04", version=1)
    mine = shown | {"goal": "My own goal"}
    posted = mine | {f"initial-{k}": v for k, v in shown.items()} | {"version": "1"}
    client = world["po"].client()
    response = client.post(f"/w/acme/releases/{release.key}/", posted)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'value="2027-06-04"' in page and "My own goal" in page
    assert 'name="version" value="2"' in page
    # Saving the re-shown form applies both changes.
    again = mine | {"target": "2027-06-04", "version": "2"}
    assert client.post(f"/w/acme/releases/{release.key}/", again).status_code == 302
    release.refresh_from_db()
    assert (release.target.isoformat(), release.goal) == ("2027-06-04", "My own goal")
