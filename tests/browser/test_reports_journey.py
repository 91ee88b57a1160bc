"""A PM generates this week's status report, edits it with a preview, sends it; a
stakeholder opens it. axe on each page of the way (the draft's pages are not in PAGES:
the `world` holds a sent report only)."""

from django.core import mail
from playwright.sync_api import expect

from lodestar.delivery.models import ReportStatus, StatusReport
from tests.browser.a11y import assert_accessible


def test_generate_edit_preview_send_and_read(web, acme):
    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/ship/reports/?product=web")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Status: Web, week of")
    expect(page.get_by_role("heading", name="What shipped this week")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Edit", exact=True).click()
    editor = page.get_by_label("Report (Markdown)")
    editor.fill(editor.input_value() + "\n## A note from the PM\n\nAll **good** this week.\n")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section", has=page.get_by_role("heading", name="Preview"))
    expect(preview.locator("strong", has_text="good")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The report was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="A note from the PM")).to_be_visible()

    page.get_by_role("link", name="Send…").click()
    expect(page.get_by_text("stakeholder@acme.test")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send to 1 recipient").click()
    expect(page.get_by_text("Sent to 1 recipient.")).to_be_visible()
    report = StatusReport.objects.get(product=acme.product, status=ReportStatus.SENT, version=2)
    assert [m.to for m in mail.outbox] == [["stakeholder@acme.test"]]

    reader = web.page(user=acme["stakeholder"].user)
    reader.goto("/w/acme/ship/reports/?product=web")
    reader.get_by_role("link", name=report.title).click()
    expect(reader.get_by_role("heading", name="A note from the PM")).to_be_visible()
    expect(reader.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    assert_accessible(reader)
