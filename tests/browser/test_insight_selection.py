"""Select words in a feedback with the mouse; they become the insight linked to a feature."""

from playwright.sync_api import expect

from lodestar.feedback.models import Insight


def test_selecting_words_quotes_them_in_the_insight(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto(f"/w/acme/feedback/{acme.feedback.key}/")
    quote = page.locator("[data-feedback-text]")
    expect(quote).to_contain_text("more than 50 techs")
    # Drag across the words "more than 50 techs" as a person would.
    box = quote.bounding_box()
    assert box is not None
    page.evaluate(
        """() => {
            const node = document.querySelector('[data-feedback-text]').firstChild;
            const start = node.textContent.indexOf('more than 50 techs');
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + 'more than 50 techs'.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    quote.dispatch_event("mouseup")
    expect(page.locator("#insight-snippet")).to_have_value("more than 50 techs")
    page.fill("#insight-feature_title", "Board that scales to big fleets")
    page.select_option("#insight-importance", "3")
    page.get_by_role("button", name="Link to feature").click()
    expect(page.get_by_text("Linked to Board that scales to big fleets.")).to_be_visible()
    insight = Insight.objects.get(feature__title="Board that scales to big fleets")
    assert insight.snippet == "more than 50 techs" and insight.importance == 3


def test_a_selection_outside_the_feedback_is_ignored(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto(f"/w/acme/feedback/{acme.feedback.key}/")
    page.evaluate(
        """() => {
            const heading = document.querySelector('h1');
            const range = document.createRange();
            range.selectNodeContents(heading);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }"""
    )
    page.locator("[data-feedback-text]").dispatch_event("mouseup")
    expect(page.locator("#insight-snippet")).to_have_value("")
