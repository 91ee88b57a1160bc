"""Features and the demand behind them."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.feedback.selectors import insight_list_for_feature
from lodestar.planning import business, release_selectors, selectors, services
from lodestar.planning.backlog_selectors import feature_stories_context
from lodestar.planning.forms import DriverForm, FeatureForm
from lodestar.planning.models import Feature, FeatureStatus, Horizon
from lodestar.planning.release_forms import (
    DependencyForm,
    rebase,
    shown_version,
    submit_versioned,
    versioned_fields,
)
from lodestar.planning.views.scoring import feature_scores
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import member_list, product_list, team_list


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


def _teams(workspace) -> list[tuple[str, str]]:
    # Plain values: the choice lists of the add form cost more as model rows than the page.
    rows = team_list(workspace=workspace).order_by("name").values_list("key", "name")
    return list(rows[:200])


def _owners(workspace) -> list[tuple[str, str]]:
    rows = member_list(workspace=workspace).order_by("pk")
    return [
        (key, name or email.split("@")[0])
        for key, name, email in rows.values_list("key", "user__name", "user__email")[:500]
    ]


def _choices(workspace, feature: Feature | None = None) -> dict:
    return {
        "products": _products(workspace),
        "parents": selectors.feature_choices(workspace=workspace, exclude=feature),
        "owners": _owners(workspace),
        "teams": _teams(workspace),
    }


@workspace_view(read="feature.view", write="feature.manage")
def features(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = FeatureForm(request.POST or None, **_choices(workspace))
    done = submit(
        request, form, partial(services.feature_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.title} was added.")
        return redirect("planning:feature", slug=workspace.slug, feature_key=done.result.key)
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    status = status if status in FeatureStatus.values else ""
    horizon = request.GET.get("horizon", "")
    horizon = horizon if horizon in Horizon.values else ""
    teams = _teams(workspace)
    team = request.GET.get("team", "")
    team = team if team in dict(teams) else ""
    order = request.GET.get("order", "newest")
    order = order if order in selectors.FEATURE_ORDERS else "newest"
    page = paginate(
        selectors.feature_list(
            workspace=workspace, q=q, status=status, order=order, horizon=horizon, team=team
        ),
        cursor=request.GET.get("cursor"),
        limit=50,
        newest_first=True,
        order_by=selectors.FEATURE_ORDERS[order][0],
    )
    demand = selectors.feature_demand(features=page.items)
    rows = [(f, demand[f.pk]) for f in page.items]
    return render(
        request,
        "planning/features.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "q": q,
            "status": status,
            "statuses": FeatureStatus.choices,
            "horizon": horizon,
            "horizons": Horizon.choices,
            "team": team,
            "teams": teams,
            "filtered": bool(q or status or horizon or team),
            "order": order,
            "orders": [(key, label) for key, (_, label) in selectors.FEATURE_ORDERS.items()],
            "query": urlencode(
                [
                    (k, v)
                    for k, v in (
                        ("q", q),
                        ("status", status),
                        ("horizon", horizon),
                        ("team", team),
                        ("order", order),
                    )
                    if v
                ]
            ),
        },
        status=form_status(form),
    )


def _feature_form(request: WorkspaceRequest, feature: Feature, data=None) -> FeatureForm:
    form = FeatureForm(
        data,
        **_choices(request.workspace, feature),
        releases=release_selectors.release_choices(
            product_id=feature.product_id, keep=feature.release
        ),
        initial=_initial(feature),
    )
    versioned_fields(form)
    return form


def _initial(feature: Feature) -> dict:
    return {
        "title": feature.title,
        "description": feature.description,
        "status": feature.status,
        "product_key": feature.product.key if feature.product else "",
        "parent_key": feature.parent.key if feature.parent else "",
        "horizon": feature.horizon,
        "release_key": feature.release.key if feature.release else "",
        "owner_key": feature.owner.key if feature.owner else "",
        "team_key": feature.team.key if feature.team else "",
        "effort": feature.effort,
        "effort_unit": feature.effort_unit,
        "effort_confidence": feature.effort_confidence,
        "tags": feature.tags,
        "new_revenue_low": feature.new_revenue_low,
        "new_revenue": feature.new_revenue,
        "new_revenue_high": feature.new_revenue_high,
        "impact_metric": feature.impact_metric,
        "impact_change": feature.impact_change,
        "impact_unit": feature.impact_unit,
    }


@workspace_view(read="feature.view", write="feature.manage")
def feature_detail(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    feature = selectors.feature_get(workspace=request.workspace, key=feature_key)
    form = _feature_form(request, feature, request.POST or None)
    done = submit_versioned(
        request, form, partial(services.feature_update, feature=feature, actor=request.user)
    )
    if done.ok:
        messages.success(request, "Feature saved.")
        for warning in release_selectors.dependency_warnings(features=[feature]).get(
            feature.pk, []
        ):
            messages.warning(request, warning.message)
        return redirect("planning:feature", slug=request.workspace.slug, feature_key=feature.key)
    if request.method == "POST":  # as saved now (a conflict re-read it)
        feature = selectors.feature_get(workspace=request.workspace, key=feature_key)
    if done.conflict is not None:
        rebase(form, _initial(feature))
    return feature_page(
        request,
        feature,
        form=form,
        conflict=done.conflict,
        version=shown_version(request, done, feature.version),
        status=done.status,
    )


def _signed(value, unit: str) -> str:
    """A measured change in words, as predicted_change writes the predicted one."""
    text = f"{abs(value):,.2f}".rstrip("0").rstrip(".")
    text = f"\u2212{text}" if value < 0 else f"+{text}"
    return {"percent": f"{text} %", "points": f"{text} percentage points"}.get(unit, text)


def _measured(feature: Feature) -> dict[str, str] | None:
    """The measured impact (set when an experiment's outcome is recorded), or None."""
    if feature.measured_change is None:
        return None
    unit = feature.measured_unit
    low, high = feature.measured_low, feature.measured_high
    return {
        "change": _signed(feature.measured_change, unit),
        "interval": f"{_signed(low, unit)} to {_signed(high, unit)}"
        if low is not None and high is not None
        else "",
    }


def feature_page(
    request: WorkspaceRequest,
    feature: Feature,
    *,
    form: FeatureForm | None = None,
    dependency_form: DependencyForm | None = None,
    conflict=None,
    version: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The feature page, with the edit form and the dependency form as given (re-shown with
    their errors) or fresh."""
    demands = selectors.feature_demand(features=[feature])
    demand = demands[feature.pk]
    scores = feature_scores(feature, demand=demands)  # the same demand: read once
    insights = paginate(
        insight_list_for_feature(feature=feature),
        cursor=request.GET.get("cursor"),
        limit=50,
        newest_first=True,
    )
    case = business.business_case(feature, demand, feature.team)  # team: select_related
    dependencies = release_selectors.feature_dependencies(feature=feature)
    return render(
        request,
        "planning/feature.html",
        {
            "feature": feature,
            **feature_stories_context(feature=feature, membership=request.membership),
            "children": list(feature.children.order_by("title")[:100]),
            "scores": scores,
            "driver_form": DriverForm(
                names=scores["names"],
                initial={n: scores["values"].get(n) for n in scores["names"]},
            ),
            "demand": demand,
            "case": case,
            "case_missing": _missing_links(request, feature, case),
            "predicted_change": business.predicted_change(feature),
            "measured": _measured(feature),
            "feature_experiments": list(feature.experiments.order_by("-created_at")[:10]),
            "page": insights,
            "form": form if form is not None else _feature_form(request, feature),
            "conflict": conflict,
            "version": version if version is not None else feature.version,
            "dependency_lists": [
                ("Blocked by", dependencies.blocked_by),
                ("Blocks", dependencies.blocks),
            ],
            "dependency_warnings": release_selectors.dependency_warnings(features=[feature]).get(
                feature.pk, []
            ),
            "dependency_form": dependency_form or DependencyForm(),
            "feature_titles": selectors.feature_titles(workspace=request.workspace),
        },
        status=status,
    )


# Which page fixes each reason the business case gives for what it cannot compute.
_FIXED_ON_TEAM = {business.NO_COST_RATE, business.NO_CAPACITY}


def _missing_links(request: WorkspaceRequest, feature: Feature, case) -> list[tuple]:
    """(sentence, url or "", link text) per missing input; a link only for who may fix it."""
    role = request.membership.role
    rows, linked = [], set()
    for reason in case.missing:
        url, label = "", ""
        if reason in _FIXED_ON_TEAM and feature.team is not None and role_can(role, "team.manage"):
            url = reverse("workspaces:team", args=[request.workspace.slug, feature.team.key])
            label = f"Edit {feature.team.name}"
        elif reason not in _FIXED_ON_TEAM and role_can(role, "feature.manage"):
            url, label = "#edit-feature", "Edit the feature"
        if url in linked:  # one link per page to fix things on
            url, label = "", ""
        linked.add(url)
        rows.append((reason[0].upper() + reason[1:] + ".", url, label))
    return rows


@workspace_view(read="feature.manage", write="feature.manage")
def feature_delete(request: WorkspaceRequest, feature_key: str) -> HttpResponse:
    feature = selectors.feature_get(workspace=request.workspace, key=feature_key)
    if request.method == "POST":
        services.feature_delete(feature=feature, actor=request.user)
        messages.success(request, f"{feature.title} was deleted with its insights.")
        return redirect("planning:features", slug=request.workspace.slug)
    return render(request, "planning/feature_delete.html", {"feature": feature})
