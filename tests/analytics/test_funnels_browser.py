"""The funnel page in Chromium: the form runs through htmx, Plotly draws the bars under the
strict CSP, the page passes axe, and the dropped link lists the persons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.test_funnels import journeys
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import (  # noqa: F401 (fixtures)
    CHROMIUM,
    _browser_required,
    acme,
    base_url,
    browser_type_launch_args,
    web,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not _browser_required(), reason=f"{CHROMIUM} is not installed"
    ),
]


def test_a_pm_builds_a_funnel_and_opens_who_dropped(web, acme, event_store):  # noqa: F811
    journeys(
        event_store,
        acme.workspace,
        {
            "ann": [("visit", 0), ("signup", 5), ("pay", 65)],
            "bob": [("visit", 0), ("signup", 10)],
            "cy": [("visit", 0)],
        },
        product=acme.product.key,
    )
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/analytics/funnels/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Funnels")
    page.get_by_label("Event").nth(0).fill("visit")
    page.get_by_label("Event").nth(1).fill("signup")
    page.get_by_label("Event").nth(2).fill("pay")
    page.get_by_role("button", name="Show").click()
    bars = page.locator("#funnel-chart.js-plotly-plot .barlayer .point")
    expect(bars).to_have_count(3)
    expect(page.get_by_text("3 entered, 1 completed all 3 steps")).to_be_visible()
    assert "step_1=visit" in page.url  # htmx pushed the query into the address bar
    assert_accessible(page)
    page.get_by_role("link", name="1 person").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dropped before step 2")
    expect(page.get_by_role("link", name="cy")).to_be_visible()
    assert_accessible(page)
    assert errors == []
