"""Saved roadmap views: a member's own (roadmap.view) or shared with the workspace
(view.share); others' own views are invisible; only the owner renames or deletes."""

from __future__ import annotations

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, NotFound, PermissionDenied
from lodestar.planning import saved_views
from lodestar.planning.roadmap_models import SavedView

pytestmark = pytest.mark.django_db

VIEWS = "/w/acme/roadmap/views/"


def _save(world, persona, name="Platform now", shared=False, query="team=abc&q=maps"):
    return saved_views.saved_view_create(
        membership=world[persona].membership,
        name=name,
        view="horizons",
        query=query,
        shared=shared,
    )


def test_a_stakeholder_saves_a_personal_view_from_the_board(world):
    client = world["stakeholder"].client()
    response = client.post(
        VIEWS,
        {
            "name": "My view",
            "view": "status",
            "query": "q=maps&junk=1&status=planned",
            "from": "board",
        },
    )
    assert response.status_code == 302
    saved = SavedView.objects.get(name="My view")
    assert (saved.view, saved.query, saved.shared) == ("status", "status=planned&q=maps", False)
    assert response["Location"] == "/w/acme/roadmap/board/?view=status&status=planned&q=maps"
    assert Entry.objects.filter(target_type="roadmap view", verb="saved").exists()
    # The board lists it as a link.
    board = client.get("/w/acme/roadmap/board/").content.decode()
    assert "My view" in board and "view=status&amp;status=planned&amp;q=maps" in board


def test_sharing_needs_view_share(world):
    with pytest.raises(PermissionDenied):
        _save(world, "stakeholder", shared=True)
    with pytest.raises(PermissionDenied):
        _save(world, "po", shared=True)
    shared = _save(world, "pm", shared=True)
    assert shared.shared
    # The form leaves the checkbox out for those who cannot share: a forged one is refused.
    response = (
        world["contributor"]
        .client()
        .post(VIEWS, {"name": "Mine", "view": "horizons", "shared": "on"})
    )
    assert response.status_code == 302
    assert not SavedView.objects.get(name="Mine").shared


def test_another_member_cannot_see_a_personal_view(world):
    own = _save(world, "pm", name="Just mine")
    shared = _save(world, "pm", name="For everyone", shared=True)
    po = world["po"].membership
    visible = list(saved_views.saved_view_list(membership=po))
    assert shared in visible and own not in visible
    with pytest.raises(NotFound):
        saved_views.saved_view_get(membership=po, key=own.key)
    page = world["po"].client().get(VIEWS).content.decode()
    assert "For everyone" in page and "shared by Pm" in page and "Just mine" not in page
    # Another member's: 404 to rename or delete it; a shared one, refused with a reason.
    client = world["po"].client()
    assert client.post(f"{VIEWS}{own.key}/", {"name": "Stolen"}).status_code == 404
    assert client.post(f"{VIEWS}{own.key}/delete/").status_code == 404
    assert client.post(f"{VIEWS}{shared.key}/delete/").status_code == 403
    assert "Only Pm, who shared it" in client.get(f"{VIEWS}{shared.key}/delete/").content.decode()
    assert SavedView.objects.filter(pk__in=[own.pk, shared.pk]).count() == 2


def test_another_workspace_is_404(world):
    own = _save(world, "pm")
    client = world["outsider"].client()
    assert client.get(f"/w/other/roadmap/views/{own.key}/delete/").status_code == 404
    assert client.post(f"/w/other/roadmap/views/{own.key}/", {"name": "x"}).status_code == 404
    assert client.get(f"/w/acme/roadmap/views/{own.key}/delete/").status_code == 404


def test_rename_and_delete_own(world):
    saved = _save(world, "pm")
    client = world["pm"].client()
    response = client.post(f"{VIEWS}{saved.key}/", {"name": "Renamed", "shared": "on"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.shared) == ("Renamed", True)
    confirm = client.get(f"{VIEWS}{saved.key}/delete/")
    assert confirm.status_code == 200 and "Delete the view “Renamed”?" in confirm.content.decode()
    assert client.post(f"{VIEWS}{saved.key}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=saved.pk).exists()


def test_bad_names_are_clear(world):
    _save(world, "pm", name="Taken")
    client = world["pm"].client()
    response = client.post(VIEWS, {"name": "taken", "view": "horizons"})
    assert response.status_code == 400
    assert "You already have a view called “taken”." in response.content.decode()
    response = client.post(VIEWS, {"name": "", "view": "horizons", "from": "board"})
    assert response.status_code == 400 and "Name this view." in response.content.decode()
    with pytest.raises(Invalid):
        _save(world, "pm", name="x" * 61)
    with pytest.raises(Invalid):
        _save(world, "pm", name="Long", query="q=" + "x" * 200)
    assert client.post(VIEWS, {"name": "Odd", "view": "gantt"}).status_code == 400


def test_saved_view_urls(world):
    saved = _save(world, "pm", query="product=web")
    assert saved_views.saved_view_url(saved) == "/w/acme/roadmap/board/?view=horizons&product=web"
    timeline = saved_views.saved_view_create(
        membership=world["pm"].membership, name="Gantt", view="timeline", query="zoom=month"
    )
    assert saved_views.saved_view_url(timeline) == "/w/acme/roadmap/?zoom=month"
    menu = saved_views.saved_view_menu(membership=world["po"].membership)
    assert menu == []


def test_the_timeline_saves_and_lists_views(world):
    client = world["pm"].client()
    page = client.get("/w/acme/roadmap/?group=product&zoom=month").content.decode()
    assert "Save this view" in page and 'name="query" value="group=product&amp;zoom=month"' in page
    saved = client.post(
        "/w/acme/roadmap/views/",
        {"name": "Monthly by product", "view": "timeline", "query": "group=product&zoom=month"},
    )
    assert saved.status_code == 302 and saved["Location"].startswith("/w/acme/roadmap/?")
    page = client.get("/w/acme/roadmap/").content.decode()
    assert "Monthly by product" in page
