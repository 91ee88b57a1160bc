"""The friction report: counts, people, companies, slow pages, lost conversions, linking."""

from __future__ import annotations

import math
import time
import uuid
from datetime import UTC, datetime

import pytest

from lodestar.activity.models import Entry
from lodestar.analytics.models import FrictionLink
from lodestar.analytics.queries import friction as query
from lodestar.analytics.queries.base import source_for
from lodestar.analytics.store import get_spool
from lodestar.customers.services import company_create
from lodestar.feedback.models import Importance, Insight

MINUTE = 60 * 1_000_000
DAY = 24 * 60 * MINUTE
URL = "/w/acme/analytics/friction/"


def ev(ws, name, who, at, props=None, url=None, product="web"):
    props = dict(props or {})
    if url:
        props["$current_url"] = url
    return {
        "w": ws.id,
        "p": product,
        "uuid": str(uuid.uuid4()),
        "event": name,
        "distinct_id": who,
        "ts": at,
        "properties": props,
        "received": at,
    }


EXPORT = {"$selector": "button.export", "$el_text": "Export"}


def journeys(world, now_us: int) -> None:
    """Ten people active in the last 30 days (t = 10 days ago, plus minutes):

    u0..u3 rage-click 'Export' on /reports (u0 three times); u0 exports after it, u1 had
    exported before it; u0, u1 work at Northwind (120k ARR), u2 at Contoso (50k).
    u4..u9 never meet it; u4..u7 export; u4, u5, u8, u9 view /reports. Web vitals:
    /dashboard p75 LCP 4625 ms (slow; u5, u6, u7 had a poor one), /home p75 LCP 2150 ms
    (not slow, one poor), /settings CLS 0.3 (slow; both u8 and u9 poor).
    u9 has a dead click on /settings. Noise: an old rage click, another product's, another
    workspace's.
    """
    ws = world.workspace
    company_create(
        workspace=ws, actor=world["owner"].user, name="Contoso", domain="contoso.test", arr="50k"
    )
    t = now_us - 10 * DAY
    rows = [ev(ws, "$pageview", f"u{i}", t, url="https://app.test/") for i in range(10)]
    rows += [
        ev(ws, "$identify", "u0", t + 1, {"$groups": {"company": "northwind.test"}}),
        ev(ws, "$identify", "u1", t + 1, {"$groups": {"company": "northwind.test"}}),
        ev(ws, "$identify", "u2", t + 1, {"$groups": {"company": "contoso.test"}}),
        ev(ws, "report_exported", "u1", t + 2 * MINUTE),
    ]
    for i in range(4):
        for n in range(3 if i == 0 else 1):
            rows.append(
                ev(
                    ws,
                    "$rageclick",
                    f"u{i}",
                    t + 5 * MINUTE + n,
                    EXPORT,
                    url="https://app.test/reports?tab=2#top",
                )
            )
    rows.append(ev(ws, "report_exported", "u0", t + 9 * MINUTE))
    # Others see /reports without meeting the rage clicks: u4, u5 (who export), u8, u9.
    for who in ("u4", "u5", "u8", "u9"):
        rows.append(ev(ws, "$pageview", who, t + MINUTE, url="https://app.test/reports"))
    rows += [ev(ws, "report_exported", f"u{i}", t + 3 * MINUTE) for i in range(4, 8)]
    rows.append(ev(ws, "opened_settings", "u9", t + 3 * MINUTE))
    for who, lcp in (("u5", 5000), ("u6", 4500), ("u8", 3000), ("u7", 4200)):
        rows.append(
            ev(ws, "$web_vitals", who, t + MINUTE, {"$pathname": "/dashboard", "$lcp": lcp})
        )
    for who, lcp in (("u4", 1000), ("u5", 5000), ("u6", 1200), ("u7", 1100)):
        rows.append(ev(ws, "$web_vitals", who, t + MINUTE, {"$pathname": "/home", "$lcp": lcp}))
    rows += [
        ev(ws, "$web_vitals", "u9", t + MINUTE, {"$pathname": "/settings", "$cls": 0.3}),
        ev(ws, "$web_vitals", "u8", t + MINUTE, {"$pathname": "/settings", "$cls": 0.31}),
        ev(ws, "$dead_click", "u9", t + 4 * MINUTE, {"$selector": "a.help"}, url="/settings"),
        # Noise: out of the period, another product, another workspace.
        ev(ws, "$rageclick", "u5", now_us - 40 * DAY, EXPORT, url="https://app.test/reports"),
        ev(ws, "$rageclick", "u5", t, EXPORT, url="https://app.test/reports", product="mobile"),
        ev(world.other, "$rageclick", "x", t, EXPORT, url="https://app.test/reports"),
    ]
    get_spool().append(rows)


def _report(world, event_store, **kw):
    now = datetime.now(UTC)
    journeys(world, int(now.timestamp() * 1_000_000))
    event_store.flush()
    params = query.Params(product="web", now=now, **kw)
    with source_for(world.workspace) as src:
        return query.run(src, params)


def _item(result, kind, page):
    found = [i for i in result["items"] if (i["kind"], i["page"]) == (kind, page)]
    assert len(found) == 1, result["items"]
    return found[0]


@pytest.mark.django_db
def test_counts_people_companies_and_arr_per_page_and_element(world, event_store):
    result = _report(world, event_store)
    assert result["conversion"] == "report_exported"  # the most frequent custom event
    assert result["active"] == 10
    rage = _item(result, "rage", "/reports")  # query string and fragment stripped
    assert rage["element"] == "button.export"
    assert rage["el_text"] == "Export"
    assert (rage["events"], rage["persons"], rage["companies"]) == (6, 4, 2)
    assert rage["arr"] == 170_000
    dead = _item(result, "dead", "/settings")
    assert (dead["events"], dead["persons"], dead["companies"]) == (1, 1, 0)
    kinds = sorted((i["kind"], i["page"]) for i in result["items"])
    assert kinds == [
        ("dead", "/settings"),
        ("rage", "/reports"),
        ("slow", "/dashboard"),
        ("slow", "/settings"),
    ]


@pytest.mark.django_db
def test_slow_pages_are_poor_at_the_75th_percentile(world, event_store):
    result = _report(world, event_store)
    dashboard = _item(result, "slow", "/dashboard")
    # LCP 3000, 4200, 4500, 5000: p75 interpolates to 4500 + 0.25 * 500.
    assert dashboard["vitals"]["lcp"] == pytest.approx(4625)
    assert (dashboard["events"], dashboard["persons"]) == (3, 3)  # the poor measurements
    settings_page = _item(result, "slow", "/settings")
    assert settings_page["vitals"]["cls"] == pytest.approx(0.3075)
    # /home had one poor LCP, but its p75 (2150 ms) is fine.
    assert not [i for i in result["items"] if i["page"] == "/home"]


@pytest.mark.django_db
def test_lost_conversions_and_their_interval_by_hand(world, event_store):
    result = _report(world, event_store)
    rage = _item(result, "rage", "/reports")
    # Affected 4, of whom u0 converted after the friction (u1 only before): 1/4.
    # The page's other visitors: u4, u5, u8, u9, of whom u4 and u5 converted: 2/4.
    assert (rage["baseline"], rage["unaffected"], rage["converted"]) == ("page", 4, 1)
    assert rage["rate_affected"] == pytest.approx(1 / 4)
    assert rage["rate_unaffected"] == pytest.approx(2 / 4)
    assert rage["lost"] == pytest.approx(4 * (2 / 4 - 1 / 4))
    z = 1.959963984540054

    def wilson(x, n):
        p = x / n
        c, s = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (c - s) / (1 + z * z / n), (c + s) / (1 + z * z / n)

    (l1, u1), (l2, u2) = wilson(2, 4), wilson(1, 4)
    d = 2 / 4 - 1 / 4
    low = d - math.sqrt((2 / 4 - l1) ** 2 + (u2 - 1 / 4) ** 2)
    high = d + math.sqrt((u1 - 2 / 4) ** 2 + (1 / 4 - l2) ** 2)
    assert (rage["lost_low"], rage["lost_high"]) == pytest.approx((4 * low, 4 * high))
    # Everyone on /settings had a poor CLS: the baseline is the product's other 8 active
    # people, of whom 6 converted; neither of the 2 affected did: 2 x 6/8 lost.
    settings_page = _item(result, "slow", "/settings")
    assert (settings_page["baseline"], settings_page["unaffected"]) == ("product", 8)
    assert settings_page["lost"] == pytest.approx(1.5)
    # Ranked by impact.
    lost = [i["lost"] for i in result["items"]]
    assert lost == sorted(lost, reverse=True)
    assert (result["items"][0]["page"], result["items"][1]["page"]) == ("/settings", "/reports")


def test_newcombe_matches_his_published_example():
    # Newcombe (1998), Statistics in Medicine 17: 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    diff, low, high = query.newcombe(56, 70, 48, 80)
    assert diff == pytest.approx(0.2)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.django_db
def test_sort_by_arr_and_a_chosen_conversion_event(world, event_store):
    result = _report(world, event_store, sort="arr", conversion="opened_settings")
    assert result["conversion"] == "opened_settings"
    assert result["items"][0]["kind"] == "rage"  # the only item with companies
    assert [i["arr"] for i in result["items"]] == sorted(
        (i["arr"] for i in result["items"]), reverse=True
    )


def test_parse_rejects_bad_periods_and_sorts():
    from lodestar.core.errors import Invalid

    with pytest.raises(Invalid) as caught:
        query.parse({"days": "3", "sort": "nope"})
    assert set(caught.value.fields) == {"days", "sort"}
    assert query.parse({"days": "7", "conversion": " paid "}) == query.Params(
        days=7, conversion="paid"
    )


@pytest.mark.django_db
def test_page_shows_the_ranked_table_and_the_chart(world, event_store):
    journeys(world, int(time.time() * 1_000_000))
    event_store.flush()
    response = world["stakeholder"].client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/reports" in html and "button.export" in html and "Rage clicks" in html
    assert 'data-chart="friction-figure"' in html
    assert "Link to a feature" not in html  # stakeholders read only
    assert world["pm"].client().get(URL + "?days=3").status_code == 400
    assert world["pm"].client().get(URL + "?product=nope").status_code == 400


@pytest.mark.django_db
def test_empty_state_explains_the_snippet(world, event_store):
    response = world["pm"].client().get(URL)
    assert response.status_code == 200
    assert b"Install the snippet" in response.content


@pytest.mark.django_db
def test_linking_makes_feedback_an_insight_and_a_link(world, event_store):
    journeys(world, int(time.time() * 1_000_000))
    event_store.flush()
    body = {
        "product": "web",
        "days": "30",
        "kind": "rage",
        "page": "/reports",
        "element": "button.export",
        "feature": world.feature.key,
    }
    response = world["pm"].client().post(URL, body)
    assert response.status_code == 302
    link = FrictionLink.objects.get()
    insight = link.insight
    assert insight.feature == world.feature
    assert insight.feedback.text == (
        "4 people (2 companies, $170k ARR) rage-clicked 'Export' on /reports in the last 30 "
        "days (6 rage clicks). Element: button.export. 1 of them did report_exported "
        "afterwards (25%) against 50% of the page's 4 other visitors: about 1.0 lost "
        "conversions (95 % interval -1.3 to 2.6)."
    )
    assert insight.snippet == insight.feedback.text
    assert insight.importance == Importance.IMPORTANT  # a loss, but the interval has 0
    assert Entry.objects.filter(verb="linked friction to", target_key=world.feature.key).exists()
    page = world["pm"].client().get(URL).content.decode()
    assert f'Linked to <a href="/w/acme/features/{world.feature.key}/">' in page

    # Roles: stakeholders and contributors cannot link; a missing feature is a clear 400.
    before = Insight.objects.count()
    for name in ("stakeholder", "contributor"):
        assert world[name].client().post(URL, body).status_code == 403
    missing = world["pm"].client().post(URL, body | {"feature": ""})
    assert missing.status_code == 400
    assert b"Choose the feature" in missing.content
    gone = world["pm"].client().post(URL, body | {"page": "/nowhere"})
    assert gone.status_code == 400
    assert Insight.objects.count() == before
