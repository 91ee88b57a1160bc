"""The product owner's backlog in the browser: reorder stories by dragging (a real mouse
drag) and with the keyboard buttons, tick acceptance criteria, reload and find both saved;
and a stale story edit in a second browser context gets the conflict message."""

from playwright.sync_api import Page, expect

from lodestar.planning import backlog_services as services
from lodestar.planning.backlog_models import AcceptanceCriterion, UserStory
from tests.browser.a11y import assert_accessible


def _order(acme) -> list[str]:
    return list(
        UserStory.objects.filter(workspace=acme.workspace)
        .order_by("rank", "pk")
        .values_list("title", flat=True)
    )


def _titles(page: Page) -> list[str]:
    return page.locator("table.backlog tbody tr td:nth-child(2) > a").all_inner_texts()


def _drag(page: Page, source: str, target: str) -> None:
    """Press `source`'s handle, move over the upper half of `target`'s row, release."""
    handle = page.locator(f"tr[data-story='{source}'] .rank-handle").bounding_box()
    row = page.locator(f"tr[data-story='{target}']").bounding_box()
    assert handle and row
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(row["x"] + 20, row["y"] + row["height"] / 2, steps=8)
    page.mouse.move(row["x"] + 20, row["y"] + 3, steps=4)
    with page.expect_response(lambda r: r.url.endswith("/backlog/rank/")) as response:
        page.mouse.up()
    assert response.value.status == 200


def test_po_ranks_by_drag_and_keyboard_ticks_criteria_and_it_all_stays(web, acme):
    po = acme["po"]
    first = acme.story.title
    for title in ("Show job notes", "Route map", "Offline mode"):
        services.story_create(
            workspace=acme.workspace,
            actor=po.user,
            membership=po.membership,
            feature_key=acme.feature.key,
            title=title,
            points=2,
        )
    keys = dict(UserStory.objects.values_list("title", "key"))
    page = web.page(user=po.user)
    page.goto("/w/acme/backlog/")
    expect(page.locator("table.backlog tbody tr")).to_have_count(4)
    assert _titles(page) == [first, "Show job notes", "Route map", "Offline mode"]

    # Drag "Offline mode" (last) above "Show job notes" (second).
    _drag(page, keys["Offline mode"], keys["Show job notes"])
    assert _titles(page) == [first, "Offline mode", "Show job notes", "Route map"]
    assert _order(acme) == [first, "Offline mode", "Show job notes", "Route map"]

    # Keyboard: "Route map" up one, by Enter on its focused button (fetch, row moves in place).
    up = page.get_by_role("button", name="Move Route map up")
    up.focus()
    with page.expect_response(lambda r: r.url.endswith("/backlog/rank/")):
        page.keyboard.press("Enter")
    expect(page.locator("table.backlog tbody tr").nth(2)).to_contain_text("Route map")
    expect(up).to_be_focused()
    assert _order(acme) == [first, "Offline mode", "Route map", "Show job notes"]
    with page.expect_response(lambda r: r.url.endswith("/backlog/rank/")):
        page.get_by_role("button", name="Move Show job notes to the top").click()
    expect(page.locator("table.backlog tbody tr").first).to_contain_text("Show job notes")
    assert_accessible(page)

    # Tick both acceptance criteria of the first story.
    page.goto(f"/w/acme/backlog/stories/{acme.story.key}/")
    for text in ("Opens in under 1 s with 100 techs", "Scrolling stays smooth"):
        box = page.get_by_label(text)
        with page.expect_response(lambda r: r.url.endswith("/tick/")):
            box.check()
        expect(page.get_by_label(text)).to_be_checked()
    expect(page.get_by_role("button", name="Save", exact=True).first).to_be_hidden()
    assert AcceptanceCriterion.objects.filter(story=acme.story, done=True).count() == 2

    # Reload both: the order and the ticks were saved.
    page.reload()
    expect(page.get_by_label("Scrolling stays smooth")).to_be_checked()
    expect(page.get_by_label("Opens in under 1 s with 100 techs")).to_be_checked()
    page.goto("/w/acme/backlog/")
    assert _titles(page) == ["Show job notes", first, "Offline mode", "Route map"]
    expect(page.locator(f"tr[data-story='{acme.story.key}']")).to_contain_text("2/2")


def test_keyboard_buttons_work_without_javascript(web, acme):
    po = acme["po"]
    services.story_create(
        workspace=acme.workspace,
        actor=po.user,
        membership=po.membership,
        feature_key=acme.feature.key,
        title="Second",
    )
    page = web.page(user=po.user, java_script_enabled=False)
    page.goto("/w/acme/backlog/")
    page.get_by_role("button", name="Move Second up").click()
    expect(page.get_by_text("Moved Second.")).to_be_visible()
    assert _titles(page) == ["Second", acme.story.title]


def test_a_stale_story_edit_in_a_second_browser_gets_the_conflict(web, acme):
    url = f"/w/acme/backlog/stories/{acme.story.key}/"
    pm = web.page(user=acme["pm"].user)
    po = web.page(user=acme["po"].user)
    for page in (pm, po):
        page.goto(url)
        page.locator("summary", has_text="Edit the story").click()
    pm.get_by_label("Points").fill("13")
    pm.get_by_role("button", name="Save story").click()
    expect(pm.get_by_text("Story saved.")).to_be_visible()

    po.get_by_label("Title").fill("Open the board in under a second")
    po.get_by_role("button", name="Save story").click()
    alert = po.get_by_role("alert").filter(has_text="someone else changed this story")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("points: 5 → 13")
    expect(po.get_by_label("Title")).to_have_value("Open the board in under a second")
    assert_accessible(po)
    acme.story.refresh_from_db()
    assert acme.story.points == 13 and acme.story.title != "Open the board in under a second"

    # The points the PO left alone now show the PM's; saving again keeps both changes.
    expect(po.get_by_label("Points")).to_have_value("13")
    po.get_by_role("button", name="Save story").click()
    expect(po.get_by_text("Story saved.")).to_be_visible()
    acme.story.refresh_from_db()
    assert acme.story.title == "Open the board in under a second" and acme.story.points == 13
