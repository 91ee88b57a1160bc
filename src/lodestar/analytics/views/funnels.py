"""The funnel page and the list of persons who dropped at a step.

The page's query string is the funnel's query (queries.funnels.parse), so a link or a saved
chart reproduces it. The form sends each step as `step_N` with an optional property filter
(`step_N_key`, `step_N_op`, `step_N_value`), turned here into `step_N_filters`."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from lodestar.analytics.queries import explore, filters, funnels
from lodestar.analytics.queries.base import source_for
from lodestar.analytics.views.insights import _context, _save_url, _text
from lodestar.core.errors import Invalid
from lodestar.workspaces.access import WorkspaceRequest, workspace_view

FORM_STEPS = 5
PAGE_SIZE = 50


def _rows(request: WorkspaceRequest) -> list[dict[str, str]]:
    """The form's step rows as typed (re-shown unchanged on an error). A query written as
    `steps=a,b,c` (a saved chart's, a link's) fills the rows' events."""
    given = _text(request, "steps")
    listed = [s.strip() for s in given.split(",")] if given else []
    present = [i for i in range(1, funnels.MAX_STEPS + 1) if request.GET.get(f"step_{i}")]
    if present:
        listed = []
    count = max(FORM_STEPS, max(present) if present else 0, len(listed))
    return [
        {
            "i": str(i),
            "event": _text(request, f"step_{i}") or (listed[i - 1] if i <= len(listed) else ""),
            "key": _text(request, f"step_{i}_key"),
            "op": _text(request, f"step_{i}_op") or "eq",
            "value": _text(request, f"step_{i}_value"),
            "filters": (request.GET.get(f"step_{i}_filters") or "")[:4000],
        }
        for i in range(1, count + 1)
    ]


def _query(request: WorkspaceRequest, product_key: str) -> dict[str, str]:
    """parse()'s input from the form: the simple filter fields become step_N_filters."""
    data: dict[str, str] = {k: str(v) for k, v in request.GET.items() if not k.startswith("_")}
    for i in range(1, funnels.MAX_STEPS + 2):
        key = _text(request, f"step_{i}_key")
        if key:
            extra = {"key": key, "op": _text(request, f"step_{i}_op") or "eq"}
            if extra["op"] != "is_set":
                extra["value"] = _text(request, f"step_{i}_value")
            try:
                given = json.loads(data.get(f"step_{i}_filters") or "[]")
            except ValueError:
                given = None  # parse() reports it on the field
            if isinstance(given, list):
                data[f"step_{i}_filters"] = json.dumps([*given, extra])
        for name in ("key", "op", "value"):
            data.pop(f"step_{i}_{name}", None)
    data.pop("step", None)
    data.pop("after", None)
    data["product"] = product_key
    return data


def _status(request: WorkspaceRequest, status: int) -> int:
    # htmx swaps only 2xx answers: the re-shown form with its errors goes out as 200 to it.
    return 200 if getattr(request, "htmx", False) else status


@workspace_view(read="analytics.view")
def funnel_page(request: WorkspaceRequest) -> HttpResponse:
    context = _context(request, "funnels")
    product = context["product"]
    raw = {k: _text(request, k) for k in ("window", "from", "to", "breakdown_type", "breakdown")}
    context.update(
        rows=_rows(request),
        raw=raw,
        ops=filters.OPS,
        breakdown_types=funnels.BREAKDOWN_TYPES,
    )
    if product is None:
        return render(request, "analytics/funnels.html", context)
    with source_for(request.workspace) as src:
        context["event_names"] = explore.event_names(src, product=product.key)
        if not any(row["event"] for row in context["rows"]) and "steps" not in request.GET:
            return render(request, "analytics/funnels.html", context)
        query = _query(request, product.key)
        try:
            params = funnels.parse(query)
        except Invalid as e:
            context["errors"] = e.fields
            return render(request, "analytics/funnels.html", context, status=_status(request, 400))
        result = funnels.run(src, params)
    base = reverse("analytics_insights:funnel_dropped", args=[request.workspace.slug])
    for i, step in enumerate(result["steps"][1:], start=2):
        step["dropped_url"] = f"{base}?{urlencode({**params.query, 'step': str(i)})}"
    context.update(
        result=result,
        figure=funnels.figure(result),
        summary=step_summary(result),
        save_url=_save_url(request, funnels.KIND, params.query),
    )
    return render(request, "analytics/funnels.html", context)


@workspace_view(read="analytics.view")
def dropped_page(request: WorkspaceRequest) -> HttpResponse:
    """The persons who reached step N-1 but not step N, with their company, 50 at a time."""
    context = _context(request, "funnels")
    product = context["product"]
    if product is None:
        return render(request, "analytics/funnel_dropped.html", context)
    params = funnels.parse(_query(request, product.key))
    try:
        step = int(request.GET.get("step") or "")
    except ValueError:
        raise Invalid(
            fields={"step": ["Pick the step they dropped at: ?step=2 or later."]}
        ) from None
    after = (request.GET.get("after") or "")[:1000]
    with source_for(request.workspace) as src:
        page = funnels.dropped(src, params, step, after=after, limit=PAGE_SIZE)
    person_url = reverse("analytics_insights:person", args=[request.workspace.slug])
    for item in page["items"]:
        item["url"] = f"{person_url}?{urlencode({'id': item['person_id'], 'product': product.key})}"
    next_url = ""
    if page["next"]:
        query: QueryDict = request.GET.copy()
        query["after"] = page["next"]
        next_url = f"?{query.urlencode()}"
    funnel_url = reverse("analytics_insights:funnels", args=[request.workspace.slug])
    context.update(
        page=page,
        next_url=next_url,
        step=step,
        from_step=params.steps[step - 2],
        to_step=params.steps[step - 1],
        funnel_url=f"{funnel_url}?{urlencode(params.query)}",
    )
    return render(request, "analytics/funnel_dropped.html", context)


def step_summary(result: dict[str, Any]) -> str:
    """One sentence for the figure's caption."""
    steps = result["steps"]
    return (
        f"{steps[0]['count']} entered, {steps[-1]['count']} completed all {len(steps)} steps "
        f"({steps[-1]['conversion'] * 100:.1f}%)"
    )
