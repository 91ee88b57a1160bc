"""How far behind the event store is: what `/metrics` reports about ingest.

Computed from the files, not from counters in a process, so every worker answers the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from lodestar.analytics.store.layout import Layout
from lodestar.analytics.store.spool import written_size


@dataclass(frozen=True)
class Status:
    backlog_bytes: int  # accepted but not yet in the store
    lag_seconds: float  # age of the oldest such bytes (0 when there are none)
    stored_events: int
    files: int
    workspaces: int


def status(layout: Layout) -> Status:
    manifest = layout.read_manifest()
    backlog, oldest = 0, None
    for segment in layout.spool.glob("*.ndjson") if layout.spool.exists() else []:
        try:
            stat = segment.stat()
            written = written_size(segment, stat.st_size)  # not the zeros ahead of the data
        except FileNotFoundError:  # finished and deleted meanwhile
            continue
        pending = written - manifest.spool.get(segment.name, 0)
        if pending > 0:
            backlog += pending
            oldest = stat.st_mtime if oldest is None else min(oldest, stat.st_mtime)
    try:
        compacted = layout.manifest_path.stat().st_mtime
    except FileNotFoundError:
        compacted = None
    # Unread bytes arrived after the last compaction read the spool: the time since then
    # bounds how long the oldest of them has waited (it grows if compaction stalls).
    lag = 0.0
    if backlog and oldest is not None:
        lag = max(0.0, time.time() - (compacted if compacted is not None else oldest))
    return Status(
        backlog_bytes=backlog,
        lag_seconds=lag,
        stored_events=sum(f.rows for w in manifest.workspaces.values() for f in w.files),
        files=sum(len(w.files) for w in manifest.workspaces.values()),
        workspaces=len(manifest.workspaces),
    )
