"""Ordered funnels (DESIGN.md, "Funnel semantics").

Per person: the window (default 14 days, inclusive) starts at the step-1 event; each later step
is a later event (equal timestamps count as in order) within the window of that start; one
event never satisfies two steps; a person counts at the deepest step reached.

How it is computed, the same way on every engine:

1. One SQL query (built from `src.dialect`) fetches the events that match any step, as
   (person hash, time in µs, step mask[, breakdown value][, person id]), in no order, over
   Arrow. That is all an engine has to do; DuckDB and ClickHouse give the same rows.
2. The walk (queries/funnel_walk.py, compiled loops on every core) groups them by person,
   orders each person's events by time and mask, and keeps, for each step k, the chain that
   has reached step k with the latest start. Keeping the *latest* start is exact for this
   definition: a later start leaves at least as much of the window for every later step, so
   no other chain goes deeper. Ties between chains with the same start keep the one that
   completed the step first; the chain's step times give the time between steps.

Breakdowns give each person one value: an event property is read on the person's first
step-1 event in the range ("first touch"), a person property or the company's name, plan or
segment on the person. Date range: step 1 must happen in the range; later steps may fall
up to one window after its end, so people who entered late still get their window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from lodestar.analytics.queries.base import Dialect
from lodestar.analytics.queries.filters import Filter, parse_filters, where
from lodestar.analytics.queries.funnel_walk import Walk, walk
from lodestar.core.errors import Invalid

KIND = "funnel"
LABEL = "Funnel"

MAX_STEPS = 10
DEFAULT_WINDOW = timedelta(days=14)
MAX_WINDOW = timedelta(days=365)
MAX_BREAKDOWN_VALUES = 10
OTHER = "(other)"
NONE = "(none)"
BREAKDOWN_TYPES = {
    "event": "Event property",
    "person": "Person property",
    "company": "Company",
    "plan": "Company plan",
    "segment": "Company segment",
}
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([mhdw]?)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}


@dataclass(frozen=True)
class Step:
    event: str
    filters: tuple[Filter, ...] = ()

    @property
    def label(self) -> str:
        if not self.filters:
            return self.event
        return f"{self.event} ({', '.join(str(f) for f in self.filters)})"


@dataclass(frozen=True)
class Params:
    steps: tuple[Step, ...]
    window: timedelta = DEFAULT_WINDOW
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    days: int | None = None  # "the last N days" (relative, for saved charts)
    breakdown_type: str = ""
    breakdown: str = ""
    product: str = ""
    query: dict[str, str] = field(default_factory=dict)  # the normalized parse() input


# -- parse --------------------------------------------------------------------------------


def parse_window(text: str) -> timedelta:
    """`14d`, `36h`, `90m`, `2w`, or a number of days."""
    match = _WINDOW_RE.match(text or "")
    if not match:
        raise Invalid(fields={"window": "Write the window as a number and a unit: 14d, 36h, 90m."})
    amount, unit = int(match.group(1)), match.group(2)
    window = timedelta(**{_UNITS[unit]: amount})
    if window <= timedelta(0):
        raise Invalid(fields={"window": "The window must be longer than zero."})
    if window > MAX_WINDOW:
        raise Invalid(fields={"window": "The window can be at most 365 days."})
    return window


def format_window(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


def _date(data: Mapping[str, str], name: str) -> date | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(fields={name: "Write the date as YYYY-MM-DD."}) from None


def _steps(data: Mapping[str, str]) -> list[Step]:
    steps: list[Step] = []
    if (data.get("steps") or "").strip():
        names = [s.strip() for s in data["steps"].split(",")]
        if any(not n for n in names):
            raise Invalid(fields={"steps": "A step has no event name (two commas in a row?)."})
        steps = [Step(n) for n in names]
    else:
        for i in range(1, MAX_STEPS + 2):
            name = (data.get(f"step_{i}") or "").strip()
            raw_filters = data.get(f"step_{i}_filters") or ""
            if not name:
                if raw_filters.strip():
                    raise Invalid(fields={f"step_{i}": "Name the event for these filters."})
                continue
            filters = parse_filters(raw_filters, field=f"step_{i}_filters")
            steps.append(Step(name, tuple(filters)))
    for step in steps:
        if len(step.event) > 200:
            raise Invalid(fields={"steps": "An event name is longer than 200 characters."})
    if len(steps) < 2:
        raise Invalid(fields={"steps": "A funnel needs at least two steps."})
    if len(steps) > MAX_STEPS:
        raise Invalid(fields={"steps": f"A funnel has at most {MAX_STEPS} steps."})
    return steps


def parse(data: Mapping[str, str]) -> Params:
    """Params from a query string (the page, a saved Chart.query, the CLI)."""
    errors: dict[str, str] = {}

    def attempt(fn, *args):
        try:
            return fn(*args)
        except Invalid as exc:
            errors.update({k: v[0] for k, v in exc.fields.items()})
            return None

    steps = attempt(_steps, data) or []
    window = attempt(parse_window, data.get("window") or "14d") or DEFAULT_WINDOW
    date_from = attempt(_date, data, "from")
    date_to = attempt(_date, data, "to")
    if date_from and date_to and date_from > date_to:
        errors["to"] = "The end date is before the start date."
    days = None
    if (data.get("days") or "").strip():
        try:
            days = int(data["days"])
            if not 1 <= days <= 3660:
                raise ValueError
        except ValueError:
            errors["days"] = "Give the number of days as a whole number from 1 to 3660."
    breakdown_type = (data.get("breakdown_type") or "").strip()
    breakdown = (data.get("breakdown") or "").strip()
    if breakdown_type and breakdown_type not in BREAKDOWN_TYPES:
        errors["breakdown_type"] = f"Break down by one of: {', '.join(BREAKDOWN_TYPES)}."
    elif breakdown_type in ("event", "person") and not breakdown:
        errors["breakdown"] = "Name the property to break down by."
    elif len(breakdown) > 200:
        errors["breakdown"] = "The property name is longer than 200 characters."
    if breakdown_type not in ("event", "person"):
        breakdown = ""
    if errors:
        raise Invalid(fields=errors)
    query = {"window": format_window(window)}
    for i, step in enumerate(steps, start=1):
        query[f"step_{i}"] = step.event
        if step.filters:
            query[f"step_{i}_filters"] = json.dumps([f.as_dict() for f in step.filters])
    for name, value in (
        ("from", date_from.isoformat() if date_from else ""),
        ("to", date_to.isoformat() if date_to else ""),
        ("days", str(days) if days else ""),
        ("breakdown_type", breakdown_type),
        ("breakdown", breakdown),
        ("product", (data.get("product") or "").strip()),
    ):
        if value:
            query[name] = value
    return Params(
        steps=tuple(steps),
        window=window,
        date_from=date_from,
        date_to=date_to,
        days=days,
        breakdown_type=breakdown_type,
        breakdown=breakdown,
        product=query.get("product", ""),
        query=query,
    )


# -- SQL ----------------------------------------------------------------------------------

# The two spellings the dialect does not carry yet: a 64-bit hash of a string and a
# timestamp as microseconds since the epoch.
_HASH = {"duckdb": "hash({})", "clickhouse": "cityHash64({})"}
_MICROS = {"duckdb": "epoch_us({})", "clickhouse": "toUnixTimestamp64Micro({})"}


def _bounds(params: Params, tz: str, now: datetime | None = None) -> tuple[datetime | None, ...]:
    """The range for step 1 as UTC datetimes [start, end), from dates in the workspace's zone."""
    zone = ZoneInfo(tz)
    start_day, end_day = params.date_from, params.date_to
    if params.days and not (start_day or end_day):
        today = (now or datetime.now(zone)).astimezone(zone).date()
        start_day, end_day = today - timedelta(days=params.days - 1), today

    def utc(day: date | None) -> datetime | None:
        if day is None:
            return None
        local = datetime.combine(day, time.min, tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    return utc(start_day), utc(end_day + timedelta(days=1) if end_day else None)


def _step_condition(dialect: Dialect, step: Step) -> str:
    condition = f"e.event = {dialect.literal(step.event)}"
    if step.filters:
        condition += " AND " + where(dialect, step.filters, "e.properties")
    return condition


def _breakdown_expr(dialect: Dialect, params: Params) -> str | None:
    kind = params.breakdown_type
    if not kind:
        return None
    if kind == "event":
        return dialect.json_str("e.properties", params.breakdown)
    if kind == "person":
        return dialect.json_str("p.properties", params.breakdown)
    return {"company": "p.company", "plan": "p.company_plan", "segment": "p.company_segment"}[kind]


def to_sql(dialect: Dialect, params: Params, tz: str, *, persons: bool = False, now=None) -> str:
    """The one query an engine runs: the step events, in no particular order."""
    masks = " + ".join(
        f"(CASE WHEN {_step_condition(dialect, s)} THEN {1 << i} ELSE 0 END)"
        for i, s in enumerate(params.steps)
    )
    events = sorted({s.event for s in params.steps})
    where_parts = [f"e.event IN {dialect.literal(events)}"]
    start, end = _bounds(params, tz, now)
    if start is not None:
        where_parts.append(f"e.timestamp >= {dialect.literal(start)}")
    if end is not None:
        where_parts.append(f"e.timestamp < {dialect.literal(end + params.window)}")
    if params.product:
        where_parts.append(f"e.product = {dialect.literal(params.product)}")
    columns = [
        f"{_HASH[dialect.name].format('e.person_id')} AS h",
        f"{_MICROS[dialect.name].format('e.timestamp')} AS ts",
        f"{masks} AS m",
    ]
    breakdown = _breakdown_expr(dialect, params)
    joins = ""
    if breakdown is not None:
        columns.append(f"{breakdown} AS b")
        if params.breakdown_type != "event":
            joins = " LEFT JOIN persons p ON p.person_id = e.person_id"
    if persons:
        columns.append("e.person_id AS person_id")
    sql = f"SELECT {', '.join(columns)} FROM events e{joins} WHERE {' AND '.join(where_parts)}"
    if any(s.filters for s in params.steps):  # else every event fetched matches a step
        sql = f"SELECT * FROM ({sql}) t WHERE m > 0"
    return sql


# -- run ----------------------------------------------------------------------------------


def fetch_columns(src, sql: str) -> dict[str, np.ndarray]:
    """The query's columns as numpy arrays: over Arrow where the engine has it (DuckDB and
    ClickHouse; several times faster than Python rows), rows otherwise. `b` (a breakdown
    value) and `person_id` come as object arrays."""
    arrow = getattr(src, "arrow", None)
    if arrow is not None:
        table = arrow(sql)
        return {
            name: table.column(name).to_numpy(zero_copy_only=False)
            if name not in ("b", "person_id")
            else np.asarray(table.column(name).to_pylist(), dtype=object)
            for name in table.column_names
        }
    result = src.query(sql)
    columns = list(zip(*result.rows, strict=True)) if result.rows else [()] * len(result.columns)
    return {
        name: np.asarray(values, dtype=object if name in ("b", "person_id") else None)
        for name, values in zip(result.columns, columns, strict=True)
    }


def _step_stats(params: Params, depth: np.ndarray, times: np.ndarray) -> list[dict[str, Any]]:
    k = len(params.steps)
    # Persons who reached at least step i+1: the tail sums of the persons per depth.
    counts = np.cumsum(np.bincount(depth, minlength=k + 1)[::-1])[::-1][1:].tolist()
    entered = counts[0]
    out = []
    for i, step in enumerate(params.steps):
        row: dict[str, Any] = {
            "event": step.event,
            "label": step.label,
            "count": counts[i],
            "conversion": round(counts[i] / entered, 4) if entered else 0.0,
            "step_conversion": (
                1.0
                if i == 0 and entered
                else round(counts[i] / counts[i - 1], 4)
                if i and counts[i - 1]
                else 0.0
            ),
            "dropped": counts[i - 1] - counts[i] if i else 0,
            "mean_seconds": None,
            "median_seconds": None,
        }
        if i and counts[i]:
            gaps = (times[:, i] - times[:, i - 1])[depth > i]  # µs
            row["mean_seconds"] = round(float(gaps.mean()) / 1e6, 3)
            row["median_seconds"] = round(float(np.median(gaps)) / 1e6, 3)
        out.append(row)
    return out


def _entry_end(params: Params, tz: str, now=None) -> int | None:
    _, end = _bounds(params, tz, now)
    if end is None:
        return None
    return int((end - datetime(1970, 1, 1)) / timedelta(microseconds=1))


def run(src, params: Params, *, now: datetime | None = None) -> dict[str, Any]:
    """Counts, conversion and time to convert per step, and per breakdown value."""
    data = fetch_columns(src, to_sql(src.dialect, params, src.tz, now=now))
    result = walk(
        data["h"],
        data["ts"],
        data["m"],
        len(params.steps),
        int(params.window / timedelta(microseconds=1)),
        _entry_end(params, src.tz, now),
    )
    out: dict[str, Any] = {
        "kind": KIND,
        "window": format_window(params.window),
        "steps": _step_stats(params, result.depth, result.times),
        "breakdown_type": params.breakdown_type,
        "breakdown": params.breakdown,
        "breakdowns": [],
    }
    if params.breakdown_type and len(result.depth):
        out["breakdowns"] = _breakdowns(params, data, result)
    return out


def _person_values(params: Params, data: dict[str, np.ndarray], result: Walk) -> np.ndarray:
    values = data["b"]
    rows = result.first_row
    if params.breakdown_type == "event":
        # First touch: the value on the person's first step-1 event (else their first row).
        rows = np.where(result.entry_row >= 0, result.entry_row, result.first_row)
    return np.array([NONE if v is None else str(v) for v in values[rows]], dtype=object)


def _breakdowns(params, data, result: Walk) -> list[dict[str, Any]]:
    values = _person_values(params, data, result)
    entered = result.depth >= 1
    names, counts = np.unique(values[entered], return_counts=True)
    order = sorted(zip(counts, names, strict=True), key=lambda x: (-x[0], x[1]))
    top = [str(n) for _, n in order[:MAX_BREAKDOWN_VALUES]]
    groups = [(v, values == v) for v in top]
    if len(order) > MAX_BREAKDOWN_VALUES:
        groups.append((OTHER, ~np.isin(values, top)))
    return [
        {"value": v, "steps": _step_stats(params, result.depth[mask], result.times[mask])}
        for v, mask in groups
    ]


def dropped(
    src,
    params: Params,
    step: int,
    *,
    after: str = "",
    limit: int = 50,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Persons who reached step `step - 1` but not step `step` (2..K), by person id, `limit`
    at a time after the id `after`, each with their company."""
    if not 2 <= step <= len(params.steps):
        raise Invalid(fields={"step": f"Pick a step from 2 to {len(params.steps)}."})
    data = fetch_columns(src, to_sql(src.dialect, params, src.tz, persons=True, now=now))
    result = walk(
        data["h"],
        data["ts"],
        data["m"],
        len(params.steps),
        int(params.window / timedelta(microseconds=1)),
        _entry_end(params, src.tz, now),
    )
    ids = data["person_id"][result.first_row] if len(result.depth) else np.array([], object)
    at = result.depth == step - 1
    people = sorted(str(p) for p in ids[at])
    total = len(people)
    if after:
        people = [p for p in people if p > after]
    page = people[:limit]
    last_seen = dict(
        zip(
            (str(p) for p in ids[at]),
            result.times[at, step - 2],
            strict=True,
        )
    )
    companies: dict[str, tuple] = {}
    if page:
        rows = src.query(
            "SELECT person_id, company, company_key, company_plan FROM persons "
            f"WHERE person_id IN {src.dialect.literal(page)}"
        ).rows
        companies = {r[0]: r[1:] for r in rows}
    items = [
        {
            "person_id": p,
            "reached_at": datetime(1970, 1, 1, tzinfo=UTC)
            + timedelta(microseconds=int(last_seen[p])),
            "company": companies.get(p, (None, None, None))[0],
            "company_key": companies.get(p, (None, None, None))[1],
            "plan": companies.get(p, (None, None, None))[2],
        }
        for p in page
    ]
    more = len(people) > limit
    return {"items": items, "count": total, "next": page[-1] if more and page else None}


# -- figure -------------------------------------------------------------------------------


def figure(result: Mapping[str, Any]) -> dict[str, Any]:
    """A Plotly bar chart: persons per step, one bar group per breakdown value."""
    series: Sequence[tuple[str, list[dict[str, Any]]]]
    if result.get("breakdowns"):
        series = [(b["value"], b["steps"]) for b in result["breakdowns"]]
    else:
        series = [("Persons", result["steps"])]
    labels = [f"{i}. {s['label']}" for i, s in enumerate(result["steps"], start=1)]
    data = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [s["count"] for s in steps],
            "text": [f"{s['conversion'] * 100:.1f}%" for s in steps],
            "textposition": "auto",
            "hovertemplate": "%{x}<br>%{y} persons (%{text} of step 1)<extra>" + name + "</extra>",
        }
        for name, steps in series
    ]
    return {
        "data": data,
        "layout": {
            "barmode": "group",
            "showlegend": len(data) > 1,
            "yaxis": {"title": {"text": "Persons"}, "rangemode": "tozero"},
            "margin": {"t": 20, "r": 10, "b": 80, "l": 60},
        },
    }
