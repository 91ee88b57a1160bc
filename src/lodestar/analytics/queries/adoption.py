"""Feature adoption per week: the persons who did the feature's event (with its property
filters) out of the persons active in the product that week (any event).

Weeks start on Monday at local midnight in the workspace's time zone; the SQL compares raw
UTC timestamps against bounds computed here and groups by the engine's local truncation, so
it runs unchanged on DuckDB and ClickHouse.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from lodestar.analytics.queries.filters import Filter, where

KIND = "adoption"
LABEL = "Feature adoption"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _utc(day: date, tz: str) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(tz))
    return local.astimezone(UTC).replace(tzinfo=None)


def to_sql(src, *, product_key: str, event: str, filters: list[Filter], start: date, end: date):
    """Weekly (week, active, adopters) rows for the weeks starting on `start` up to (not
    including) `end` (both Mondays)."""
    d = src.dialect
    week = d.trunc("week", d.local("timestamp", src.tz))
    matches = f"event = {d.literal(event)} AND {where(d, filters)}"
    return (
        f"SELECT {week} AS week, count(DISTINCT person_id) AS active, "
        f"count(DISTINCT CASE WHEN {matches} THEN person_id END) AS adopters "
        f"FROM events WHERE product = {d.literal(product_key)} "
        f"AND timestamp >= {d.literal(_utc(start, src.tz))} "
        f"AND timestamp < {d.literal(_utc(end, src.tz))} "
        "GROUP BY week ORDER BY week"
    )


def run(
    src, *, product_key: str, event: str, filters: list[Filter], start: date, end: date
) -> dict:
    """{"weeks": [{"week": "YYYY-MM-DD", "active": n, "adopters": m, "rate": m / n}, ...]}
    with every week from `start` to `end` (a week without events has zeros)."""
    start, end = week_start(start), week_start(end)
    sql = to_sql(src, product_key=product_key, event=event, filters=filters, start=start, end=end)
    found = {}
    for week, active, adopters in src.query(sql).rows:
        day = week.date() if isinstance(week, datetime) else week
        found[day] = (int(active), int(adopters))
    weeks = []
    day = start
    while day < end:
        active, adopters = found.get(day, (0, 0))
        weeks.append(
            {
                "week": day.isoformat(),
                "active": active,
                "adopters": adopters,
                "rate": adopters / active if active else 0.0,
            }
        )
        day += timedelta(days=7)
    return {"weeks": weeks}


def figure(result: dict, *, release: date | None = None, release_label: str = "") -> dict:
    """A line of weekly adoption (% of active persons), the release as a dashed vertical line."""
    weeks = result["weeks"]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Adoption",
            "x": [w["week"] for w in weeks],
            "y": [round(w["rate"] * 100, 2) for w in weeks],
            "customdata": [[w["adopters"], w["active"]] for w in weeks],
            "hovertemplate": "Week of %{x|%b %d, %Y}: %{y:.1f} %<br>"
            "%{customdata[0]} of %{customdata[1]} active persons<extra></extra>",
        }
    ]
    layout: dict = {
        "height": 320,
        "margin": {"l": 56, "r": 16, "t": 24, "b": 40},
        "xaxis": {"type": "date", "title": {"text": "Week"}},
        "yaxis": {
            "title": {"text": "% of active persons"},
            "ticksuffix": " %",
            "rangemode": "tozero",
        },
        "showlegend": False,
    }
    if release is not None:
        x = release.isoformat()
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": x,
                "x1": x,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "width": 2, "color": "#b45309"},
            }
        ]
        layout["annotations"] = [
            {
                "x": x,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": release_label or "Release",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"color": "#92400e"},
            }
        ]
    return {"data": data, "layout": layout}
