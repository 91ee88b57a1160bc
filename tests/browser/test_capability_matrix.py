"""Edit a cell of the capability matrix in place, with the keyboard only."""

from playwright.sync_api import expect

from lodestar.customers.market_models import Capability
from tests.browser.a11y import assert_accessible


def test_a_cell_is_edited_in_place_with_the_keyboard(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/competitors/matrix/")
    edit = page.get_by_role("link", name="Edit Routewise for Fast dispatch board for large fleets")
    edit.focus()
    page.keyboard.press("Enter")
    level = page.get_by_label("Level")
    expect(level).to_be_focused()  # the form replaced the cell and took the focus
    assert_accessible(page)
    level.select_option("has")
    page.keyboard.press("Tab")
    page.keyboard.type("Rebuilt board, fall release")
    page.keyboard.press("Tab")
    page.keyboard.type("javascript:alert(1)")
    page.keyboard.press("Enter")
    expect(page.get_by_text("is not a web address")).to_be_visible()
    # htmx wires up swapped-in content when it settles; a key pressed before that submits the
    # form the plain way (saved too, but the page reloads and the focus is lost).
    page.wait_for_function(
        "() => !document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping')"
    )
    page.get_by_label("Source").fill("https://routewise.test/releases")
    page.get_by_label("Source").press("Enter")
    cell = page.locator("td.cell", has_text="Rebuilt board")
    expect(cell).to_contain_text("Has it")
    expect(cell.get_by_role("link", name="source for Routewise")).to_have_attribute(
        "href", "https://routewise.test/releases"
    )
    expect(edit).to_be_focused()  # back where the keyboard was
    assert Capability.objects.get(competitor=acme.competitor).level == "has"
