"""Dependencies between features: blocks / blocked by, no cycles, and the warnings when a
feature is scheduled before what it depends on."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.core.errors import Invalid
from lodestar.planning.models import Feature
from lodestar.planning.release_selectors import (
    BLOCKER_LATER,
    BLOCKER_LATER_HORIZON,
    BLOCKER_UNSCHEDULED,
    dependency_warnings,
    feature_dependencies,
)
from lodestar.planning.release_services import (
    dependency_add,
    dependency_remove,
    feature_move,
    release_create,
)
from lodestar.planning.roadmap_models import Dependency
from lodestar.planning.services import feature_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """Features A, B, C, D of product web."""
    pm = world["pm"].user
    return {
        t: feature_create(workspace=world.workspace, actor=pm, title=t, product_key="web")
        for t in "ABCD"
    }


def _blocks(world, blocker, blocked):
    return dependency_add(feature=blocked, actor=world["pm"].user, title=blocker.title)


def test_a_cycle_is_refused_with_the_cycle_named(world, chain):
    a, b, c = chain["A"], chain["B"], chain["C"]
    _blocks(world, a, b)
    _blocks(world, b, c)
    with pytest.raises(Invalid) as caught:
        _blocks(world, c, a)  # A blocks B blocks C blocks A
    assert caught.value.fields["title"] == [
        "That would make a circular dependency: A → B → C → A (each blocks the next)."
    ]
    with pytest.raises(Invalid) as caught:  # the same, from the other side
        dependency_add(feature=c, actor=world["pm"].user, title="a", direction="blocks")
    assert "A → B → C → A" in caught.value.fields["title"][0]
    with pytest.raises(Invalid) as caught:
        _blocks(world, a, a)
    assert caught.value.fields["title"] == ["A feature cannot depend on itself."]
    with pytest.raises(Invalid) as caught:
        _blocks(world, a, b)
    assert caught.value.fields["title"] == ["A already blocks B."]
    with pytest.raises(Invalid):
        dependency_add(feature=a, actor=world["pm"].user, title="No such feature")
    assert Dependency.objects.count() == 2
    deps = feature_dependencies(feature=b)
    assert deps.blocked_by == [a] and deps.blocks == [c]
    dependency_remove(feature=b, actor=world["pm"].user, other_key=a.key)
    _blocks(world, c, a)  # no cycle any more
    assert Dependency.objects.count() == 2


def test_warnings_when_scheduled_before_what_it_depends_on(world, chain):
    a, b, c, d = chain["A"], chain["B"], chain["C"], chain["D"]
    pm = world["pm"]
    later = release_create(
        workspace=world.workspace, actor=pm.user, name="Later one", product_key="web",
        team_key=world.team.key, start="2027-06-07", target="2027-08-27",
    )  # fmt: skip

    def move(feature, **kw):
        feature_move(feature=feature, actor=pm.user, membership=pm.membership, **kw)

    _blocks(world, a, b)  # A blocks B
    move(b, release_key=world.release.key)  # B due May 28; A in no release
    (w,) = dependency_warnings(features=[b])[b.pk]
    assert w.reason == BLOCKER_UNSCHEDULED and w.blocked_target == date(2027, 5, 28)
    assert "B is due May 28, 2027 in Spring 2027, but A, which it depends on" in w.message
    move(a, release_key=later.key)  # A due Aug 27, after B
    (w,) = dependency_warnings(features=[a])[a.pk]  # shown on the blocker's side too
    assert w.reason == BLOCKER_LATER and w.blocker_target == date(2027, 8, 27)
    move(a, release_key=world.release.key)  # same release: fine
    assert dependency_warnings(features=[a, b]) == {}
    move(a, release_key=later.key)
    move(a, status="shipped")  # done: nothing to wait for
    assert dependency_warnings(features=[b]) == {}
    # Horizons, when neither is in a release: Now before Later warns.
    _blocks(world, c, d)
    move(d, horizon="now")
    move(c, horizon="later")
    (w,) = dependency_warnings(features=[d])[d.pk]
    assert w.reason == BLOCKER_LATER_HORIZON
    assert w.message == "D is planned for Now, but C, which it depends on, is Later."
    move(c, horizon="now")
    assert dependency_warnings(features=[d]) == {}


def test_dependency_warnings_take_one_query(world, chain):
    pm = world["pm"]
    features = list(chain.values())
    for blocker, blocked in itertools.pairwise(features):
        _blocks(world, blocker, blocked)
        feature_move(
            feature=blocked, actor=pm.user, membership=pm.membership,
            release_key=world.release.key,
        )  # fmt: skip
    many = Feature.objects.filter(pk__in=[f.pk for f in features])
    with CaptureQueriesContext(connection) as queries:
        warnings = dependency_warnings(features=many)
    # The features' query (a queryset was passed) and the dependencies' query.
    assert len(queries) == 2
    assert set(warnings) == {chain["A"].pk, chain["B"].pk}
    with CaptureQueriesContext(connection) as queries:
        dependency_warnings(features=[f.pk for f in features])
    assert len(queries) == 1


def test_dependency_panel_on_the_feature_page(world, chain):
    client = world["po"].client()
    url = f"/w/acme/features/{chain['B'].key}/"
    response = client.post(url + "dependencies/", {"dependency-direction": "blocked_by",
                                                   "dependency-title": "a"})  # fmt: skip
    assert response.status_code == 302
    client.post(url + "dependencies/", {"dependency-direction": "blocks", "dependency-title": "C"})
    response = client.post(
        f"/w/acme/features/{chain['C'].key}/dependencies/",
        {"dependency-direction": "blocks", "dependency-title": "A"},
    )
    assert response.status_code == 400
    assert "circular dependency: A → B → C → A" in response.content.decode()
    feature_move(
        feature=chain["B"], actor=world["po"].user, membership=world["po"].membership,
        release_key=world.release.key,
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "Blocked by / Blocks" in page and "which it depends on, is in no release" in page
    release_page = client.get(f"/w/acme/releases/{world.release.key}/").content.decode()
    assert "which it depends on, is in no release" in release_page
    assert client.post(url + "dependencies/remove/", {"other": chain["A"].key}).status_code == 302
    assert not Dependency.objects.filter(blocker=chain["A"]).exists()
    assert client.post(url + "dependencies/remove/", {"other": "nope"}).status_code == 400
    # Contributors read the panel but cannot change it.
    assert world["contributor"].client().post(url + "dependencies/", {}).status_code == 403
