"""The PM checks in a key result and links a feature to its objective; the tree, the
objective and the feature's "why" card show it, and a decision lands on the feature page."""

from playwright.sync_api import expect

from lodestar.strategy.models import Decision
from tests.browser.a11y import assert_accessible


def test_pm_checks_in_links_a_feature_and_records_a_decision(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto(f"/w/acme/strategy/key-results/{acme.key_result.key}/")
    page.get_by_label("Current:").fill("2400")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The key result was saved.")).to_be_visible()
    expect(page.locator("progress.kr-progress")).to_have_attribute("value", "50")
    expect(page.locator("svg polyline")).to_have_count(1)  # two check-ins make a line
    assert_accessible(page)

    page.get_by_role("link", name=acme.objective.title).click()
    page.get_by_label("Feature").fill(acme.feature.title)
    page.get_by_role("button", name="Link feature").click()
    expect(page.get_by_text("The feature was linked.")).to_be_visible()
    page.goto("/w/acme/strategy/tree/web/")
    expect(page.locator(".tree-feature")).to_contain_text(acme.feature.title)

    page.goto(f"/w/acme/features/{acme.feature.key}/")
    card = page.locator(".why-card")
    expect(card).to_contain_text(acme.objective.title)
    card.get_by_role("link", name="Record a decision about this feature").click()
    page.get_by_label("Title").fill("Virtualize the board for 100+ technicians")
    page.get_by_label("Status").select_option("accepted")
    page.get_by_role("checkbox", name=acme.objective.title, exact=False).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()
    decision = Decision.objects.get(title="Virtualize the board for 100+ technicians")
    assert list(decision.features.all()) == [acme.feature]
    page.goto(f"/w/acme/features/{acme.feature.key}/")
    expect(page.locator(".why-card")).to_contain_text("Virtualize the board for 100+")
