"""The capture snippet as served: size budget, headers, caching. Its behaviour in a real
browser is tests/browser/test_snippet.py."""

from __future__ import annotations

import gzip
import re

import pytest

from lodestar.analytics.views.snippet import SCRIPT

MAX_GZIPPED_BYTES = 10_000  # the budget: at most 10 kB gzipped


def test_the_snippet_is_under_10_kb_gzipped():
    size = len(gzip.compress(SCRIPT.read_bytes(), 9))
    assert size <= MAX_GZIPPED_BYTES, f"capture.js is {size:,} bytes gzipped"


def test_the_snippet_emits_the_event_names_the_friction_report_reads():
    source = SCRIPT.read_text()
    for name in [
        "$pageview",
        "$autocapture",
        "$rageclick",
        "$dead_click",
        "$exception",
        "$error_click",
        "$web_vitals",
        "$form_abandon",
    ]:
        assert f'"{name}"' in source, name


def test_the_snippet_never_reads_a_fields_value_except_a_buttons_label():
    reads = re.findall(r"[\w.]+\.value\b", SCRIPT.read_text())
    # el.value only for <input type=submit|button|reset>; e.value is a layout shift's size.
    assert sorted(set(reads)) == ["e.value", "el.value"]


@pytest.mark.django_db
def test_it_is_served_as_javascript_from_any_origin_and_cached(client):
    response = client.get("/capture.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.content == SCRIPT.read_bytes()
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    etag = response["ETag"]
    again = client.get("/capture.js", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""


@pytest.mark.django_db
def test_browsers_that_accept_gzip_get_it_gzipped(client):
    response = client.get("/capture.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == SCRIPT.read_bytes()
    assert len(response.content) <= MAX_GZIPPED_BYTES


@pytest.mark.django_db
def test_only_get_is_allowed(client):
    response = client.post("/capture.js", HTTP_ACCEPT="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
