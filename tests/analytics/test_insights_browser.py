"""Trends and retention in Chromium, with data: Plotly draws under the strict CSP, and the
pages (chart, tables, heatmap colours) pass axe. Borrows the browser fixtures as
test_friction_browser.py does."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.analytics.test_trends import put
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


def ago(days: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - days * 86400))


def test_trends_and_retention_draw_and_pass_axe(web, acme, event_store):  # noqa: F811
    rows = []
    for person in range(12):
        for day in range(0, 40, 3 + person % 4):
            rows.append((ago(day + 0.01), "$pageview", f"p{person}", {"plan": "pro"}))
        rows.append((ago(35 - person), "signed_up", f"p{person}", None))
    put(acme.workspace, rows)
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/analytics/")
    expect(page.get_by_role("heading", name="Top events, last 7 days")).to_be_visible()
    assert_accessible(page)
    page.goto("/w/acme/analytics/trends/?s0_event=%24pageview&s0_math=persons&compare=1")
    expect(page.locator("#trends-chart .main-svg").first).to_be_visible()
    assert_accessible(page)
    page.goto("/w/acme/analytics/retention/?start_event=signed_up&return_event=%24pageview")
    expect(page.locator("#retention-chart .main-svg").first).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Week 0")
    assert_accessible(page)
    page.goto("/w/acme/analytics/persons/")
    page.get_by_role("link", name="p0", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("p0")
    assert_accessible(page)
    assert errors == []
