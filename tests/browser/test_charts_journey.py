"""Saved charts in Chromium: a dashboard and a feature page draw their charts (Plotly served
by Lodestar, under the strict Content-Security-Policy) and the adoption chart marks the
release; a PM embeds a chart on a decision from the page itself."""

import time
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from lodestar.analytics import adoption
from lodestar.analytics.store import flush, get_spool
from tests.browser.a11y import assert_accessible


def _events(acme) -> None:
    now = int(time.time() * 1_000_000)
    rows = []
    for day in range(0, 40, 3):
        for i in range(4):
            name = "signed_up" if i == 0 else ("report_exported" if day < 20 else "$pageview")
            rows.append(
                {
                    "w": acme.workspace.id,
                    "p": "web",
                    "uuid": str(uuid.uuid4()),
                    "event": name,
                    "distinct_id": f"u{i}",
                    "ts": now - day * 86_400_000_000,
                    "properties": {},
                    "received": now,
                }
            )
    get_spool().append(rows)
    flush()


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_a_stakeholder_sees_the_dashboard_drawn(web, acme):
    _events(acme)
    page = web.page(user=acme["stakeholder"].user)
    errors = _watch_console(page)
    page.goto(f"/w/acme/analytics/dashboards/{acme.dashboard.key}/")
    expect(page.locator(".chart-plot .main-svg").first).to_be_visible()
    assert_accessible(page)
    assert not errors, errors


def test_the_feature_page_draws_adoption_with_the_release_line(web, acme):
    _events(acme)
    feature = acme.feature
    acme.release.released_on = timezone.localdate() - timedelta(days=21)
    acme.release.save()
    feature.product = acme.product
    feature.release = acme.release
    feature.save()
    adoption.adoption_set(feature=feature, actor=None, event="report_exported")
    page = web.page(user=acme["pm"].user)
    errors = _watch_console(page)
    page.goto(f"/w/acme/features/{feature.key}/")
    chart = page.locator("#adoption-chart")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".shapelayer path")).to_have_count(1)  # the release
    expect(page.locator("#embedded-charts .main-svg").first).to_be_visible()
    assert_accessible(page)
    assert not errors, errors


def test_a_pm_embeds_a_chart_on_a_decision(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto(f"/w/acme/decisions/{acme.decision.key}/")
    page.locator("#embedded-charts select[name=chart_key]").select_option(acme.chart.key)
    page.get_by_role("button", name="Show chart here").click()
    expect(page.get_by_role("status").first).to_contain_text("is shown here now")
    expect(page.locator("#embedded-charts figcaption")).to_contain_text("Daily signups")
    page.get_by_role("button", name="Remove Daily signups from this page").click()
    expect(page.locator("#embedded-charts")).to_contain_text("No charts shown here yet")
