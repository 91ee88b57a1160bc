"""The official SDKs, unchanged, against a live server: `posthog` (7.x) and
`segment-analytics-python` (2.x) send events, identify, alias and group; read them back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lodestar.analytics.capture import keys, ratelimit
from lodestar.analytics.queries.base import source_for

posthog = pytest.importorskip("posthog")
segment_client = pytest.importorskip("segment.analytics.client")


@pytest.fixture(autouse=True)
def _fresh_caches():
    keys.forget()
    ratelimit.reset()
    yield
    # The SDKs keep module-level HTTP sessions: close their keep-alive connections, so the
    # live server's request threads end with the test instead of at interpreter exit.
    import posthog.request
    import segment.analytics.request

    posthog.request._get_session().close()
    segment.analytics.request._session.close()


@pytest.fixture
def northwind(world):
    company = world.company
    company.external_id = "nw-1"
    company.save()
    return company


def _query(world, event_store, sql):
    event_store.flush()
    with source_for(world.workspace) as src:
        return src.query(sql).rows


@pytest.mark.parametrize("gzip", [False, True])
def test_posthog_sdk(live_server, world, northwind, event_store, gzip):
    errors: list = []
    client = posthog.Posthog(
        world.product.write_key,
        host=live_server.url,
        gzip=gzip,
        flush_at=50,
        max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    client.capture(
        "$pageview",
        distinct_id="anon-ph",
        timestamp=t0,
        properties={"$current_url": "https://app.test/", "$session_id": "s1"},
    )
    client.capture(
        "$identify",
        distinct_id="nora@northwind.test",
        timestamp=t0 + timedelta(seconds=1),
        properties={"$anon_distinct_id": "anon-ph", "$set": {"plan": "pro"}},
    )
    client.alias(
        previous_id="nora-legacy",
        distinct_id="nora@northwind.test",
        timestamp=t0 + timedelta(seconds=2),
    )
    client.capture(
        "report_created",
        distinct_id="nora@northwind.test",
        timestamp=t0 + timedelta(seconds=3),
        groups={"company": "nw-1"},
    )
    client.group_identify(
        "company", "nw-1", {"name": "Northwind"}, timestamp=t0 + timedelta(seconds=4)
    )
    ids = [str(uuid.uuid4()) for _ in range(120)]  # more than one batch
    for i, uid in enumerate(ids):
        client.capture(
            "tick", distinct_id="nora-legacy", uuid=uid, timestamp=t0 + timedelta(seconds=10 + i)
        )
    client.flush()
    client.shutdown()
    assert errors == []
    rows = _query(
        world,
        event_store,
        "SELECT event, count(*), count(DISTINCT person_id), min(person_id) FROM events "
        "GROUP BY event ORDER BY event",
    )
    counts = {event: n for event, n, _, _ in rows}
    assert counts == {
        "$pageview": 1,
        "$identify": 1,
        "$create_alias": 1,
        "report_created": 1,
        "$groupidentify": 1,
        "tick": 120,
    }
    persons = {person for event, _, _, person in rows if event != "$groupidentify"}
    # anon-ph merged on identify, then alias(nora-legacy, nora@) joins the two ids: one
    # person for all of them (PostHog's alias keeps the `distinct_id` side: nora-legacy)
    assert persons == {"nora-legacy"}
    with source_for(world.workspace) as src:
        person = src.query(
            "SELECT company, company_arr FROM persons WHERE person_id = 'nora-legacy'"
        ).rows
        lib = src.query(
            f"SELECT {src.dialect.json_str('properties', '$lib')} FROM events LIMIT 1"
        ).rows
        url = src.query("SELECT url, session_id FROM events WHERE event = '$pageview'").rows
    assert person == [("Northwind", float(northwind.arr))]
    assert lib == [("posthog-python",)]
    assert url == [("https://app.test/", "s1")]
    stored_ids = {
        r[0] for r in _query(world, event_store, "SELECT uuid FROM events WHERE event = 'tick'")
    }
    assert stored_ids == set(ids)


@pytest.mark.parametrize("gzip", [False, True])
def test_segment_sdk(live_server, world, northwind, event_store, gzip):
    errors: list = []
    client = segment_client.Client(
        world.product.write_key,
        host=live_server.url,
        gzip=gzip,
        max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    client.page(
        anonymous_id="anon-sg",
        name="Pricing",
        timestamp=t0,
        properties={"url": "https://app.test/pricing", "path": "/pricing"},
    )
    client.track(anonymous_id="anon-sg", event="Trial Started", timestamp=t0 + timedelta(seconds=1))
    client.identify(
        "u-42",
        {"email": "nora@northwind.test"},
        anonymous_id="anon-sg",
        timestamp=t0 + timedelta(seconds=2),
    )
    client.group("u-42", "nw-1", {"name": "Northwind"}, timestamp=t0 + timedelta(seconds=3))
    client.alias("old-42", "u-42", timestamp=t0 + timedelta(seconds=4))
    client.track(
        "old-42", "Report Created", {"kind": "weekly"}, timestamp=t0 + timedelta(seconds=5)
    )
    client.flush()
    client.shutdown()
    assert errors == []
    rows = _query(world, event_store, "SELECT event, person_id, url FROM events ORDER BY timestamp")
    assert [r[0] for r in rows] == [
        "$pageview",
        "Trial Started",
        "$identify",
        "$groupidentify",
        "$create_alias",
        "Report Created",
    ]
    assert {r[1] for r in rows} == {"u-42"}  # anonymous id and old id merged into u-42
    assert rows[0][2] == "https://app.test/pricing"
    with source_for(world.workspace) as src:
        person = src.query("SELECT company, properties FROM persons WHERE person_id = 'u-42'").rows
        lib = src.query(
            f"SELECT {src.dialect.json_str('properties', '$lib')} FROM events LIMIT 1"
        ).rows
    assert person[0][0] == "Northwind"
    assert "nora@northwind.test" in person[0][1]
    assert lib == [("analytics-python",)]


def test_a_resent_segment_batch_is_stored_once(live_server, world, event_store):
    client = segment_client.Client(world.product.write_key, host=live_server.url, sync_mode=True)
    t0 = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(2):
        client.track("u1", "Saved", timestamp=t0, message_id="fixed-id")
    assert _query(world, event_store, "SELECT count(*) FROM events") == [(1,)]
