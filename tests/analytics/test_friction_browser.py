"""The friction report in Chromium: Plotly draws the top items under the strict CSP, the
page with its table and link forms passes axe, and a PM links a row to a feature.

It lives beside the other friction tests and borrows the browser fixtures (the marker and
the skip without Chromium are applied here the way tests/browser/conftest.py does)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.analytics.test_friction import journeys
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


def test_the_report_draws_passes_axe_and_links_a_row(web, acme, event_store):  # noqa: F811
    journeys(acme, int(time.time() * 1_000_000))
    event_store.flush()
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/analytics/friction/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Friction")
    bars = page.locator("#friction-chart.js-plotly-plot .barlayer .point")
    expect(bars).to_have_count(4)
    row = page.get_by_role("row").filter(has_text="button.export")
    expect(row).to_contain_text("Rage clicks")
    assert_accessible(page)

    row.get_by_text("Link to a feature").click()
    row.get_by_label("Feature", exact=True).select_option(label=acme.feature.title)
    assert_accessible(page)
    row.get_by_role("button", name="Link as evidence").click()
    expect(page.get_by_text("as evidence (an insight)")).to_be_visible()
    linked = page.get_by_role("row").filter(has_text="button.export")
    expect(linked.get_by_role("link", name=acme.feature.title)).to_be_visible()
    assert errors == []
