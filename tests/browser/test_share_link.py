"""A PM shares the roadmap: creates a link that shows ARR but not customer names; a
stakeholder opens it in a fresh browser (not signed in) and sees the roadmap, the ARR and no
customer names; once revoked, the same address says so."""

from __future__ import annotations

from playwright.sync_api import expect

from lodestar.planning.release_services import release_feature_add
from tests.browser.a11y import assert_accessible


def test_a_stakeholder_opens_a_share_link_without_internal_fields(web, acme):
    owner = acme["owner"]
    release_feature_add(
        release=acme.release,
        actor=owner.user,
        membership=owner.membership,
        title=acme.feature.title,
    )

    pm = web.page(user=acme["pm"].user)
    pm.goto("/w/acme/share-links/")
    expect(pm.get_by_role("heading", level=1)).to_have_text("Share links")
    form = pm.locator("form", has=pm.get_by_role("button", name="Create link"))
    form.get_by_label("Label").fill("Investor update")
    form.get_by_role("checkbox", name="Web").check()
    form.get_by_role("checkbox", name="Releases").check()
    form.get_by_role("checkbox", name="ARR", exact=False).check()
    expect(form.get_by_role("checkbox", name="Customer names", exact=False)).not_to_be_checked()
    form.get_by_role("button", name="Create link").click()
    expect(pm.get_by_role("heading", name="Your new link: Investor update")).to_be_visible()
    url = pm.get_by_label("Address of the new link").input_value()
    assert "/s/" in url
    assert_accessible(pm)

    # A fresh context: no session, no cookies.
    stakeholder = web.page()
    stakeholder.goto(url)
    expect(stakeholder.get_by_role("heading", level=1)).to_contain_text("Roadmap")
    expect(stakeholder.get_by_role("navigation", name="Workspace")).to_have_count(0)
    expect(stakeholder.locator("svg.timeline-svg")).to_contain_text("Spring 2027")
    assert_accessible(stakeholder)
    stakeholder.get_by_role("link", name="Releases", exact=True).click()
    table = stakeholder.get_by_role("table")
    expect(table).to_contain_text("Spring 2027")
    expect(table).to_contain_text("Fast dispatch board for large fleets")
    expect(table).to_contain_text("120,000")  # ARR: turned on
    expect(stakeholder.get_by_text("Northwind")).to_have_count(0)  # customers: off
    assert_accessible(stakeholder)

    # Revoked: the same address now explains itself.
    pm.goto("/w/acme/share-links/")
    pm.get_by_role("link", name="Revoke Investor update").click()
    pm.get_by_role("button", name="Revoke the link").click()
    expect(pm.get_by_text("is revoked")).to_be_visible()
    response = stakeholder.goto(url)
    assert response is not None and response.status == 410
    expect(stakeholder.get_by_role("main")).to_contain_text("This link was revoked by Pm on")
    assert_accessible(stakeholder)
