"""The in-app widget for real: a customer's app on another origin (a small HTTP server on
127.0.0.1, while Lodestar's live server is on localhost) embeds the script; its user sends
feedback, which lands in the inbox. A page on an origin the product does not allow fails
visibly. The host page has a strict CSP of its own, which the widget must live with."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from lodestar.feedback.models import Feedback, Source
from lodestar.workspaces.services import catalog
from tests.browser.a11y import assert_accessible


class _HostPage(BaseHTTPRequestHandler):
    """Serves the customer's app page: one HTML document, whatever the path."""

    def do_GET(self) -> None:
        server = self.server
        body = server.html.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", server.csp)  # type: ignore[attr-defined]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def customer_app(live_server) -> Iterator:
    """Start a host-page server; returns a function (key, extra attributes) -> its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(key: str, attributes: str = "") -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _HostPage)
        server.html = (  # type: ignore[attr-defined]
            "<!doctype html><html lang='en'><head><title>Northwind Fleet</title></head>"
            "<body><main><h1>Northwind Fleet</h1><p>Today's jobs.</p></main>"
            f'<script src="{live_server.url}/widget/v1/widget.js" data-key="{key}" '
            f"{attributes} async></script></body></html>"
        )
        server.csp = (  # type: ignore[attr-defined]
            f"default-src 'none'; script-src {live_server.url}; connect-src {live_server.url}; "
            "style-src 'self'"
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _page(new_context, console: list[str]) -> Page:
    page = new_context().new_page()
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    return page


def test_a_user_sends_feedback_from_the_customers_app(web, acme, customer_app, new_context):
    origin = customer_app(acme.product.write_key, 'data-email="nora@northwind.test"')
    catalog.product_update(
        product=acme.product, actor=None, name="Web", description="", allowed_origins=origin
    )
    console: list[str] = []
    page = _page(new_context, console)
    page.goto(origin + "/jobs")
    opener = page.get_by_role("button", name="Feedback")
    opener.click()
    dialog = page.get_by_role("dialog", name="Send feedback")
    expect(dialog).to_be_visible()
    text = page.get_by_label("Your feedback")
    expect(text).to_be_focused()
    assert page.get_by_label("Your email (optional)").count() == 0  # the app gave it
    assert_accessible(page)
    # Escape closes and gives focus back; the keyboard opens it again, the text still there.
    text.fill("Let dispatchers see each van's ETA on the job card.")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")
    expect(text).to_have_value("Let dispatchers see each van's ETA on the job card.")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("status")).to_have_text("Thank you! Your feedback was sent.")
    expect(text).to_have_value("")
    assert not [m for m in console if "Content Security Policy" in m], console

    feedback = Feedback.objects.get(workspace=acme.workspace, source=Source.WIDGET)
    assert feedback.person == acme.person and feedback.product == acme.product
    assert feedback.text.endswith(f"Page: {origin}/jobs")
    inbox = web.page(user=acme["pm"].user)
    inbox.goto("/w/acme/feedback/")
    item = inbox.locator(".feedback-item", has_text="each van's ETA")
    expect(item).to_contain_text("In-app widget")
    expect(item).to_contain_text("Nora North")


def test_a_page_on_an_origin_the_product_does_not_allow_fails_visibly(
    acme, customer_app, new_context
):
    allowed = customer_app(acme.product.write_key)
    catalog.product_update(
        product=acme.product, actor=None, name="Web", description="", allowed_origins=allowed
    )
    elsewhere = customer_app(acme.product.write_key, 'data-button="off"')
    page = _page(new_context, [])
    page.goto(elsewhere)
    page.wait_for_function("() => window.Lodestar && window.Lodestar.feedback")
    page.evaluate("() => Lodestar.feedback({text: 'Please add night mode.'})")
    dialog = page.get_by_role("dialog", name="Send feedback")
    page.get_by_label("Your email (optional)").fill("ola@northwind.test")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("status")).to_contain_text("Could not send")
    expect(page.get_by_label("Your feedback")).to_have_value("Please add night mode.")
    assert not Feedback.objects.filter(source=Source.WIDGET).exists()


def test_the_intake_pages_with_content_are_accessible(web, acme):
    from lodestar.feedback.intake import mailboxes

    mailboxes.mailbox_create(workspace=acme.workspace, actor=None, product_key="web")
    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/intake/mail/")
    assert "/inbound/email/lm_" in page.get_by_label("Webhook URL for Web").input_value()
    assert_accessible(page)
    page.goto("/w/acme/intake/email/")
    page.get_by_label("Email files (.eml)").set_input_files(
        [
            {
                "name": "board.eml",
                "mimeType": "message/rfc822",
                "buffer": b"From: Nora <nora@northwind.test>\nSubject: Board\n\nIt is slow.",
            },
            {"name": "junk.eml", "mimeType": "message/rfc822", "buffer": b"\x89PNG\x00"},
        ]
    )
    page.get_by_role("button", name="Add to inbox").click()
    expect(page.get_by_role("row", name="board.eml")).to_contain_text("Added to the inbox.")
    expect(page.get_by_role("row", name="junk.eml")).to_contain_text("Not added")
    assert_accessible(page)
    page.goto("/w/acme/products/web/")
    expect(page.get_by_label("Embed snippet")).to_contain_text(acme.product.write_key)
    assert_accessible(page)
