"""The delivery forecast in Chromium: the burn-up with its cone and the throughput bars are
drawn by Plotly under the strict Content-Security-Policy without a console error, and the
release page with its charts, and the list with an at-risk release, pass axe."""

from playwright.sync_api import expect

from lodestar.planning.share_services import local_today
from tests.browser.a11y import assert_accessible
from tests.delivery.test_forecast_services import make_release, make_team


def test_the_burnup_and_the_cone_are_drawn(web, acme):
    from datetime import timedelta

    today = local_today(acme.workspace)
    team = make_team(acme, weekly=(3, 7, 5, 4, 6, 5, 5, 4, 6, 5, 3, 7), today=today)
    release = make_release(acme, team, "Autumn", today + timedelta(days=40), stories=36, done=6)
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/ship/forecast/")
    expect(page.get_by_role("row", name="Autumn")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Autumn").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Autumn")
    burnup = page.locator("#forecast-burnup.js-plotly-plot")
    expect(burnup.locator(".scatterlayer .trace")).to_have_count(5)  # done, 3 cone lines, scope
    expect(burnup.locator(".legendtext", has_text="95 % sure")).to_have_count(1)
    expect(burnup.locator(".annotation-text", has_text="Target")).to_be_visible()
    bars = page.locator("#forecast-throughput.js-plotly-plot .barlayer .point")
    expect(bars).to_have_count(12)
    assert_accessible(page)
    assert errors == []
    assert release.key in page.url
