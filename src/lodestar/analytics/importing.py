"""Import events from a file: JSON lines in the PostHog format, or Parquet.

Accepted shapes, one event per line (JSON) or per row (Parquet):

    PostHog capture / `/batch/` items   {"event", "distinct_id", "properties", "timestamp",
                                         "uuid"}; `distinct_id` may sit in properties, and
                                         `$set` / `$set_once` at the top level
    PostHog exports (batch exports,     the same names, plus person_id, team_id,
    file downloads)                     elements_chain, created_at ... (ignored);
                                        properties may be JSON text; `set` / `set_once`

`timestamp` is ISO 8601 (no offset: UTC) or a number of seconds since the epoch; a missing
`uuid` is derived from the event's content, so re-importing the same file stores nothing
twice. Every line is checked before anything is stored: one bad line and nothing is written;
the error names every bad line (up to MAX_REPORTED). Then `store.load_events` stores the whole
file in one go (all or nothing), with the uuid check against what is already stored.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from lodestar.core.errors import Invalid

MAX_REPORTED = 20
MAX_LINE_BYTES = 1024 * 1024  # a line past this is refused, as capture refuses huge properties
FUTURE_SLACK = timedelta(days=1)
PROGRESS_BYTES = 256 * 1024  # how often the progress callback hears of JSON lines read
NAMESPACE = uuid_module.UUID("6f1c1cf4-5a4a-4a3f-9a55-1c8b5ef0c0de")

Progress = Callable[[int], None]  # called with how many more bytes (JSON) or rows were read


@dataclass
class ImportReport:
    lines: int = 0  # events read from the file
    stored: int = 0
    repeats: int = 0  # already stored (same uuid), skipped
    errors: list[str] = field(default_factory=list)


class ImportInvalid(Invalid):
    def __init__(self, errors: list[str], total: int) -> None:
        more = f" (and {total - len(errors)} more)" if total > len(errors) else ""
        super().__init__(
            f"{total} invalid line{'s' if total != 1 else ''}{more}; nothing was imported:\n"
            + "\n".join(errors),
            fields={"file": errors},
        )
        self.errors = errors
        self.total = total


def file_format(path: Path) -> str:
    """'parquet' or 'json', from the file's first bytes (Parquet starts with PAR1)."""
    with open(path, "rb") as handle:
        return "parquet" if handle.read(4) == b"PAR1" else "json"


def events_import(
    *, workspace, product, path: Path, progress: Progress | None = None
) -> ImportReport:
    """Check every event in `path`, then store them all for `product` of `workspace`.
    Raises ImportInvalid (nothing stored) when any line is bad."""
    from lodestar.analytics import store

    path = Path(path)
    if not path.is_file():
        raise Invalid(f"No file {str(path)!r}.", fields={"file": "No such file."})
    if file_format(path) == "parquet":
        return _import_parquet(workspace, product, path, progress)
    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="lodestar-import-") as tmp:
        normalized = Path(tmp) / "events.ndjson"
        report = _normalize_json(path, normalized, progress)
        if report.errors:
            raise ImportInvalid(report.errors[:MAX_REPORTED], len(report.errors))
        if report.lines == 0:
            return report
        con.execute(
            """
            CREATE TEMP TABLE src AS
            SELECT ? AS product, uuid, event, distinct_id,
                   make_timestamp(ts) AS timestamp, properties,
                   json_extract_string(properties, '$."$current_url"') AS url,
                   json_extract_string(properties, '$."$session_id"') AS session_id,
                   now()::TIMESTAMP AS received_at
            FROM read_json(?, format = 'newline_delimited', columns = {
                'uuid': 'VARCHAR', 'event': 'VARCHAR', 'distinct_id': 'VARCHAR',
                'ts': 'BIGINT', 'properties': 'VARCHAR'})
            """,
            [product.key, str(normalized)],
        )
        result = store.load_events(workspace, con, "SELECT * FROM src")
    con.close()
    report.stored, report.repeats = result.events, result.repeats
    return report


# -- JSON lines ----------------------------------------------------------------------------


def _normalize_json(source: Path, target: Path, progress: Progress | None) -> ImportReport:
    report = ImportReport()
    now = datetime.now(UTC)
    with open(source, "rb") as lines, open(target, "w", encoding="utf-8") as out:
        unreported = 0
        for number, raw in enumerate(lines, 1):
            unreported += len(raw)
            if progress is not None and unreported >= PROGRESS_BYTES:
                progress(unreported)
                unreported = 0
            if not raw.strip():
                continue
            try:
                row = _normalize(raw, now)
            except ValueError as exc:
                report.errors.append(f"line {number}: {exc}")
                continue
            report.lines += 1
            if not report.errors:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        if progress is not None and unreported:
            progress(unreported)
    return report


def _normalize(raw: bytes, now: datetime) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"the line is longer than {MAX_LINE_BYTES // 1024} kB")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return event_row(data, now)


def event_row(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One event (a dict in either PostHog shape) as the importer stores it; ValueError
    with a clear message when it cannot be."""
    event = data.get("event")
    if not isinstance(event, str) or not event.strip():
        raise ValueError("missing event (a non-empty string)")
    if len(event) > 400:
        raise ValueError("event name longer than 400 characters")
    properties = data.get("properties")
    if properties is None:
        properties = {}
    elif isinstance(properties, str):
        try:
            properties = json.loads(properties) if properties.strip() else {}
        except json.JSONDecodeError:
            raise ValueError("properties is text but not a JSON object") from None
    if not isinstance(properties, dict):
        raise ValueError("properties must be a JSON object")
    for key, name in (("$set", "$set"), ("$set_once", "$set_once"), ("set", "$set")):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ValueError(f"{key} is text but not a JSON object") from None
        if isinstance(value, dict) and value:
            properties[name] = {**properties.get(name, {}), **value}
    once = data.get("set_once")
    if isinstance(once, dict) and once:
        properties["$set_once"] = {**properties.get("$set_once", {}), **once}
    distinct_id = data.get("distinct_id", properties.get("distinct_id"))
    if isinstance(distinct_id, bool) or not isinstance(distinct_id, str | int | float):
        raise ValueError("missing distinct_id (a string)")
    distinct_id = str(distinct_id).strip()
    if not distinct_id:
        raise ValueError("missing distinct_id (a string)")
    ts = _timestamp(data.get("timestamp"))
    if ts > now + FUTURE_SLACK:
        raise ValueError(f"timestamp {data.get('timestamp')!r} is in the future")
    micros = (ts - EPOCH) // timedelta(microseconds=1)
    text = json.dumps(properties, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    uid = data.get("uuid")
    if uid is None or uid == "":
        digest = hashlib.sha256(f"{event}\x00{distinct_id}\x00{micros}\x00{text}".encode())
        uid = str(uuid_module.uuid5(NAMESPACE, digest.hexdigest()))
    elif not isinstance(uid, str) or len(uid) > 200:
        raise ValueError("uuid must be a string")
    return {
        "uuid": uid,
        "event": event,
        "distinct_id": distinct_id,
        "ts": micros,
        "properties": text,
    }


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _timestamp(value: Any) -> datetime:
    if value is None or value == "":
        raise ValueError("missing timestamp (ISO 8601, e.g. 2026-11-02T09:30:00Z)")
    if isinstance(value, bool):
        raise ValueError("timestamp must be ISO 8601 text or seconds since the epoch")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds are common too
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"timestamp {value!r} is out of range") from None
    if not isinstance(value, str):
        raise ValueError("timestamp must be ISO 8601 text or seconds since the epoch")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {value!r} is not ISO 8601") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# -- Parquet -------------------------------------------------------------------------------


def _import_parquet(workspace, product, path: Path, progress: Progress | None) -> ImportReport:
    """Parquet is read row by row through the same checks (in Arrow batches), so a bad row
    is reported by its row number exactly as a bad JSON line is."""
    from lodestar.analytics import store

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        try:
            types = {
                r[0]: str(r[1])
                for r in con.execute(
                    "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]
                ).fetchall()
            }
        except duckdb.Error as exc:
            raise Invalid(
                f"Cannot read the Parquet file: {exc}", fields={"file": str(exc)}
            ) from None
        need = [c for c in ("event", "distinct_id", "timestamp") if c not in types]
        if "distinct_id" in need and "properties" in types:
            need.remove("distinct_id")  # it may be in properties
        if need:
            raise Invalid(
                "The Parquet file lacks the columns " + ", ".join(need) + ".",
                fields={"file": "missing columns: " + ", ".join(need)},
            )
        select = ", ".join(
            _parquet_column(c, types[c])
            for c in ("uuid", "event", "distinct_id", "timestamp", "properties", "set", "set_once")
            if c in types
        )
        reader = con.sql(
            f"SELECT {select} FROM read_parquet($path)", params={"path": str(path)}
        ).to_arrow_reader(50_000)
        report = ImportReport()
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        number = 0
        for batch in reader:
            for data in batch.to_pylist():
                number += 1
                try:
                    row = event_row(_parquet_values(data), now)
                except ValueError as exc:
                    report.errors.append(f"row {number}: {exc}")
                    continue
                report.lines += 1
                if not report.errors:
                    rows.append(row)
            if progress is not None:
                progress(batch.num_rows)
        if report.errors:
            raise ImportInvalid(report.errors[:MAX_REPORTED], len(report.errors))
        if not rows:
            return report
        import pyarrow as pa

        table = pa.Table.from_pylist(rows)
        con.register("normalized", table)
        con.execute(
            """
            CREATE TEMP TABLE src AS
            SELECT ? AS product, uuid, event, distinct_id, make_timestamp(ts) AS timestamp,
                   properties,
                   json_extract_string(properties, '$."$current_url"') AS url,
                   json_extract_string(properties, '$."$session_id"') AS session_id,
                   now()::TIMESTAMP AS received_at
            FROM normalized
            """,
            [product.key],
        )
        result = store.load_events(workspace, con, "SELECT * FROM src")
        report.stored, report.repeats = result.events, result.repeats
        return report
    finally:
        con.close()


def _parquet_column(name: str, kind: str) -> str:
    if name == "timestamp" and kind.startswith("TIMESTAMP"):
        return "strftime(timestamp::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%f') AS timestamp"
    if name == "timestamp" and kind not in ("VARCHAR",):
        return "timestamp::DOUBLE AS timestamp"  # seconds (or ms) since the epoch
    if name == "event":
        return "event::VARCHAR AS event"
    return f'"{name}"::VARCHAR AS "{name}"' if name != "distinct_id" else "distinct_id"


def _parquet_values(data: dict[str, Any]) -> dict[str, Any]:
    """A Parquet row's values as the JSON shape has them (timestamps are text already)."""
    return {k: v for k, v in data.items() if v is not None}
