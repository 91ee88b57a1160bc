"""The roadmap timeline: the layout from dates (bars where the axis says, ticks, today line,
milestones, lanes, dependency arrows), the SVG it draws, the page, and its query count."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.planning.models import Dependency, Feature, Release
from lodestar.planning.timeline import (
    FEATURES_SHOWN,
    PX_PER_DAY,
    timeline_build,
)
from lodestar.planning.timeline_svg import timeline_svg
from lodestar.planning.visibility import Visible
from lodestar.strategy.models import ObjectiveFeature
from lodestar.workspaces import services
from lodestar.workspaces.models import Product

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 2, 15)


@pytest.fixture(autouse=True)
def _own_product(world):
    """A product of these tests' own: `world` has a release of its own in "web"."""
    world.tl_product = services.product_create(
        workspace=world.workspace, actor=world["owner"].user, key="tl", name="Timeline"
    )


def release(world, name, start, target, *, product=None, team=None, **fields) -> Release:
    return Release.objects.create(
        workspace=world.workspace,
        product=product or world.tl_product,
        team=team or world.team,
        name=name,
        start=start,
        target=target,
        **fields,
    )


def feature(world, title, **fields) -> Feature:
    return Feature.objects.create(
        workspace=world.workspace,
        product=fields.pop("product", world.tl_product),
        title=title,
        **fields,
    )


def build(world, **kwargs):
    kwargs.setdefault("products", [world.tl_product])
    kwargs.setdefault("visible", Visible.everything())
    kwargs.setdefault("today", TODAY)
    return timeline_build(workspace=world.workspace, **kwargs)


def test_a_quarter_long_release_sits_where_the_axis_says(world):
    q1 = release(world, "Winter", date(2026, 1, 1), date(2026, 3, 31))
    timeline = build(world, zoom="quarter")
    ticks = {t.label: t for t in timeline.ticks}
    assert list(ticks) == ["Q1 2026"]
    bar = timeline.bars[0]
    assert bar.key == q1.key
    assert bar.x0 == ticks["Q1 2026"].x == timeline.x(date(2026, 1, 1))
    assert bar.x1 == timeline.x(date(2026, 4, 1))  # the target day is included
    assert timeline.end == date(2026, 4, 1)

    months = build(world, zoom="month")
    labels = [t.label for t in months.ticks]
    assert labels == ["Jan 2026", "Feb", "Mar"]
    by_label = {t.label: t.x for t in months.ticks}
    assert months.bars[0].x0 == by_label["Jan 2026"]
    assert by_label["Feb"] - by_label["Jan 2026"] == 31 * PX_PER_DAY["month"]
    assert months.bars[0].x1 - months.bars[0].x0 == 90 * PX_PER_DAY["month"]


def test_today_line_and_late_releases(world):
    release(world, "Past due", date(2026, 1, 5), date(2026, 2, 1))
    release(world, "Shipped", date(2026, 1, 5), date(2026, 2, 1), status="released")
    release(world, "Future", date(2026, 3, 1), date(2026, 6, 30))
    timeline = build(world)
    assert timeline.today_x == timeline.x(TODAY)
    late = {b.name: b.late for b in timeline.bars}
    assert late == {"Past due": True, "Shipped": False, "Future": False}
    assert [t.label for t in timeline.ticks] == ["Q1 2026", "Q2 2026"]
    # Today outside the drawn window: no line.
    assert build(world, today=date(2027, 1, 1), end=date(2026, 7, 1)).today_x is None


def test_milestone_is_a_point_on_its_target(world):
    m = release(world, "Beta gate", None, date(2026, 3, 10), kind="milestone")
    bar = build(world).bars[0]
    assert bar.key == m.key and bar.is_milestone
    assert bar.x0 == build(world).x(date(2026, 3, 10))
    svg = timeline_svg(build(world))
    assert "Beta gate" in svg and 'class="tl-bar tl-milestone"' in svg


def test_lanes_by_team_product_and_objective(world, django_user_model):
    owner = world["owner"].user
    mobile = services.team_create(workspace=world.workspace, actor=owner, name="Mobile")
    app = services.product_create(workspace=world.workspace, actor=owner, key="app", name="App")
    r1 = release(world, "Web 1", date(2026, 1, 1), date(2026, 2, 1))
    r2 = release(world, "App 1", date(2026, 1, 1), date(2026, 3, 1), product=app, team=mobile)
    r3 = release(world, "Web 2", date(2026, 2, 1), date(2026, 4, 1), team=mobile)
    products = [world.tl_product, app]

    by_team = build(world, products=products, group="team")
    assert [(lane.label, [b.name for b in lane.rows]) for lane in by_team.lanes] == [
        ("Mobile", ["App 1", "Web 2"]),
        ("Platform", ["Web 1"]),
    ]
    by_product = build(world, products=products, group="product")
    assert [lane.label for lane in by_product.lanes] == ["App", "Timeline"]
    # Rows never overlap, lanes follow each other.
    ys = [b.y for b in by_product.bars]
    assert ys == sorted(ys) and len(set(ys)) == 3

    f = feature(world, "Route planner", release=r3)
    ObjectiveFeature.objects.create(objective=world.objective, feature=f)
    by_objective = build(world, products=products, group="objective")
    assert [(lane.label, sorted(b.key for b in lane.rows)) for lane in by_objective.lanes] == [
        (world.objective.title, [r3.key]),
        ("No objective", sorted([r1.key, r2.key])),
    ]
    # Only the products asked for.
    assert [b.name for b in build(world, products=[app]).bars] == ["App 1"]


def test_features_under_bars_are_capped_and_unscheduled_band(world):
    r = release(world, "Spring", date(2026, 3, 1), date(2026, 5, 31))
    for i in range(FEATURES_SHOWN + 4):
        feature(world, f"Feature {i:02}", release=r, rank=i)
    feature(world, "Later idea", horizon="later")
    feature(world, "Now thing", horizon="now")
    feature(world, "No horizon, no release")
    timeline = build(world)
    bar = timeline.bars[0]
    assert bar.feature_count == FEATURES_SHOWN + 4
    assert [f.title for f in bar.features] == [f"Feature {i:02}" for i in range(FEATURES_SHOWN)]
    assert bar.more == 4
    band = {u.horizon: (u.count, [f.title for f in u.features]) for u in timeline.unscheduled}
    assert band == {"now": (1, ["Now thing"]), "next": (0, []), "later": (1, ["Later idea"])}
    svg = timeline_svg(timeline)
    assert "+ 4 more" in svg and "Not scheduled" in svg and "No horizon, no release" not in svg


def test_dependency_arrows_from_blocker_end_to_blocked_start(world):
    a = release(world, "Foundation", date(2026, 1, 1), date(2026, 2, 28))
    b = release(world, "On top", date(2026, 3, 1), date(2026, 4, 30))
    c = release(world, "Too early", date(2026, 1, 1), date(2026, 1, 31))
    base = feature(world, "Data model", release=a)
    Dependency.objects.create(blocker=base, blocked=feature(world, "Reports", release=b))
    Dependency.objects.create(blocker=base, blocked=feature(world, "Exports", release=c))
    Dependency.objects.create(blocker=base, blocked=feature(world, "Same release", release=a))
    timeline = build(world)
    bars = {bar.key: bar for bar in timeline.bars}
    arrows = {(x.blocker, x.blocked): x for x in timeline.arrows}
    assert set(arrows) == {(a.key, b.key), (a.key, c.key)}
    ok = arrows[(a.key, b.key)]
    assert (ok.x1, ok.y1) == (bars[a.key].x1, bars[a.key].mid_y)
    assert (ok.x2, ok.y2) == (bars[b.key].x0, bars[b.key].mid_y)
    assert not ok.conflict and arrows[(a.key, c.key)].conflict
    svg = timeline_svg(timeline)
    assert svg.count('class="tl-dependency') == 2 and "tl-conflict" in svg


def test_svg_is_well_formed_accessible_and_links_to_releases(world):
    r = release(world, "Q1 <launch> & more", date(2026, 1, 1), date(2026, 3, 31), goal="Ship")
    feature(world, 'Feature "quoted" <b>', release=r)
    svg = timeline_svg(build(world), standalone=True)
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text.startswith("Roadmap of Acme")
    assert "1 release" in root.find(f"{SVG}desc").text
    links = root.findall(f".//{SVG}a")
    assert [a.get("href") for a in links] == [f"/w/acme/releases/{r.key}/"]
    assert "Q1 <launch> & more" in links[0].get("aria-label")
    texts = "".join(root.itertext())
    assert 'Feature "quoted" <b>' in texts
    # A share link: no member links at all; another base for the links.
    assert "<a " not in timeline_svg(build(world), links=False)
    assert f'href="/s/tok/r/{r.key}/"' in timeline_svg(build(world), link_base="/s/tok/r/")


def test_timeline_query_count_is_constant(world):
    owner = world["owner"].user
    other_team = services.team_create(workspace=world.workspace, actor=owner, name="Apps")

    def add(n, offset):
        for i in range(n):
            r = release(
                world,
                f"R{offset + i}",
                date(2026, 1, 1) + timedelta(days=i),
                date(2026, 3, 1) + timedelta(days=i),
                team=other_team if i % 2 else world.team,
            )
            f1 = feature(world, f"F{offset + i}a", release=r)
            f2 = feature(world, f"F{offset + i}b", release=r, horizon="next")
            Dependency.objects.create(blocker=f1, blocked=f2)
            ObjectiveFeature.objects.create(objective=world.objective, feature=f1)

    def count(group):
        with CaptureQueriesContext(connection) as queries:
            timeline_svg(build(world, group=group))
        return len(queries)

    empty = {g: count(g) for g in ("team", "product", "objective")}
    add(3, 0)
    small = {g: count(g) for g in ("team", "product", "objective")}
    add(27, 100)
    large = {g: count(g) for g in ("team", "product", "objective")}
    assert empty == small == large
    assert max(large.values()) <= 5


def test_bad_arguments_are_refused(world):
    with pytest.raises(ValueError, match="group"):
        build(world, group="colour")
    with pytest.raises(ValueError, match="zoom"):
        build(world, zoom="week")


# -- the page ------------------------------------------------------------------------------


def test_page_filters_grouping_zoom_and_empty_state(world):
    pm = world["pm"].client()
    response = pm.get("/w/acme/roadmap/?product=tl")
    assert response.status_code == 200
    assert b"No releases yet" in response.content
    assert b"/w/acme/releases/new/" in response.content
    stakeholder = world["stakeholder"].client().get("/w/acme/roadmap/?product=tl")
    assert b"No releases yet" in stakeholder.content
    assert b"/w/acme/releases/new/" not in stakeholder.content

    r = release(world, "Winter", date(2026, 1, 1), date(2026, 3, 31))
    response = pm.get("/w/acme/roadmap/?group=product&zoom=month&product=tl")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/w/acme/releases/{r.key}/"' in html
    assert 'class="tl-today"' in html or "Today" in html
    assert "<svg" in html and "Winter" in html
    assert "export.csv?product=tl&amp;group=product&amp;zoom=month" in html

    assert pm.get("/w/acme/roadmap/?group=colour").status_code == 400
    assert pm.get("/w/acme/roadmap/?zoom=week").status_code == 400
    assert pm.get("/w/acme/roadmap/?product=nope").status_code == 404
    other = Product.objects.get(key="other-web")
    assert pm.get(f"/w/acme/roadmap/?product={other.key}").status_code == 404


def test_page_query_count_is_constant(world):
    pm = world["pm"].client()

    def add(n, offset):
        for i in range(n):
            r = release(world, f"R{offset + i}", date(2026, 1, 1), date(2026, 3, 1))
            feature(world, f"F{offset + i}", release=r)

    def count():
        pm.get("/w/acme/roadmap/")
        with CaptureQueriesContext(connection) as queries:
            assert pm.get("/w/acme/roadmap/").status_code == 200
        return len(queries)

    add(3, 0)
    small = count()
    add(27, 100)
    assert count() == small
