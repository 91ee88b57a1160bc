"""Saved inbox filters: save, apply, rename, share, delete; who may do which; isolation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, PermissionDenied
from lodestar.feedback import saved_filters
from lodestar.feedback.models import SavedFilter
from lodestar.feedback.services import feedback_create

pytestmark = pytest.mark.django_db

INBOX = "/w/acme/feedback/"
SAVE = "/w/acme/feedback/filters/"


def _save(persona, name, query="status=inbox&q=slow", **extra):
    return persona.client().post(SAVE, {"name": name, "query": query, **extra})


def _filter(world, persona_name, name, query="status=inbox", shared=False):
    return saved_filters.saved_filter_create(
        membership=world[persona_name].membership, name=name, query=query, shared=shared
    )


def test_a_member_saves_the_current_filters_and_lands_on_them(world):
    response = _save(
        world["contributor"],
        "  Slow   boards ",
        query="cursor=abc&q=slow%20board&who=me&status=processed&tag=performance&x=1",
    )
    saved = SavedFilter.objects.get(owner=world["contributor"].membership)
    # Only the filters, in a fixed order; the cursor and unknown parameters are dropped.
    assert saved.query == "status=processed&q=slow+board&tag=performance&who=me"
    assert saved.name == "Slow boards" and not saved.shared
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?{saved.query}"
    entry = Entry.objects.get(target_type="inbox filter", target_key=saved.key)
    assert entry.verb == "saved" and entry.actor == world["contributor"].user


def test_the_inbox_lists_own_and_shared_filters_and_marks_the_one_applied(world):
    _filter(world, "pm", "PM private", query="status=archived")
    _filter(world, "pm", "Performance", query="status=inbox&tag=performance", shared=True)
    _filter(world, "contributor", "Mine", query="status=inbox&q=dispatch")
    page = world["contributor"].client().get(INBOX, {"status": "inbox", "q": "dispatch"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "PM private" not in html  # another member's private filter
    assert (
        'href="?status=inbox&amp;tag=performance">Performance</a> <span class="muted">shared by Pm'
        in html
    )
    assert 'href="?status=inbox&amp;q=dispatch" aria-current="true">Mine</a>' in html
    # The save form carries the current filters.
    assert 'name="query" value="status=inbox&amp;q=dispatch"' in html


def test_applying_a_saved_filter_filters_the_inbox(world):
    other = feedback_create(
        workspace=world.workspace, actor=world["pm"].user, text="Invoices are duplicated."
    )
    saved = _filter(world, "pm", "Invoices", query="status=inbox&q=invoice")
    page = world["pm"].client().get(f"{INBOX}?{saved.query}")
    keys = [f.key for f in page.context["page"].items]
    assert keys == [other.key]  # the world's dispatch-board feedback is processed, and not this


@pytest.mark.parametrize(
    ("name", "query", "error"),
    [
        ("", "status=inbox", "Name this filter."),
        ("   ", "status=inbox", "Name this filter."),
        ("x" * 61, "status=inbox", "at most 60 characters"),
        ("Long", "q=" + "a" * 101, "The q filter is too long"),
        ("Long", "q=" + "a" * 1001, "too long (over 1,000 characters)"),
        ("Bad status", "status=deleted", "“deleted” is not a status"),
        ("Bad who", "who=everyone", "is not an assignee filter"),
    ],
)
def test_bad_names_and_queries_are_field_errors_on_the_reshown_inbox(world, name, query, error):
    response = _save(world["contributor"], name, query=query)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_names_are_unique_per_member_ignoring_case(world):
    _filter(world, "contributor", "Churn risk")
    response = _save(world["contributor"], "CHURN RISK")
    assert response.status_code == 400
    assert "You already have a filter called" in response.content.decode()
    assert _save(world["pm"], "Churn risk").status_code == 302  # another member may
    with pytest.raises(Invalid):
        _filter(world, "contributor", "churn risk")


def test_a_member_has_at_most_so_many_filters(world, monkeypatch):
    monkeypatch.setattr(saved_filters, "MAX_PER_MEMBER", 2)
    _filter(world, "contributor", "One")
    _filter(world, "contributor", "Two")
    response = _save(world["contributor"], "Three")
    assert response.status_code == 400 and "delete one first" in response.content.decode()


def test_sharing_needs_triage(world):
    # The form offers no share box to a contributor; a forged one is ignored...
    assert 'name="shared"' not in world["contributor"].client().get(INBOX).content.decode()
    assert _save(world["contributor"], "Sneaky", shared="on").status_code == 302
    assert not SavedFilter.objects.get(name="Sneaky").shared
    # ...and the service refuses it outright.
    with pytest.raises(PermissionDenied):
        _filter(world, "contributor", "Sneaky too", shared=True)
    assert 'name="shared"' in world["po"].client().get(INBOX).content.decode()
    assert _save(world["po"], "Team view", shared="on").status_code == 302
    assert SavedFilter.objects.get(name="Team view").shared


def test_the_owner_renames_and_unshares(world):
    saved = _filter(world, "pm", "Perf", shared=True)
    client = world["pm"].client()
    response = client.post(
        f"{SAVE}{saved.key}/", {"name": "Performance", "back": "status=archived"}
    )
    assert response.status_code == 302 and response["Location"] == f"{INBOX}?status=archived"
    saved.refresh_from_db()
    assert saved.name == "Performance" and not saved.shared  # the box was left unticked
    entry = Entry.objects.filter(target_key=saved.key, verb="updated").get()
    assert entry.changes == {"name": ["Perf", "Performance"], "shared": [True, False]}


def test_renaming_to_a_taken_name_reshows_the_form_open_with_the_error(world):
    _filter(world, "contributor", "First")
    second = _filter(world, "contributor", "Second")
    response = world["contributor"].client().post(f"{SAVE}{second.key}/", {"name": "first"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "You already have a filter called" in html
    assert '<details class="manage-filters" open>' in html
    assert f'id="filter-{second.key}-name"' in html and 'aria-invalid="true"' in html
    second.refresh_from_db()
    assert second.name == "Second"


def test_only_the_owner_renames_and_only_triagers_delete_others_shared_filters(world):
    shared = _filter(world, "pm", "Shared", shared=True)
    contributor = world["contributor"].client()
    assert contributor.post(f"{SAVE}{shared.key}/", {"name": "Mine now"}).status_code == 403
    assert contributor.post(f"{SAVE}{shared.key}/delete/").status_code == 403
    assert world["po"].client().post(f"{SAVE}{shared.key}/", {"name": "Mine"}).status_code == 403
    assert world["po"].client().post(f"{SAVE}{shared.key}/delete/").status_code == 302
    assert not SavedFilter.objects.filter(pk=shared.pk).exists()
    assert Entry.objects.filter(target_key=shared.key, verb="deleted").exists()


def test_a_member_deletes_their_own_filter(world):
    saved = _filter(world, "contributor", "Temp")
    response = world["contributor"].client().post(f"{SAVE}{saved.key}/delete/")
    assert response.status_code == 302
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_private_filters_of_others_and_other_workspaces_are_not_found(world):
    private = _filter(world, "pm", "Private")
    for url in (f"{SAVE}{private.key}/", f"{SAVE}{private.key}/delete/"):
        assert world["po"].client().post(url, {"name": "x"}).status_code == 404
    outsider = world["outsider"]
    theirs = saved_filters.saved_filter_create(
        membership=outsider.user.memberships.get(), name="Other", query="status=inbox", shared=True
    )
    for url in (f"{SAVE}{theirs.key}/", f"{SAVE}{theirs.key}/delete/"):
        assert world["owner"].client().post(url, {"name": "x"}).status_code == 404
    # Nor are they listed.
    html = world["owner"].client().get(INBOX).content.decode()
    assert "Private" not in html and ">Other<" not in html


def test_filter_urls_take_posts_only_and_stakeholders_have_no_inbox(world):
    saved = _filter(world, "pm", "Mine")
    assert world["pm"].client().get(f"{SAVE}{saved.key}/").status_code == 405
    assert world["pm"].client().get(SAVE).status_code == 405
    assert _save(world["stakeholder"], "Nope").status_code == 403


def test_the_inbox_query_count_does_not_grow_with_saved_filters(world):
    client = world["pm"].client()
    _filter(world, "pm", "One", shared=True)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as one:
        client.get(INBOX)
    for i in range(8):
        _filter(world, "pm", f"Mine {i}")
        _filter(world, "po", f"Shared {i}", shared=True)
    with CaptureQueriesContext(connection) as many:
        page = client.get(INBOX)
    assert len(page.context["saved_filters"]) == 17
    assert len(many) == len(one)


def test_manage_is_offered_only_with_something_to_manage(world):
    _filter(world, "pm", "Shared", shared=True)
    assert "Manage saved filters" not in world["contributor"].client().get(INBOX).content.decode()
    assert "Manage saved filters" in world["po"].client().get(INBOX).content.decode()  # deletes
