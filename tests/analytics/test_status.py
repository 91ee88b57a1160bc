"""/metrics: the event store's ingest backlog and lag, for a scraper on the same machine."""

from __future__ import annotations

import time
import uuid

import pytest

from lodestar.analytics.store import get_spool


def _line(world):
    now = int(time.time() * 1_000_000)
    return {"w": world.workspace.id, "p": "web", "uuid": str(uuid.uuid4()), "event": "x",
            "distinct_id": "u", "ts": now, "properties": {}, "received": now}  # fmt: skip


@pytest.mark.django_db
def test_metrics_show_the_backlog_until_it_is_compacted(world, client, event_store):
    get_spool().append([_line(world), _line(world)])
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    backlog = next(line for line in body.splitlines() if line.startswith("lodestar_events_backlog"))
    assert int(backlog.split()[1]) > 0
    event_store.flush()
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "lodestar_events_backlog_bytes 0" in body
    assert "lodestar_events_lag_seconds 0" in body
    assert "lodestar_events_stored 2" in body


@pytest.mark.django_db
def test_metrics_are_not_shown_to_other_hosts(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


@pytest.mark.django_db
def test_health_checks_the_event_store(client, event_store):
    body = client.get("/healthz").json()
    assert body["checks"] == {"database": "ok", "events": "ok"}
    layout = event_store.get_engine().layout
    layout.manifest_path.write_text("{not json")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["events"].startswith("error: JSONDecodeError")
