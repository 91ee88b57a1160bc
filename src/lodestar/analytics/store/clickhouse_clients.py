"""The ClickHouse engine's two clients, one small interface (command, arrow, insert) over
clickhouse-connect (a ClickHouse server) and chDB (ClickHouse in this process)."""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa


def _database_name(name: str) -> str:
    """The URL's database, which goes into SQL as an identifier: a plain name only."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"LODESTAR_EVENTS_URL: the database must be a plain name, not {name!r}")
    return name


class _ConnectClient:
    """A ClickHouse server through clickhouse-connect (HTTP)."""

    def __init__(self, url: str) -> None:
        import clickhouse_connect

        parts = urlsplit(url)
        self.database = _database_name(parts.path.strip("/") or "default")
        self._client = clickhouse_connect.get_client(
            host=parts.hostname or "localhost",
            port=parts.port or (8443 if parts.scheme == "clickhouses" else 8123),
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            secure=parts.scheme == "clickhouses",
            autogenerate_session_id=False,
        )
        self._lock = threading.Lock()  # a client is not safe across threads

    def command(self, sql: str) -> None:
        with self._lock:
            self._client.command(sql)

    def arrow(self, sql: str) -> pa.Table:
        with self._lock:
            return self._client.query_arrow(sql, use_strings=True)

    def insert(self, table: str, data: pa.Table) -> None:
        with self._lock:
            self._client.insert_arrow(table, data, database=self.database)


_chdb_sessions: dict[str, Any] = {}
_chdb_lock = threading.Lock()


class _ChdbClient:
    """chDB in this process. chDB allows one data path per process ("EmbeddedServer already
    initialized") and locks it against other processes: tests and single-process use only."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        path = unquote(parts.netloc + parts.path)
        self.database = _database_name((parse_qs(parts.query).get("database") or ["lodestar"])[0])
        with _chdb_lock:
            if not _chdb_sessions:
                from chdb import session

                _chdb_sessions[path] = session.Session(path)
            elif path not in _chdb_sessions:
                raise RuntimeError(
                    f"chDB already runs on {next(iter(_chdb_sessions))} in this process; "
                    "it allows one data path per process"
                )
        self._session = _chdb_sessions[path]

    def command(self, sql: str) -> None:
        with _chdb_lock:
            self._session.query(sql)

    def arrow(self, sql: str) -> pa.Table:
        with _chdb_lock:
            return self._session.query(sql, "ArrowTable")

    def insert(self, table: str, data: pa.Table) -> None:
        rows = data  # read by name by chDB's Python() table function
        with _chdb_lock:
            self._session.query(f"INSERT INTO {self.database}.{table} SELECT * FROM Python(rows)")
        del rows
