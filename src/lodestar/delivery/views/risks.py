"""The risk register (with Lodestar's proposals and the 5x5 heatmap), a risk's page with its
mitigation actions and history, the form that turns an occurred risk into an issue, and
the issues of a product."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.delivery import issue_services, proposals
from lodestar.delivery import risk_selectors as selectors
from lodestar.delivery import risk_services as services
from lodestar.delivery.models import Risk, RiskCategory, RiskStatus
from lodestar.delivery.risk_forms import ActionForm, IssueForm, OccurredForm, RiskForm
from lodestar.planning.release_forms import shown_version, submit_versioned
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.models import Product
from lodestar.workspaces.product_choice import chosen_product
from lodestar.workspaces.selectors import member_list


def _owners(workspace) -> list[tuple[str, str]]:
    return [
        (m.key, m.user.display_name) for m in member_list(workspace=workspace).order_by("pk")[:500]
    ]


def _query(**params) -> str:
    return urlencode([(k, v) for k, v in params.items() if v not in (None, "")])


# -- the register -------------------------------------------------------------------------


@workspace_view(read="risk.view")
def register(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    if product is None:
        return render(request, "delivery/risks.html", {"products": products, "product": None})
    filters = selectors.parse_filters(request.GET)
    page = paginate(
        selectors.risk_list(product=product, filters=filters),
        cursor=request.GET.get("cursor"),
        order_by=selectors.SORTS[filters.sort][1],
        limit=50,
    )
    nexts = selectors.next_actions(page.items)
    today = timezone.localdate()
    grid = selectors.heatmap(product)
    rows = [
        {
            "likelihood": likelihood,
            "label": selectors.LIKELIHOOD_LABELS[likelihood],
            "cells": [
                {
                    "impact": impact,
                    "count": grid[likelihood - 1][impact - 1],
                    "band": selectors.band(likelihood * impact),
                    "query": _query(product=product.key, l=likelihood, i=impact),
                    "current": filters.likelihood == likelihood and filters.impact == impact,
                }
                for impact in range(1, 6)
            ],
        }
        for likelihood in range(5, 0, -1)
    ]
    query = _query(
        product=product.key,
        status="" if filters.status == "active" else filters.status,
        category=filters.category,
        owner=filters.owner,
        q=filters.q,
        l=filters.likelihood,
        i=filters.impact,
        sort="" if filters.sort == "exposure" else filters.sort,
    )
    return render(
        request,
        "delivery/risks.html",
        {
            "products": products,
            "product": product,
            "filters": filters,
            "filtered": bool(
                filters.status != "active" or filters.category or filters.owner or filters.q
            ),
            "page": page,
            "rows": [(r, selectors.band(r.exposure), nexts.get(r.pk)) for r in page.items],
            "today": today,
            "heat_rows": rows,
            "impacts": selectors.IMPACT_LABELS,
            "active_total": sum(map(sum, grid)),
            "proposals": [(r, _evidence(r)) for r in selectors.proposals(product=product)],
            "statuses": selectors.STATUS_FILTERS,
            "categories": RiskCategory.choices,
            "owners": _owners(request.workspace),
            "sorts": {k: v[0] for k, v in selectors.SORTS.items()},
            "query": query,
            "cell_label": (
                f"likelihood {filters.likelihood}, impact {filters.impact}" if filters.cell else ""
            ),
        },
    )


_PERCENT_KEYS = {"p_on_time", "threshold", "overrun", "overrun_pct", "overrun_percent"}
_LABELS = {
    "p_on_time": "Chance of finishing on time",
    "threshold": "Threshold",
    "target": "Target",
    "p50": "50 % date",
    "p85": "85 % date",
    "p95": "95 % date",
    "remaining": "Stories remaining",
    "history_weeks": "Weeks of history",
    "planned": "Planned cost",
    "actual": "Actual cost",
    "overrun": "Overrun",
    "overrun_pct": "Overrun",
}


def _evidence(risk: Risk) -> list[tuple[str, str]]:
    """The numbers behind a proposal, as (label, value) for the page. The forecast and
    budget areas write their own keys; known ones get labels and units, others show as
    they are (never the internal `severity`)."""
    shown = []
    for key, value in (risk.evidence or {}).items():
        if key == "severity" or value is None or isinstance(value, dict | list):
            continue
        label = _LABELS.get(key, key.replace("_", " ").capitalize())
        if key in _PERCENT_KEYS and isinstance(value, int | float):
            number = value * 100 if isinstance(value, float) and value <= 1.5 else value
            text = f"{number:.0f} %"
        else:
            text = str(value)
        shown.append((label, text))
    return shown


@workspace_view(read=None, write="risk.manage")
def risk_decide(request: WorkspaceRequest, risk_key: str, decision: str) -> HttpResponse:
    """Accept or dismiss a proposed risk (409 when someone already decided)."""
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    if decision == "accept":
        risk = proposals.accept(risk, actor=request.user)
        messages.success(request, f"“{risk.title}” is now an open risk in the register.")
        return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)
    risk = proposals.dismiss(risk, actor=request.user)
    messages.success(request, f"“{risk.title}” was dismissed.")
    return redirect(f"{_register_url(request)}?{_query(product=risk.product.key)}")


def _register_url(request: WorkspaceRequest) -> str:
    from django.urls import reverse

    return reverse("risks:register", kwargs={"slug": request.workspace.slug})


# -- a risk -------------------------------------------------------------------------------


def _risk_form(request: WorkspaceRequest, product: Product, *, status, initial=None) -> RiskForm:
    return RiskForm(
        request.POST or None,
        owners=_owners(request.workspace),
        status=status,
        initial=initial,
        **selectors.link_choices(product),
    )


@workspace_view(read="risk.manage", write="risk.manage")
def risk_new(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    if product is None:
        raise Invalid("Add a product first: a risk belongs to a product's register.")
    form = _risk_form(request, product, status=RiskStatus.OPEN, initial={"category": "schedule"})
    occurred = request.POST.get("status") == RiskStatus.OCCURRED
    action = partial(services.risk_create, product=product, actor=request.user)
    if occurred:  # created open; the next form asks what happened
        action = partial(_create_then_occur, action)
    done = submit(request, form, action)
    if done.ok:
        risk = done.result
        if occurred:
            messages.info(request, f"“{risk.title}” was added. Now say what happened.")
            return redirect("risks:occurred", slug=request.workspace.slug, risk_key=risk.key)
        messages.success(request, f"“{risk.title}” was added to the register.")
        return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)
    return render(
        request,
        "delivery/risk_form.html",
        {"form": form, "product": product, "products": products, "risk": None},
        status=form_status(form),
    )


def _create_then_occur(create, **data):
    data["status"] = RiskStatus.OPEN
    return create(**data)


def _initial(risk: Risk) -> dict:
    return {
        "title": risk.title,
        "description": risk.description,
        "category": risk.category,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "owner_key": risk.owner.key if risk.owner else "",
        "mitigation": risk.mitigation,
        "contingency": risk.contingency,
        "status": risk.status,
        "review_on": risk.review_on,
        "feature_keys": list(risk.features.values_list("key", flat=True)),
        "release_keys": list(risk.releases.values_list("key", flat=True)),
        "objective_keys": list(risk.objectives.values_list("key", flat=True)),
    }


@workspace_view(read="risk.view")
def risk_detail(request: WorkspaceRequest, risk_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    today = timezone.localdate()
    issue = getattr(risk, "issue", None)
    return render(
        request,
        "delivery/risk.html",
        {
            "risk": risk,
            "band": selectors.band(risk.exposure),
            "likelihood_label": selectors.LIKELIHOOD_LABELS[risk.likelihood],
            "impact_label": selectors.IMPACT_LABELS[risk.impact],
            "features": list(risk.features.order_by("title")),
            "releases": list(risk.releases.order_by("target")),
            "objectives": list(risk.objectives.order_by("title")),
            "actions": selectors.risk_actions(risk),
            "action_form": ActionForm(owners=_owners(request.workspace)),
            "history": selectors.risk_history(risk),
            "evidence": _evidence(risk),
            "issue": issue,
            "today": today,
            "active": risk.status in (RiskStatus.OPEN, RiskStatus.MITIGATING),
        },
    )


@workspace_view(read="risk.manage", write="risk.manage")
def risk_edit(request: WorkspaceRequest, risk_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    form = _risk_form(request, risk.product, status=risk.status, initial=_initial(risk))
    occurred = (
        request.POST.get("status") == RiskStatus.OCCURRED and risk.status != RiskStatus.OCCURRED
    )

    def save(**data):
        if occurred:  # saved as it is; the next form asks what happened
            data["status"] = None
        return services.risk_update(risk=risk, actor=request.user, **data)

    done = submit_versioned(request, form, save)
    if done.ok:
        if occurred:
            messages.info(request, "Now say what happened: the risk becomes an issue.")
            return redirect("risks:occurred", slug=request.workspace.slug, risk_key=risk.key)
        messages.success(request, "The risk was saved." if done.result else "Nothing changed.")
        return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)  # as saved now
    return render(
        request,
        "delivery/risk_form.html",
        {
            "form": form,
            "product": risk.product,
            "risk": risk,
            "conflict": done.conflict,
            "version": shown_version(request, done, risk.version),
        },
        status=done.status,
    )


@workspace_view(read="risk.manage", write="risk.manage")
def risk_occurred(request: WorkspaceRequest, risk_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    existing = getattr(risk, "issue", None)
    if existing is not None and request.method != "POST":
        messages.info(request, "This risk already occurred: here is its issue.")
        return redirect("risks:issue", slug=request.workspace.slug, issue_key=existing.key)
    form = OccurredForm(
        request.POST or None,
        initial={"title": risk.title, "occurred_on": timezone.localdate(), "severity": 3},
    )
    done = submit(request, form, partial(services.risk_occurred, risk=risk, actor=request.user))
    if done.ok:
        messages.success(request, f"“{risk.title}” occurred: the issue was logged.")
        return redirect("risks:issue", slug=request.workspace.slug, issue_key=done.result.key)
    return render(
        request,
        "delivery/risk_occurred.html",
        {"form": form, "risk": risk},
        status=form_status(form),
    )


# -- mitigation actions -------------------------------------------------------------------


@workspace_view(read=None, write="risk.manage")
def action_add(request: WorkspaceRequest, risk_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    form = ActionForm(request.POST, owners=_owners(request.workspace))
    done = submit(request, form, partial(services.action_add, risk=risk, actor=request.user))
    if done.ok:
        messages.success(request, f"Action “{done.result.title}” was added.")
        return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)
    messages.error(
        request,
        "The action was not added: "
        + "; ".join(
            f"{form.fields[name].label if name in form.fields else ''} {_joined(errors)}".strip()
            for name, errors in form.errors.items()
        ),
    )
    return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)


def _joined(errors) -> str:
    return " ".join(str(e) for e in errors)


@workspace_view(read=None, write="risk.manage")
def action_toggle(request: WorkspaceRequest, risk_key: str, action_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    action = selectors.action_get(risk=risk, key=action_key)
    services.action_toggle(action=action, actor=request.user)
    state = "done" if action.done_at else "to do again"
    messages.success(request, f"“{action.title}” is {state}.")
    return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)


@workspace_view(read="risk.manage", write="risk.manage")
def action_delete(request: WorkspaceRequest, risk_key: str, action_key: str) -> HttpResponse:
    risk = selectors.risk_get(workspace=request.workspace, key=risk_key)
    action = selectors.action_get(risk=risk, key=action_key)
    if request.method == "POST":
        services.action_delete(action=action, actor=request.user)
        messages.success(request, f"Action “{action.title}” was deleted.")
        return redirect("risks:risk", slug=request.workspace.slug, risk_key=risk.key)
    return render(request, "delivery/risk_action_delete.html", {"risk": risk, "action": action})


# -- issues -------------------------------------------------------------------------------


@workspace_view(read="risk.view")
def issues(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    state = (request.GET.get("state") or "open").strip()
    page = None
    if product is not None:
        page = paginate(
            selectors.issue_list(product=product, state=state),
            cursor=request.GET.get("cursor"),
            order_by="-occurred_on",
            limit=50,
        )
    return render(
        request,
        "delivery/issues.html",
        {
            "products": products,
            "product": product,
            "state": state,
            "states": selectors.ISSUE_STATES,
            "page": page,
            "query": _query(product=product.key if product else "", state=state),
        },
    )


@workspace_view(read="risk.manage", write="risk.manage")
def issue_new(request: WorkspaceRequest) -> HttpResponse:
    products, product = chosen_product(request)
    if product is None:
        raise Invalid("Add a product first: an issue belongs to a product.")
    form = OccurredForm(
        request.POST or None,
        owners=_owners(request.workspace),
        initial={"occurred_on": timezone.localdate(), "severity": 3},
    )
    done = submit(
        request, form, partial(issue_services.issue_create, product=product, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"Issue “{done.result.title}” was logged.")
        return redirect("risks:issue", slug=request.workspace.slug, issue_key=done.result.key)
    return render(
        request,
        "delivery/issue_new.html",
        {"form": form, "product": product, "products": products},
        status=form_status(form),
    )


@workspace_view(read="risk.view", write="risk.manage")
def issue_detail(request: WorkspaceRequest, issue_key: str) -> HttpResponse:
    issue = selectors.issue_get(workspace=request.workspace, key=issue_key)
    form = IssueForm(
        request.POST or None,
        owners=_owners(request.workspace),
        initial={
            "title": issue.title,
            "impact": issue.impact,
            "severity": issue.severity,
            "occurred_on": issue.occurred_on,
            "owner_key": issue.owner.key if issue.owner else "",
            "resolution": issue.resolution,
            "resolved_on": issue.resolved_on,
        },
    )
    done = submit(
        request, form, partial(issue_services.issue_update, issue=issue, actor=request.user)
    )
    if done.ok:
        messages.success(request, "The issue was saved." if done.result else "Nothing changed.")
        return redirect("risks:issue", slug=request.workspace.slug, issue_key=issue.key)
    issue = selectors.issue_get(workspace=request.workspace, key=issue_key)
    return render(
        request,
        "delivery/issue.html",
        {"issue": issue, "form": form, "history": selectors.issue_history(issue)},
        status=form_status(form),
    )
