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
