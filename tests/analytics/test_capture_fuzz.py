"""Hypothesis throws random JSON shapes, encodings and headers at every capture endpoint:
never a 5xx, always the one error shape on a 4xx, and whatever was accepted can be stored
(nothing accepted may poison the spool for the compactor)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lodestar.analytics.capture import keys, ratelimit

pytestmark = pytest.mark.django_db

PATHS = [
    "/batch/",
    "/e/",
    "/capture/",
    "/i/v0/e/",
    "/capture/validate/",
    "/v1/batch",
    "/v1/track",
    "/v1/identify",
    "/v1/page",
    "/v1/group",
    "/v1/alias",
    "/v1/screen",
]
KEY = "@key@"  # replaced by the product's write key

text = st.text(max_size=12) | st.sampled_from(
    ["$identify", "$create_alias", "$groups", "\x00", "\ud800", "track", "identify", KEY]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
times = st.sampled_from(
    [
        "2026-01-01T00:00:00Z",
        "2999-01-01T00:00:00+00:00",
        "0001-01-01",
        "yesterday",
        "",
        "2026-13-45T99:00:00",
        1.7e12,
        -1,
        10**20,
    ]
)
event = st.fixed_dictionaries(
    {},
    optional={
        "event": text | json_values,
        "distinct_id": text | json_values,
        "properties": json_values | st.dictionaries(text, json_values, max_size=4),
        "timestamp": times | json_values,
        "uuid": text | json_values,
        "offset": json_values,
        "type": st.sampled_from(["track", "page", "identify", "group", "alias", "screen", "x"]),
        "userId": text | json_values,
        "anonymousId": text,
        "traits": json_values,
        "groupId": text | json_values,
        "previousId": text | json_values,
        "context": json_values,
        "messageId": text,
        "sentAt": times,
        "originalTimestamp": times,
        "$set": json_values,
    },
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"api_key": st.just(KEY) | text, "batch": st.lists(event, max_size=5) | json_values},
        optional={"sent_at": times, "writeKey": st.just(KEY)},
    ),
    event.map(lambda e: {**e, "api_key": KEY}),
    st.lists(event.map(lambda e: {**e, "properties": {"token": KEY}}), max_size=4),
)
encodings = st.sampled_from(
    ["json", "gzip", "gzip-js", "form", "form-gzip", "garbage", "truncated"]
)
content_types = st.sampled_from(
    [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
        "application/octet-stream",
    ]
)
header_values = st.fixed_dictionaries(
    {},
    optional={
        "Content-Encoding": st.sampled_from(["gzip", "br", "identity", "GZIP", "deflate", "\x7f"]),
        "Authorization": st.sampled_from(
            ["Basic @b64@", "Basic !!!", "Bearer x", "Basic ", "basic @b64@"]
        ),
        "Origin": st.sampled_from(["https://app.example", "null", "https://evil.example", ""]),
    },
)


def _encode(payload, encoding: str, key: str) -> tuple[bytes, str]:
    raw = json.dumps(payload).replace(KEY, key).encode()
    if encoding == "gzip":
        return gzip.compress(raw), ""
    if encoding == "gzip-js":
        return gzip.compress(raw), "?compression=gzip-js"
    if encoding == "form":
        return b"data=" + base64.b64encode(raw), ""
    if encoding == "form-gzip":
        return b"data=" + base64.urlsafe_b64encode(gzip.compress(raw)) + b"&compression=gzip-js", ""
    if encoding == "garbage":
        return raw[::-1], ""
    if encoding == "truncated":
        return gzip.compress(raw)[:-9], ""
    return raw, ""


@pytest.fixture
def product(world):
    world.product.allowed_origins = "https://app.example"
    world.product.save()
    keys.forget()
    ratelimit.reset()
    return world.product


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(PATHS),
    payload=payloads,
    encoding=encodings,
    content_type=content_types,
    headers=header_values,
    method=st.sampled_from(["post"] * 6 + ["get", "options", "put"]),
)
def test_capture_never_answers_5xx(
    client, product, event_store, path, payload, encoding, content_type, headers, method
):
    body, query = _encode(payload, encoding, product.write_key)
    b64 = base64.b64encode(f"{product.write_key}:".encode()).decode()
    headers = {k: v.replace("@b64@", b64) for k, v in headers.items()}
    response = client.generic(
        method.upper(), path + query, data=body, content_type=content_type, headers=headers
    )
    assert response.status_code < 500, response.content
    if response.status_code >= 400 and response.content:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    if response.status_code == 200 and path != "/capture/validate/":
        event_store.flush()  # what was accepted can be stored: no poisoned spool line
