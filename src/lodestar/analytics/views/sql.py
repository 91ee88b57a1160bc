"""The SQL console page and its CSV download (analytics.query: members who build insights)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from lodestar.analytics.queries import sql as console
from lodestar.core.errors import Invalid
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_list

SHOWN_ROWS = 1_000  # the page's table; the CSV and the chart have every row fetched

# The relations every engine exposes (queries/base.py), for the schema sidebar.
SCHEMA: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "events",
        "One row per event; person_id is the merged person.",
        [
            ("uuid", "text"),
            ("event", "text"),
            ("distinct_id", "text"),
            ("timestamp", "timestamp, UTC"),
            ("properties", "JSON text"),
            ("product", "text: the product's key"),
            ("url", "text: $current_url"),
            ("session_id", "text: $session_id"),
            ("person_id", "text"),
        ],
    ),
    (
        "persons",
        "One row per person, with the company linked by $groups.",
        [
            ("person_id", "text"),
            ("properties", "JSON text: $set, $set_once"),
            ("created_at", "timestamp"),
            ("updated_at", "timestamp"),
            ("company_key", "text"),
            ("company", "text: the company's name"),
            ("company_arr", "number"),
            ("company_plan", "text"),
            ("company_segment", "text"),
        ],
    ),
    (
        "companies",
        "The workspace's companies (the Companies page under Listen).",
        [
            ("key", "text"),
            ("name", "text"),
            ("external_id", "text"),
            ("domain", "text"),
            ("arr", "number"),
            ("plan", "text"),
            ("segment", "text"),
        ],
    ),
]

EXAMPLES: list[tuple[str, str]] = [
    (
        "Events per day, last 30 days",
        "SELECT date_trunc('day', timestamp) AS day, count(*) AS events,\n"
        "       count(DISTINCT person_id) AS persons\n"
        "FROM events\nWHERE timestamp >= current_date - INTERVAL 30 DAY\n"
        "GROUP BY day\nORDER BY day",
    ),
    (
        "Most frequent events",
        "SELECT event, count(*) AS events, count(DISTINCT person_id) AS persons\n"
        "FROM events\nGROUP BY event\nORDER BY events DESC\nLIMIT 20",
    ),
    (
        "Most viewed pages",
        "SELECT url, count(*) AS views, count(DISTINCT person_id) AS persons\n"
        "FROM events\nWHERE event = '$pageview'\nGROUP BY url\nORDER BY views DESC\nLIMIT 20",
    ),
    (
        "Active persons by plan",
        "SELECT coalesce(p.company_plan, '(no company)') AS plan,\n"
        "       count(DISTINCT e.person_id) AS persons\n"
        "FROM events e LEFT JOIN persons p USING (person_id)\n"
        "GROUP BY plan\nORDER BY persons DESC",
    ),
    (
        "Companies by activity and ARR",
        "SELECT p.company, max(p.company_arr) AS arr, count(*) AS events,\n"
        "       count(DISTINCT e.person_id) AS persons\n"
        "FROM events e JOIN persons p USING (person_id)\n"
        "WHERE p.company IS NOT NULL\nGROUP BY p.company\nORDER BY events DESC\nLIMIT 25",
    ),
    (
        "A property of an event",
        "SELECT properties->>'$.\"$browser\"' AS browser, count(*) AS pageviews\n"
        "FROM events\nWHERE event = '$pageview'\nGROUP BY browser\nORDER BY pageviews DESC",
    ),
]


def _data(request: WorkspaceRequest):
    return request.POST if request.method == "POST" else request.GET


def _save_url(request: WorkspaceRequest) -> str:
    """The charts page's save form, when that page exists."""
    try:
        return reverse("analytics_charts:chart_new", args=[request.workspace.slug])
    except NoReverseMatch:
        return ""


@workspace_view(read="analytics.query", write="analytics.query")
def sql_console(request: WorkspaceRequest) -> HttpResponse:
    data = _data(request)
    context: dict = {
        "schema": SCHEMA,
        "examples": EXAMPLES,
        "sql": data.get("sql", ""),
        "chart": data.get("chart", "line"),
        "limits": console.Limits(),
        "shown_rows": SHOWN_ROWS,
        "save_url": "",
    }
    status = 200
    if context["sql"].strip():
        try:
            params = console.parse(data)
            result = console.console(request.workspace, params.sql)
        except Invalid as exc:
            context["error"] = exc.fields.get("sql", [exc.message])[0]
            if "chart" in exc.fields:
                context["error"] = exc.fields["chart"][0]
            status = 400
        else:
            x, ys = console.axes(result, params.x, params.y)
            run = result.as_dict() | {"x": x, "y": ys, "chart": params.chart}
            context |= {
                "result": result,
                "rows": [[console.text(v) for v in row] for row in result.rows[:SHOWN_ROWS]],
                "numeric": result.numeric_columns(),
                "x": x,
                "y": ys[0] if ys else "",
                "figure": console.figure(run) if ys else None,
                "save_url": _save_url(request),
                "save_query": urlencode(params.as_query() | {"x": x, "y": ",".join(ys)}),
                "products": product_list(workspace=request.workspace),
            }
    return render(request, "analytics/sql.html", context, status=status)


@workspace_view(read="analytics.query", write="analytics.query")
def sql_csv(request: WorkspaceRequest) -> HttpResponse:
    """The same statement as the page, every fetched row (up to the row limit) as CSV."""
    params = console.parse(_data(request))
    result = console.console(request.workspace, params.sql)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result.columns)
    writer.writerows([console.text(v) for v in row] for row in result.rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="query.csv"'
    if result.truncated:
        response["X-Lodestar-Truncated"] = str(console.Limits().rows)
    return response
