"""The capture snippet for real: a shop on another origin installs the one tag pointing at
Lodestar (the live server); a visitor rage-clicks, clicks something dead, hits a button that
throws, types in a form and leaves. Every kind of event reaches Lodestar's /batch/ (fetch, and
sendBeacon as the page goes away, both text/plain) and is read back from the event store.
Nothing goes to any other host (the `web` fixture aborts and fails on it).

The shop is a real HTTP server on 127.0.0.1 (Lodestar is on localhost), not a page fulfilled
by Playwright at a made-up host: Chromium's Local Network Access treats a fulfilled page as
public and refuses it any request to a loopback address, and a beacon sent while a page
unloads bypasses Playwright's routing, so only real sockets test the beacon."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page

from lodestar.analytics.queries.base import source_for
from lodestar.workspaces.services import catalog

TYPED = "nora@shop.test"  # typed into a field: must never leave the browser


def _shop_html(lodestar: str, key: str, attributes: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Garden shop</title></head><body>
<main>
  <h1>Garden shop</h1>
  <p id="promo" class="banner note">Free shipping on orders over 50 euros.</p>
  <div class="actions">
    <button type="button" class="btn">Add to cart</button>
    <button type="button" class="btn" id="pay">Pay now</button>
  </div>
  <form id="signup" action="/thanks">
    <label>Email <input name="email" type="email"></label>
    <button>Sign up</button>
  </form>
  <a href="/elsewhere">Elsewhere</a>
</main>
<script>
  document.getElementById("pay").addEventListener("click", function () {{
    throw new Error("payment failed");
  }});
</script>
<script src="{lodestar}/capture.js" data-key="{key}" {attributes} defer></script>
</body></html>"""


class _Shop(BaseHTTPRequestHandler):
    """The customer's site: the same page at every path."""

    def do_GET(self) -> None:
        body = self.server.html.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def shop(live_server, acme) -> Iterator:
    """Start the shop; returns a function (web, tag attributes) -> (page, its origin,
    the /batch/ response statuses the browser saw). The product allows the shop's origin."""
    servers: list[ThreadingHTTPServer] = []

    def start(web, attributes: str = "") -> tuple[Page, str, list[int]]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Shop)
        server.html = _shop_html(  # type: ignore[attr-defined]
            live_server.url, acme.product.write_key, attributes
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        catalog.product_update(
            product=acme.product, actor=None, name="Web", description="", allowed_origins=origin
        )
        context = web.context()
        statuses: list[int] = []
        context.on(
            "response", lambda r: statuses.append(r.status) if r.url.endswith("/batch/") else None
        )
        page = context.new_page()
        page.route(f"{origin}/**", lambda route: route.continue_())  # the guard allows it
        return page, origin, statuses

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _stored(page: Page, event_store, workspace, done, timeout: float = 15.0) -> list[dict]:
    """Flush the store until `done(events)` holds (sendBeacon's arrival is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        event_store.flush()
        with source_for(workspace) as src:
            rows = src.query(
                "SELECT event, distinct_id, url, session_id, properties FROM events "
                "ORDER BY timestamp"
            ).dicts()
        for row in rows:
            row["properties"] = json.loads(row["properties"])
        if done(rows) or time.monotonic() > deadline:
            return rows
        page.wait_for_timeout(100)


def _one(rows: list[dict], event: str) -> dict:
    found = [r for r in rows if r["event"] == event]
    assert len(found) == 1, f"{event}: {len(found)} stored, {[r['event'] for r in rows]}"
    return found[0]


FRICTION = ["$rageclick", "$dead_click", "$exception", "$error_click", "$form_abandon"]


def test_a_visit_to_a_shop_sends_every_kind_of_event(web, acme, shop, event_store):
    page, origin, statuses = shop(web)
    page.clock.install()  # time runs, and the test can skip ahead past the 2.5 s dead wait
    cart = f"{origin}/cart?step=1"
    page.goto(cart)
    page.wait_for_function("() => window.lodestar && window.lodestar.version")

    page.get_by_role("button", name="Add to cart").click(click_count=3)  # rage
    page.locator("#promo").click()  # dead: a paragraph, nothing happens
    page.get_by_role("button", name="Pay now").click()  # throws: an error click
    page.get_by_label("Email").fill(TYPED)
    page.clock.run_for(3000)  # the dead-click checks and the periodic flush
    page.get_by_role("link", name="Elsewhere").click()  # leaves: abandon, vitals, beacon
    page.wait_for_url(f"{origin}/elsewhere")

    wanted = {"$pageview", "$autocapture", "$web_vitals", *FRICTION}
    rows = _stored(
        page,
        event_store,
        acme.workspace,
        lambda rows: (
            wanted <= {r["event"] for r in rows}
            and sum(r["event"] == "$pageview" for r in rows) == 2
        ),
    )
    kinds = {r["event"] for r in rows}
    assert wanted <= kinds, f"missing {wanted - kinds}"
    assert statuses and set(statuses) == {200}, statuses

    # One visitor, one session, every event with the page it happened on.
    assert len({r["distinct_id"] for r in rows}) == 1
    assert len({r["session_id"] for r in rows}) == 1
    for row in rows:
        props = row["properties"]
        assert props["$lib"] == "lodestar-js" and props["$lib_version"]
        assert props["$current_url"] == row["url"] and row["url"].startswith(origin)
        assert props["$screen_width"] > 0 and props["$referrer"]
        assert TYPED not in json.dumps(props), f"{row['event']} carried a typed value"
    assert [r["url"] for r in rows if r["event"] == "$pageview"] == [cart, f"{origin}/elsewhere"]

    add = "body > main > div.actions > button.btn:nth-of-type(1)"
    rage = _one(rows, "$rageclick")
    assert (rage["url"], rage["properties"]["$selector"]) == (cart, add)
    assert rage["properties"]["$el_text"] == "Add to cart"
    assert rage["properties"]["$pathname"] == "/cart"
    clicks = [r["properties"] for r in rows if r["event"] == "$autocapture"]
    assert [(c["$selector"], c["$event_type"]) for c in clicks[:3]] == [(add, "click")] * 3

    dead = [r for r in rows if r["event"] == "$dead_click"]
    promo = [r for r in dead if r["properties"]["$selector"] == "p#promo.banner.note"]
    assert len(promo) == 1 and promo[0]["url"] == cart
    assert promo[0]["properties"]["$el_text"] == "Free shipping on orders over 50 euros."

    error = _one(rows, "$exception")["properties"]
    assert error["$exception_message"] == "payment failed"
    assert error["$exception_type"] == "Error"
    error_click = _one(rows, "$error_click")
    assert error_click["url"] == cart
    assert error_click["properties"]["$selector"] == "button#pay.btn"
    assert error_click["properties"]["$error_click"] is True

    abandon = _one(rows, "$form_abandon")
    assert abandon["url"] == cart
    assert abandon["properties"]["$selector"] == "form#signup"
    assert abandon["properties"]["$fields"] == ["email"]

    vitals = _one(rows, "$web_vitals")["properties"]
    assert vitals["$lcp"] > 0 and vitals["$cls"] >= 0


def test_no_cookie_mode_identifies_the_person_and_follows_a_single_page_app(
    web, acme, shop, event_store
):
    page, origin, statuses = shop(
        web, 'data-cookies="false" data-person="u-42" data-autocapture="false"'
    )
    page.goto(f"{origin}/cart")
    page.wait_for_function("() => window.lodestar && window.lodestar.version")
    page.get_by_role("button", name="Add to cart").click()  # no autocapture asked for
    page.evaluate("() => history.pushState({}, '', '/account')")
    page.evaluate("() => window.lodestar.flush()")

    rows = _stored(
        page,
        event_store,
        acme.workspace,
        lambda rows: sum(r["event"] == "$pageview" for r in rows) == 2,
    )
    assert page.evaluate("() => document.cookie") == ""
    assert page.evaluate("() => sessionStorage.getItem('lodestar_id')") == "i:u-42"
    identify = _one(rows, "$identify")
    assert identify["distinct_id"] == "u-42"
    assert identify["properties"]["$anon_distinct_id"]
    assert [(r["event"], r["url"]) for r in rows if r["event"] != "$identify"] == [
        ("$pageview", f"{origin}/cart"),
        ("$pageview", f"{origin}/account"),
    ]
    assert {r["distinct_id"] for r in rows} == {"u-42"}
    assert set(statuses) == {200}
