"""`{% load strategy %}{% feature_why feature %}`: the "why are we building this" card on a
feature page — its objectives, its insights count and its decisions — from selectors, so
the feature view needs no change."""

from django import template

from lodestar.planning.selectors import feature_demand
from lodestar.strategy import selectors

register = template.Library()


@register.inclusion_tag("strategy/_feature_why.html", takes_context=True)
def feature_why(context, feature) -> dict:
    can = context.get("can") or {}
    demand = context.get("demand")  # the feature page has it already
    if demand is None:
        demand = feature_demand(features=[feature])[feature.pk]
    return {
        "feature": feature,
        "current_workspace": context.get("current_workspace"),
        "objectives": selectors.feature_objectives(feature=feature),
        "decisions": selectors.feature_decisions(feature=feature),
        "insights": demand.insights,
        "can_decide": bool(can.get("decision_manage")),
    }
