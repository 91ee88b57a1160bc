"""The event store behind one interface, with two engines.

    get_engine()   DuckEngine (default; Parquet files in the data directory) or the
                   ClickHouse engine when LODESTAR_EVENTS_URL is `clickhouse://...` (or
                   `chdb://path` for tests)
    get_spool()    this process's durable spool (capture appends to it)
    flush()        compact now and wait for the lock: what tests and the CLI call to make
                   everything accepted so far queryable
    reader(ws)     engine.connect(...) with the workspace's companies loaded

Queries live in lodestar.analytics.queries; they take an engine and a workspace.
"""

from __future__ import annotations

import threading
from functools import cache

from django.conf import settings

from lodestar.analytics.store.compactor import (
    Ticker,
    TickResult,
    compact,
    drop_workspace,
    load,
)
from lodestar.analytics.store.layout import Layout
from lodestar.analytics.store.spool import Spool

_lock = threading.Lock()


@cache
def get_engine():
    url = getattr(settings, "EVENTS_URL", "") or ""
    if url.startswith(("clickhouse://", "clickhouses://", "chdb://")):
        from lodestar.analytics.store.clickhouse import ClickHouseEngine

        return ClickHouseEngine.from_url(url, Layout())
    from lodestar.analytics.store.duck import DuckEngine

    return DuckEngine(Layout())


@cache
def get_spool() -> Spool:
    return Spool(Layout().spool)


_ticker: Ticker | None = None


def start_ticker() -> None:
    """Start this process's compactor thread (called once per server worker)."""
    global _ticker
    with _lock:
        if _ticker is None:
            _ticker = Ticker(get_engine())
        _ticker.start()


def flush() -> TickResult:
    """Make every event accepted so far (by any process) queryable, waiting for the lock."""
    result = compact(get_engine(), wait=True)
    assert result is not None
    return result


def load_events(workspace, con, relation: str) -> TickResult:
    """Bulk-store events already in a DuckDB connection (see compactor.load)."""
    return load(get_engine(), workspace.id, con, relation)


def forget_workspace(workspace_id: int) -> None:
    """Drop a workspace's events (call when the workspace is deleted)."""
    drop_workspace(get_engine(), workspace_id)


def companies_for(workspace) -> list[dict]:
    from lodestar.customers.models import Company

    return [
        {
            "key": c["key"],
            "name": c["name"],
            "external_id": c["external_id"] or None,
            "domain": c["domain"] or None,
            "arr": float(c["arr"]) if c["arr"] is not None else None,
            "plan": c["plan"] or None,
            "segment": c["segment"] or None,
        }
        for c in Company.objects.filter(workspace=workspace).values(
            "key", "name", "external_id", "domain", "arr", "plan", "segment"
        )
    ]


def reader(workspace, *, sandbox: bool = False):
    """A read connection over one workspace's events, persons and companies."""
    return get_engine().connect(workspace.id, companies=companies_for(workspace), sandbox=sandbox)


def reset() -> None:
    """Forget this process's engine, spool and ticker (tests; after a restore)."""
    global _ticker
    if _ticker is not None:
        _ticker.stop()
        _ticker = None
    get_engine.cache_clear()
    spool = get_spool()
    spool.close()
    get_spool.cache_clear()


reset_for_tests = reset
