"""The SQL console in Chromium: Ctrl+Enter runs the statement, the result is a table and a
Plotly chart (under the strict Content-Security-Policy), picking another column redraws it,
and a refused statement is explained next to the editor."""

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible

STATEMENT = "SELECT i AS day, i * i AS squares, 10 - i AS left FROM range(5) t(i)"


def test_ctrl_enter_runs_the_statement_and_draws_a_chart(web, acme, event_store):
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/analytics/sql/")
    editor = page.get_by_label("SQL", exact=True)
    editor.fill(STATEMENT)
    editor.press("Control+Enter")
    expect(page.get_by_text("5 rows in")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(6)
    chart = page.locator("#sql-chart-figure.js-plotly-plot")
    expect(chart.locator(".scatterlayer .trace")).to_have_count(1)
    assert_accessible(page)

    with page.expect_navigation():  # a change re-runs the statement with the new columns
        page.get_by_label("Up (y)").select_option("left")
    with page.expect_navigation():
        page.get_by_label("Type").select_option("bar")
    expect(page.locator("#sql-chart-figure .barlayer .point")).to_have_count(5)
    expect(page.get_by_label("Up (y)")).to_have_value("left")

    editor = page.get_by_label("SQL", exact=True)
    editor.fill("SELECT * FROM read_csv('/etc/passwd')")
    editor.press("Control+Enter")
    expect(page.get_by_role("alert")).to_contain_text("read_csv() is not available")
    assert_accessible(page)
    assert errors == []
