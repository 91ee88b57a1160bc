"""The product owner's backlog: stories, acceptance criteria, rank, versioned edits, pages,
the API, and a constant query count."""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, PermissionDenied
from lodestar.planning import backlog_services as services
from lodestar.planning.backlog_models import AcceptanceCriterion, UserStory
from lodestar.planning.concurrency import EditConflict
from lodestar.planning.services import feature_create

pytestmark = pytest.mark.django_db


def _story(world, title, *, persona="po", **data) -> UserStory:
    return services.story_create(
        workspace=world.workspace,
        actor=world[persona].user,
        membership=world[persona].membership,
        feature_key=data.pop("feature_key", world.feature.key),
        title=title,
        **data,
    )


def _who(world, persona="po") -> dict:
    return {"actor": world[persona].user, "membership": world[persona].membership}


def _order(world) -> list[str]:
    return list(
        UserStory.objects.filter(workspace=world.workspace)
        .order_by("rank", "pk")
        .values_list("title", flat=True)
    )


# -- services: stories and permissions -------------------------------------------------------


def test_a_story_is_created_at_the_bottom_with_its_criteria_and_logged(world):
    story = _story(world, "Filter by region", points="3", criteria="One\n\n  Two  \n")
    assert _order(world)[-1] == "Filter by region"
    assert story.rank > world.story.rank
    assert [c.text for c in story.criteria.all()] == ["One", "Two"]
    assert story.points == 3 and story.status == "todo" and story.done_at is None
    entry = Entry.objects.filter(target_type="story", target_key=story.key).get()
    assert entry.verb == "created" and entry.actor == world["po"].user


def test_story_fields_are_checked(world):
    with pytest.raises(Invalid) as caught:
        _story(world, "  ", points="-2", feature_key="nope", owner_key="nobody")
    assert set(caught.value.fields) == {"title", "points", "feature_key", "owner_key"}
    with pytest.raises(Invalid) as caught:
        _story(world, "Ok", points="1001")
    assert "points" in caught.value.fields


def test_only_backlog_managers_write_stories(world):
    for persona in ("contributor", "stakeholder"):
        with pytest.raises(PermissionDenied):
            _story(world, "Nope", persona=persona)
    with pytest.raises(PermissionDenied):
        services.story_update(story=world.story, title="Renamed", **_who(world, "contributor"))
    with pytest.raises(PermissionDenied):
        services.story_delete(story=world.story, **_who(world, "contributor"))
    with pytest.raises(PermissionDenied):
        services.story_move(story=world.story, **_who(world, "contributor"))


def test_a_contributor_updates_only_the_stories_they_own(world):
    mine = world.story  # owned by the contributor
    services.story_status(story=mine, status="doing", **_who(world, "contributor"))
    assert UserStory.objects.get(pk=mine.pk).status == "doing"
    criterion = mine.criteria.first()
    services.criterion_tick(criterion=criterion, done=True, **_who(world, "contributor"))
    assert AcceptanceCriterion.objects.get(pk=criterion.pk).done

    theirs = _story(world, "Someone else's", criteria="A")
    with pytest.raises(PermissionDenied) as caught:
        services.story_status(story=theirs, status="doing", **_who(world, "contributor"))
    assert "only the stories you own" in caught.value.message
    with pytest.raises(PermissionDenied):
        services.criterion_tick(
            criterion=theirs.criteria.get(), done=True, **_who(world, "contributor")
        )
    with pytest.raises(PermissionDenied):  # stakeholders never
        services.story_status(story=mine, status="done", **_who(world, "stakeholder"))
    # A PO updates any story.
    services.story_status(story=theirs, status="doing", **_who(world, "po"))


def test_done_stamps_done_at_and_leaving_done_clears_it(world):
    story = world.story
    services.story_status(story=story, status="done", **_who(world))
    story.refresh_from_db()
    stamped = story.done_at
    assert story.status == "done" and stamped is not None
    services.story_status(story=story, status="done", **_who(world))  # again: kept
    story.refresh_from_db()
    assert story.done_at == stamped
    services.story_status(story=story, status="doing", **_who(world))
    story.refresh_from_db()
    assert story.status == "doing" and story.done_at is None
    verbs = list(
        Entry.objects.filter(target_type="story", target_key=story.key)
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert {"status": ["todo", "done"]} in verbs and {"status": ["done", "doing"]} in verbs


def test_a_stale_edit_is_a_conflict_naming_the_other_change(world):
    story = world.story
    seen = story.version
    services.story_update(story=story, version=seen, points=8, **_who(world, "pm"))
    stale = UserStory.objects.get(pk=story.pk)
    with pytest.raises(EditConflict) as caught:
        services.story_update(story=stale, version=seen, title="Mine", **_who(world, "po"))
    assert caught.value.status == 409
    assert caught.value.changes[0]["who"] == "Pm"
    assert caught.value.changes[0]["changes"] == {"points": [5, 8]}
    story.refresh_from_db()
    assert story.title != "Mine" and story.points == 8
    # Saving again against the current version applies it.
    services.story_update(story=story, version=story.version, title="Mine", **_who(world, "po"))
    assert UserStory.objects.get(pk=story.pk).title == "Mine"


def test_an_iteration_of_another_team_is_refused(world):
    from lodestar.workspaces.services import team_create

    other = team_create(workspace=world.workspace, actor=world["owner"].user, name="Mobile")
    feature = feature_create(
        workspace=world.workspace, actor=world["pm"].user, title="Offline", team_key=other.key
    )
    with pytest.raises(Invalid) as caught:
        _story(world, "Sync", feature_key=feature.key, iteration_key=world.iteration.key)
    assert "Platform" in caught.value.fields["iteration_key"][0]


# -- rank -------------------------------------------------------------------------------------


def test_move_between_neighbours_rewrites_one_row(world):
    a, b, c = (_story(world, t) for t in "ABC")
    before = dict(UserStory.objects.values_list("pk", "rank"))
    services.story_move(story=c, after=a, **_who(world))
    assert _order(world)[-3:] == ["A", "C", "B"]
    after = dict(UserStory.objects.values_list("pk", "rank"))
    assert [pk for pk in before if before[pk] != after[pk]] == [c.pk]
    assert Entry.objects.filter(target_type="backlog", verb="ranked", target_key=c.key).exists()
    services.story_move(story=a, before=b, **_who(world))  # only `before`: right before B
    assert _order(world)[-3:] == ["C", "A", "B"]
    services.story_move(story=b, **_who(world))  # neither: the top
    assert _order(world)[0] == "B"


def test_no_gap_left_renumbers_the_backlog_in_order(world):
    a, b, c = (_story(world, t) for t in "ABC")
    UserStory.objects.filter(pk=a.pk).update(rank=10)
    UserStory.objects.filter(pk=b.pk).update(rank=11)
    UserStory.objects.filter(pk=c.pk).update(rank=12)
    UserStory.objects.filter(pk=world.story.pk).update(rank=9)
    a.refresh_from_db()
    services.story_move(story=c, after=a, **_who(world))
    assert _order(world) == [world.story.title, "A", "C", "B"]
    ranks = sorted(UserStory.objects.values_list("rank", flat=True))
    assert all(later - earlier >= 2 for earlier, later in itertools.pairwise(ranks))


def test_equal_ranks_still_move_correctly(world):
    a, _b, c = (_story(world, t) for t in "ABC")
    UserStory.objects.update(rank=0)  # e.g. imported rows: ties broken by creation order
    c.refresh_from_db()
    a.refresh_from_db()
    services.story_move(story=c, after=a, **_who(world))
    assert _order(world) == [world.story.title, "A", "C", "B"]


def test_a_story_cannot_move_next_to_itself_or_another_workspace(world):
    with pytest.raises(Invalid):
        services.story_move(story=world.story, after=world.story, **_who(world))


# -- criteria -------------------------------------------------------------------------------


def test_criteria_add_edit_tick_move_remove(world):
    story = world.story
    added = services.criterion_add(story=story, text="  Works   offline ", **_who(world))
    assert added.text == "Works offline" and added.position == 2
    services.criterion_update(criterion=added, text="Works without network", **_who(world))
    services.criterion_move(criterion=added, direction="up", **_who(world))
    assert [c.text for c in story.criteria.all()][1] == "Works without network"
    services.criterion_tick(criterion=added, done=True, **_who(world))
    services.criterion_tick(criterion=added, done=False, **_who(world))
    services.criterion_remove(criterion=added, **_who(world))
    assert story.criteria.count() == 2
    verbs = set(Entry.objects.filter(target_type="criterion").values_list("verb", flat=True))
    assert verbs == {"added", "updated", "moved", "ticked", "unticked", "removed"}
    with pytest.raises(Invalid):
        services.criterion_add(story=story, text="   ", **_who(world))
    with pytest.raises(PermissionDenied):  # criteria text is backlog.manage
        services.criterion_add(story=story, text="x", **_who(world, "contributor"))


# -- pages ----------------------------------------------------------------------------------


def test_backlog_page_lists_in_rank_order_with_filters(world):
    _story(world, "Second story", status="done")
    client = world["po"].client()
    page = client.get("/w/acme/backlog/").content.decode()
    assert page.index(world.story.title) < page.index("Second story")
    assert "0/2" in page  # criteria done / total
    page = client.get("/w/acme/backlog/?status=done").content.decode()
    assert "Second story" in page and world.story.title not in page
    page = client.get(f"/w/acme/backlog/?iteration={world.iteration.key}").content.decode()
    assert world.story.title in page and "Second story" not in page
    owner = world["contributor"].membership.key
    page = client.get(f"/w/acme/backlog/?owner={owner}").content.decode()
    assert world.story.title in page and "Second story" not in page
    page = client.get(f"/w/acme/backlog/?team={world.team.key}").content.decode()
    assert world.story.title in page  # through its iteration: the feature has no team
    assert "Platform: done per week" in page  # the throughput chart for a team
    # Unknown filter values are ignored, never an error.
    assert client.get("/w/acme/backlog/?team=nope&status=bogus").status_code == 200


def test_backlog_paginates(world):
    for i in range(55):
        _story(world, f"Story {i:02}")
    client = world["po"].client()
    page = client.get("/w/acme/backlog/")
    body = page.content.decode()
    assert "Story 48" in body and "Story 49" not in body  # 50 rows: world.story + 49
    cursor = page.context["page"].next
    body = client.get(f"/w/acme/backlog/?cursor={cursor}").content.decode()
    assert "Story 49" in body and "Story 54" in body


def test_creating_a_story_in_the_page_re_shows_errors(world):
    client = world["po"].client()
    response = client.post("/w/acme/backlog/", {"title": "", "feature_key": world.feature.key})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(
        "/w/acme/backlog/",
        {"title": "Map view", "feature_key": world.feature.key, "criteria": "Shows pins"},
    )
    assert response.status_code == 302
    assert UserStory.objects.get(title="Map view").criteria.get().text == "Shows pins"


def test_keyboard_move_buttons_work_without_js(world):
    a = _story(world, "A")
    client = world["po"].client()
    response = client.post(
        "/w/acme/backlog/rank/", {"story": a.key, "move": "up", "status": "todo"}
    )
    assert response.status_code == 302 and "status=todo" in response["Location"]
    assert _order(world) == ["A", world.story.title]
    client.post("/w/acme/backlog/rank/", {"story": a.key, "move": "down"})
    assert _order(world) == [world.story.title, "A"]
    client.post("/w/acme/backlog/rank/", {"story": a.key, "move": "top"})
    assert _order(world)[0] == "A"
    # Already at the top: nothing happens.
    assert client.post("/w/acme/backlog/rank/", {"story": a.key, "move": "up"}).status_code == 302


def test_drag_posts_neighbours_and_gets_json(world):
    a, b = _story(world, "A"), _story(world, "B")
    client = world["po"].client()
    response = client.post(
        "/w/acme/backlog/rank/",
        {"story": b.key, "after": world.story.key, "before": a.key},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200 and response.json()["story"] == b.key
    assert _order(world) == [world.story.title, "B", "A"]
    bad = client.post("/w/acme/backlog/rank/", {"story": b.key})
    assert bad.status_code == 400
    gone = client.post("/w/acme/backlog/rank/", {"story": b.key, "after": "nokey"})
    assert gone.status_code == 404
    refused = (
        world["contributor"]
        .client()
        .post("/w/acme/backlog/rank/", {"story": b.key, "after": a.key})
    )
    assert refused.status_code == 403


def test_story_page_edit_and_stale_edit_re_shows_the_form(world):
    story = world.story
    client = world["po"].client()
    url = f"/w/acme/backlog/stories/{story.key}/"
    page = client.get(url)
    assert page.status_code == 200 and "Opens in under 1 s" in page.content.decode()
    form = {
        "title": "Fast board",
        "feature_key": world.feature.key,
        "points": "8",
        "status": "todo",
        "owner_key": world["contributor"].membership.key,
        "iteration_key": world.iteration.key,
        "version": str(story.version),
    }
    # Someone else saves first.
    services.story_update(story=story, version=story.version, points=13, **_who(world, "pm"))
    response = client.post(url, form)
    assert response.status_code == 409
    body = response.content.decode()
    assert "someone else changed this story" in body.lower()
    assert "points: 5 → 13" in body and 'value="Fast board"' in body  # theirs and mine
    story.refresh_from_db()
    assert story.title != "Fast board" and story.points == 13
    assert f'name="version" value="{story.version}"' in body
    # Saving the re-shown form applies mine on top.
    response = client.post(url, {**form, "version": str(story.version)})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Fast board" and story.points == 8


def test_story_page_errors_are_re_shown(world):
    client = world["po"].client()
    url = f"/w/acme/backlog/stories/{world.story.key}/"
    response = client.post(
        url, {"title": "x", "feature_key": world.feature.key, "points": "5000", "status": "todo"}
    )
    assert response.status_code == 400 and "1000" in response.content.decode()


def test_ticking_with_htmx_returns_the_checklist(world):
    criterion = world.story.criteria.order_by("pk").first()
    client = world["contributor"].client()
    url = f"/w/acme/backlog/stories/{world.story.key}/criteria/{criterion.pk}/tick/"
    response = client.post(url, {"done": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="criteria"' in response.content.decode() and "checked" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.done
    # Without htmx: back to the story page.
    response = client.post(url, {})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert not criterion.done


def test_a_contributor_gets_a_clear_403_on_a_story_they_do_not_own(world):
    other = _story(world, "Not theirs", criteria="A")
    client = world["contributor"].client()
    response = client.post(f"/w/acme/backlog/stories/{other.key}/status/", {"status": "doing"})
    assert response.status_code == 403
    assert "only the stories you own" in response.content.decode()


def test_criterion_of_another_story_is_404(world):
    other = _story(world, "Other", criteria="A")
    criterion = other.criteria.get()
    client = world["po"].client()
    url = f"/w/acme/backlog/stories/{world.story.key}/criteria/{criterion.pk}/tick/"
    assert client.post(url, {"done": "on"}).status_code == 404


def test_delete_asks_first(world):
    client = world["po"].client()
    url = f"/w/acme/backlog/stories/{world.story.key}/delete/"
    assert "cannot be undone" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not UserStory.objects.filter(pk=world.story.pk).exists()


# -- API --------------------------------------------------------------------------------------


def _api(world, persona, method, url, body=None):
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
    return world[persona].api().generic(method, url, **kwargs)


def test_api_lists_creates_patches_and_ticks(world):
    base = "/api/v1/workspaces/acme/stories"
    made = _api(
        world,
        "po",
        "POST",
        base,
        {"feature_key": world.feature.key, "title": "API story", "criteria": ["A", "B"]},
    )
    assert made.status_code == 201, made.content
    story = made.json()
    assert story["criteria_total"] == 2 and story["version"] == 1
    listed = _api(world, "stakeholder", "GET", f"{base}?status=todo").json()
    assert [s["title"] for s in listed["items"]] == [world.story.title, "API story"]
    assert listed["count"] == 2 and listed["next"] is None

    url = f"{base}/{story['key']}"
    patched = _api(world, "po", "PATCH", url, {"points": 3, "version": 1})
    assert patched.status_code == 200 and patched.json()["points"] == 3
    stale = _api(world, "pm", "PATCH", url, {"title": "Stale", "version": 1})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["version"] == 2
    assert error["changes"][0]["changes"] == {"points": [None, 3]}

    moved = _api(world, "po", "PATCH", url, {"before_key": world.story.key})
    assert moved.status_code == 200
    assert _order(world)[0] == "API story"

    criterion = story["criteria"][0]["id"]
    ticked = _api(world, "po", "PATCH", f"{url}/criteria/{criterion}", {"done": True})
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    # The contributor does not own this story: a clear 403.
    refused = _api(world, "contributor", "PATCH", url, {"status": "doing"})
    assert refused.status_code == 403
    assert "only the stories you own" in refused.json()["error"]["message"]
    # ... nor may change more than the status of their own.
    own = f"{base}/{world.story.key}"
    assert _api(world, "contributor", "PATCH", own, {"points": 1}).status_code == 403
    assert _api(world, "contributor", "PATCH", own, {"status": "done"}).status_code == 200


def test_api_bad_input_names_the_field(world):
    base = "/api/v1/workspaces/acme/stories"
    bad = _api(world, "po", "POST", base, {"feature_key": "nope", "title": "x"})
    assert bad.status_code == 400 and "feature_key" in bad.json()["error"]["fields"]
    bad = _api(world, "po", "PATCH", f"{base}/{world.story.key}", {"status": "finished"})
    assert bad.status_code == 400


# -- query counts -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_run_a_fixed_number_of_queries(world):
    client = world["po"].client()
    urls = [
        "/w/acme/backlog/",
        f"/w/acme/backlog/?team={world.team.key}",
        f"/w/acme/backlog/stories/{world.story.key}/",
        "/w/acme/iterations/",
        f"/w/acme/iterations/{world.iteration.key}/",
        f"/w/acme/teams/{world.team.key}/throughput/",
    ]
    small = {url: _queries(client, url) for url in urls}
    for i in range(30):
        story = _story(
            world,
            f"More {i}",
            criteria="A\nB",
            owner_key=world["pm"].membership.key,
            iteration_key=world.iteration.key,
        )
        if i % 3 == 0:
            services.story_status(story=story, status="done", **_who(world))
    large = {url: _queries(client, url) for url in urls}
    assert small == large


def test_a_stale_form_keeps_their_changes_to_fields_left_alone(world):
    story = world.story
    client = world["po"].client()
    url = f"/w/acme/backlog/stories/{story.key}/"
    shown = {
        "title": story.title,
        "feature_key": world.feature.key,
        "points": "5",
        "status": "todo",
        "owner_key": world["contributor"].membership.key,
        "iteration_key": world.iteration.key,
        "version": str(story.version),
    }
    # The PM hands the story to themselves and takes it out of the iteration.
    services.story_update(
        story=story,
        version=story.version,
        owner_key=world["pm"].membership.key,
        iteration_key="",
        **_who(world, "pm"),
    )
    response = client.post(url, {**shown, "title": "Mine"})
    assert response.status_code == 409
    form = response.context["form"]
    assert form["owner_key"].value() == world["pm"].membership.key
    assert form["iteration_key"].value() == ""
    assert form["title"].value() == "Mine"
    story.refresh_from_db()
    response = client.post(url, {**form.data.dict()})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Mine" and story.owner == world["pm"].membership
    assert story.iteration is None


def test_feature_stories_section_for_the_feature_page(world):
    from django.template.loader import render_to_string

    from lodestar.planning.backlog_selectors import feature_stories_context

    done = _story(world, "Done one", points=3)
    services.story_status(story=done, status="done", **_who(world))
    context = feature_stories_context(feature=world.feature, membership=world["po"].membership)
    assert [s.title for s in context["feature_stories"]] == [world.story.title, "Done one"]
    assert context["feature_story_points"] == 8 and context["feature_story_points_done"] == 3
    assert context["can_add_story"]
    html = render_to_string(
        "planning/_feature_stories.html",
        {**context, "feature": world.feature, "current_workspace": world.workspace},
    )
    assert "3 of 8 points done" in html and "0/2" in html and "Add a story" in html
    stakeholder = feature_stories_context(
        feature=world.feature, membership=world["stakeholder"].membership
    )
    assert not stakeholder["can_add_story"]


def test_the_story_sentence_reads_naturally(world):
    from lodestar.planning.backlog_selectors import story_sentence

    story = UserStory(as_a="office manager", i_want="one invoice", so_that="books balance")
    assert story_sentence(story) == (
        "As an office manager, I want one invoice, so that books balance."
    )
    story.as_a = "a dispatcher"
    assert story_sentence(story).startswith("As a dispatcher, I want")
    assert story_sentence(UserStory()) == "As …, I want …, so that …."


def test_api_patch_is_all_or_nothing(world):
    own = f"/api/v1/workspaces/acme/stories/{world.story.key}"
    other = _story(world, "Other")
    refused = _api(world, "contributor", "PATCH", own, {"status": "doing", "after_key": other.key})
    assert refused.status_code == 403
    assert UserStory.objects.get(pk=world.story.pk).status == "todo"
