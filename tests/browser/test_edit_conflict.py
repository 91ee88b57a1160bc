"""Two members edit the same feature (or release) at once, each in their own browser: the
second save gets a conflict naming the first person and their change, keeps the second
person's input, and a second click applies it on top of the first change."""

from playwright.sync_api import expect

from lodestar.planning.models import Feature
from tests.browser.a11y import assert_accessible


def test_the_second_save_shows_the_first_persons_change(web, acme):
    url = f"/w/acme/features/{acme.feature.key}/"
    first = web.page(user=acme["pm"].user)
    second = web.page(user=acme["admin"].user)
    for page in (first, second):
        page.goto(url)
        page.locator("summary", has_text="Edit").click()

    first.get_by_label("Tags").fill("performance, fleets")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_text("Feature saved.")).to_be_visible()

    second.get_by_label("Horizon").select_option("now")
    second.get_by_label("Release").select_option(label="Spring 2027 (target May 28, 2027)")
    second.get_by_role("button", name="Save", exact=True).click()
    conflict = second.locator("#edit-conflict")
    expect(conflict).to_contain_text("Not saved: someone else changed this feature")
    expect(conflict).to_contain_text("Pm")
    expect(conflict).to_contain_text("Tags — → performance, fleets")
    # Nothing lost: the second person's input is still in the form.
    expect(second.get_by_label("Horizon")).to_have_value("now")
    expect(second.get_by_label("Tags")).to_have_value("performance, fleets")
    assert_accessible(second)

    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("Feature saved.")).to_be_visible()
    # Both changes are in: the re-shown form took the first person's tags (a field the second
    # person had not touched) and kept the second person's horizon and release.
    feature = Feature.objects.get(pk=acme.feature.pk)
    assert feature.horizon == "now" and feature.release == acme.release
    assert feature.tags == "performance, fleets"


def test_two_planners_edit_a_release_and_the_page_shows_capacity_and_warnings(web, acme):
    from lodestar.planning.release_services import dependency_add, feature_move
    from lodestar.planning.services import feature_create, feature_update

    pm = acme["pm"]
    feature_update(feature=acme.feature, actor=pm.user, effort="20", effort_unit="weeks")
    feature_move(
        feature=acme.feature, actor=pm.user, membership=pm.membership, release_key=acme.release.key
    )
    feature_create(workspace=acme.workspace, actor=pm.user, title="Map tiles", product_key="web")
    dependency_add(feature=acme.feature, actor=pm.user, title="Map tiles")
    url = f"/w/acme/releases/{acme.release.key}/"
    first = web.page(user=pm.user)
    second = web.page(user=acme["po"].user)
    for page in (first, second):
        page.goto(url)
        page.locator("summary", has_text="Edit").click()
    expect(first.get_by_role("alert").first).to_contain_text("Over capacity")
    expect(first.locator(".dependency-warnings")).to_contain_text("Map tiles")

    first.get_by_label("Target date").fill("2027-06-25")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_text("Spring 2027 was saved.")).to_be_visible()

    second.get_by_label("Goal").fill("Big fleets dispatch **without waiting**")
    second.get_by_role("button", name="Save", exact=True).click()
    conflict = second.locator("#edit-conflict")
    expect(conflict).to_contain_text("Pm")
    expect(conflict).to_contain_text("Target 2027-05-28 → 2027-06-25")
    expect(second.get_by_label("Goal")).to_have_value("Big fleets dispatch **without waiting**")
    assert_accessible(second)
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("Spring 2027 was saved.")).to_be_visible()
    expect(second.locator(".markdown strong")).to_have_text("without waiting")
    expect(second.locator(".pagehead")).to_contain_text("Jun 25, 2027")  # the PM's date stays
    assert_accessible(second)
