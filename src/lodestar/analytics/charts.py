"""Saved charts, dashboards and embeds: services (writes) and selectors (reads).

A Chart keeps an insight's kind and the query its page ran with (the query string as a dict:
a value is a string, or a list of strings for a repeated parameter). Opening it re-runs that
query on current data through the kind's query module (`QUERY_MODULES`), which follows one
contract: `parse(data) -> params`, `run(src, params) -> dict`, `figure(result) -> dict`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import QueryDict

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.analytics.models import Chart, ChartEmbed, ChartKind, Dashboard, DashboardChart
from lodestar.core.errors import Invalid, LodestarError, NotFound
from lodestar.workspaces.models import Product, Workspace

log = logging.getLogger(__name__)

# kind -> the module that runs it (an import path, or the module itself: tests put fakes in)
QUERY_MODULES: dict[str, str | Any] = {
    ChartKind.TRENDS: "lodestar.analytics.queries.trends",
    ChartKind.FUNNEL: "lodestar.analytics.queries.funnels",
    ChartKind.RETENTION: "lodestar.analytics.queries.retention",
    ChartKind.SQL: "lodestar.analytics.queries.sql",
}
# Where each kind's page lives (its "Open in ..." link re-runs the saved query there).
INSIGHT_URLS = {
    ChartKind.TRENDS: "analytics_insights:trends",
    ChartKind.FUNNEL: "analytics_insights:funnels",
    ChartKind.RETENTION: "analytics_insights:retention",
    ChartKind.SQL: "analytics_sql:console",
}
# Kinds whose query is the user's own SQL: always run on a sandboxed source of their own.
SANDBOXED_KINDS = {ChartKind.SQL}
MAX_QUERY_CHARS = 8_000
MAX_DASHBOARD_CHARTS = 24
EMBED_TARGETS = ("feature", "objective", "decision")


def query_module(kind: str) -> ModuleType | None:
    """The module that runs charts of `kind`, or None when it cannot run them (yet)."""
    entry = QUERY_MODULES.get(kind)
    if entry is None:
        return None
    if not isinstance(entry, str):
        return entry
    try:
        module = importlib.import_module(entry)
    except ImportError:
        return None
    return module if all(hasattr(module, n) for n in ("parse", "run", "figure")) else None


# -- the query dict -----------------------------------------------------------------------


def query_from_string(text: str) -> dict[str, str | list[str]]:
    """A saved query from a page's query string (`a=1&b=2&b=3` -> {"a": "1", "b": ["2", "3"]})."""
    data = QueryDict(text.lstrip("?"))
    return {k: v[0] if len(v) == 1 else v for k, v in data.lists() if k not in ("csrf", "name")}


def query_data(chart: Chart) -> QueryDict:
    """The saved query as the Mapping[str, str] a module's parse() takes (getlist() gives the
    repeated values), with the chart's product."""
    data = QueryDict(mutable=True)
    for k, v in (chart.query or {}).items():
        data.setlist(str(k), [str(x) for x in v] if isinstance(v, list) else [str(v)])
    data["product"] = chart.product.key
    return data


def query_string(chart: Chart) -> str:
    return urlencode(
        [(k, x) for k, v in query_data(chart).lists() for x in v],
    )


# -- selectors ----------------------------------------------------------------------------


def product_for(*, workspace: Workspace, key: str | None) -> Product | None:
    """The product named by `?product=KEY`, else the workspace's first product (None: none)."""
    products = Product.objects.filter(workspace=workspace)
    if key:
        try:
            return products.get(key=key)
        except Product.DoesNotExist:
            raise NotFound(f"No product with key {key!r}.") from None
    return products.order_by("name", "pk").first()


def chart_list(*, workspace: Workspace, product: Product | None = None) -> QuerySet[Chart]:
    charts = Chart.objects.filter(workspace=workspace).select_related("product")
    return charts.filter(product=product) if product is not None else charts


def chart_get(*, workspace: Workspace, key: str) -> Chart:
    try:
        return Chart.objects.select_related("product", "workspace").get(
            workspace=workspace, key=key
        )
    except Chart.DoesNotExist:
        raise NotFound("No such chart.") from None


def dashboard_list(*, workspace: Workspace, product: Product | None = None):
    boards = Dashboard.objects.filter(workspace=workspace).select_related("product")
    return boards.filter(product=product) if product is not None else boards


def dashboard_get(*, workspace: Workspace, key: str) -> Dashboard:
    try:
        return Dashboard.objects.select_related("product").get(workspace=workspace, key=key)
    except Dashboard.DoesNotExist:
        raise NotFound("No such dashboard.") from None


def dashboard_charts(dashboard: Dashboard) -> list[Chart]:
    items = dashboard.items.select_related("chart__product", "chart__workspace")
    return [item.chart for item in items.order_by("position", "pk")]


def embed_get(*, workspace: Workspace, key: str) -> ChartEmbed:
    try:
        return ChartEmbed.objects.select_related("chart").get(chart__workspace=workspace, key=key)
    except ChartEmbed.DoesNotExist:
        raise NotFound("No such embedded chart.") from None


def embeds_on(target) -> list[ChartEmbed]:
    """The charts embedded on a feature, objective or decision, oldest first."""
    name = _target_name(target)
    rows = ChartEmbed.objects.filter(**{name: target}, chart__workspace=target.workspace)
    return list(rows.select_related("chart__product", "chart__workspace").order_by("pk"))


def _target_name(target) -> str:
    name = type(target).__name__.lower()
    if name not in EMBED_TARGETS:
        raise TypeError(f"charts cannot be embedded on a {name}")
    return name


# -- running ------------------------------------------------------------------------------


@dataclass
class Rendered:
    """A chart run on current data: its result and figure, or why it could not run."""

    chart: Chart
    result: dict | None = None
    figure: dict | None = None
    error: str = ""
    dom_id: str = field(default="")

    @property
    def ok(self) -> bool:
        return not self.error


def chart_run(chart: Chart, src=None) -> Rendered:
    """Run a saved chart (on `src`, or a source opened for its workspace). Never raises for
    a bad query or an engine error: the Rendered says what went wrong."""
    rendered = Rendered(chart, dom_id=f"chart-{chart.key}")
    module = query_module(chart.kind)
    if module is None:
        rendered.error = f"{chart.get_kind_display()} charts cannot be run here yet."
        return rendered
    try:
        params = module.parse(query_data(chart))
    except Invalid as exc:
        problems = "; ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        rendered.error = f"The saved query is no longer valid: {problems}"
        return rendered
    sandbox = chart.kind in SANDBOXED_KINDS
    try:
        if src is None or sandbox:
            from lodestar.analytics.queries.base import source_for

            with source_for(chart.workspace, sandbox=sandbox) as own:
                rendered.result = module.run(own, params)
        else:
            rendered.result = module.run(src, params)
        rendered.figure = module.figure(rendered.result)
    except LodestarError as exc:
        rendered.error = exc.message
    except Exception as exc:  # an engine error must not take the page down
        log.warning("chart %s failed: %s", chart.key, exc)
        rendered.error = f"The chart could not be run: {str(exc)[:300]}"
    return rendered


def charts_run(charts: Iterable[Chart], workspace: Workspace) -> list[Rendered]:
    """Run several charts of one workspace on one source (one connection for a dashboard)."""
    charts = list(charts)
    if not charts:
        return []
    from lodestar.analytics.queries.base import source_for

    try:
        src_cm = source_for(workspace)
    except Exception as exc:
        log.warning("event store unavailable: %s", exc)
        return [Rendered(c, error="The event store is not available.") for c in charts]
    with src_cm as src:
        out = []
        for i, chart in enumerate(charts):
            r = chart_run(chart, src)
            r.dom_id = f"chart-{i}-{chart.key}"
            out.append(r)
        return out


# -- chart services -----------------------------------------------------------------------


def _name(value: Any, errors: dict[str, list[str]], *, max_length: int = 120) -> str:
    name = str(value or "").strip()
    if not name:
        errors["name"] = ["Give the chart a name."]
    elif len(name) > max_length:
        errors["name"] = [f"At most {max_length} characters."]
    return name


def _description(value: Any, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if len(text) > 4000:
        errors["description"] = ["At most 4,000 characters."]
    return text


def _product_of(workspace: Workspace, key: str, errors: dict[str, list[str]]) -> Product | None:
    product = Product.objects.filter(workspace=workspace, key=key).first()
    if product is None:
        errors["product_key"] = ["Pick a product of this workspace."]
    return product


def chart_create(
    *,
    workspace: Workspace,
    actor,
    name: str,
    kind: str,
    query: str | Mapping[str, Any],
    product_key: str = "",
    description: str = "",
) -> Chart:
    """Save an insight: `query` is the query string its page ran with (or that as a dict).
    The query is checked by the kind's parse(), so a saved chart always ran once."""
    errors: dict[str, list[str]] = {}
    name = _name(name, errors)
    description = _description(description, errors)
    if kind not in ChartKind.values:
        errors["kind"] = [f"Unknown kind {kind!r}: one of {', '.join(ChartKind.values)}."]
    if isinstance(query, str):
        if len(query) > MAX_QUERY_CHARS:
            errors["query"] = [f"The query is too long (at most {MAX_QUERY_CHARS} characters)."]
            query = ""
        query_dict = query_from_string(query)
    else:
        query_dict = {str(k): v for k, v in query.items()}
    product_key = product_key or str(query_dict.pop("product", "") or "")
    query_dict.pop("product", None)
    product = _product_of(workspace, product_key, errors)
    if not errors:
        module = query_module(kind)
        if module is None:
            errors["kind"] = [f"{ChartKind(kind).label} charts cannot be saved yet."]
        else:
            probe = Chart(workspace=workspace, product=product, kind=kind, query=query_dict)
            try:
                module.parse(query_data(probe))
            except Invalid as exc:
                errors["query"] = [m for ms in exc.fields.values() for m in ms] or [exc.message]
    if errors or product is None:
        raise Invalid(fields=errors)
    with transaction.atomic():
        chart = Chart.objects.create(
            workspace=workspace,
            product=product,
            name=name,
            description=description,
            kind=kind,
            query=query_dict,
            created_by=actor,
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="chart",
            target_key=chart.key,
            target_label=chart.name,
        )
    return chart


def chart_update(*, chart: Chart, actor, name: str, description: str = "") -> Chart:
    errors: dict[str, list[str]] = {}
    values = {"name": _name(name, errors), "description": _description(description, errors)}
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        record_update(chart, actor=actor, values=values, target_type="chart")
    return chart


def chart_delete(*, chart: Chart, actor) -> None:
    """Delete a chart; it leaves every dashboard, embed and key result it fed."""
    with transaction.atomic():
        record_delete(chart, actor=actor, target_type="chart")


# -- dashboards ---------------------------------------------------------------------------


def dashboard_create(
    *, workspace: Workspace, actor, name: str, product_key: str, description: str = ""
) -> Dashboard:
    errors: dict[str, list[str]] = {}
    name = _name(name, errors)
    if "name" in errors:
        errors["name"] = ["Give the dashboard a name."]
    description = _description(description, errors)
    product = _product_of(workspace, product_key, errors)
    if errors or product is None:
        raise Invalid(fields=errors)
    with transaction.atomic():
        board = Dashboard.objects.create(
            workspace=workspace,
            product=product,
            name=name,
            description=description,
            created_by=actor,
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="dashboard",
            target_key=board.key,
            target_label=board.name,
        )
    return board


def dashboard_update(*, dashboard: Dashboard, actor, name: str, description: str = "") -> Dashboard:
    errors: dict[str, list[str]] = {}
    values = {"name": _name(name, errors), "description": _description(description, errors)}
    if "name" in errors:
        errors["name"] = ["Give the dashboard a name."]
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        record_update(dashboard, actor=actor, values=values, target_type="dashboard")
    return dashboard


def dashboard_delete(*, dashboard: Dashboard, actor) -> None:
    with transaction.atomic():
        record_delete(dashboard, actor=actor, target_type="dashboard")


def _log_dashboard(dashboard: Dashboard, actor, what: str) -> None:
    activity_record(
        workspace=dashboard.workspace,
        actor=actor,
        verb="updated",
        target_type="dashboard",
        target_key=dashboard.key,
        target_label=dashboard.name,
        changes={"charts": [None, what]},
    )


def dashboard_add_chart(*, dashboard: Dashboard, actor, chart_key: str) -> DashboardChart:
    chart = Chart.objects.filter(workspace=dashboard.workspace, key=chart_key).first()
    if chart is None:
        raise Invalid(fields={"chart_key": ["Pick one of the saved charts."]})
    if dashboard.items.filter(chart=chart).exists():
        raise Invalid(fields={"chart_key": [f"“{chart.name}” is on this dashboard already."]})
    if dashboard.items.count() >= MAX_DASHBOARD_CHARTS:
        raise Invalid(fields={"chart_key": [f"A dashboard holds at most {MAX_DASHBOARD_CHARTS}."]})
    with transaction.atomic():
        last = dashboard.items.aggregate(m=Max("position"))["m"]
        item = DashboardChart.objects.create(
            dashboard=dashboard, chart=chart, position=0 if last is None else last + 1
        )
        _log_dashboard(dashboard, actor, f"added {chart.name}")
    return item


def dashboard_remove_chart(*, dashboard: Dashboard, actor, chart_key: str) -> None:
    item = dashboard.items.filter(chart__key=chart_key).select_related("chart").first()
    if item is None:
        raise Invalid(fields={"chart_key": ["That chart is not on this dashboard."]})
    with transaction.atomic():
        item.delete()
        _log_dashboard(dashboard, actor, f"removed {item.chart.name}")


def dashboard_move_chart(*, dashboard: Dashboard, actor, chart_key: str, offset: int) -> None:
    """Move a chart `offset` places (-1: up/earlier, +1: down/later); positions renumbered."""
    items = list(dashboard.items.select_related("chart").order_by("position", "pk"))
    index = next((i for i, it in enumerate(items) if it.chart.key == chart_key), None)
    if index is None:
        raise Invalid(fields={"chart_key": ["That chart is not on this dashboard."]})
    target = max(0, min(len(items) - 1, index + offset))
    if target == index:
        return
    items.insert(target, items.pop(index))
    with transaction.atomic():
        for position, item in enumerate(items):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        _log_dashboard(dashboard, actor, f"moved {items[target].chart.name}")


# -- embeds -------------------------------------------------------------------------------


def embed_add(*, target, actor, chart_key: str) -> ChartEmbed:
    """Embed a saved chart on a feature, objective or decision (one of the target's
    workspace)."""
    name = _target_name(target)
    chart = Chart.objects.filter(workspace=target.workspace, key=chart_key).first()
    if chart is None:
        raise Invalid(fields={"chart_key": ["Pick one of the saved charts."]})
    if ChartEmbed.objects.filter(chart=chart, **{name: target}).exists():
        raise Invalid(fields={"chart_key": [f"“{chart.name}” is shown here already."]})
    with transaction.atomic():
        embed = ChartEmbed.objects.create(chart=chart, **{name: target})
        activity_record(
            workspace=target.workspace,
            actor=actor,
            verb="embedded",
            target_type="chart",
            target_key=chart.key,
            target_label=chart.name,
            changes={name: [None, str(target)]},
        )
    return embed


def embed_target(embed: ChartEmbed):
    return embed.feature or embed.objective or embed.decision


def embed_remove(*, embed: ChartEmbed, actor) -> None:
    target = embed_target(embed)
    with transaction.atomic():
        activity_record(
            workspace=embed.chart.workspace,
            actor=actor,
            verb="removed",
            target_type="chart",
            target_key=embed.chart.key,
            target_label=embed.chart.name,
            changes={_target_name(target): [str(target), None]},
        )
        embed.delete()
