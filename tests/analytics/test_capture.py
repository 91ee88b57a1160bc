"""The capture endpoints over HTTP: formats, encodings, validation, keys, CORS, limits."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lodestar.analytics.capture import keys, limits, ratelimit
from lodestar.analytics.queries.base import source_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    keys.forget()
    ratelimit.reset()
    yield
    keys.forget()
    ratelimit.reset()


def post(client, path, payload, *, raw=None, content_type="application/json", **headers):
    data = raw if raw is not None else json.dumps(payload)
    return client.post(path, data=data, content_type=content_type, headers=headers)


def ev(name="signed_up", distinct_id="u1", **extra):
    return {"event": name, "distinct_id": distinct_id, "uuid": str(uuid.uuid4()), **extra}


def stored(world, event_store, sql="SELECT event, distinct_id FROM events ORDER BY event"):
    event_store.flush()
    with source_for(world.workspace) as src:
        return src.query(sql).rows


def test_batch_is_stored_and_queryable(client, world, event_store):
    key = world.product.write_key
    response = post(
        client,
        "/batch/",
        {"api_key": key, "batch": [ev("a", "u1"), ev("b", "u2", properties={"x": 1})]},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": 1, "accepted": 2}
    assert stored(world, event_store) == [("a", "u1"), ("b", "u2")]
    with source_for(world.workspace) as src:
        row = src.query("SELECT product FROM events LIMIT 1").rows[0]
    assert row == (world.product.key,)


@pytest.mark.parametrize("path", ["/capture/", "/e/", "/i/v0/e/", "/capture", "/batch"])
def test_single_event_endpoints(client, world, event_store, path):
    response = post(client, path, {"api_key": world.product.write_key, **ev("one")})
    assert response.status_code == 200, response.content
    assert stored(world, event_store) == [("one", "u1")]


def test_posthog_js_list_with_token_in_properties_gzip_js(client, world, event_store):
    key = world.product.write_key
    events = [
        {
            "event": "$pageview",
            "properties": {
                "token": key,
                "distinct_id": "anon-1",
                "$current_url": "https://app.test/a",
            },
        },
    ]
    response = client.post(
        "/e/?compression=gzip-js",
        data=gzip.compress(json.dumps(events).encode()),
        content_type="text/plain",
    )
    assert response.status_code == 200, response.content
    rows = stored(world, event_store, "SELECT event, distinct_id, url, properties FROM events")
    assert rows[0][:3] == ("$pageview", "anon-1", "https://app.test/a")
    assert "token" not in json.loads(rows[0][3])  # the key is not kept in every event


def test_content_encoding_gzip_and_form_base64(client, world, event_store):
    key = world.product.write_key
    body = json.dumps({"api_key": key, "batch": [ev("gz")]}).encode()
    response = client.post(
        "/batch/",
        data=gzip.compress(body),
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 200, response.content
    form = "data=" + base64.b64encode(json.dumps({"api_key": key, **ev("form")}).encode()).decode()
    response = client.post("/e/", data=form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    form = (
        "data="
        + base64.b64encode(
            gzip.compress(json.dumps([{**ev("both"), "api_key": key}]).encode())
        ).decode()
    )
    response = client.post(
        "/e/", data=form + "&compression=gzip-js", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    assert [r[0] for r in stored(world, event_store)] == ["both", "form", "gz"]


def test_partial_batch_keeps_the_valid_events_and_names_the_others(client, world, event_store):
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    batch = [
        ev("ok"),
        {"distinct_id": "u1"},
        {"event": "x"},
        {"event": 5, "distinct_id": "u1"},
        ev("late", timestamp=future),
        ev("props", properties=[1, 2]),
        "not an object",
    ]
    response = post(client, "/batch/", {"api_key": world.product.write_key, "batch": batch})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1 and body["dropped_count"] == 6
    reasons = {d["index"]: d["reason"] for d in body["dropped"]}
    assert reasons[1] == "event: missing"
    assert reasons[2] == "distinct_id: missing"
    assert reasons[3] == "event: must be a string"
    assert "future" in reasons[4]
    assert reasons[5] == "properties: must be an object"
    assert 6 in reasons
    assert stored(world, event_store) == [("ok", "u1")]


def test_all_bad_is_a_400_naming_each_event(client, world, event_store):
    response = post(
        client, "/batch/", {"api_key": world.product.write_key, "batch": [{"event": "x"}, {}]}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"batch[0]": ["distinct_id: missing"], "batch[1]": ["event: missing"]}
    assert stored(world, event_store) == []


@pytest.mark.parametrize(
    ("raw", "content_type", "headers", "status"),
    [
        (b"{not json", "application/json", {}, 400),
        (b"", "application/json", {}, 400),
        (
            b'{"api_key": "lw_x", "batch": [{"event": "a", "distinct_id": "u", "properties": '
            b'{"n": NaN}}]}',
            "application/json",
            {},
            400,
        ),
        (b"[" * 100_000, "application/json", {}, 400),
        (b"\x1f\x8bnot gzip", "application/json", {}, 400),
        (b"{}", "application/json", {"Content-Encoding": "br"}, 415),
        (b"data=%%%", "application/x-www-form-urlencoded", {}, 400),
        (b'{"batch": 5}', "application/json", {}, 400),
    ],
)
def test_bad_bodies_are_4xx_with_the_error_shape(client, world, raw, content_type, headers, status):
    response = client.post("/batch/", data=raw, content_type=content_type, headers=headers)
    assert response.status_code == status, response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_numbers_that_overflow_to_infinity_are_refused(client, world):
    raw = '{"api_key": "%s", "batch": [{"event": "a", "distinct_id": "u", "properties": '
    raw += '{"n": 1e999}}]}'
    response = client.post(
        "/batch/", data=raw % world.product.write_key, content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_or_missing_key_is_401(client, world):
    assert post(client, "/batch/", {"api_key": "lw_nope", "batch": [ev()]}).status_code == 401
    assert post(client, "/batch/", {"batch": [ev()]}).status_code == 401
    assert post(client, "/batch/", {"api_key": 12, "batch": [ev()]}).status_code == 401


def test_gzip_bomb_is_413(client, world, monkeypatch):
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    bomb = gzip.compress(b"{" + b" " * 5_000_000 + b"}")
    response = client.post(
        "/batch/", data=bomb, content_type="application/json", headers={"Content-Encoding": "gzip"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_body_over_the_limit_is_413(client, world, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BODY_BYTES", 1000)
    response = post(
        client,
        "/batch/",
        {"api_key": world.product.write_key, "batch": [ev(properties={"x": "y" * 2000})]},
    )
    assert response.status_code == 413


def test_huge_properties_drop_the_event_not_the_batch(client, world, event_store, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PROPERTIES_BYTES", 10_000)
    monkeypatch.setattr(limits, "SIZE_CHECK_ABOVE", 1_000)
    batch = [ev("small"), ev("big", properties={"blob": "x" * 20_000})]
    response = post(client, "/batch/", {"api_key": world.product.write_key, "batch": batch})
    assert response.status_code == 200
    assert "properties" in response.json()["dropped"][0]["reason"]
    assert stored(world, event_store) == [("small", "u1")]


def test_a_lone_surrogate_drops_the_event(client, world, event_store):
    raw = json.dumps(
        {"api_key": world.product.write_key, "batch": [ev("ok"), ev("bad", properties={"t": "x"})]}
    )
    raw = raw.replace('"t": "x"', '"t": "\\ud800"')
    response = client.post("/batch/", data=raw, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["dropped"][0]["index"] == 1
    assert stored(world, event_store) == [("ok", "u1")]


def test_resending_a_uuid_does_not_double_count(client, world, event_store):
    t = datetime.now(UTC) - timedelta(seconds=10)
    batch = [ev("a", timestamp=t.isoformat()), ev("b", timestamp=t.isoformat())]
    for attempt in range(2):  # an SDK's retry: the same events, a new sent_at
        sent_at = (datetime.now(UTC) + timedelta(seconds=attempt)).isoformat()
        payload = {"api_key": world.product.write_key, "batch": batch, "sent_at": sent_at}
        response = post(client, "/batch/", payload)
        assert response.status_code == 200
        event_store.flush()
    assert stored(world, event_store, "SELECT count(*) FROM events") == [(2,)]


def test_clock_skew_is_corrected_with_sent_at(client, world, event_store):
    # The client's clock is an hour fast: the event happened 30 s ago by the server's clock.
    fast = datetime.now(UTC) + timedelta(hours=1)
    batch = [ev("skewed", timestamp=(fast - timedelta(seconds=30)).isoformat())]
    response = post(
        client,
        "/batch/",
        {"api_key": world.product.write_key, "batch": batch, "sent_at": fast.isoformat()},
    )
    assert response.status_code == 200
    (ts,) = stored(world, event_store, "SELECT timestamp FROM events")[0]
    assert abs((datetime.now(UTC).replace(tzinfo=None) - ts).total_seconds() - 30) < 5


def test_validate_stores_nothing_and_shows_the_normalized_events(client, world, event_store):
    response = post(
        client, "/capture/validate/", {"api_key": world.product.write_key, "batch": [ev("a"), {}]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stored"] is False and body["accepted"] == 1 and body["dropped_count"] == 1
    assert body["events"][0]["event"] == "a" and body["events"][0]["p"] == world.product.key
    # The event as stored, not the compactor's working copies beside it in the spool.
    assert set(body["events"][0]) == {
        "p",
        "uuid",
        "event",
        "distinct_id",
        "ts",
        "properties",
        "received",
    }
    assert stored(world, event_store) == []
    segment = {
        "writeKey": world.product.write_key,
        "batch": [{"type": "track", "event": "t", "userId": "u"}],
    }
    response = post(client, "/capture/validate/?format=segment", segment)
    assert response.status_code == 200 and response.json()["accepted"] == 1


def test_get_is_405_json(client, world):
    response = client.get("/batch/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# -- Segment ----------------------------------------------------------------------------------


def basic(key):
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def test_segment_calls_are_normalized_to_posthog_names(client, world, event_store):
    company = world.company
    company.external_id = "nw-1"
    company.save()
    auth = basic(world.product.write_key)
    t = datetime.now(UTC) - timedelta(minutes=5)
    calls = [
        (
            "page",
            {
                "anonymousId": "anon-9",
                "properties": {"url": "https://app.test/pricing", "path": "/pricing"},
            },
        ),
        ("track", {"anonymousId": "anon-9", "event": "Clicked", "properties": {"plan": "pro"}}),
        (
            "identify",
            {"userId": "nora", "anonymousId": "anon-9", "traits": {"email": "nora@northwind.test"}},
        ),
        ("group", {"userId": "nora", "groupId": "nw-1", "traits": {"name": "Northwind"}}),
        ("alias", {"userId": "nora", "previousId": "old-nora"}),
        ("screen", {"userId": "nora", "name": "Home"}),
    ]
    for i, (kind, message) in enumerate(calls):
        message = {
            **message,
            "messageId": f"m{i}",
            "timestamp": (t + timedelta(seconds=i)).isoformat(),
        }
        response = post(client, f"/v1/{kind}", message, HTTP_AUTHORIZATION=auth, Authorization=auth)
        assert response.status_code == 200, (kind, response.content)
        assert response.json()["success"] is True
    rows = stored(
        world,
        event_store,
        "SELECT uuid, event, distinct_id, url, person_id FROM events ORDER BY uuid",
    )
    assert [r[1] for r in rows] == [
        "$pageview",
        "Clicked",
        "$identify",
        "$groupidentify",
        "$create_alias",
        "$screen",
    ]
    assert rows[0][3] == "https://app.test/pricing"
    assert {r[4] for r in rows} == {"nora"}  # anon-9 merged on identify
    with source_for(world.workspace) as src:
        persons = src.query("SELECT person_id, company FROM persons WHERE person_id = 'nora'").rows
    assert persons == [("nora", "Northwind")]


def test_segment_batch_with_write_key_in_body_and_bad_message(client, world, event_store):
    batch = {
        "writeKey": world.product.write_key,
        "batch": [
            {"type": "track", "event": "ok", "userId": "u1", "messageId": "s1"},
            {"type": "track", "event": "no-user"},
            {"type": "teleport", "userId": "u1"},
        ],
    }
    response = post(client, "/v1/batch", batch)
    assert response.status_code == 200
    reasons = [d["reason"] for d in response.json()["dropped"]]
    assert reasons[0] == "userId or anonymousId: one is required"
    assert reasons[1].startswith("type:")
    assert stored(world, event_store) == [("ok", "u1")]


def test_analytics_js_short_paths(client, world, event_store):
    message = {"writeKey": world.product.write_key, "event": "Short", "anonymousId": "a1"}
    assert post(client, "/v1/t", message).status_code == 200
    batch = {"writeKey": world.product.write_key, "batch": [{"type": "page", "userId": "u9"}]}
    assert post(client, "/v1/b", batch).status_code == 200
    assert stored(world, event_store) == [("$pageview", "u9"), ("Short", "a1")]


def test_segment_without_key_is_401(client, world):
    response = post(client, "/v1/track", {"event": "x", "userId": "u"})
    assert response.status_code == 401
    response = post(client, "/v1/track", {"event": "x", "userId": "u"}, Authorization="Basic !!!")
    assert response.status_code == 401


# -- CORS and limits --------------------------------------------------------------------------


def test_cors_allows_the_products_origins_only(client, world, event_store):
    product = world.product
    product.allowed_origins = "https://app.example"
    product.save()
    preflight = client.options("/batch/", headers={"Origin": "https://app.example"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Content-Encoding" in preflight["Access-Control-Allow-Headers"]
    assert client.options("/batch/", headers={"Origin": "https://evil.example"}).status_code == 403
    ok = post(
        client,
        "/batch/",
        {"api_key": product.write_key, "batch": [ev()]},
        Origin="https://app.example",
    )
    assert ok.status_code == 200 and ok["Access-Control-Allow-Origin"] == "https://app.example"
    bad = post(
        client,
        "/batch/",
        {"api_key": product.write_key, "batch": [ev()]},
        Origin="https://evil.example",
    )
    assert bad.status_code == 403 and not bad.has_header("Access-Control-Allow-Origin")
    # sendBeacon posts text/plain (no preflight)
    beacon = post(
        client,
        "/e/",
        {"api_key": product.write_key, "batch": [ev("beacon")]},
        content_type="text/plain",
        Origin="https://app.example",
    )
    assert beacon.status_code == 200


def test_rate_limit_per_key_is_429_with_retry_after(client, world, monkeypatch):
    monkeypatch.setattr(limits, "RATE_BURST_EVENTS", 3)
    monkeypatch.setattr(limits, "RATE_EVENTS_PER_SECOND", 1)
    payload = {"api_key": world.product.write_key, "batch": [ev(), ev()]}
    assert post(client, "/capture/validate/", payload).status_code == 200
    response = post(client, "/capture/validate/", payload)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_no_relational_query_on_the_hot_path(client, world, django_assert_num_queries):
    payload = {"api_key": world.product.write_key, "batch": [ev()]}
    post(client, "/batch/", payload)  # the first request learns the key
    with django_assert_num_queries(0):
        assert post(client, "/batch/", payload).status_code == 200


def test_queryable_within_five_seconds_with_the_ticker(client, world, event_store):
    event_store.start_ticker()
    marker = str(uuid.uuid4())
    post(
        client, "/batch/", {"api_key": world.product.write_key, "batch": [ev("tick", uuid=marker)]}
    )
    deadline = time.monotonic() + 5
    found = []
    while time.monotonic() < deadline and not found:
        with source_for(world.workspace) as src:
            found = src.query(
                f"SELECT uuid FROM events WHERE uuid = {src.dialect.literal(marker)}"
            ).rows
        if not found:
            time.sleep(0.2)
    assert found == [(marker,)]


# -- where people find the key ----------------------------------------------------------------


def test_product_page_shows_the_capture_key_to_members_only(world):
    url = f"/w/{world.workspace.slug}/products/{world.product.key}/"
    page = world["contributor"].client().get(url).content.decode()
    assert world.product.write_key in page and "/capture.js" in page
    assert world.product.write_key not in world["stakeholder"].client().get(url).content.decode()


def test_cli_prints_the_capture_key(world):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command(
        "product", "key", "--workspace", world.workspace.slug, "--product", "web", stdout=out
    )
    assert out.getvalue().strip() == world.product.write_key
    with pytest.raises(CommandError, match="No product 'nope'"):
        call_command("product", "key", "--workspace", world.workspace.slug, "--product", "nope")
    with pytest.raises(CommandError, match="No workspace"):
        call_command("product", "key", "--workspace", "nope", "--product", "web")
