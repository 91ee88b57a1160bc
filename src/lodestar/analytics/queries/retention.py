"""Retention: of the persons who did the start event in a period, how many came back.

Query string:

    product          the product key (blank: all products)
    start_event      the event that puts a person in a cohort (required)
    start_filters    property filters on it (JSON, queries/filters.py), and/or one filter
    start_key/_op/_value  from the form's row
    return_event     the event that counts as coming back; blank or `$all`: any event
    cohort           first_time: a person's cohort is the period of the first start event
                     they ever did (only one cohort per person)
                     recurring: every period in which they did it is a cohort they are in
    period           day | week (Monday) | month, in the workspace's time zone
    periods          how many cohorts, and how many periods after each (2..30; default 8)
    date_to          the last cohort holds this date (default: today)

Cell (c, k) = distinct persons of cohort c who did the return event in period c + k;
period 0 is the cohort itself (100%). Cells after date_to's period are not counted yet
(None), which gives the triangle. When date_to's period is still running, the cells in it
(the triangle's edge) are marked `partial`: people may still come back this period, so they
are shown as "so far" and left out of the average.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from lodestar.analytics.queries import periods
from lodestar.analytics.queries.base import Source
from lodestar.analytics.queries.filters import Filter, parse_filters, where
from lodestar.core.errors import Invalid

KIND = "retention"
LABEL = "Retention"

ALL_EVENTS = "$all"
COHORTS = {
    "first_time": "First time (cohort: the period of a person's first start event)",
    "recurring": "Recurring (cohort: every period a person did the start event)",
}
UNITS = ("day", "week", "month")
MIN_PERIODS, MAX_PERIODS = 2, 30


@dataclass(frozen=True)
class Params:
    start_event: str
    return_event: str = ALL_EVENTS
    start_filters: tuple[Filter, ...] = ()
    cohort: str = "first_time"
    period: str = "week"
    periods: int = 8
    date_to: date | None = None
    product: str = ""


def parse(data: Mapping[str, str]) -> Params:
    errors: dict[str, str] = {}
    start = (data.get("start_event") or "").strip()
    if not start:
        errors["start_event"] = "Name the event that starts a cohort (for example signed_up)."
    elif len(start) > 200:
        errors["start_event"] = "An event name is at most 200 characters."
    back = (data.get("return_event") or "").strip() or ALL_EVENTS
    if len(back) > 200:
        errors["return_event"] = "An event name is at most 200 characters."
    filters: list[Filter] = []
    try:
        filters = parse_filters(data.get("start_filters"), field="start_filters")
        key = (data.get("start_key") or "").strip()
        if key:
            row = {"key": key, "op": data.get("start_op") or "eq"}
            if row["op"] != "is_set":
                row["value"] = data.get("start_value") or ""
            filters += parse_filters([row], field="start_key")
    except Invalid as e:
        errors.update({k: v[0] for k, v in e.fields.items()})
    cohort = (data.get("cohort") or "first_time").strip()
    if cohort not in COHORTS:
        errors["cohort"] = "Choose first_time or recurring."
    try:
        period = periods.parse_unit(
            data.get("period"), default="week", allowed=UNITS, field="period"
        )
    except Invalid as e:
        errors.update({k: v[0] for k, v in e.fields.items()})
        period = "week"
    raw = (data.get("periods") or "").strip() or "8"
    count = int(raw) if raw.isdigit() else 0
    if not MIN_PERIODS <= count <= MAX_PERIODS:
        errors["periods"] = f"Give a whole number of periods from {MIN_PERIODS} to {MAX_PERIODS}."
    end = None
    raw_end = (data.get("date_to") or "").strip()
    if raw_end:
        try:
            end = date.fromisoformat(raw_end)
        except ValueError:
            errors["date_to"] = f"{raw_end!r} is not a date; write it as YYYY-MM-DD."
    if errors:
        raise Invalid("The retention table cannot be built as asked.", fields=errors)
    return Params(
        start_event=start,
        return_event=back,
        start_filters=tuple(filters),
        cohort=cohort,
        period=period,
        periods=count,
        date_to=end,
        product=(data.get("product") or "").strip(),
    )


def as_query(params: Params) -> dict[str, str]:
    import json

    out = {
        "start_event": params.start_event,
        "return_event": params.return_event,
        "cohort": params.cohort,
        "period": params.period,
        "periods": str(params.periods),
    }
    if params.start_filters:
        out["start_filters"] = json.dumps([f.as_dict() for f in params.start_filters])
    if params.date_to:
        out["date_to"] = params.date_to.isoformat()
    if params.product:
        out["product"] = params.product
    return out


def grid(
    src: Source,
    *,
    start_event: str,
    return_event: str = ALL_EVENTS,
    period: str = "week",
    periods_: int = 8,
    cohort: str = "first_time",
    date_to: date | None = None,
    product: str = "",
) -> dict[str, Any]:
    """The cohort table without a query string: what the benchmark calls for "8x8 weekly"
    (`grid(src, start_event="signed_up", date_to=...)`)."""
    return run(
        src,
        Params(
            start_event=start_event,
            return_event=return_event,
            cohort=cohort,
            period=period,
            periods=periods_,
            date_to=date_to,
            product=product,
        ),
    )


def run(src: Source, params: Params, *, now: datetime | None = None) -> dict[str, Any]:
    d = src.dialect
    tz = src.tz
    end_day = params.date_to or periods.local_today(tz, now=now)
    last = periods.truncate(params.period, datetime(end_day.year, end_day.month, end_day.day))
    cohorts = [periods.step(params.period, last, -n) for n in range(params.periods - 1, -1, -1)]
    lo = periods.local_to_utc(cohorts[0], tz)
    hi = periods.local_to_utc(periods.step(params.period, last), tz)
    bucket = lambda column: d.trunc(params.period, d.local(column, tz))  # noqa: E731
    in_progress = hi > (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)

    product = f" AND e.product = {d.literal(params.product)}" if params.product else ""
    start_where = f"e.event = {d.literal(params.start_event)}{product}"
    if params.start_filters:
        start_where += " AND " + where(d, params.start_filters, "e.properties")
    if params.cohort == "first_time":
        # The first start event ever (not only in range): a person seen before is no newcomer.
        cohort_sql = f"""
            SELECT person_id, {bucket("first_at")} AS c FROM (
                SELECT e.person_id AS person_id, min(e.timestamp) AS first_at
                FROM events e WHERE {start_where} AND e.timestamp < {d.literal(hi)}
                GROUP BY e.person_id) f
            WHERE first_at >= {d.literal(lo)}"""
    else:
        cohort_sql = f"""
            SELECT DISTINCT e.person_id AS person_id, {bucket("e.timestamp")} AS c
            FROM events e WHERE {start_where}
              AND e.timestamp >= {d.literal(lo)} AND e.timestamp < {d.literal(hi)}"""
    back_where = f"e.timestamp >= {d.literal(lo)} AND e.timestamp < {d.literal(hi)}{product}"
    if params.return_event != ALL_EVENTS:
        back_where += f" AND e.event = {d.literal(params.return_event)}"
    sizes_sql = f"""
        WITH cohorts AS ({cohort_sql})
        SELECT c, count(DISTINCT person_id) AS n FROM cohorts GROUP BY c"""
    cells_sql = f"""
        WITH cohorts AS ({cohort_sql}),
        returns AS (
            SELECT DISTINCT e.person_id AS person_id, {bucket("e.timestamp")} AS r
            FROM events e WHERE {back_where})
        SELECT s.c AS c, x.r AS r, count(DISTINCT s.person_id) AS n
        FROM cohorts s JOIN returns x ON x.person_id = s.person_id
        WHERE x.r > s.c
        GROUP BY s.c, x.r"""
    index = {c: i for i, c in enumerate(cohorts)}
    sizes = [0] * len(cohorts)
    for c, n in src.query(sizes_sql).rows:
        i = index.get(periods.as_local(c, tz))
        if i is not None:
            sizes[i] = int(n)
    cells: list[list[int | None]] = [
        [sizes[i], *(0 if i + k < len(cohorts) else None for k in range(1, params.periods))]
        for i in range(len(cohorts))
    ]
    for c, r, n in src.query(cells_sql).rows:
        i = index.get(periods.as_local(c, tz))
        j = index.get(periods.as_local(r, tz))
        if i is None or j is None or not 0 < j - i < params.periods:
            continue
        cells[i][j - i] = int(n)
    rows: list[dict[str, Any]] = []
    for i, c in enumerate(cohorts):
        size = sizes[i]
        rows.append(
            {
                "start": c.isoformat(),
                "label": periods.label("day" if params.period != "month" else "month", c),
                "size": size,
                "values": cells[i],
                "percents": [
                    None if v is None else (round(100.0 * v / size, 1) if size else 0.0)
                    for v in cells[i]
                ],
                # The cell of the period still running, if any ("so far").
                "partial": len(cohorts) - 1 - i if in_progress else None,
            }
        )
    average: list[float | None] = []
    for k in range(params.periods):
        observed = [
            (sizes[i], cells[i][k])
            for i in range(len(cohorts))
            if sizes[i] and not (in_progress and k == len(cohorts) - 1 - i)
        ]
        reached = [(size, back) for size, back in observed if back is not None]
        total = sum(size for size, _ in reached)
        back = sum(b for _, b in reached if b is not None)
        average.append(round(100.0 * back / total, 1) if total else None)
    return {
        "kind": KIND,
        "cohort": params.cohort,
        "period": params.period,
        "periods": params.periods,
        "start_event": params.start_event,
        "return_event": params.return_event,
        "time_zone": tz,
        "cohorts": rows,
        "average": average,
        "persons": sum(sizes),
        "in_progress": in_progress,
    }


def figure(result: Mapping[str, Any]) -> dict[str, Any]:
    """A Plotly heatmap of the percentages (cohorts down, periods across; empty cells are
    periods not reached yet). The page also shows the same numbers as a table."""
    rows = result["cohorts"]
    unit = result["period"]
    x = [f"{unit.title()} {k}" for k in range(result["periods"])]
    y = [f"{r['label']} ({r['size']})" for r in rows]
    z = [r["percents"] for r in rows]
    text = [
        [
            "" if p is None else f"{p:g}%" + (" so far" if k == r.get("partial") else "")
            for k, p in enumerate(r["percents"])
        ]
        for r in rows
    ]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": x,
                "y": y,
                "z": z,
                "text": text,
                "texttemplate": "%{text}",
                "zmin": 0,
                "zmax": 100,
                "colorscale": [[0, "#eff6ff"], [1, "#1d4ed8"]],
                "hovertemplate": "%{y}, %{x}: %{z}%<extra></extra>",
                # Plotly's colour bar inserts an inline <style>, which the CSP refuses; each
                # cell prints its percentage instead.
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": {
            "margin": {"l": 140, "r": 20, "t": 20, "b": 40},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "xaxis": {"type": "category", "side": "top"},
        },
        "config": {"displayModeBar": False},
    }
