"""The "my work" page: what the signed-in member owns (features, releases, stories), grouped
by status with counts and links, an empty state, and a query count that does not grow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lodestar.planning.models import Feature, Release, UserStory
from lodestar.planning.my_work import LISTED, my_work

pytestmark = pytest.mark.django_db
URL = "/w/acme/my-work/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _own(world, persona: str, *, features: int = 0, releases: int = 0, stories: int = 0):
    """Give the persona more of everything (bulk, as the demo does)."""
    member = world[persona].membership
    Feature.objects.bulk_create(
        [
            Feature(workspace=world.workspace, product=world.product,
                    title=f"{persona} feature {i}", status="planned", owner=member, rank=i,
                    release=world.release)
            for i in range(features)
        ]
    )  # fmt: skip
    Release.objects.bulk_create(
        [
            Release(workspace=world.workspace, product=world.product, team=world.team,
                    name=f"{persona} release {i}", target=date(2027, 1, 1) + timedelta(days=i),
                    status="in_progress", owner=member)
            for i in range(releases)
        ]
    )  # fmt: skip
    UserStory.objects.bulk_create(
        [
            UserStory(workspace=world.workspace, feature=world.feature, title=f"Story {i}",
                      status="doing" if i % 2 else "todo", owner=member, rank=i,
                      iteration=world.iteration)
            for i in range(stories)
        ]
    )  # fmt: skip


def test_contributor_sees_their_story_with_links(world):
    response = _client(world["contributor"].user).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.story.title in html
    assert f"/w/acme/backlog/stories/{world.story.key}/" in html
    assert f"/w/acme/iterations/{world.iteration.key}/" in html
    assert f"/w/acme/features/{world.feature.key}/" in html
    work = my_work(membership=world["contributor"].membership)
    assert work.story_count == 1
    assert [(g.status, g.count) for g in work.stories] == [("doing", 0), ("todo", 1)]


def test_features_and_releases_the_member_owns(world):
    pm = world["pm"].membership
    Feature.objects.filter(pk=world.feature.pk).update(
        owner=pm, status="in_progress", release=world.release
    )
    Release.objects.filter(pk=world.release.pk).update(owner=pm, status="in_progress")
    html = _client(world["pm"].user).get(URL).content.decode()
    assert world.feature.title in html
    assert f"/w/acme/releases/{world.release.key}/" in html
    assert world.story.title not in html  # the contributor's, not the PM's
    work = my_work(membership=pm)
    assert (work.feature_count, work.release_count, work.story_count) == (1, 1, 0)
    assert work.features[0].items == [world.feature]
    assert work.releases[0].items[0].feature_count == 1


def test_shipped_and_cancelled_are_not_open_work(world):
    pm = world["pm"].membership
    Feature.objects.filter(pk=world.feature.pk).update(owner=pm, status="shipped")
    Release.objects.filter(pk=world.release.pk).update(owner=pm, status="cancelled")
    work = my_work(membership=pm)
    assert (work.feature_count, work.release_count) == (0, 0)


def test_done_recently(world):
    UserStory.objects.filter(pk=world.story.pk).update(status="done", done_at=timezone.now())
    work = my_work(membership=world["contributor"].membership)
    assert work.story_count == 0
    assert work.done_stories == [world.story] and work.done_count == 1
    old = timezone.now() - timedelta(days=30)
    UserStory.objects.filter(pk=world.story.pk).update(done_at=old)
    assert my_work(membership=world["contributor"].membership).done_count == 0


def test_empty_state(world):
    response = _client(world["stakeholder"].user).get(URL)
    assert response.status_code == 200
    assert "Nothing is yours yet" in response.content.decode()


def test_lists_are_capped_and_counts_are_not(world):
    _own(world, "po", features=LISTED + 5, stories=2 * LISTED + 10)
    work = my_work(membership=world["po"].membership)
    planned = next(g for g in work.features if g.status == "planned")
    assert (planned.count, len(planned.items), planned.more) == (LISTED + 5, LISTED, 5)
    assert [g.count for g in work.stories] == [LISTED + 5, LISTED + 5]
    assert all(len(g.items) == LISTED for g in work.stories)
    html = _client(world["po"].user).get(URL).content.decode()
    assert "And 5 more" in html


def test_query_count_does_not_grow(world):
    def count(persona: str) -> int:
        client = _client(world[persona].user)
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    _own(world, "pm", features=1, releases=1, stories=1)
    few = count("pm")
    _own(world, "admin", features=30, releases=12, stories=80)
    assert count("admin") == few


def test_other_workspace_members_see_nothing_of_acme(world):
    response = _client(world["outsider"].user).get(URL)
    assert response.status_code == 404
