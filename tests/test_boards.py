"""Roadmap boards: board_build (columns, order, caps, filters, what a viewer may see), moving
cards through the board's move URL (per role, rank between neighbours, conflicts), and a
fixed number of queries whatever the number of features."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.planning import boards
from lodestar.planning.boards import Filters, board_build, rank_between
from lodestar.planning.models import Feature
from lodestar.planning.release_services import release_create
from lodestar.planning.roadmap_models import ChangeKind, RoadmapChange
from lodestar.planning.services import feature_create
from lodestar.planning.visibility import Visible

pytestmark = pytest.mark.django_db

BOARD = "/w/acme/roadmap/board/"
MOVE = "/w/acme/roadmap/board/move/"


def _feature(world, title, **data) -> Feature:
    data.setdefault("product_key", "web")
    return feature_create(workspace=world.workspace, actor=world["pm"].user, title=title, **data)


def _release(world, name, target, **data):
    return release_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        name=name,
        product_key="web",
        team_key=world.team.key,
        target=target,
        start=target - timedelta(days=30),
        **data,
    )


def _titles(board, value) -> list[str]:
    column = board.column(value)
    assert column is not None, value
    return [c.title for c in column.cards]


def _build(world, view="horizons", visible=None, **filters):
    return board_build(
        workspace=world.workspace,
        products=None,
        view=view,
        visible=visible or Visible.everything(),
        filters=Filters(**filters),
    )


# -- board_build ------------------------------------------------------------------------------


def test_horizon_columns_in_rank_then_title_order(world):
    b = _feature(world, "Bravo", horizon="now")
    _feature(world, "Alpha", horizon="now")
    c = _feature(world, "Charlie", horizon="now")
    _feature(world, "Later thing", horizon="later", effort="5")
    _feature(world, "Later other", horizon="later", effort="3.5")
    _feature(world, "Unplaced")
    Feature.objects.filter(pk=c.pk).update(rank=-5)
    Feature.objects.filter(pk=b.pk).update(rank=0)
    board = _build(world)
    assert [c.value for c in board.columns] == ["now", "next", "later"]
    assert _titles(board, "now") == ["Charlie", "Alpha", "Bravo"]
    later = board.column("later")
    assert later.count == 2 and later.effort == pytest.approx(8.5)
    assert board.column("next").count == 0
    # "No horizon" only when asked for.
    unplaced = _build(world, unplaced=True)
    assert [c.value for c in unplaced.columns][-1] == boards.NONE
    assert "Unplaced" in _titles(unplaced, boards.NONE)


def test_status_columns_and_release_columns(world):
    _feature(world, "Shipped one", status="shipped", horizon="now")
    _feature(world, "New one", horizon="now")
    status = _build(world, view="status")
    assert [c.value for c in status.columns] == [
        "new",
        "under_consideration",
        "planned",
        "in_progress",
        "shipped",
        "wont_do",
    ]
    assert "Shipped one" in _titles(status, "shipped")
    # Horizons leave out shipped and won't do, unless the status filter asks for them.
    assert "Shipped one" not in _titles(_build(world), "now")
    assert _titles(_build(world, statuses=("shipped",)), "now") == ["Shipped one"]

    today = date.today()
    late = _release(world, "2.0", today + timedelta(days=90))
    early = _release(world, "1.5", today + timedelta(days=30))
    old = _release(world, "Old", today - timedelta(days=5), status="released")
    f = _feature(world, "In 2.0")
    Feature.objects.filter(pk=f.pk).update(release=late)
    board = _build(world, view="releases")
    values = [c.value for c in board.columns]
    assert values.index(early.key) < values.index(late.key) and values[-1] == boards.NONE
    assert old.key not in values
    assert board.column(late.key).label == "2.0"
    assert "target" in board.column(late.key).detail
    assert _titles(board, late.key) == ["In 2.0"]
    assert "New one" in _titles(board, boards.NONE)


def test_filters_narrow_the_board(world):
    pm = world["pm"].membership
    _feature(world, "Tagged", horizon="now", tags="mobile, beta", team_key=world.team.key)
    _feature(world, "Mobility", horizon="now", tags="mobility")
    _feature(world, "Owned", horizon="next", owner_key=pm.key, description="about maps")
    assert _titles(_build(world, tag="mobile"), "now") == ["Tagged"]
    assert _titles(_build(world, team=world.team.key), "now") == ["Tagged"]
    assert _build(world, owner=pm.key).count == 1
    assert _titles(_build(world, text="maps"), "next") == ["Owned"]
    assert _build(world, product="web").count == 3
    with pytest.raises(boards.Invalid):
        _build(world, product="nope")


def test_columns_are_capped_and_link_the_rest(world):
    for i in range(7):
        _feature(world, f"Now {i}", horizon="now", team_key=world.team.key)
    board = board_build(
        workspace=world.workspace,
        products=None,
        view="horizons",
        visible=Visible.everything(),
        filters=Filters(team=world.team.key),
        cap=5,
    )
    now = board.column("now")
    assert len(now.cards) == 5 and now.count == 7 and now.more == 2
    assert board.capped and board.cap == 5 and board.currency == world.workspace.currency
    assert now.more_url == f"/w/acme/features/?horizon=now&team={world.team.key}"


def test_visible_hides_demand_and_scores(world):
    from lodestar.planning.models import Horizon

    Feature.objects.filter(pk=world.feature.pk).update(horizon=Horizon.NOW)
    everything = _build(world)
    card = everything.column("now").cards[0]
    assert card.companies == 1 and card.arr == 120_000 and card.scored
    hidden = _build(world, visible=Visible())
    card = hidden.column("now").cards[0]
    assert card.companies is None and card.arr is None and not card.scored
    # The stakeholder's page does not carry them either.
    page = world["stakeholder"].client().get(BOARD)
    assert page.status_code == 200
    assert b"Fast dispatch board" in page.content
    assert b"ARR" not in page.content and b"compan" not in page.content.lower()
    assert b"board-move" not in page.content and b'draggable="true"' not in page.content
    pm_page = world["pm"].client().get(BOARD)
    assert b"1 company" in pm_page.content and b'draggable="true"' in pm_page.content


def test_query_count_is_constant(world):
    def count(n: int) -> int:
        Feature.objects.exclude(pk=world.feature.pk).delete()
        for i in range(n):
            _feature(world, f"Feature {n}-{i}", horizon=("now", "next", "later")[i % 3])
        client = world["pm"].client()
        client.get(BOARD)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BOARD).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)


# -- moves --------------------------------------------------------------------------------


def _move(world, persona, feature, column, view="horizons", htmx=False, **extra):
    data = {"feature": feature.key, "column": column, "view": view, "version": feature.version}
    data.update(extra)
    headers = {"HX-Request": "true"} if htmx else {}
    return world[persona].client().post(MOVE, data, headers=headers)


def test_pm_moves_a_horizon_and_it_is_logged(world):
    f = _feature(world, "Route planner", horizon="next")
    client = world["pm"].client()
    data = {"feature": f.key, "column": "now", "view": "horizons", "version": f.version}
    response = client.post(MOVE, data)
    assert response.status_code == 302 and response["Location"].endswith(f"#card-{f.key}")
    f.refresh_from_db()
    assert f.horizon == "now" and f.version == 2
    change = RoadmapChange.objects.get(target_key=f.key, field="horizon")
    assert (change.kind, change.old, change.new) == (ChangeKind.FEATURE_MOVED, "Next", "Now")
    board = client.get(response["Location"])
    assert "Moved “Route planner” to Now." in board.content.decode()


def test_product_owner_cannot_change_a_horizon_but_can_change_a_release(world):
    f = _feature(world, "Route planner", horizon="next")
    response = _move(world, "po", f, "now", htmx=True)
    assert response.status_code == 403
    text = response.content.decode()
    assert "“Route planner” was not moved to Now." in text
    assert "As product owner you cannot do this" in text
    f.refresh_from_db()
    assert f.horizon == "next"
    # Without JavaScript: the board again, with the message in an alert.
    page = _move(world, "po", f, "now")
    assert page.status_code == 403
    assert 'role="alert"' in page.content.decode() and "was not moved" in page.content.decode()

    release = _release(world, "2.0", date.today() + timedelta(days=60))
    response = _move(world, "po", f, release.key, view="releases", htmx=True)
    assert response.status_code == 200, response.content
    f.refresh_from_db()
    assert f.release == release
    text = response.content.decode()
    assert "Moved “Route planner” to 2.0." in text
    assert f'id="col-{release.key}"' in text and 'hx-swap-oob="true"' in text


@pytest.mark.parametrize("persona", ["stakeholder", "contributor"])
def test_readers_cannot_move(world, persona):
    f = _feature(world, "Route planner", horizon="next")
    response = _move(world, persona, f, "now", htmx=True)
    assert response.status_code == 403
    assert 'role="alert"' in response.content.decode()
    f.refresh_from_db()
    assert f.horizon == "next"


def test_a_stale_version_is_a_conflict(world):
    f = _feature(world, "Route planner", horizon="next")
    stale = f.version
    assert _move(world, "pm", f, "later").status_code == 302
    response = _move(world, "admin", f, "now", htmx=True, version=stale)
    assert response.status_code == 409
    text = response.content.decode()
    assert "“Route planner” was not moved: Pm changed it after this board was loaded" in text
    f.refresh_from_db()
    assert f.horizon == "later"


def test_bad_moves_are_clear(world):
    f = _feature(world, "Route planner", horizon="next")
    client = world["pm"].client()
    assert client.post(MOVE, {}).status_code == 400
    response = client.post(MOVE, {"feature": f.key, "column": "someday", "view": "horizons"})
    assert response.status_code == 400
    assert "Use one of now, next, later" in response.content.decode()
    missing = client.post(MOVE, {"feature": "nokey", "column": "now"}, headers={"HX-Request": "1"})
    assert missing.status_code == 404


def test_rank_between_neighbours(world):
    a = _feature(world, "A", horizon="now")
    b = _feature(world, "B", horizon="now")
    c = _feature(world, "C", horizon="next")
    Feature.objects.filter(pk=a.pk).update(rank=1000)
    Feature.objects.filter(pk=b.pk).update(rank=2000)
    # C dropped between A and B in Now.
    assert _move(world, "pm", c, "now", after=a.key, before=b.key).status_code == 302
    c.refresh_from_db()
    assert (c.horizon, c.rank) == ("now", 1500)
    assert _titles(_build(world), "now") == ["A", "C", "B"]
    # B moved above A within its column: no roadmap change, a new rank.
    b.refresh_from_db()
    assert _move(world, "pm", b, "now", before=a.key).status_code == 302
    b.refresh_from_db()
    assert b.rank == 1000 - boards.RANK_STEP
    assert _titles(_build(world), "now") == ["B", "A", "C"]
    assert not RoadmapChange.objects.filter(target_key=b.key).exists()
    # No room between two ranks: the column is renumbered first.
    Feature.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(rank=7)
    d = _feature(world, "D", horizon="later")
    assert _move(world, "pm", d, "now", after=a.key, before=b.key).status_code == 302
    assert _titles(_build(world), "now")[:2] == ["A", "D"]


def test_rank_between_values():
    assert rank_between(None, None) is None
    assert rank_between(None, 0) == -boards.RANK_STEP
    assert rank_between(10, None) == 10 + boards.RANK_STEP
    assert rank_between(10, 11) is None
    assert rank_between(10, 20) == 15


def test_keyboard_move_without_neighbours_goes_to_the_end(world):
    a = _feature(world, "A", horizon="now")
    Feature.objects.filter(pk=a.pk).update(rank=5000)
    c = _feature(world, "C", horizon="next")
    assert _move(world, "pm", c, "now").status_code == 302
    c.refresh_from_db()
    assert c.rank == 5000 + boards.RANK_STEP
    assert _titles(_build(world), "now") == ["A", "C"]


def test_board_page_views_and_bad_filters(world):
    client = world["pm"].client()
    for view in ("horizons", "status", "releases"):
        assert client.get(BOARD, {"view": view}).status_code == 200
    response = client.get(BOARD, {"product": "nope"})
    assert response.status_code == 400
    assert "No product with key “nope”" in response.content.decode()
    assert client.get(BOARD, {"view": "nonsense"}).status_code == 200
    other = world["outsider"].client().get("/w/other/roadmap/board/")
    assert other.status_code == 200


def test_the_include_is_read_only_by_default(world):
    """What a share link shows: planning/_board.html with a board straight from board_build."""
    from django.template.loader import render_to_string

    _feature(world, "Route <planner>", horizon="now", effort="3")
    board = _build(world, visible=Visible())
    html = render_to_string("planning/_board.html", {"board": board, "editable": False})
    assert "Route &lt;planner&gt;" in html and "3 points" in html
    assert "<form" not in html and "draggable" not in html and "<a href" not in html
    assert "ARR" not in html and "score" not in html
    assert 'id="col-now"' in html and 'aria-labelledby="col-now-head"' in html


def test_the_releases_board_shows_the_soonest_releases(world):
    from lodestar.planning.roadmap_models import Release

    today = date.today()
    open_before = Release.objects.filter(product=world.product, status="planned").count()
    for i in range(boards.RELEASE_CAP + 2):
        _release(world, f"R{i:02}", today + timedelta(days=10 + i))
    board = _build(world, view="releases")
    assert len(board.columns) == boards.RELEASE_CAP + 1  # and "No release"
    assert board.releases_more == open_before + 2
    assert board.columns[0].label == "R00"
    page = world["pm"].client().get(BOARD, {"view": "releases"}).content.decode()
    assert f"{board.releases_more} later ones are not" in page


def test_keyboard_up_and_down_in_a_column(world):
    a = _feature(world, "A", horizon="now")
    b = _feature(world, "B", horizon="now")
    c = _feature(world, "C", horizon="now")
    for f, rank in ((a, 1000), (b, 2000), (c, 3000)):
        Feature.objects.filter(pk=f.pk).update(rank=rank)
    client = world["pm"].client()

    def step(f, way):
        return client.post(MOVE, {"feature": f.key, "column": way, "view": "horizons"})

    assert step(c, "up").status_code == 302
    assert _titles(_build(world), "now") == ["A", "C", "B"]
    assert step(c, "up").status_code == 302
    assert _titles(_build(world), "now") == ["C", "A", "B"]
    refused = step(c, "up")
    assert refused.status_code == 400
    assert "“C” was not moved. It is already first in its column." in refused.content.decode()
    assert step(a, "down").status_code == 302
    assert _titles(_build(world), "now") == ["C", "B", "A"]
    page = client.get(BOARD).content.decode()
    assert "Moved “A” down in Now." in page
    assert '<option value="up">Up one place</option>' in page
    # A product owner may not reorder Now / Next / Later.
    assert (
        world["po"]
        .client()
        .post(MOVE, {"feature": a.key, "column": "up", "view": "horizons"})
        .status_code
        == 403
    )


def test_a_move_shows_dependency_warnings(world):
    from lodestar.planning.release_services import dependency_add

    today = date.today()
    early = _release(world, "1.5", today + timedelta(days=30))
    late = _release(world, "2.0", today + timedelta(days=90))
    api = _feature(world, "Public API")
    ui = _feature(world, "API console")
    Feature.objects.filter(pk=api.pk).update(release=late)
    dependency_add(feature=ui, actor=world["pm"].user, title="Public API")
    ui.refresh_from_db()
    response = _move(world, "po", ui, early.key, view="releases", htmx=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Moved “API console” to 1.5." in text
    assert 'class="board-warning"' in text and "Public API" in text.split("board-warning")[1]
