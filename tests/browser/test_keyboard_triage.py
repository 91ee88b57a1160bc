"""Keyboard triage in the feedback inbox (feedback/static/feedback/inbox.js)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from lodestar.feedback.models import Feedback, Status
from lodestar.feedback.services import feedback_create
from tests.browser.a11y import assert_accessible

# short enough that the list runs below the fold, so "scrolled into view" means something
VIEWPORT = {"width": 1100, "height": 520}


def _fill_inbox(acme) -> None:
    # The world's own feedback was processed when linked to a feature: four in the inbox.
    texts = ("Spanish for the tech app.", "Export to CSV, please.", "Dark mode for the board.",
             "SSO with Okta.")  # fmt: skip
    for text in texts:
        feedback_create(workspace=acme.workspace, actor=acme["contributor"].user, text=text)


def _open_inbox(web, user) -> tuple[Page, list[str]]:
    page = web.page(user=user, viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/w/acme/feedback/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    return page, errors


def _keys(page: Page) -> list[str]:
    return page.locator(".feedback-item").evaluate_all("items => items.map(i => i.dataset.key)")


def _expect_current(page: Page, key: str) -> None:
    current = page.locator('.feedback-item[aria-current="true"]')
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-key", key)


def _status(key: str) -> str:
    return Feedback.objects.get(key=key).status


def test_triager_moves_selects_archives_processes_and_opens(web, acme):
    _fill_inbox(acme)
    page, errors = _open_inbox(web, acme["pm"].user)
    items = page.locator(".feedback-item")
    expect(items).to_have_count(4)
    keys = _keys(page)
    expect(page.locator('.feedback-item[aria-current="true"]')).to_have_count(0)

    for key in ("j", "j", "k"):
        page.keyboard.press(key)
    _expect_current(page, keys[0])
    expect(items.nth(0)).to_have_css("outline-style", "solid")

    for _ in range(5):  # past the end, the cursor stays on the last item, scrolled into view
        page.keyboard.press("j")
    _expect_current(page, keys[3])
    expect(items.nth(3)).to_be_in_viewport()
    for _ in range(3):
        page.keyboard.press("k")
    _expect_current(page, keys[0])
    expect(items.nth(0)).to_be_in_viewport()

    # typing, or a key with a modifier, is not a shortcut
    search = page.locator("#filter-q")
    search.press_sequentially("j")
    expect(search).to_have_value("j")
    page.get_by_role("heading", level=1).click()  # focus leaves the field
    page.keyboard.press("Alt+j")
    _expect_current(page, keys[0])

    # x checks the second item; e archives the checked one, not the current one
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(f"#pick-{keys[1]}")).to_be_checked()
    page.keyboard.press("k")
    with page.expect_navigation():
        page.keyboard.press("e")
    expect(page.get_by_role("status")).to_contain_text("1 feedback moved.")
    expect(page.locator(f'[data-key="{keys[1]}"]')).to_have_count(0)
    assert _status(keys[1]) == Status.ARCHIVED
    assert _status(keys[0]) == Status.INBOX
    _expect_current(page, keys[0])  # the cursor kept its place across the reload

    # nothing checked: p processes the current item
    page.keyboard.press("j")
    _expect_current(page, keys[2])
    with page.expect_navigation():
        page.keyboard.press("p")
    expect(page.get_by_role("status")).to_contain_text("1 feedback moved.")
    expect(page.locator(f'[data-key="{keys[2]}"]')).to_have_count(0)
    assert _status(keys[2]) == Status.PROCESSED
    expect(items).to_have_count(2)
    _expect_current(page, keys[3])  # the item that took its place

    # ? shows the help, which names every shortcut
    help_panel = page.locator("details#inbox-keys")
    page.keyboard.press("?")
    expect(help_panel).to_have_attribute("open", "")
    for key in ("j", "k", "o", "Enter", "x", "p", "e", "?"):
        kbd = help_panel.locator("kbd", has_text=re.compile(f"^{re.escape(key)}$"))
        expect(kbd).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("?")
    expect(help_panel).not_to_have_attribute("open", "")

    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(f"/w/acme/feedback/{keys[3]}/$"))
    assert errors == []


def test_non_triager_moves_and_opens_but_cannot_triage(web, acme):
    _fill_inbox(acme)
    page, errors = _open_inbox(web, acme["contributor"].user)
    items = page.locator(".feedback-item")
    expect(items).to_have_count(4)
    expect(page.locator('input[name="keys"]')).to_have_count(0)
    keys = _keys(page)

    page.keyboard.press("j")
    _expect_current(page, keys[0])
    for key in ("x", "e", "p"):
        page.keyboard.press(key)
    page.keyboard.press("j")  # still the same page: the cursor moves on
    _expect_current(page, keys[1])
    assert [_status(key) for key in keys] == [Status.INBOX] * 4

    # the help is reachable without shortcuts, and offers no triage keys
    help_panel = page.locator("details#inbox-keys")
    help_panel.get_by_text("Keyboard shortcuts").click()
    expect(help_panel.locator("kbd", has_text="j")).to_be_visible()
    expect(help_panel.locator("kbd", has_text=re.compile("^[xep]$"))).to_have_count(0)

    page.keyboard.press("k")  # focus went to the summary; the cursor still works
    _expect_current(page, keys[0])
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/w/acme/feedback/{keys[0]}/$"))
    assert errors == []
