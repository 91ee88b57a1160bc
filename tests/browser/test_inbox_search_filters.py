"""The inbox's search box and saved filters, in the browser: `/` focuses the search, a
search is saved by name, applied in one click, renamed, and the page stays accessible."""

from __future__ import annotations

from playwright.sync_api import expect

from lodestar.feedback.models import SavedFilter
from lodestar.feedback.saved_filters import saved_filter_create
from lodestar.feedback.services import feedback_create
from tests.browser.a11y import assert_accessible


def test_search_save_apply_and_rename_a_filter(web, acme):
    for text in ("Café menu for the dispatch board.", "Invoices duplicate in QuickBooks."):
        feedback_create(workspace=acme.workspace, actor=acme["contributor"].user, text=text)
    saved_filter_create(
        membership=acme["pm"].membership, name="Everything processed", query="status=processed"
    )
    page = web.page(user=acme["po"].user)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/w/acme/feedback/")

    # "/" jumps to the search box from anywhere but a text field.
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search feedback")
    expect(search).to_be_focused()
    search.fill("CAFE")
    search.press("Enter")
    items = page.locator(".feedback-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Café menu")

    # Save it, shared: the page comes back on the saved filter, marked as the one applied.
    page.get_by_text("Save this filter").click()
    page.locator("#save-filter-name").fill("Café talk")
    page.get_by_label("Share with the workspace").check()
    page.get_by_role("button", name="Save filter").click()
    chip = page.get_by_role("link", name="Café talk")
    expect(chip).to_have_attribute("aria-current", "true")
    saved = SavedFilter.objects.get(name="Café talk")
    assert saved.shared and saved.query == "status=inbox&q=CAFE"

    # The pm's private filter is not offered to the po; one click applies a filter.
    expect(page.get_by_role("link", name="Everything processed")).to_have_count(0)
    page.goto("/w/acme/feedback/")
    expect(items).to_have_count(2)  # the world's own feedback is processed
    chip.click()
    expect(items).to_have_count(1)

    # Rename it from the manage panel.
    page.get_by_text("Manage saved filters").click()
    assert_accessible(page)
    name = page.locator(f"#filter-{saved.key}-name")
    name.fill("Café mentions")
    edit = page.get_by_role("form", name="Edit the filter Café talk")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Café mentions")).to_be_visible()
    assert not errors, errors
