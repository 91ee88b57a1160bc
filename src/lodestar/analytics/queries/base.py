"""What every query is written against: a `Source` (one workspace's events on one engine)
and its `Dialect` (the few SQL spellings that differ between DuckDB and ClickHouse).

Both engines expose the same relations:

    events(uuid, event, distinct_id, timestamp, properties, product, url, session_id,
           person_id)          timestamp is UTC; properties is JSON text
    persons(person_id, properties, created_at, updated_at, company_key, company,
            company_arr, company_plan, company_segment)
    companies(key, name, external_id, domain, arr, plan, segment)

Queries build SQL from the dialect's pieces and quote values with `dialect.literal`; user
input never reaches SQL any other way (the SQL console excepted: it runs sandboxed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

UNITS = ("hour", "day", "week", "month")


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Dialect:
    name = "base"

    def literal(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, datetime):
            return self.timestamp(value)
        if isinstance(value, date):
            return f"DATE '{value.isoformat()}'"
        if isinstance(value, list | tuple):
            return "(" + ", ".join(self.literal(v) for v in value) + ")" if value else "(NULL)"
        return self.string(str(value))

    def string(self, text: str) -> str:
        raise NotImplementedError

    def timestamp(self, value: datetime) -> str:
        raise NotImplementedError

    def json_str(self, column: str, key: str) -> str:
        """The property `key` of a JSON column as text (NULL when absent)."""
        raise NotImplementedError

    def json_num(self, column: str, key: str) -> str:
        raise NotImplementedError

    def local(self, column: str, tz: str) -> str:
        """A UTC timestamp column as wall-clock time in the workspace's time zone."""
        raise NotImplementedError

    def trunc(self, unit: str, expr: str) -> str:
        """Start of the hour/day/week (Monday)/month holding `expr`."""
        raise NotImplementedError

    def seconds_between(self, start: str, end: str) -> str:
        raise NotImplementedError

    def epoch_us(self, expr: str) -> str:
        """A timestamp as microseconds since the epoch (an integer)."""
        raise NotImplementedError

    def hash64(self, expr: str) -> str:
        """A 64-bit hash of a string (for grouping; each engine's own hash)."""
        raise NotImplementedError

    def quantile(self, q: float, expr: str) -> str:
        """The exact q-quantile, interpolated between the closest ranks (numpy's default)."""
        raise NotImplementedError


class DuckDialect(Dialect):
    name = "duckdb"

    def string(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def timestamp(self, value: datetime) -> str:
        return f"TIMESTAMP '{value.replace(tzinfo=None).isoformat(sep=' ')}'"

    def json_str(self, column: str, key: str) -> str:
        return f"json_extract_string({column}, {self.string(_json_path(key))})"

    def json_num(self, column: str, key: str) -> str:
        return f"TRY_CAST({self.json_str(column, key)} AS DOUBLE)"

    def local(self, column: str, tz: str) -> str:
        return f"timezone({self.string(tz)}, {column}::TIMESTAMPTZ)"

    def trunc(self, unit: str, expr: str) -> str:
        assert unit in UNITS
        return f"date_trunc('{unit}', {expr})"

    def seconds_between(self, start: str, end: str) -> str:
        return f"(epoch_us({end}) - epoch_us({start})) / 1e6"

    def epoch_us(self, expr: str) -> str:
        return f"epoch_us({expr})"

    def hash64(self, expr: str) -> str:
        return f"hash({expr})"

    def quantile(self, q: float, expr: str) -> str:
        return f"quantile_cont({expr}, {float(q)!r})"


class ClickHouseDialect(Dialect):
    name = "clickhouse"

    def string(self, text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def timestamp(self, value: datetime) -> str:
        return f"toDateTime64('{value.replace(tzinfo=None).isoformat(sep=' ')}', 6, 'UTC')"

    def json_str(self, column: str, key: str) -> str:
        # As DuckDB's json_extract_string: NULL when absent or null, a string unquoted,
        # anything else (number, true, object) as its JSON text.
        raw = f"JSONExtractRaw({column}, {self.string(key)})"
        return (
            f"multiIf({raw} IN ('', 'null'), NULL, startsWith({raw}, '\"'), "
            f"JSONExtractString({column}, {self.string(key)}), {raw})"
        )

    def json_num(self, column: str, key: str) -> str:
        return f"toFloat64OrNull({self.json_str(column, key)})"

    def local(self, column: str, tz: str) -> str:
        # The wall-clock time, still typed UTC: DuckDB's local time is a naive TIMESTAMP, so
        # it compares with literals and truncates by its wall time; toTimeZone() would keep
        # the instant and compare as the instant.
        return (
            f"({column} + toIntervalSecond("
            f"timeZoneOffset(toTimeZone({column}, {self.string(tz)}))))"
        )

    def trunc(self, unit: str, expr: str) -> str:
        assert unit in UNITS
        fn = {
            "hour": "toStartOfHour",
            "day": "toStartOfDay",
            "week": "toMonday",
            "month": "toStartOfMonth",
        }[unit]
        return f"toDateTime64({fn}({expr}), 6, 'UTC')"

    def seconds_between(self, start: str, end: str) -> str:
        return f"(toUnixTimestamp64Micro({end}) - toUnixTimestamp64Micro({start})) / 1e6"

    def epoch_us(self, expr: str) -> str:
        return f"toUnixTimestamp64Micro({expr})"

    def hash64(self, expr: str) -> str:
        return f"cityHash64({expr})"

    def quantile(self, q: float, expr: str) -> str:
        return f"quantileExactInclusive({float(q)!r})({expr})"


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


class Source(Protocol):
    """One workspace's events on one engine, for the length of a request."""

    dialect: Dialect
    tz: str  # the workspace's time zone, for day/week/month boundaries

    def query(self, sql: str) -> Result: ...

    def close(self) -> None: ...


class DuckSource:
    dialect: Dialect = DuckDialect()

    def __init__(self, con, tz: str) -> None:
        self.con = con
        self.tz = tz

    def query(self, sql: str) -> Result:
        cursor = self.con.execute(sql)
        return Result([d[0] for d in cursor.description or []], cursor.fetchall())

    def arrow(self, sql: str):
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def source_for(workspace, *, sandbox: bool = False):
    """The workspace's events on the configured engine (use as a context manager)."""
    from lodestar.analytics import store

    engine = store.get_engine()
    return engine.source(
        workspace.id, store.companies_for(workspace), workspace.time_zone, sandbox=sandbox
    )


def in_list(dialect: Dialect, values: Sequence[Any]) -> str:
    return dialect.literal(list(values))
