"""Issue 3's journey: a PM triages the inbox with the keyboard, highlights a snippet, links it
to a new feature and sees the feature's demand change."""

import re

from playwright.sync_api import expect

from lodestar.customers.services import company_create, person_create
from lodestar.feedback.services import feedback_create


def test_pm_triages_highlights_links_and_sees_demand(web, acme):
    company_create(
        workspace=acme.workspace, actor=acme["pm"].user, name="Fjord Heating", domain="fjord.test",
        arr="450k", segment="mid_market",
    )  # fmt: skip
    person_create(
        workspace=acme.workspace, actor=acme["pm"].user, name="Ida Fjord",
        email="ida@fjord.test", company_domain="fjord.test",
    )  # fmt: skip
    feedback_create(
        workspace=acme.workspace, actor=acme["contributor"].user, text="Nice app overall.",
    )  # fmt: skip
    asking = feedback_create(
        workspace=acme.workspace, actor=acme["contributor"].user, person_email="ida@fjord.test",
        text="We schedule 80 techs. Please let us plan multi-day jobs without copying them.",
    )  # fmt: skip
    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/feedback/")
    # The newest is first: j selects it, l opens it at the link form.
    page.keyboard.press("j")
    expect(page.locator('.feedback-item[aria-current="true"]')).to_contain_text("multi-day jobs")
    page.keyboard.press("l")
    expect(page).to_have_url(re.compile(f"/w/acme/feedback/{asking.key}/#link$"))
    expect(page.locator("#insight-feature_title")).to_be_focused()
    # Highlight the ask in the quote.
    page.evaluate(
        """() => {
            const node = document.querySelector('[data-feedback-text]').firstChild;
            const words = 'plan multi-day jobs without copying them';
            const start = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + words.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    page.locator("[data-feedback-text]").dispatch_event("mouseup")
    expect(page.locator("#insight-snippet")).to_have_value(
        "plan multi-day jobs without copying them"
    )
    page.fill("#insight-feature_title", "Multi-day jobs")
    page.select_option("#insight-importance", "3")
    page.get_by_role("button", name="Link to feature").click()
    expect(page.get_by_text("Linked to Multi-day jobs.")).to_be_visible()
    # The feature's demand shows the company and its ARR.
    page.get_by_role("link", name="Multi-day jobs").click()
    facts = page.locator(".facts", has_text="ARR")  # the demand facts
    expect(facts).to_contain_text("Companies1")
    expect(facts).to_contain_text("450,000 USD")
    expect(page.get_by_text("plan multi-day jobs without copying them")).to_be_visible()
    # Back in the inbox, the linked feedback left it (linking processes it).
    page.goto("/w/acme/feedback/")
    expect(page.locator(".feedback-list")).not_to_contain_text("multi-day jobs")
