"""The analytics home, trends, retention, and the events and persons explorers.

Every page works on one product's events (`?product=KEY`, default the workspace's first
product). Insight pages take their query string as the query (queries.trends.parse,
queries.retention.parse), so a link or a saved chart reproduces the page exactly.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from lodestar.analytics.queries import explore, filters, periods, retention, trends
from lodestar.analytics.queries.base import source_for
from lodestar.core.errors import Invalid, NotFound
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.product_choice import chosen_product

FORM_SERIES = 3  # series rows the trends form shows (more come from a link or a saved chart)
MAX_TEXT = 200


# (tab, label, url name, permission, what it answers): the pages the analytics home links
# to; those of other modules appear once their URL exists.
PAGES = [
    ("home", "Overview", "analytics_insights:home", "analytics.view", ""),
    (
        "trends",
        "Trends",
        "analytics_insights:trends",
        "analytics.view",
        "Events and persons per hour, day, week or month; active users; breakdowns; the "
        "previous period beside this one.",
    ),
    (
        "funnels",
        "Funnels",
        "analytics_insights:funnels",
        "analytics.view",
        "How many get from one step to the next, how long it takes, and who dropped.",
    ),
    (
        "retention",
        "Retention",
        "analytics_insights:retention",
        "analytics.view",
        "Of those who started in a week, how many came back in each week after.",
    ),
    (
        "events",
        "Events",
        "analytics_insights:events",
        "analytics.view",
        "The latest events as they arrive, by event and person.",
    ),
    (
        "persons",
        "Persons",
        "analytics_insights:persons",
        "analytics.view",
        "Who sent events: their properties, company and what they did.",
    ),
    (
        "friction",
        "Friction",
        "analytics_friction:friction",
        "analytics.view",
        "Rage, dead and error clicks and slow pages, and the conversions they cost.",
    ),
    (
        "sql",
        "SQL",
        "analytics_sql:console",
        "analytics.query",
        "Read-only SQL over events, persons and companies.",
    ),
]


def _links(request: WorkspaceRequest) -> list[tuple[str, str, str, str]]:
    out = []
    for tab, label, name, permission, text in PAGES:
        if not _can(request, permission):
            continue
        try:
            url = reverse(name, args=[request.workspace.slug])
        except NoReverseMatch:
            continue
        out.append((tab, label, url, text))
    return out


def _context(request: WorkspaceRequest, tab: str, **extra: Any) -> dict[str, Any]:
    products, product = chosen_product(request)
    links = _links(request)
    return {
        "products": products,
        "product": product,
        "insight_tab": tab,
        "insight_links": [(t, label, url) for t, label, url, _ in links],
        "insight_cards": [(t, label, url, text) for t, label, url, text in links if text],
        **extra,
    }


def _can(request: WorkspaceRequest, permission: str) -> bool:
    return role_can(request.membership.role, permission)


def _text(request: WorkspaceRequest, name: str) -> str:
    return (request.GET.get(name) or "").strip()[:MAX_TEXT]


def _save_url(request: WorkspaceRequest, kind: str, query: dict[str, str]) -> str:
    """Where "Save as chart" goes (the charts page asks for a name), for those who may."""
    if not _can(request, "analytics.manage"):
        return ""
    url = reverse("analytics_charts:chart_new", args=[request.workspace.slug])
    product = query.get("product", "")
    return f"{url}?{urlencode({'kind': kind, 'product': product, 'query': urlencode(query)})}"


# -- home ----------------------------------------------------------------------------------


def _first_event(key: str) -> dict[str, Any]:
    event = {"event": "signed_up", "distinct_id": "user@example.com", "properties": {"plan": "pro"}}
    return {"api_key": key, "batch": [event]}


@workspace_view(read="analytics.view")
def home(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "home")
    product = context["product"]
    if product is not None:
        with source_for(request.workspace) as src:
            overview = explore.overview(src, product=product.key)
        context["overview"] = overview
        trend = reverse("analytics_insights:trends", args=[request.workspace.slug])
        latest = reverse("analytics_insights:events", args=[request.workspace.slug])
        key = product.key
        context["top_events"] = [
            {
                **row,
                "trend_url": trend + "?" + urlencode({"product": key, "s0_event": row["event"]}),
                "events_url": latest + "?" + urlencode({"product": key, "event": row["event"]}),
            }
            for row in overview["top"]
        ]
        if _can(request, "analytics.key"):
            origin = request.build_absolute_uri("/").rstrip("/")
            context["capture"] = {
                "key": product.write_key,
                "host": origin,
                "snippet": (
                    f'<script src="{origin}{reverse("analytics_capture:snippet")}" '
                    f'data-key="{product.write_key}" defer></script>'
                ),
                "curl": (
                    f"curl -X POST {origin}/batch/ -H 'Content-Type: application/json' "
                    f"-d '{json.dumps(_first_event(product.write_key))}'"
                ),
            }
    return render(request, "analytics/home.html", context)


# -- trends --------------------------------------------------------------------------------


def _trend_rows(request: WorkspaceRequest) -> list[dict[str, str]]:
    """The form's series rows as the user typed them (re-shown unchanged on an error)."""
    present = [i for i in range(trends.MAX_SERIES) if request.GET.get(f"s{i}_event")]
    count = max(FORM_SERIES, (max(present) + 1) if present else 0)
    return [
        {
            "i": str(i),
            "event": _text(request, f"s{i}_event"),
            "math": _text(request, f"s{i}_math") or "total",
            "key": _text(request, f"s{i}_key"),
            "op": _text(request, f"s{i}_op") or "eq",
            "value": _text(request, f"s{i}_value"),
            "filters": (request.GET.get(f"s{i}_filters") or "")[:4000],
        }
        for i in range(count)
    ]


@workspace_view(read="analytics.view")
def trends_page(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "trends")
    product = context["product"]
    data: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
    if not any(request.GET.get(f"s{i}_event") for i in range(trends.MAX_SERIES)):
        data["s0_event"] = trends.ALL_EVENTS
    rows = _trend_rows(request)
    if not rows[0]["event"]:
        rows[0]["event"] = trends.ALL_EVENTS
    context.update(
        rows=rows,
        maths=trends.MATHS,
        ops=filters.OPS,
        intervals=[("hour", "Hour"), ("day", "Day"), ("week", "Week"), ("month", "Month")],
        ranges=[*periods.RANGE_LABELS.items(), (periods.CUSTOM, "Custom dates")],
        breakdowns=trends.BREAKDOWNS,
        raw={k: _text(request, k) for k in ("interval", "range", "date_from", "date_to")}
        | {
            "breakdown_by": _text(request, "breakdown_by"),
            "breakdown": _text(request, "breakdown"),
            "compare": bool(request.GET.get("compare")),
        },
    )
    if product is None:
        return render(request, "analytics/trends.html", context)
    data["product"] = product.key
    try:
        params = trends.parse(data)
    except Invalid as e:
        context["errors"] = e.fields
        return render(request, "analytics/trends.html", context, status=400)
    with source_for(request.workspace) as src:
        result = trends.run(src, params)
        context["event_names"] = explore.event_names(src, product=product.key)
    context.update(
        result=result,
        figure=trends.figure(result),
        empty=not any(any(s["values"]) for s in result["series"]),
        table=[
            (label, [s["values"][i] for s in result["series"]])
            for i, label in enumerate(result["labels"])
        ],
        totals=[s["total"] for s in result["series"]]
        if any(s["total"] is not None for s in result["series"])
        else [],
        save_url=_save_url(request, trends.KIND, trends.as_query(params)),
    )
    return render(request, "analytics/trends.html", context)


# -- retention -----------------------------------------------------------------------------


@workspace_view(read="analytics.view")
def retention_page(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "retention")
    product = context["product"]
    names = (
        "start_event",
        "return_event",
        "cohort",
        "period",
        "periods",
        "date_to",
        "start_key",
        "start_op",
        "start_value",
    )
    raw = {k: _text(request, k) for k in names}
    raw["start_filters"] = (request.GET.get("start_filters") or "")[:4000]
    context.update(
        raw=raw,
        cohorts=retention.COHORTS,
        units=[("day", "Day"), ("week", "Week"), ("month", "Month")],
        ops=filters.OPS,
    )
    if product is None:
        return render(request, "analytics/retention.html", context)
    with source_for(request.workspace) as src:
        context["event_names"] = explore.event_names(src, product=product.key)
        if not raw["start_event"]:
            # Nothing asked yet: the form alone, with a suggestion from the data.
            context["suggested"] = next((n for n in context["event_names"] if n[0] != "$"), "")
            return render(request, "analytics/retention.html", context)
        data = {k: str(v) for k, v in request.GET.items()} | {"product": product.key}
        try:
            params = retention.parse(data)
        except Invalid as e:
            context["errors"] = e.fields
            return render(request, "analytics/retention.html", context, status=400)
        result = retention.run(src, params)
    context.update(
        result=result,
        figure=retention.figure(result),
        period_numbers=range(result["periods"]),
        heat_rows=[
            {
                "label": row["label"],
                "size": row["size"],
                "cells": [
                    {
                        "value": v,
                        "percent": p,
                        "heat": 0 if p is None else round(p / 10),
                        "partial": k == row.get("partial"),
                    }
                    for k, (v, p) in enumerate(zip(row["values"], row["percents"], strict=True))
                ],
            }
            for row in result["cohorts"]
        ],
        save_url=_save_url(request, retention.KIND, retention.as_query(params)),
    )
    return render(request, "analytics/retention.html", context)


# -- explorers -----------------------------------------------------------------------------


def _next_url(request: WorkspaceRequest, cursor: str | None) -> str:
    if not cursor:
        return ""
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"?{query.urlencode()}"


@workspace_view(read="analytics.view")
def events_page(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "events")
    product = context["product"]
    event, person = _text(request, "event"), (request.GET.get("person") or "").strip()[:1000]
    context.update(event=event, person=person)
    if product is not None:
        with source_for(request.workspace) as src:
            page = explore.events_page(
                src,
                product=product.key,
                event=event,
                person=person,
                cursor=(request.GET.get("cursor") or "")[:2000],
            )
            context["event_names"] = explore.event_names(src, product=product.key)
        context.update(page=page, next_url=_next_url(request, page.next))
    return render(request, "analytics/events.html", context)


@workspace_view(read="analytics.view")
def persons_page(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "persons")
    product = context["product"]
    search = _text(request, "q")
    context["q"] = search
    if product is not None:
        with source_for(request.workspace) as src:
            page = explore.persons_page(
                src,
                product=product.key,
                search=search,
                cursor=(request.GET.get("cursor") or "")[:2000],
            )
        context.update(page=page, next_url=_next_url(request, page.next))
    return render(request, "analytics/persons.html", context)


@workspace_view(read="analytics.view")
def person_page(request: WorkspaceRequest) -> HttpResponse:
    """One person, by id as a query parameter (`?id=...`): ids are whatever clients sent."""
    context = _context(request, "persons")
    product = context["product"]
    person_id = (request.GET.get("id") or "").strip()
    if not person_id:
        raise Invalid(fields={"id": ["Name the person: ?id=their distinct id."]})
    if len(person_id) > 1000:
        raise Invalid(fields={"id": ["A person id is at most 1000 characters."]})
    with source_for(request.workspace) as src:
        person = explore.person_get(
            src, person_id=person_id, product=product.key if product else ""
        )
        if person is None:
            raise NotFound("No events or properties for this person.")
        page = explore.events_page(
            src,
            product=product.key if product else "",
            person=person_id,
            cursor=(request.GET.get("cursor") or "")[:2000],
        )
    context.update(person=person, page=page, next_url=_next_url(request, page.next))
    return render(request, "analytics/person.html", context)
