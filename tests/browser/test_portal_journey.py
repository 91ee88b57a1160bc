"""A customer on the public ideas portal: opens it, submits an idea, confirms it with the
emailed link, votes, and sees the count; then the team sees it and plans it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible

SIGN_IN_LINK = re.compile(r"https?://\S+/p/acme/sign-in/[^/\s]+/")


def mailed_link(mailoutbox, email: str) -> str:
    messages = [m for m in mailoutbox if m.to == [email]]
    assert messages, [m.to for m in mailoutbox]
    match = SIGN_IN_LINK.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


def test_a_visitor_submits_confirms_and_votes(web, acme, mailoutbox):
    visitor = web.page()
    visitor.goto("/p/acme/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Ideas for Acme")
    expect(
        visitor.get_by_role("link", name="Show the dispatch board on the shop TV", exact=True)
    ).to_be_visible()

    visitor.get_by_role("main").get_by_role("link", name="Share an idea").click()
    expect(visitor.get_by_role("heading", name="Share an idea")).to_be_visible()
    assert_accessible(visitor)
    visitor.get_by_label("Your idea in one line").fill("Show the gate code on the job card")
    visitor.get_by_label("Tell us more").fill("Our techs wait at gates. **Every day.**")
    visitor.get_by_label("Your email").fill("sam@farm.test")
    visitor.get_by_role("button", name="Post idea").click()
    expect(visitor.get_by_text("we sent a link to sam@farm.test")).to_be_visible()
    expect(visitor.get_by_text("Show the gate code on the job card")).to_have_count(0)

    visitor.goto(mailed_link(mailoutbox, "sam@farm.test"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Show the gate code on the job card"
    )
    expect(visitor.get_by_text("Thank you! Your idea is posted.")).to_be_visible()
    expect(visitor.locator(".markdown strong")).to_have_text("Every day.")
    expect(visitor.get_by_text("Signed in as sam@farm.test")).to_be_visible()
    expect(visitor.locator(".votes .vote-count")).to_have_text("0")

    visitor.get_by_role("button", name="Vote for this idea").click()
    expect(visitor.get_by_text("is counted")).to_be_visible()
    expect(visitor.locator(".votes .vote-count")).to_have_text("1")
    expect(visitor.get_by_text("You voted for this idea.")).to_be_visible()
    visitor.wait_for_load_state("load")  # the stylesheets too, before axe checks contrast
    assert_accessible(visitor)

    # On the list too: the count, and no second vote button.
    visitor.get_by_role("link", name="← All ideas").click()
    row = visitor.locator("li.idea-row", has_text="Show the gate code on the job card")
    expect(row.locator(".vote-count")).to_have_text("1")
    expect(row.get_by_text("Voted")).to_be_visible()
    # The older idea gets a vote straight from the list.
    other = visitor.locator("li.idea-row", has_text="shop TV")
    other.get_by_role("button", name="Vote for Show the dispatch board on the shop TV").click()
    expect(other.locator(".vote-count")).to_have_text("1")

    # The product manager sees it in the workspace and plans it: Sam gets an email.
    pm = web.page(user=acme["pm"].user)
    pm.goto("/w/acme/ideas/")
    pm.get_by_role("link", name="Show the gate code on the job card").click()
    expect(pm.get_by_text("sam@farm.test").first).to_be_visible()
    assert_accessible(pm)
    pm.get_by_label("Status").select_option("planned")
    pm.get_by_role("button", name="Change status").click()
    expect(pm.get_by_text("1 customer emailed.")).to_be_visible()
    planned = [m for m in mailoutbox if "is now planned" in m.subject]
    assert [m.to for m in planned] == [["sam@farm.test"]]


def test_an_unverified_vote_asks_for_the_email_first(web, acme, mailoutbox):
    visitor = web.page()
    visitor.goto(f"/p/acme/ideas/{acme.idea.key}/")
    form = visitor.locator("#vote")
    form.get_by_label("Your email").fill("pat@fleet.test")
    form.get_by_role("button", name="Vote for this idea").click()
    expect(visitor.get_by_text("Please confirm your email first")).to_be_visible()
    expect(visitor.locator(".votes .vote-count")).to_have_text("0")
    visitor.goto(mailed_link(mailoutbox, "pat@fleet.test"))
    expect(visitor.locator(".votes .vote-count")).to_have_text("1")
    expect(visitor.get_by_text("You voted for this idea.")).to_be_visible()
