"""Phone width (390 x 800): the page never scrolls sideways; wide tables scroll inside
their `.table-wrap`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 800}
PAGES = {
    "overview": "/w/acme/",
    "members": "/w/acme/members/",
    "products": "/w/acme/products/",
    "teams": "/w/acme/teams/",
    "activity": "/w/acme/activity/",
    "tokens": "/w/acme/tokens/",
}

MEASURE = """() => ({
    viewport: window.innerWidth,
    page: document.scrollingElement.scrollWidth,
    wraps: [...document.querySelectorAll('.table-wrap')].map(w => ({
        right: w.getBoundingClientRect().right, scroll: w.scrollWidth, client: w.clientWidth,
    })),
})"""


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_has_no_horizontal_page_overflow(web, acme, name):
    page = web.page(user=acme["owner"].user, viewport=PHONE)
    page.goto(PAGES[name])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    size = page.evaluate(MEASURE)
    assert size["viewport"] == PHONE["width"]
    assert size["page"] <= size["viewport"] + 1, (
        f"{name}: the page is {size['page']}px wide in a {size['viewport']}px viewport"
    )
    for wrap in size["wraps"]:
        assert wrap["right"] <= size["viewport"] + 1, (name, wrap)


def test_members_table_scrolls_inside_its_wrap_on_a_phone(web, acme):
    page = web.page(user=acme["owner"].user, viewport=PHONE)
    page.goto("/w/acme/members/")
    wrap = page.locator(".table-wrap")
    expect(wrap.get_by_role("row").filter(has_text="stakeholder@acme.test")).to_have_count(1)
    size = page.evaluate(MEASURE)
    (members,) = size["wraps"]
    assert members["scroll"] > members["client"], "the members table should scroll in its box"
    assert size["page"] <= size["viewport"] + 1
    # The pending invitation's link field stays inside the page too.
    link = page.locator("li.invitation input.copy")
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"] + 1, box
