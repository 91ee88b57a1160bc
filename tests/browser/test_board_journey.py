"""The roadmap board in Chromium (planning/static/planning/board.js): the PM drags a feature
from Next to Now with the mouse, then puts it in a release; the move is saved (a reload
shows it) and the history lists both moves. The same from the keyboard alone, and a move
the role may not make says so in an alert while the card stays where it was."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from lodestar.planning.models import Feature
from lodestar.planning.release_services import release_create
from lodestar.planning.services import feature_create
from tests.browser.a11y import assert_accessible

VIEWPORT = {"width": 1400, "height": 900}


def _setup(acme) -> dict:
    pm = acme["pm"].user
    made = {}
    for title, horizon in [
        ("Route optimizer", "next"),
        ("Driver app dark mode", "now"),
        ("Geofence alerts", "now"),
        ("Offline mode", "later"),
    ]:
        made[title] = feature_create(
            workspace=acme.workspace, actor=pm, title=title, product_key="web", horizon=horizon
        )
    target = timezone.localdate() + timedelta(days=45)
    made["release"] = release_create(
        workspace=acme.workspace,
        actor=pm,
        name="Summer 2.4",
        product_key="web",
        team_key=acme.team.key,
        start=target - timedelta(days=30),
        target=target,
    )
    return made


def _watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _column(page: Page, name: str):
    return page.locator(".board-col", has=page.get_by_role("heading", name=name, exact=True))


def test_pm_drags_next_to_now_then_into_a_release(web, acme):
    made = _setup(acme)
    page = web.page(user=acme["pm"].user, viewport=VIEWPORT)
    errors = _watch(page)
    page.goto("/w/acme/roadmap/board/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Roadmap board")
    now, nxt = _column(page, "Now"), _column(page, "Next")
    expect(now.locator(".board-card")).to_have_count(2)
    assert_accessible(page)

    # A real mouse drag: Route optimizer from Next to the top of Now.
    card = nxt.locator(".board-card", has_text="Route optimizer")
    first = now.locator(".board-card").first
    card.drag_to(first, target_position={"x": 20, "y": 4})
    expect(page.get_by_role("status")).to_contain_text("Moved “Route optimizer” to Now.")
    expect(now.locator(".board-card")).to_have_count(3)
    expect(now.locator(".board-card").first).to_contain_text("Route optimizer")
    expect(nxt.locator(".board-card")).to_have_count(0)
    expect(now.locator(".board-col-sum")).to_contain_text("3 features")

    page.reload()
    expect(_column(page, "Now").locator(".board-card").first).to_contain_text("Route optimizer")
    feature = Feature.objects.get(pk=made["Route optimizer"].pk)
    assert feature.horizon == "now"

    # Then into the release, dragging on the releases board.
    page.get_by_role("link", name="By release").click()
    release = _column(page, "Summer 2.4")
    expect(release).to_be_visible()
    unreleased = _column(page, "No release")
    card = unreleased.locator(".board-card", has_text="Route optimizer")
    card.drag_to(release.locator(".board-cards"))
    expect(page.get_by_role("status")).to_contain_text("Moved “Route optimizer” to Summer 2.4.")
    expect(release.locator(".board-card")).to_have_count(1)
    page.reload()
    expect(_column(page, "Summer 2.4").locator(".board-card")).to_contain_text("Route optimizer")
    assert_accessible(page)

    page.get_by_role("link", name="What changed").click()
    rows = page.locator(".changes-table tbody tr", has_text="Route optimizer")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Summer 2.4")
    expect(rows.nth(1)).to_contain_text("Next")
    expect(rows.nth(1)).to_contain_text("Now")
    assert_accessible(page)
    assert not errors


def test_keyboard_only_move_and_a_refused_drag(web, acme):
    made = _setup(acme)
    page = web.page(user=acme["pm"].user, viewport=VIEWPORT)
    errors = _watch(page)
    page.goto("/w/acme/roadmap/board/")
    select = page.get_by_label("Move “Offline mode” to")
    select.focus()
    select.select_option(label="Next")  # what a keyboard's arrow keys do on a focused select
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move “Offline mode”")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Moved “Offline mode” to Next.")
    expect(_column(page, "Next").locator(".board-card", has_text="Offline mode")).to_be_visible()
    # The keyboard stays on the moved card.
    expect(page.get_by_role("link", name="Offline mode")).to_be_focused()
    assert Feature.objects.get(pk=made["Offline mode"].pk).horizon == "next"

    # The product owner may not change horizons: the drag is refused, the card stays.
    po = web.page(user=acme["po"].user, viewport=VIEWPORT)
    po.goto("/w/acme/roadmap/board/")
    expect(_column(po, "Later").locator(".board-card")).to_have_count(0)
    card = _column(po, "Next").locator(".board-card", has_text="Offline mode")
    card.drag_to(_column(po, "Now").locator(".board-cards"))
    alert = po.locator("#board-alert")
    expect(alert).to_contain_text("“Offline mode” was not moved to Now.")
    expect(alert).to_contain_text("As product owner you cannot do this")
    expect(_column(po, "Next").locator(".board-card", has_text="Offline mode")).to_be_visible()
    expect(_column(po, "Now").locator(".board-card", has_text="Offline mode")).to_have_count(0)
    assert_accessible(po)
    assert Feature.objects.get(pk=made["Offline mode"].pk).horizon == "next"
    assert not errors


def test_without_javascript_the_move_form_still_works(web, acme):
    made = _setup(acme)
    page = web.page(user=acme["pm"].user, viewport=VIEWPORT, java_script_enabled=False)
    page.goto("/w/acme/roadmap/board/")
    page.get_by_label("Move “Offline mode” to").select_option(label="Now")
    page.get_by_role("button", name="Move “Offline mode”").click()
    expect(page.get_by_text("Moved “Offline mode” to Now.")).to_be_visible()
    expect(_column(page, "Now").locator(".board-card", has_text="Offline mode")).to_be_visible()
    assert Feature.objects.get(pk=made["Offline mode"].pk).horizon == "now"


def test_saved_views_from_the_board(web, acme):
    _setup(acme)
    page = web.page(user=acme["pm"].user, viewport=VIEWPORT)
    page.goto("/w/acme/roadmap/board/?view=status")
    page.get_by_label("Search", exact=True).fill("mode")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".board-card")).to_have_count(2)
    page.get_by_text("Save this view").click()
    page.locator("#save-view-name").fill("Modes")
    page.get_by_label("Share with the workspace").check()
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view “Modes”.")).to_be_visible()
    expect(page.locator(".board-card")).to_have_count(2)
    expect(page.get_by_role("navigation", name="Saved views")).to_contain_text("Modes")

    po = web.page(user=acme["po"].user, viewport=VIEWPORT)
    po.goto("/w/acme/roadmap/board/")
    po.get_by_role("navigation", name="Saved views").get_by_role("link", name="Modes").click()
    expect(po.locator(".tabs a[aria-current]")).to_have_text("By status")
    expect(po.locator(".board-card")).to_have_count(2)
    po.goto("/w/acme/roadmap/views/")
    expect(po.get_by_text("shared by Pm")).to_be_visible()
    assert_accessible(po)

    page.goto("/w/acme/roadmap/views/")
    assert_accessible(page)
    page.get_by_role("link", name="Delete the view Modes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the view “Modes”?")
    assert_accessible(page)
    page.get_by_role("button", name="Delete view").click()
    expect(page.get_by_text("Deleted the view “Modes”.")).to_be_visible()


def test_two_planners_move_the_same_card(web, acme):
    """The second move of a card someone else moved meanwhile is a conflict naming them;
    the board then shows their move."""
    _setup(acme)
    first = web.page(user=acme["pm"].user, viewport=VIEWPORT)
    second = web.page(user=acme["admin"].user, viewport=VIEWPORT)
    for page in (first, second):
        page.goto("/w/acme/roadmap/board/")
        expect(_column(page, "Next").locator(".board-card")).to_have_count(1)

    card = _column(first, "Next").locator(".board-card", has_text="Route optimizer")
    card.drag_to(_column(first, "Later").locator(".board-cards"))
    expect(first.get_by_role("status")).to_contain_text("Moved “Route optimizer” to Later.")

    card = _column(second, "Next").locator(".board-card", has_text="Route optimizer")
    card.drag_to(_column(second, "Now").locator(".board-cards"))
    alert = second.locator("#board-alert")
    expect(alert).to_contain_text("“Route optimizer” was not moved: Pm changed it")
    expect(
        _column(second, "Later").locator(".board-card", has_text="Route optimizer")
    ).to_be_visible()
    expect(_column(second, "Now").locator(".board-card", has_text="Route optimizer")).to_have_count(
        0
    )
    assert Feature.objects.get(title="Route optimizer").horizon == "later"
