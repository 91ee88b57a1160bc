"""Analytics on other apps' pages, from selectors, so their views need no change:

    {% load analytics_tags %}
    {% feature_analytics feature %}   the feature's adoption and its embedded charts
    {% chart_embeds objective %}      the charts embedded on an objective or a decision
    {% kr_metric kr %}                the saved chart a key result takes its value from

Each shows nothing without analytics.view and its forms only with analytics.manage.
"""

from __future__ import annotations

import json

from django import template

from lodestar.analytics import adoption, charts, metrics

register = template.Library()


def _can(context) -> tuple[bool, bool]:
    can = context.get("can") or {}
    return bool(can.get("analytics_view")), bool(can.get("analytics_manage"))


def _embeds(context, target, can_manage: bool) -> dict:
    from lodestar.analytics.views.charts import PickChartForm, chart_choices

    embeds = charts.embeds_on(target)
    rendered = charts.charts_run([e.chart for e in embeds], target.workspace)
    return {
        "current_workspace": context.get("current_workspace"),
        "csrf_token": context.get("csrf_token"),
        "embeds": list(zip(embeds, rendered, strict=True)),
        "target_kind": type(target).__name__.lower(),
        "target": target,
        "pick": PickChartForm(choices=chart_choices(target.workspace)) if can_manage else None,
        "can_manage": can_manage,
    }


@register.inclusion_tag("analytics/_feature_measure.html", takes_context=True)
def feature_analytics(context, feature) -> dict:
    can_view, can_manage = _can(context)
    if not can_view:
        return {"show": False}
    from lodestar.analytics.views.charts import AdoptionForm

    definition = adoption.definition_of(feature)
    report = adoption.adoption_report(feature, definition) if definition is not None else None
    initial = {}
    if definition is not None:
        initial = {
            "event": definition.event,
            "filters": json.dumps(definition.filters) if definition.filters else "",
        }
    out = _embeds(context, feature, can_manage)
    out.update(
        {
            "show": True,
            "feature": feature,
            "report": report,
            "adoption_form": AdoptionForm(initial=initial) if can_manage else None,
        }
    )
    out["plotly"] = bool((report and report.figure) or any(r.figure for _e, r in out["embeds"]))
    return out


@register.inclusion_tag("analytics/_embeds_block.html", takes_context=True)
def chart_embeds(context, target) -> dict:
    can_view, can_manage = _can(context)
    if not can_view:
        return {"show": False}
    out = _embeds(context, target, can_manage)
    out["show"] = bool(out["embeds"]) or can_manage
    out["plotly"] = any(r.figure for _e, r in out["embeds"])
    return out


@register.inclusion_tag("analytics/_kr_metric.html", takes_context=True)
def kr_metric(context, kr) -> dict:
    can_view, can_manage = _can(context)
    if not can_view:
        return {"show": False}
    from lodestar.analytics.views.charts import MetricForm, chart_choices

    metric = metrics.metric_of(kr)
    form = None
    if can_manage:
        initial = (
            {"chart_key": metric.chart.key, "refresh_minutes": metric.refresh_minutes}
            if metric
            else {}
        )
        form = MetricForm(choices=chart_choices(kr.objective.workspace), initial=initial)
    return {
        "show": metric is not None or can_manage,
        "current_workspace": context.get("current_workspace"),
        "csrf_token": context.get("csrf_token"),
        "kr": kr,
        "metric": metric,
        "form": form,
        "can_manage": can_manage,
    }


@register.filter
def duration(seconds) -> str:
    """Seconds as a person reads them: 45 s, 12 min, 3.4 h, 2.1 days (an en dash for none)."""
    if seconds is None:
        return "\u2013"
    value = float(seconds)
    if value < 90:
        return f"{value:.0f} s"
    if value < 90 * 60:
        return f"{value / 60:.0f} min"
    if value < 48 * 3600:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"
