"""Browser tests: the real Chromium (Playwright) against pytest-django's live server.

Every test here is marked `browser`. Without /usr/bin/chromium they are skipped, unless
LODESTAR_REQUIRE_BROWSER=1, which turns the missing browser into a failure. Pages may only
talk to the live server: any other request is aborted, recorded, and fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, Route, expect

from lodestar.workspaces import services

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).parent
TIMEOUT_MS = 10_000  # generous for a loaded 2-core machine; passing tests never wait it out

expect.set_options(timeout=TIMEOUT_MS)


def _browser_required() -> bool:
    return os.environ.get("LODESTAR_REQUIRE_BROWSER") == "1"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = not CHROMIUM.exists()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if missing and not _browser_required():
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{CHROMIUM} is not installed (set LODESTAR_REQUIRE_BROWSER=1 "
                    "to fail instead)"
                )
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(
            f"LODESTAR_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist: install it "
            "(apt-get install -y chromium) to run the browser tests.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-playwright's fallback `base_url` (used when pytest-base-url is not
    installed): it is a session fixture defined as an instance method, which pytest 9
    deprecates, and the project turns deprecation warnings into errors. `Web` gives each
    context the live server's URL instead."""
    return None


@dataclass
class Web:
    """Opens guarded browser contexts on the live server and logs users in."""

    base_url: str
    _new_context: object
    blocked: list[str] = field(default_factory=list)
    csp_errors: list[str] = field(default_factory=list)

    @property
    def origin(self) -> tuple[str, str]:
        parts = urlsplit(self.base_url)
        return parts.scheme, parts.netloc

    def context(self, **kwargs) -> BrowserContext:
        context = self._new_context(base_url=self.base_url, **kwargs)  # type: ignore[operator]
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._guard)
        context.on("console", self._console)
        return context

    def page(self, user=None, **kwargs) -> Page:
        """A page in a new context; signed in as `user` (by session cookie) if given."""
        context = self.context(**kwargs)
        if user is not None:
            self.sign_in(context, user)
        return context.new_page()

    def sign_in(self, context: BrowserContext, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.base_url, "httpOnly": True}]
        )

    def _guard(self, route: Route) -> None:
        parts = urlsplit(route.request.url)
        if (parts.scheme, parts.netloc) == self.origin:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)


@pytest.fixture
def web(live_server, new_context) -> Iterator[Web]:
    web = Web(base_url=live_server.url, _new_context=new_context)
    yield web
    assert not web.blocked, f"pages tried to reach other hosts: {web.blocked}"
    assert not web.csp_errors, f"the Content-Security-Policy blocked something: {web.csp_errors}"


@pytest.fixture
def acme(world):
    """tests/conftest.py's `world`, plus a pending invitation (the members page then shows
    its link field) whose token the invitation page needs."""
    _invitation, world.invite_token = services.invitation_create(
        workspace=world.workspace,
        actor_membership=world["owner"].membership,
        email="new@acme.test",
        role="admin",
    )
    return world
