"""Saved charts, dashboards, embeds on features / objectives / decisions, a feature's adoption
definition and a key result's chart: the pages and the forms the other pages post to."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.analytics import adoption, charts, metrics
from lodestar.analytics.models import ChartKind
from lodestar.core.errors import Invalid, NotFound
from lodestar.core.forms import StyledForm, apply_errors, form_status, submit
from lodestar.planning.selectors import feature_get
from lodestar.strategy.selectors import decision_get, key_result_get, objective_get
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_list


def _choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ChartForm(StyledForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChartSaveForm(ChartForm):
    kind = forms.ChoiceField(choices=ChartKind.choices)
    product_key = forms.ChoiceField(label="Product", choices=())
    query = forms.CharField(
        max_length=charts.MAX_QUERY_CHARS,
        required=False,
        label="Query",
        help_text="The insight page's query string, as it ran.",
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "product_key", list(products))


class DashboardForm(StyledForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DashboardNewForm(DashboardForm):
    product_key = forms.ChoiceField(label="Product", choices=())

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "product_key", list(products))


class PickChartForm(StyledForm):
    chart_key = forms.ChoiceField(label="Chart", choices=())

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "chart_key", [("", "Pick a saved chart"), *choices])


class AdoptionForm(StyledForm):
    event = forms.CharField(
        max_length=200,
        label="Event",
        help_text="The event that means the feature was used, e.g. report_exported.",
    )
    filters = forms.CharField(
        required=False,
        max_length=10_000,
        label="Property filters (JSON, optional)",
        help_text='All must hold, e.g. [{"key": "format", "op": "eq", "value": "pdf"}]; '
        "ops: eq, neq, contains, gt, lt, is_set.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MetricForm(StyledForm):
    chart_key = forms.ChoiceField(label="Chart", choices=())
    refresh_minutes = forms.IntegerField(
        label="Refresh every (minutes)",
        initial=60,
        min_value=metrics.MIN_MINUTES,
        max_value=metrics.MAX_MINUTES,
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "chart_key", [("", "Pick a saved chart"), *choices])


def _can(request: WorkspaceRequest, permission: str) -> bool:
    return role_can(request.membership.role, permission)


def chart_choices(workspace, product=None) -> list[tuple[str, str]]:
    rows = charts.chart_list(workspace=workspace, product=product)[:300]
    return [(c.key, f"{c.product.name} · {c.name} ({c.get_kind_display()})") for c in rows]


def _product(request: WorkspaceRequest):
    return charts.product_for(workspace=request.workspace, key=request.GET.get("product"))


# -- charts -------------------------------------------------------------------------------


@workspace_view(read="analytics.view")
def chart_list(request: WorkspaceRequest) -> HttpResponse:
    product = _product(request)
    rows = charts.chart_list(workspace=request.workspace, product=product)[:500] if product else []
    return render(
        request,
        "analytics/charts.html",
        {
            "product": product,
            "products": product_list(workspace=request.workspace)[:100],
            "charts": rows,
            "dashboards": charts.dashboard_list(workspace=request.workspace, product=product)[:200]
            if product
            else [],
            "can_manage": _can(request, "analytics.manage"),
        },
    )


@workspace_view(read="analytics.manage", write="analytics.manage")
def chart_new(request: WorkspaceRequest) -> HttpResponse:
    """Save an insight as a chart. Insight pages post here (kind, product_key, query = their
    query string, name), or link here with ?kind=...&query=... to ask for the name first."""
    initial = {
        "kind": request.GET.get("kind", ""),
        "query": request.GET.get("query", "")[: charts.MAX_QUERY_CHARS],
        "product_key": request.GET.get("product", ""),
    }
    products = [(p.key, p.name) for p in product_list(workspace=request.workspace)[:100]]
    form = ChartSaveForm(request.POST or None, initial=initial, products=products)
    done = submit(
        request, form, partial(charts.chart_create, workspace=request.workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"“{done.result.name}” was saved.")
        return redirect(
            "analytics_charts:chart", slug=request.workspace.slug, chart_key=done.result.key
        )
    return render(request, "analytics/chart_new.html", {"form": form}, status=form_status(form))


@workspace_view(read="analytics.view", write="analytics.manage")
def chart_detail(request: WorkspaceRequest, chart_key: str) -> HttpResponse:
    chart = charts.chart_get(workspace=request.workspace, key=chart_key)
    form = ChartForm(
        request.POST or None, initial={"name": chart.name, "description": chart.description}
    )
    if submit(request, form, partial(charts.chart_update, chart=chart, actor=request.user)).ok:
        messages.success(request, "The chart was saved.")
        return redirect("analytics_charts:chart", slug=request.workspace.slug, chart_key=chart.key)
    rendered = charts.chart_run(chart)
    return render(
        request,
        "analytics/chart.html",
        {
            "chart": chart,
            "rendered": rendered,
            "open_url": _insight_url(request, chart),
            "form": form,
            "can_manage": _can(request, "analytics.manage"),
            "key_results": chart.key_results.select_related("key_result")[:50],
        },
        status=form_status(form),
    )


def _insight_url(request: WorkspaceRequest, chart) -> str:
    from django.urls import NoReverseMatch

    try:
        url = reverse(charts.INSIGHT_URLS[chart.kind], args=[request.workspace.slug])
    except (NoReverseMatch, KeyError):
        return ""
    return f"{url}?{charts.query_string(chart)}"


@workspace_view(read="analytics.manage", write="analytics.manage")
def chart_delete(request: WorkspaceRequest, chart_key: str) -> HttpResponse:
    chart = charts.chart_get(workspace=request.workspace, key=chart_key)
    if request.method == "POST":
        charts.chart_delete(chart=chart, actor=request.user)
        messages.success(request, f"“{chart.name}” was deleted.")
        return redirect(
            reverse("analytics_charts:charts", args=[request.workspace.slug])
            + f"?product={chart.product.key}"
        )
    uses = []
    if n := chart.embeds.count():
        uses.append(f"{n} page{'s' if n != 1 else ''} that embed it")
    if n := chart.key_results.count():
        uses.append(
            f"{n} key result{'s' if n != 1 else ''} it feeds (their values stay as they are)"
        )
    return render(
        request,
        "analytics/confirm_delete.html",
        {
            "title": f"Delete “{chart.name}”?",
            "consequence": "The chart leaves every dashboard"
            + (", the " + " and the ".join(uses) if uses else "")
            + ". It cannot be undone.",
            "button": "Delete chart",
            "cancel": reverse("analytics_charts:chart", args=[request.workspace.slug, chart.key]),
        },
    )


# -- dashboards ---------------------------------------------------------------------------


@workspace_view(read="analytics.view", write="analytics.manage")
def dashboard_list(request: WorkspaceRequest) -> HttpResponse:
    product = _product(request)
    products = list(product_list(workspace=request.workspace)[:100])
    form = DashboardNewForm(
        request.POST or None,
        products=[(p.key, p.name) for p in products],
        initial={"product_key": product.key if product else ""},
    )
    done = submit(
        request,
        form,
        partial(charts.dashboard_create, workspace=request.workspace, actor=request.user),
    )
    if done.ok:
        messages.success(request, f"Dashboard “{done.result.name}” was added: add charts to it.")
        return redirect(
            "analytics_charts:dashboard", slug=request.workspace.slug, dashboard_key=done.result.key
        )
    return render(
        request,
        "analytics/dashboards.html",
        {
            "product": product,
            "products": products,
            "dashboards": charts.dashboard_list(workspace=request.workspace, product=product)[:200]
            if product
            else [],
            "form": form,
            "can_manage": _can(request, "analytics.manage"),
        },
        status=form_status(form),
    )


@workspace_view(read="analytics.view", write="analytics.manage")
def dashboard_detail(request: WorkspaceRequest, dashboard_key: str) -> HttpResponse:
    """The grid of charts; for analytics.manage: edit (form=edit), add a chart (form=add),
    remove (form=remove) and move one up or down (form=up / form=down, chart_key)."""
    board = charts.dashboard_get(workspace=request.workspace, key=dashboard_key)
    sent = request.POST.get("form", "") if request.method == "POST" else ""
    actor = request.user
    edit = DashboardForm(
        request.POST if sent == "edit" else None,
        initial={"name": board.name, "description": board.description},
    )
    add = PickChartForm(
        request.POST if sent == "add" else None,
        choices=chart_choices(request.workspace, board.product),
    )
    back = redirect(
        "analytics_charts:dashboard", slug=request.workspace.slug, dashboard_key=board.key
    )
    if (
        sent == "edit"
        and submit(request, edit, partial(charts.dashboard_update, dashboard=board, actor=actor)).ok
    ):
        messages.success(request, "The dashboard was saved.")
        return back
    if (
        sent == "add"
        and submit(
            request, add, partial(charts.dashboard_add_chart, dashboard=board, actor=actor)
        ).ok
    ):
        messages.success(request, "The chart was added.")
        return back
    if sent in ("remove", "up", "down"):
        chart_key = request.POST.get("chart_key", "")
        if sent == "remove":
            charts.dashboard_remove_chart(dashboard=board, actor=actor, chart_key=chart_key)
            messages.success(request, "The chart was removed from the dashboard.")
        else:
            offset = -1 if sent == "up" else 1
            charts.dashboard_move_chart(
                dashboard=board, actor=actor, chart_key=chart_key, offset=offset
            )
        return back
    if request.method == "POST" and sent not in ("edit", "add"):
        raise Invalid("Unknown form: send form=edit, add, remove, up or down.")
    items = charts.charts_run(charts.dashboard_charts(board), request.workspace)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "dashboard": board,
            "items": items,
            "edit": edit,
            "add": add,
            "can_manage": _can(request, "analytics.manage"),
        },
        status=form_status(edit, add),
    )


@workspace_view(read="analytics.manage", write="analytics.manage")
def dashboard_delete(request: WorkspaceRequest, dashboard_key: str) -> HttpResponse:
    board = charts.dashboard_get(workspace=request.workspace, key=dashboard_key)
    if request.method == "POST":
        charts.dashboard_delete(dashboard=board, actor=request.user)
        messages.success(request, f"“{board.name}” was deleted.")
        return redirect(
            reverse("analytics_charts:dashboards", args=[request.workspace.slug])
            + f"?product={board.product.key}"
        )
    return render(
        request,
        "analytics/confirm_delete.html",
        {
            "title": f"Delete “{board.name}”?",
            "consequence": "The dashboard goes; its charts stay saved. It cannot be undone.",
            "button": "Delete dashboard",
            "cancel": reverse(
                "analytics_charts:dashboard", args=[request.workspace.slug, board.key]
            ),
        },
    )


# -- embeds -------------------------------------------------------------------------------

_TARGET_GETTERS = {"feature": feature_get, "objective": objective_get, "decision": decision_get}
_TARGET_PAGES = {
    "feature": ("planning:feature", "feature_key"),
    "objective": ("strategy:objective", "objective_key"),
    "decision": ("strategy:decision", "decision_key"),
}


def target_url(workspace, target) -> str:
    name = type(target).__name__.lower()
    url_name, _param = _TARGET_PAGES[name]
    return reverse(url_name, args=[workspace.slug, target.key]) + "#embedded-charts"


@workspace_view(read=None, write="analytics.manage")
def embed_add(request: WorkspaceRequest) -> HttpResponse:
    """Embed a chart: POST target (feature, objective or decision), target_key, chart_key."""
    kind = request.POST.get("target", "")
    if kind not in _TARGET_GETTERS:
        raise Invalid(fields={"target": "Embed on a feature, objective or decision."})
    target = _TARGET_GETTERS[kind](
        workspace=request.workspace, key=request.POST.get("target_key", "")
    )
    form = PickChartForm(request.POST, choices=chart_choices(request.workspace))
    if not form.is_valid():
        raise Invalid(fields={"chart_key": "Pick one of the saved charts."})
    try:
        embed = charts.embed_add(target=target, actor=request.user, **form.cleaned_data)
    except Invalid as exc:
        apply_errors(form, exc)
        messages.error(
            request, " ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        )
    else:
        messages.success(request, f"“{embed.chart.name}” is shown here now.")
    return redirect(target_url(request.workspace, target))


@workspace_view(read=None, write="analytics.manage")
def embed_remove(request: WorkspaceRequest, embed_key: str) -> HttpResponse:
    embed = charts.embed_get(workspace=request.workspace, key=embed_key)
    target = charts.embed_target(embed)
    charts.embed_remove(embed=embed, actor=request.user)
    messages.success(request, f"“{embed.chart.name}” is no longer shown here.")
    return redirect(target_url(request.workspace, target))


# -- feature adoption ---------------------------------------------------------------------


@workspace_view(read="analytics.view", write="analytics.manage")
def feature_adoption(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    """GET: the adoption report with its weekly table. POST: define it (or form=clear)."""
    feature = feature_get(workspace=request.workspace, key=feature_key)
    definition = adoption.definition_of(feature)
    initial = {}
    if definition is not None:
        import json

        initial = {
            "event": definition.event,
            "filters": json.dumps(definition.filters) if definition.filters else "",
        }
    sent = request.POST.get("form", "") if request.method == "POST" else ""
    form = AdoptionForm(
        request.POST if sent != "clear" and request.method == "POST" else None, initial=initial
    )
    page = reverse("planning:feature", args=[request.workspace.slug, feature.key]) + "#adoption"
    if sent == "clear":
        adoption.adoption_clear(feature=feature, actor=request.user)
        messages.success(request, "The adoption definition was removed.")
        return redirect(page)
    if submit(
        request, form, partial(adoption.adoption_set, feature=feature, actor=request.user)
    ).ok:
        messages.success(request, "Adoption is measured from this event now.")
        return redirect(page)
    report = adoption.adoption_report(feature, definition) if definition is not None else None
    return render(
        request,
        "analytics/adoption.html",
        {
            "feature": feature,
            "report": report,
            "form": form,
            "can_manage": _can(request, "analytics.manage"),
        },
        status=form_status(form),
    )


# -- key result metrics -------------------------------------------------------------------


@workspace_view(read="analytics.manage", write="analytics.manage")
def kr_metric(request: WorkspaceRequest, kr_key: str) -> HttpResponse:
    """GET: the form. POST: form=set (chart_key, refresh_minutes), form=refresh, form=remove."""
    kr = key_result_get(workspace=request.workspace, key=kr_key)
    metric = metrics.metric_of(kr)
    sent = request.POST.get("form", "") if request.method == "POST" else ""
    initial = (
        {"chart_key": metric.chart.key, "refresh_minutes": metric.refresh_minutes} if metric else {}
    )
    form = MetricForm(
        request.POST if sent == "set" else None,
        choices=chart_choices(request.workspace),
        initial=initial,
    )
    page = reverse("strategy:key_result", args=[request.workspace.slug, kr.key]) + "#chart-value"
    if sent == "refresh":
        if metric is None:
            raise NotFound("This key result is not fed by a chart.")
        if metrics.metric_refresh(metric) is not None:
            messages.success(request, "The value was refreshed from the chart.")
        else:
            messages.error(request, f"The chart gave no value: {metric.last_error}")
        return redirect(page)
    if sent == "remove":
        metrics.metric_remove(key_result=kr, actor=request.user)
        messages.success(request, "The key result is no longer fed by a chart.")
        return redirect(page)
    if (
        sent == "set"
        and submit(request, form, partial(metrics.metric_set, key_result=kr, actor=request.user)).ok
    ):
        metric = metrics.metric_of(kr)
        if metric is not None and metric.last_error:
            messages.error(request, f"The chart is linked, but gave no value: {metric.last_error}")
        else:
            messages.success(request, "The key result now takes its value from the chart.")
        return redirect(page)
    if request.method == "POST" and sent != "set":
        raise Invalid("Unknown form: send form=set, refresh or remove.")
    return render(
        request,
        "analytics/kr_metric.html",
        {"kr": kr, "metric": metric, "form": form},
        status=form_status(form),
    )
