"""The suite's own guard: a page cannot reach any host but the live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error


def test_requests_to_other_hosts_are_aborted_and_recorded(web, db):
    page = web.page()
    page.goto("/accounts/login/")
    with pytest.raises(Error, match="ERR_BLOCKED_BY_CLIENT"):
        page.goto("http://elsewhere.invalid/beacon")
    assert web.blocked == ["http://elsewhere.invalid/beacon"]
    web.blocked.clear()  # seen; the fixture's teardown check stays for every other test
