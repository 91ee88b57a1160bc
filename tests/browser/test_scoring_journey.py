"""The PM enters driver values, tries another formula in what-if, sees the ranking move,
saves it to the model, and the feature's score history shows the change."""

from playwright.sync_api import expect

from lodestar.planning.scoring_services import driver_values_set
from lodestar.planning.services import feature_create, feature_update
from tests.browser.a11y import assert_accessible


def test_pm_tries_a_formula_sees_the_ranking_move_and_saves(web, acme):
    pm = acme["pm"].user
    wide = feature_create(
        workspace=acme.workspace, actor=pm, title="Route optimizer", product_key="web", effort="4"
    )
    driver_values_set(
        feature=wide, actor=pm, values={"reach": 2000, "impact": 2, "confidence": 0.8}
    )  # RICE 800
    feature_update(feature=acme.feature, actor=pm, effort="1")
    page = web.page(user=pm)
    page.goto(f"/w/acme/features/{acme.feature.key}/")
    page.get_by_text("Enter driver values").click()
    page.get_by_label("Reach").fill("500")
    page.get_by_label("Impact").fill("1")
    page.locator("#id_driver-confidence").fill("1")
    page.get_by_role("button", name="Save drivers").click()
    expect(page.get_by_text("Driver values saved.")).to_be_visible()  # RICE 500

    page.goto("/w/acme/features/ranking/")
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first).to_contain_text("Route optimizer")
    page.get_by_label("What-if formula").fill("sqrt(reach) * impact * confidence / effort")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("What-if: the ranking below uses")).to_be_visible()
    expect(rows.first).to_contain_text(acme.feature.title)
    expect(rows.first.locator(".up")).to_contain_text("1")
    assert_accessible(page)

    page.get_by_role("button", name="Save this formula to RICE").click()
    expect(page.get_by_text("Scoring model saved.")).to_be_visible()
    acme.scoring_model.refresh_from_db()
    assert acme.scoring_model.formula == "sqrt(reach) * impact * confidence / effort"

    page.goto(f"/w/acme/features/{acme.feature.key}/")
    page.locator("summary", has_text="Score history").click()
    expect(page.get_by_role("region", name="Scores").locator("table")).to_contain_text("sqrt(")


def test_pm_weighs_a_model_saves_opens_the_matrix_and_decides(web, acme):
    """The issue's journey: change the model, what-if a weight, save, open the value-versus-
    effort matrix, click the top feature, record a decision linked to it."""
    from lodestar.planning.scoring_services import scoring_model_create
    from lodestar.strategy.models import Decision

    pm = acme["pm"].user
    for title, reach, fit in [("Route optimizer", 2000, 1), ("Geofence alerts", 200, 5)]:
        f = feature_create(
            workspace=acme.workspace, actor=pm, title=title, product_key="web", effort="2"
        )
        driver_values_set(feature=f, actor=pm, values={"reach": reach, "strategic_fit": fit})
    model = scoring_model_create(
        workspace=acme.workspace, product=acme.product, actor=pm, name="Reach and fit",
        kind="custom", formula="(w_reach * reach + w_fit * strategic_fit) / effort",
        weights="w_reach = 0.01\nw_fit = 1",
    )  # fmt: skip
    page = web.page(user=pm)
    page.goto("/w/acme/features/ranking/")
    page.get_by_label("Model", exact=True).select_option(label="Web · Reach and fit")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first).to_contain_text("Route optimizer")  # 10.5 against 3.5

    page.get_by_label("Weight w_fit").fill("10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("What-if: the ranking below uses")).to_be_visible()
    expect(rows.first).to_contain_text("Geofence alerts")  # (2 + 50) / 2 = 26 against 15.5
    expect(rows.first.locator(".up")).to_contain_text("1")
    page.get_by_role("button", name="Save these weights to Reach and fit").click()
    expect(page.get_by_text("Scoring model saved.")).to_be_visible()
    model.refresh_from_db()
    assert model.weights == {"w_reach": 0.01, "w_fit": 10.0}

    page.get_by_role("link", name="See the ranking").click()
    page.get_by_label("Show the business case").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("columnheader", name="Payback")).to_be_visible()
    expect(rows.first).to_contain_text("No cost: no team")
    assert_accessible(page)
    page.get_by_role("link", name="Value versus effort").click()
    point = page.locator(".scatterlayer .point")
    expect(point.first).to_be_visible()
    top = page.locator("details table tbody tr").filter(has_text="Geofence alerts")
    expect(top).to_have_count(1)
    assert_accessible(page)
    geofence = acme.workspace.features.get(title="Geofence alerts")
    # A real mouse click on the highest point (the value axis is the score): the top feature.
    boxes = [point.nth(i).bounding_box() for i in range(point.count())]
    top_box = min((b for b in boxes if b), key=lambda b: b["y"])
    x, y = top_box["x"] + top_box["width"] / 2, top_box["y"] + top_box["height"] / 2
    page.mouse.move(x, y)
    expect(page.locator(".hoverlayer")).to_contain_text("Geofence alerts")
    page.mouse.click(x, y)
    expect(page).to_have_url(f"{web.base_url}/w/acme/features/{geofence.key}/")

    page.get_by_role("link", name="Record a decision about this feature").click()
    page.get_by_label("Title").fill("Build geofence alerts before the optimizer")
    page.get_by_label("Status").select_option("accepted")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    decision = Decision.objects.get(title="Build geofence alerts before the optimizer")
    assert list(decision.features.all()) == [geofence]
