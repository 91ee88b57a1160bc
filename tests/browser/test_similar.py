"""Similar feedback in the browser: the panel loads on the feedback page, a duplicate is
merged and unmerged, themes show their ARR bars; every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lodestar.customers.services import company_create
from lodestar.feedback.models import Feedback, Status
from lodestar.feedback.services import feedback_create
from tests.browser.a11y import assert_accessible

TEXTS = [
    "QuickBooks Online sync creates every invoice twice for us.",
    "Invoices show up twice in QuickBooks after the nightly sync.",
    "Let customers book a maintenance visit online from the portal.",
    "Online booking in the customer portal would save our CSRs hours.",
    "Send an on-my-way text with the arrival window when the tech leaves.",
    "Customers keep calling to ask when the tech arrives: text them.",
]


@pytest.fixture
def similar_world(acme, settings, tmp_path):
    settings.ENV = {**settings.ENV, "LODESTAR_SIMILAR_ENGINE": "tfidf"}
    settings.DATA_DIR = tmp_path
    big = company_create(workspace=acme.workspace, actor=acme["owner"].user, name="Big Fleet",
                         domain="big.test", arr="900000")  # fmt: skip
    for n, text in enumerate(TEXTS * 2):
        feedback_create(workspace=acme.workspace, actor=acme["pm"].user, text=text,
                        company_domain=big.domain if n % 3 == 0 else "")  # fmt: skip
    acme.twin = feedback_create(
        workspace=acme.workspace,
        actor=acme["pm"].user,
        text="The dispatch board gets slow when we have more than 50 techs on it!!",
        person_email="nora@northwind.test",
    )
    return acme


def test_the_panel_loads_on_the_feedback_page(web, similar_world):
    page = web.page(user=similar_world["contributor"].user)
    page.goto(f"/w/acme/feedback/{similar_world.feedback.key}/")
    panel = page.locator("#similar")
    expect(panel.get_by_role("link", name="The dispatch board gets slow")).to_be_visible()
    expect(panel).to_contain_text("% alike")
    expect(panel).to_contain_text("Northwind")
    assert_accessible(page)


def test_a_triager_merges_a_duplicate_and_undoes_it(web, similar_world):
    page = web.page(user=similar_world["po"].user)
    page.goto("/w/acme/feedback/")
    page.get_by_role("link", name="Possible duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates")
    assert_accessible(page)
    page.get_by_role("button", name="Merge pair 1").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Merged into")
    merged = Feedback.objects.filter(duplicate_of__isnull=False).get()
    assert merged.status == Status.ARCHIVED
    page.get_by_role("button", name="Unmerge").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Unmerged")
    merged.refresh_from_db()
    assert merged.duplicate_of is None and merged.status == Status.INBOX


def test_themes_show_arr_bars_and_a_theme(web, similar_world):
    page = web.page(user=similar_world["pm"].user)
    page.goto("/w/acme/loop/listen/")
    page.get_by_role("link", name="Themes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes")
    expect(page.locator("meter.theme-arr").first).to_be_visible()
    assert_accessible(page)
    page.locator("table.themes tbody a").first.click()
    expect(page.locator("#theme-title")).to_be_visible()
    assert_accessible(page)
