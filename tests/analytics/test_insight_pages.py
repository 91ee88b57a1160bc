"""The analytics home, trends, retention and the events and persons explorers over HTTP."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from lodestar.workspaces.models import Product

from .test_trends import put

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "pm", "po", "contributor", "stakeholder")
PAGES = ("", "trends/", "retention/", "events/", "persons/")


def now_minus(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - seconds))


@pytest.fixture
def events(world):
    world.company.external_id = "nw-1"
    world.company.save()
    put(
        world.workspace,
        [
            (now_minus(7200), "$pageview", "anon-9", {"$current_url": "https://app.test/"}),
            (now_minus(7100), "$identify", "nora/x?y", {"$anon_distinct_id": "anon-9"}),
            (
                now_minus(7000),
                "report_created",
                "nora/x?y",
                {"$groups": {"company": "nw-1"}, "$set": {"email": "nora@northwind.test"}},
            ),
            (now_minus(3 * 86400), "signed_up", "bob", None),
        ],
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_every_page_empty(world, role):
    client = world[role].client()
    for page in PAGES:
        response = client.get(f"/w/acme/analytics/{page}")
        assert response.status_code == 200, (role, page)
    home = client.get("/w/acme/analytics/").content.decode()
    assert "No events from Web yet" in home
    # The capture key is for members who may see it (analytics.key); stakeholders may not.
    assert (world.product.write_key in home) == (role != "stakeholder")


def test_the_empty_home_says_how_to_send_the_first_event(world):
    page = world["pm"].client().get("/w/acme/analytics/").content.decode()
    assert "curl -X POST http://testserver/batch/" in page
    assert world.product.write_key in page
    assert "capture.js" in page


def test_home_counts_and_top_events(world, events):
    page = world["stakeholder"].client().get("/w/acme/analytics/").content.decode()
    assert "No events from" not in page
    assert "<dt>Events, last 24 hours</dt><dd>3</dd>" in page
    assert "<dt>Events, last 7 days</dt><dd>4</dd>" in page
    assert "<dt>Persons, last 7 days</dt><dd>2</dd>" in page
    assert "s0_event=report_created" in page


def test_the_trends_page_draws_the_chart_and_the_table(world, events):
    client = world["contributor"].client()
    response = client.get(
        "/w/acme/analytics/trends/?s0_event=%24pageview&s1_event=report_created&compare=1"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="trends-figure"' in page
    assert "report_created · Total events (previous period)" in page
    assert "Save as chart" not in page  # contributors may not save charts
    pm = world["pm"].client().get("/w/acme/analytics/trends/?s0_event=%24pageview")
    assert "/analytics/charts/new/?kind=trends" in pm.content.decode()


def test_a_bad_trend_is_a_400_with_the_field_named(world):
    response = world["pm"].client().get("/w/acme/analytics/trends/?s0_math=wau&interval=week")
    assert response.status_code == 400
    assert 'id="t-interval-error"' in response.content.decode()
    unknown = world["pm"].client().get("/w/acme/analytics/trends/?product=nope")
    assert unknown.status_code == 400


def test_the_retention_page_shows_the_cohort_table(world, events):
    client = world["stakeholder"].client()
    empty = client.get("/w/acme/analytics/retention/").content.decode()
    assert "Choose a start event" in empty
    response = client.get("/w/acme/analytics/retention/?start_event=%24pageview&period=day")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="retention-figure"' in page
    assert "100.0%" in page and "Day 7" in page
    bad = client.get("/w/acme/analytics/retention/?start_event=x&periods=900")
    assert bad.status_code == 400 and 'id="r-periods-error"' in bad.content.decode()


def test_events_newest_first_filtered_and_paged(world, events):
    client = world["stakeholder"].client()
    page = client.get("/w/acme/analytics/events/").content.decode()
    assert page.index("report_created") < page.index("signed_up")
    only = client.get("/w/acme/analytics/events/?event=signed_up").content.decode()
    assert "<code>report_created</code>" not in only and "<code>signed_up</code>" in only
    # The anonymous page view belongs to the identified person now.
    mine = client.get("/w/acme/analytics/events/", {"person": "nora/x?y"}).content.decode()
    assert "<code>$pageview</code>" in mine and "<code>signed_up</code>" not in mine


def test_event_pages_follow_the_cursor_without_repeats(world):
    put(
        world.workspace,
        [(now_minus(60 + i), "tick", f"u{i}", None) for i in range(120)],
    )
    from lodestar.analytics.queries import explore
    from lodestar.analytics.queries.base import source_for

    seen: list[str] = []
    cursor = ""
    with source_for(world.workspace) as src:
        while True:
            page = explore.events_page(src, product="web", cursor=cursor, limit=50)
            seen += [e["uuid"] for e in page.items]
            if not page.next:
                break
            cursor = page.next
    assert len(seen) == len(set(seen)) == 120
    response = world["pm"].client().get("/w/acme/analytics/events/?cursor=garbage")
    assert response.status_code == 400


def test_persons_and_a_person_with_an_unsafe_id(world, events):
    client = world["stakeholder"].client()
    listing = client.get("/w/acme/analytics/persons/").content.decode()
    assert "nora/x?y" in listing and "Northwind" in listing
    found = client.get("/w/acme/analytics/persons/?q=NORTHWIND").content.decode()
    assert "nora/x?y" in found and ">bob<" not in found
    response = client.get(f"/w/acme/analytics/persons/person/?id={quote('nora/x?y', safe='')}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "anon-9" in page  # the merged anonymous id
    assert "nora@northwind.test" in page  # a $set property
    assert "Northwind" in page
    # The company links to its page for those who may see customers.
    assert f"/customers/companies/{world.company.key}/" not in page
    pm = world["pm"].client().get("/w/acme/analytics/persons/person/", {"id": "nora/x?y"})
    assert f"/customers/companies/{world.company.key}/" in pm.content.decode()
    assert client.get("/w/acme/analytics/persons/person/?id=nobody").status_code == 404
    assert client.get("/w/acme/analytics/persons/person/").status_code == 400


def test_no_product_says_so(world):
    Product.objects.filter(workspace=world.workspace).delete()
    client = world["pm"].client()
    for page in PAGES:
        response = client.get(f"/w/acme/analytics/{page}")
        assert response.status_code == 200
        assert "No product yet" in response.content.decode()


def test_another_workspace_sees_nothing(world, events):
    response = world["outsider"].client().get("/w/acme/analytics/")
    assert response.status_code in (403, 404)
    theirs = world["outsider"].client().get("/w/other/analytics/events/").content.decode()
    assert "report_created" not in theirs
