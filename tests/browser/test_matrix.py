"""The value-versus-effort matrix in Chromium: Plotly (served by Lodestar) draws the points
under the strict Content-Security-Policy without a console error, a click on a point opens
its feature, another value measure redraws it, and the page passes axe."""

from playwright.sync_api import expect

from lodestar.planning.scoring_services import driver_values_set
from lodestar.planning.services import feature_create
from tests.browser.a11y import assert_accessible


def _features(acme) -> dict:
    pm = acme["pm"].user
    made = {}
    for title, reach, effort in [
        ("Route optimizer", 4000, "4"),  # RICE 1000
        ("Driver app dark mode", 500, "1"),
        ("Geofence alerts", 100, "8"),
    ]:
        f = feature_create(
            workspace=acme.workspace, actor=pm, title=title, product_key="web", effort=effort
        )
        driver_values_set(
            feature=f, actor=pm, values={"reach": reach, "impact": 1, "confidence": 1}
        )
        made[title] = f
    return made


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_plotly_draws_the_matrix_and_a_click_opens_the_feature(web, acme):
    made = _features(acme)
    page = web.page(user=acme["stakeholder"].user)
    errors = _watch_console(page)
    page.goto("/w/acme/features/matrix/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Value versus effort")
    chart = page.locator("#matrix-chart.js-plotly-plot")
    points = chart.locator(".scatterlayer .point")
    expect(points).to_have_count(3)
    expect(chart.locator(".annotation-text", has_text="Quick wins")).to_be_visible()
    expect(chart.locator(".legendtext")).to_have_text(["New"])
    # The features left off say why.
    expect(page.get_by_role("heading", name="Not on the matrix: 1 feature")).to_be_visible()
    expect(page.get_by_text("no effort estimate")).to_be_visible()
    assert_accessible(page)
    # The table (for keyboards and screen readers) is reachable without the chart.
    page.get_by_text("The plotted features as a table").click()
    expect(page.get_by_role("row", name="Driver app dark mode")).to_contain_text("Quick wins")
    assert_accessible(page)

    # A real mouse click on the highest point: Route optimizer.
    chart.scroll_into_view_if_needed()
    box = min((points.nth(i).bounding_box() for i in range(3)), key=lambda b: b["y"])
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    expect(chart.locator(".hoverlayer .hovertext")).to_contain_text("Route optimizer")
    page.mouse.click(x, y)
    page.wait_for_url(f"**/w/acme/features/{made['Route optimizer'].key}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Route optimizer")
    assert not errors, errors


def test_another_value_measure_redraws_the_chart(web, acme):
    _features(acme)
    page = web.page(user=acme["pm"].user)
    errors = _watch_console(page)
    page.goto("/w/acme/features/matrix/")
    page.get_by_label("Value", exact=True).select_option(label="Reach")
    page.get_by_role("button", name="Apply").click()
    chart = page.locator("#matrix-chart.js-plotly-plot")
    expect(chart.locator(".ytitle")).to_have_text("Reach")
    expect(chart.locator(".scatterlayer .point")).to_have_count(3)
    assert not errors, errors
