"""The spool's segments: zeros ahead of the data, and readers that stop at them (the
compactor, the backlog in /metrics), whether the writer is alive, dead, or mid-write."""

from __future__ import annotations

import fcntl
import os
import time
import uuid

import pytest

from lodestar.analytics.store import spool as spool_module
from lodestar.analytics.store.layout import Layout
from lodestar.analytics.store.spool import ZERO_STEP, Spool, dumps, written_size
from lodestar.analytics.store.status import status


def line(ws, distinct_id: str) -> bytes:
    now = int(time.time() * 1_000_000)
    return dumps(
        {
            "w": ws.id,
            "p": "web",
            "uuid": str(uuid.uuid4()),
            "event": "signed_up",
            "distinct_id": distinct_id,
            "ts": now,
            "properties": {},
            "received": now,
        }
    )


def test_a_segment_keeps_zeros_ahead_of_its_data_and_is_cut_to_it_when_closed(tmp_path):
    spool = Spool(tmp_path / "spool")
    written = spool.append([{"event": "a"}, {"event": "b"}])
    (segment,) = (tmp_path / "spool").glob("*.ndjson")
    content = segment.read_bytes()
    assert content[:written] == b'{"event":"a"}\n{"event":"b"}\n'
    assert len(content) == written + ZERO_STEP and not content[written:].strip(b"\0")
    assert written_size(segment, len(content)) == written
    more = spool.append([{"event": "c"}])  # within the zeros: the file does not grow
    assert segment.stat().st_size == len(content)
    spool.close()
    assert segment.read_bytes() == b'{"event":"a"}\n{"event":"b"}\n{"event":"c"}\n'
    assert segment.stat().st_size == written + more


def test_a_request_bigger_than_the_zeros_ahead_grows_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(spool_module, "ZERO_STEP", 64)
    spool = Spool(tmp_path / "spool")
    rows = [{"event": "x" * 100}] * 3
    sizes = [spool.append(rows) for _ in range(4)]
    (segment,) = (tmp_path / "spool").glob("*.ndjson")
    assert segment.stat().st_size == sum(sizes) + 64
    spool.close()
    assert segment.read_bytes() == b"".join(dumps(r) for r in rows) * 4


@pytest.mark.django_db
def test_a_dead_writers_segment_is_read_up_to_its_zeros_and_finished(world, event_store):
    spool_dir = Layout().spool
    spool_dir.mkdir(parents=True, exist_ok=True)
    segment = spool_dir / "999999-1.ndjson"  # nobody holds its lock: its writer is gone
    segment.write_bytes(line(world.workspace, "u1") + line(world.workspace, "u2") + b"\0" * 500)
    assert status(Layout()).backlog_bytes == segment.stat().st_size - 500
    assert event_store.flush().events == 2
    assert not segment.exists()
    assert status(Layout()).backlog_bytes == 0


@pytest.mark.django_db
def test_a_write_seen_half_done_is_left_for_the_next_tick(world, event_store):
    # A reader may see a request's pages out of order while it is being written: the part
    # after the first zero byte, even with a newline in it, is not taken yet.
    ws = world.workspace
    first, second = line(ws, "u1"), line(ws, "u2")
    spool_dir = Layout().spool
    spool_dir.mkdir(parents=True, exist_ok=True)
    segment = spool_dir / f"{os.getpid()}-2.ndjson"
    torn = first + second[:10] + b"\0" * 20 + second[30:] + b"\0" * 100
    segment.write_bytes(torn)
    holder = os.open(segment, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_SH)  # the writer is alive
    try:
        assert event_store.flush().events == 1
        os.pwrite(holder, second, len(first))  # the write completes
        assert event_store.flush().events == 1
        assert event_store.flush().events == 0
    finally:
        os.close(holder)
    assert event_store.flush().events == 0  # the writer is gone: the segment is finished
    assert not segment.exists()
    users = event_store.reader(ws).execute("SELECT distinct_id FROM events ORDER BY 1")
    assert users.fetchall() == [("u1",), ("u2",)]
