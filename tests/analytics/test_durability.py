"""kill -9 of `lodestar serve --workers 2` under load loses no acknowledged event, and stores
none twice (also when the client sends an acknowledged batch again)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.ingest import kill9, prepare, start_server

from lodestar.analytics.store.compactor import compact
from lodestar.analytics.store.duck import DuckEngine
from lodestar.analytics.store.layout import Layout

THREADS = 4
PER_BATCH = 20


def _batch(key: str, thread: int, n: int) -> tuple[list[str], bytes]:
    ts = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    uuids = [f"t{thread}-b{n}-e{i}" for i in range(PER_BATCH)]
    events = [
        {
            "event": "load",
            "distinct_id": f"u{thread}",
            "uuid": u,
            "timestamp": ts,
            "properties": {"n": n},
        }
        for u in uuids
    ]
    return uuids, json.dumps({"api_key": key, "batch": events}).encode()


def _load(port: int, key: str, thread: int, stop: threading.Event, acked: list, sent: list):
    n = 0
    while not stop.is_set():
        uuids, body = _batch(key, thread, n)
        n += 1
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/batch/", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            continue  # the server died under us: this batch was not acknowledged
        sent.append(body)
        if response.status == 200:
            acked.extend(uuids)


def _stored(root: Path, workspace_id: int) -> dict[str, int]:
    con = DuckEngine(Layout(root)).connect(workspace_id, companies=[])
    try:
        return dict(con.execute("SELECT uuid, count(*) FROM events GROUP BY uuid").fetchall())
    finally:
        con.close()


def test_kill_9_under_load_loses_no_acknowledged_event(tmp_path):
    data_dir = tmp_path / "data"
    workspace_id, key = prepare(data_dir)
    acked: list[str] = []
    sent: list[bytes] = []
    stop = threading.Event()
    with start_server(data_dir, workers=2) as (server, port):
        threads = [
            threading.Thread(target=_load, args=(port, key, i, stop, acked, sent), daemon=True)
            for i in range(THREADS)
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acked) < 40 * PER_BATCH and time.monotonic() < deadline:
            time.sleep(0.05)
        kill9(server)  # mid-load: requests are in flight in both workers
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert len(acked) >= 40 * PER_BATCH, "the load never got going"

    # Start it again: its compactor finishes the dead workers' spool; a client resends.
    root = data_dir / "events"
    with start_server(data_dir, workers=2) as (_server, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for body in sent[:5]:
            conn.request("POST", "/batch/", body, {"Content-Type": "application/json"})
            assert conn.getresponse().status == 200
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        deadline = time.monotonic() + 30
        stored: dict[str, int] = {}
        while time.monotonic() < deadline:
            stored = _stored(root, workspace_id)
            if set(acked) <= set(stored):
                break
            time.sleep(0.25)
    compact(DuckEngine(Layout(root)), wait=True)  # whatever the last tick left
    stored = _stored(root, workspace_id)
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
    twice = {u: n for u, n in stored.items() if n > 1}
    assert not twice, f"stored more than once: {list(twice.items())[:3]}"
