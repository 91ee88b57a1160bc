"""Strategy pages: objectives by period, a product's tree (vision → objectives → key results →
features), an objective, a key result with its check-ins, and the decision log."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.planning.selectors import feature_list, feature_titles
from lodestar.strategy import selectors, services
from lodestar.strategy.forms import (
    DecisionForm,
    KeyResultForm,
    LinkFeatureForm,
    ObjectiveForm,
    VisionForm,
)
from lodestar.strategy.models import DecisionStatus
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import member_list, product_get, product_list


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:100]]


def _members(workspace) -> list[tuple[str, str]]:
    rows = member_list(workspace=workspace).order_by("user__name", "pk")[:200]
    return [(m.key, m.user.display_name) for m in rows]


def _can(request: WorkspaceRequest, permission: str) -> bool:
    return role_can(request.membership.role, permission)


@workspace_view(read="strategy.view", write="strategy.manage")
def objectives(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    products = _products(workspace)
    form = ObjectiveForm(
        request.POST or None, products=products, members=_members(workspace),
        initial={"product_key": request.GET.get("product", "")},
    )  # fmt: skip
    done = submit(
        request, form, partial(services.objective_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"Objective “{done.result.title}” was added.")
        return redirect("strategy:objective", slug=workspace.slug, objective_key=done.result.key)
    product = None
    if request.GET.get("product"):
        product = product_get(workspace=workspace, key=request.GET["product"])
    rows = list(selectors.objective_list(workspace=workspace, product=product)[:500])
    for o in rows:
        o.progress = selectors.objective_progress(o)  # type: ignore[attr-defined]
    return render(
        request,
        "strategy/objectives.html",
        {
            "groups": selectors.objectives_by_period(rows),
            "products": products,
            "product": product,
            "form": form,
            "can_manage": _can(request, "strategy.manage"),
        },
        status=form_status(form),
    )


@workspace_view(read="strategy.view", write="strategy.manage")
def product_tree(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = product_get(workspace=request.workspace, key=product_key)
    vision = selectors.vision_of(product)
    form = VisionForm(
        request.POST or None, initial={"statement": vision.statement if vision else ""}
    )
    if submit(request, form, partial(services.vision_set, product=product, actor=request.user)).ok:
        messages.success(request, f"The vision of {product.name} was saved.")
        return redirect("strategy:tree", slug=request.workspace.slug, product_key=product.key)
    return render(
        request,
        "strategy/tree.html",
        {
            "product": product,
            "vision": vision,
            "tree": selectors.strategy_tree(product=product),
            "form": form,
            "can_manage": _can(request, "strategy.manage"),
        },
        status=form_status(form),
    )


def _objective_initial(o) -> dict:
    return {
        "title": o.title,
        "product_key": o.product.key,
        "period": o.period,
        "weight": o.weight,
        "owner_key": o.owner.key if o.owner else "",
        "status": o.status,
        "description": o.description,
    }


@workspace_view(read="strategy.view", write="strategy.manage")
def objective_detail(request: WorkspaceRequest, objective_key: str) -> HttpResponse:
    """One page, three forms (which one was sent: the `form` field): edit, add a key result,
    link or unlink a feature."""
    workspace = request.workspace
    objective = selectors.objective_get(workspace=workspace, key=objective_key)
    sent = request.POST.get("form", "") if request.method == "POST" else ""
    actor = request.user
    edit = ObjectiveForm(
        request.POST if sent == "edit" else None,
        products=_products(workspace), members=_members(workspace),
        initial=_objective_initial(objective),
    )  # fmt: skip
    kr_form = KeyResultForm(request.POST if sent == "kr" else None)
    link_form = LinkFeatureForm(request.POST if sent == "link" else None)
    back = redirect("strategy:objective", slug=workspace.slug, objective_key=objective.key)
    if (
        sent == "edit"
        and submit(
            request, edit, partial(services.objective_update, objective=objective, actor=actor)
        ).ok
    ):
        messages.success(request, "The objective was saved.")
        return back
    if (
        sent == "kr"
        and submit(
            request, kr_form, partial(services.key_result_create, objective=objective, actor=actor)
        ).ok
    ):
        messages.success(request, "The key result was added.")
        return back
    if (
        sent == "link"
        and submit(
            request,
            link_form,
            partial(services.objective_feature_link, objective=objective, actor=actor),
        ).ok
    ):
        messages.success(request, "The feature was linked.")
        return back
    if sent == "unlink":
        services.objective_feature_unlink(
            objective=objective, actor=actor, feature_key=request.POST.get("feature_key", "")
        )
        messages.success(request, "The feature was unlinked.")
        return back
    if request.method == "POST" and sent not in {"edit", "kr", "link"}:
        raise Invalid("Unknown form.")
    key_results = list(objective.key_results.order_by("pk"))
    return render(
        request,
        "strategy/objective.html",
        {
            "objective": objective,
            "progress": selectors.objective_progress(objective),
            "key_results": key_results,
            "features": selectors.objective_features(objective=objective),
            "decisions": objective.decisions.order_by("-decided_on", "-pk")[:50],
            "edit": edit,
            "kr_form": kr_form,
            "link_form": link_form,
            "titles": feature_titles(workspace=workspace),
            "can_manage": _can(request, "strategy.manage"),
        },
        status=form_status(edit, kr_form, link_form),
    )


def sparkline(values: list[float], width: int = 320, height: int = 80) -> str:
    """SVG polyline points for `values`, scaled to the box (a flat line for one value)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    pad = 4
    return " ".join(
        f"{i * step:.1f},{pad + (height - 2 * pad) * (1 - (v - low) / span):.1f}"
        for i, v in enumerate(values)
    )


@workspace_view(read="strategy.view", write="strategy.manage")
def key_result_detail(request: WorkspaceRequest, kr_key: str) -> HttpResponse:
    kr = selectors.key_result_get(workspace=request.workspace, key=kr_key)
    initial = {
        n: getattr(kr, n) for n in ("metric", "unit", "baseline", "target", "current", "due_date")
    }
    for name in ("baseline", "target", "current"):
        initial[name] = f"{initial[name].normalize():f}"
    form = KeyResultForm(request.POST or None, initial=initial)
    if submit(
        request, form, partial(services.key_result_update, key_result=kr, actor=request.user)
    ).ok:
        messages.success(request, "The key result was saved.")
        return redirect("strategy:key_result", slug=request.workspace.slug, kr_key=kr.key)
    history = selectors.checkins(key_result=kr)
    values = [float(c.value) for c in history]
    return render(
        request,
        "strategy/key_result.html",
        {
            "kr": kr,
            "objective": kr.objective,
            "checkins": history,
            "points": sparkline(values),
            "low": min(values) if values else 0,
            "high": max(values) if values else 0,
            "form": form,
            "can_manage": _can(request, "strategy.manage"),
        },
        status=form_status(form),
    )


# -- decisions --------------------------------------------------------------------------


def _decision_form(request: WorkspaceRequest, data=None, decision=None, initial=None):
    workspace = request.workspace
    features: list = []
    linked: list = []
    if decision is not None:
        features = list(decision.features.all())
        linked = list(decision.insights.select_related("feature", "feedback__company"))
    elif request.GET.get("feature"):
        features = list(
            feature_list(workspace=workspace).filter(title__iexact=request.GET["feature"][:200])
        )
    objectives = selectors.objective_list(workspace=workspace)[:200]
    others = selectors.decision_list(workspace=workspace).order_by("-created_at", "-pk")
    if decision is not None:
        others = others.exclude(pk=decision.pk)
    return DecisionForm(
        data,
        products=_products(workspace),
        members=_members(workspace),
        objectives=[(o.key, f"{o.period} · {o.title}") for o in objectives],
        decisions=[(d.key, d.title) for d in others[:200]],
        insights=selectors.insight_choices(features=features, linked=linked),
        initial=initial,
    )


@workspace_view(read="strategy.view")
def decisions(request: WorkspaceRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    if status not in DecisionStatus.values:
        status = ""
    rows = selectors.decision_list(workspace=request.workspace, q=q, status=status)
    page = paginate(rows, cursor=request.GET.get("cursor"), limit=50, newest_first=True)
    query = "&".join(f"{k}={v}" for k, v in (("q", q), ("status", status)) if v)
    return render(
        request,
        "strategy/decisions.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": DecisionStatus.choices,
            "query": query,
            "can_manage": _can(request, "decision.manage"),
        },
    )


@workspace_view(read="decision.manage", write="decision.manage")
def decision_new(request: WorkspaceRequest) -> HttpResponse:
    initial: dict[str, object] = {"decider_keys": [request.membership.key]}
    if request.GET.get("feature"):
        initial["feature_titles"] = request.GET["feature"][:200]
    form = _decision_form(request, request.POST or None, initial=initial)
    action = partial(services.decision_create, workspace=request.workspace, actor=request.user)
    done = submit(request, form, action)
    if done.ok:
        messages.success(request, "The decision was recorded.")
        return redirect(
            "strategy:decision", slug=request.workspace.slug, decision_key=done.result.key
        )
    return render(request, "strategy/decision_new.html", {"form": form}, status=form_status(form))


def _decision_initial(d) -> dict:
    return {
        "title": d.title,
        "product_key": d.product.key if d.product else "",
        "status": d.status,
        "decided_on": d.decided_on,
        "superseded_by_key": d.superseded_by.key if d.superseded_by else "",
        "context": d.context,
        "options": d.options,
        "outcome": d.outcome,
        "rationale": d.rationale,
        "decider_keys": [m.key for m in d.deciders.all()],
        "objective_keys": [o.key for o in d.objectives.all()],
        "feature_titles": "\n".join(f.title for f in d.features.order_by("title")),
        "insight_keys": [i.key for i in d.insights.all()],
    }


@workspace_view(read="strategy.view", write="decision.manage")
def decision_detail(request: WorkspaceRequest, decision_key: str) -> HttpResponse:
    decision = selectors.decision_get(workspace=request.workspace, key=decision_key)
    form = _decision_form(request, request.POST or None, decision, _decision_initial(decision))
    action = partial(services.decision_update, decision=decision, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, "The decision was saved.")
        return redirect("strategy:decision", slug=request.workspace.slug, decision_key=decision.key)
    return render(
        request,
        "strategy/decision.html",
        {
            "decision": decision,
            "deciders": decision.deciders.select_related("user").order_by("user__name"),
            "features": decision.features.order_by("title"),
            "objectives": decision.objectives.order_by("-period", "title"),
            "insights": decision.insights.select_related("feedback", "feature").order_by("pk")[
                :100
            ],
            "supersedes": decision.supersedes.order_by("-pk")[:20],
            "form": form,
            "can_manage": _can(request, "decision.manage"),
        },
        status=form_status(form),
    )


# -- deletes (a confirmation page, then POST) -------------------------------------------


def _confirm(request, *, title: str, consequence: str, button: str, cancel: str):
    return render(
        request,
        "strategy/confirm_delete.html",
        {"title": title, "consequence": consequence, "button": button, "cancel": cancel},
    )


@workspace_view(read="strategy.manage", write="strategy.manage")
def objective_delete(request: WorkspaceRequest, objective_key: str) -> HttpResponse:
    objective = selectors.objective_get(workspace=request.workspace, key=objective_key)
    if request.method == "POST":
        services.objective_delete(objective=objective, actor=request.user)
        messages.success(request, f"“{objective.title}” was deleted.")
        return redirect("strategy:objectives", slug=request.workspace.slug)
    return _confirm(
        request,
        title=f"Delete “{objective.title}”?",
        consequence="The objective goes with its key results, their check-ins and its links "
        "to features. Decisions that cite it stay. It cannot be undone.",
        button="Delete objective",
        cancel=reverse("strategy:objective", args=[request.workspace.slug, objective.key]),
    )


@workspace_view(read="strategy.manage", write="strategy.manage")
def key_result_delete(request: WorkspaceRequest, kr_key: str) -> HttpResponse:
    kr = selectors.key_result_get(workspace=request.workspace, key=kr_key)
    back = reverse("strategy:objective", args=[request.workspace.slug, kr.objective.key])
    if request.method == "POST":
        services.key_result_delete(key_result=kr, actor=request.user)
        messages.success(request, f"“{kr.metric}” was deleted.")
        return redirect(back)
    return _confirm(
        request,
        title=f"Delete “{kr.metric}”?",
        consequence="The key result goes with its check-ins. It cannot be undone.",
        button="Delete key result",
        cancel=reverse("strategy:key_result", args=[request.workspace.slug, kr.key]),
    )


@workspace_view(read="decision.manage", write="decision.manage")
def decision_delete(request: WorkspaceRequest, decision_key: str) -> HttpResponse:
    decision = selectors.decision_get(workspace=request.workspace, key=decision_key)
    if request.method == "POST":
        services.decision_delete(decision=decision, actor=request.user)
        messages.success(request, f"“{decision.title}” was deleted.")
        return redirect("strategy:decisions", slug=request.workspace.slug)
    return _confirm(
        request,
        title=f"Delete “{decision.title}”?",
        consequence="The decision leaves the log; decisions it superseded are accepted again. "
        "Mark it superseded instead to keep the history. It cannot be undone.",
        button="Delete decision",
        cancel=reverse("strategy:decision", args=[request.workspace.slug, decision.key]),
    )
