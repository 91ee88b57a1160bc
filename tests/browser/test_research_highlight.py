"""Select a sentence in a research note; it becomes feedback, and the inbox shows it."""

from playwright.sync_api import expect

from lodestar.customers.market_models import Highlight
from lodestar.feedback.models import Source
from tests.browser.a11y import assert_accessible

SENTENCE = "The board freezes every Monday morning when all the jobs land at once."


def _select(page, css: str, words: str) -> None:
    """Select `words` inside the first element matching `css`, as a drag would."""
    page.evaluate(
        """([css, words]) => {
            const node = document.querySelector(css).firstChild;
            const start = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + words.length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""",
        [css, words],
    )


def test_a_selected_sentence_becomes_feedback_in_the_inbox(web, acme):
    page = web.page(user=acme["contributor"].user)
    page.goto(f"/w/acme/research/{acme.note.key}/")
    body = page.locator("[data-note-body]")
    expect(body.locator("blockquote")).to_contain_text("freezes every Monday")
    _select(page, "[data-note-body] blockquote p", SENTENCE)
    body.dispatch_event("mouseup")
    expect(page.locator("#highlight-quote")).to_have_value(SENTENCE)
    page.get_by_role("button", name="Turn into feedback").click()
    expect(page.get_by_text("Feedback added to the inbox")).to_be_visible()
    highlight = Highlight.objects.get(note=acme.note)
    expect(page.get_by_role("link", name="open it")).to_have_attribute(
        "href", f"/w/acme/feedback/{highlight.feedback.key}/"
    )
    assert highlight.feedback.source == Source.RESEARCH
    # The note lists its highlight, linked to the feedback; the inbox has it, from Nora.
    expect(page.locator("q", has_text="freezes every Monday")).to_be_visible()
    assert_accessible(page)
    page.goto("/w/acme/feedback/")
    row = page.locator(".feedback-item", has_text=SENTENCE)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Nora North")


def test_a_selection_outside_the_note_is_not_a_quote(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto(f"/w/acme/research/{acme.note.key}/")
    _select(page, "h1", "Interview with Nora")
    page.locator("[data-note-body]").dispatch_event("mouseup")
    expect(page.locator("#highlight-quote")).to_have_value("")
