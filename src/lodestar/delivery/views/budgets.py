"""Release budgets: a product's releases with planned and actual cost, and each release's
budget page (plan, cost lines, burn chart). docs/ship-budgets.md explains the numbers."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.forms import form_status, submit
from lodestar.delivery import budget_selectors as selectors
from lodestar.delivery import budget_services as services
from lodestar.delivery.budget_forms import CostLineForm, PlanForm
from lodestar.delivery.models import CostLine
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_list

COLUMNS = [
    ("name", "Release"),
    ("target", "Target"),
    ("planned", "Planned"),
    ("actual", "Actual"),
    ("burn", "Spent of plan"),
]


@workspace_view(read="budget.view")
def budgets(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    products = list(product_list(workspace=workspace)[:50])
    wanted = request.GET.get("product", "")
    product = next((p for p in products if p.key == wanted), products[0] if products else None)
    sort = request.GET.get("sort", "target")
    if sort.lstrip("-") not in selectors.SORTS:
        sort = "target"
    rows = selectors.budget_list(workspace=workspace, product=product, sort=sort) if product else []
    columns = []
    for key, label in COLUMNS:
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": f"-{key}" if current and not descending else key,
                "aria": ("descending" if descending else "ascending") if current else "",
            }
        )
    return render(
        request,
        "delivery/budgets.html",
        {
            "products": products,
            "product": product,
            "rows": rows,
            "columns": columns,
            "sort": sort,
            "threshold": rows[0].threshold if rows else selectors.DEFAULT_THRESHOLD,
        },
    )


def _page(request, release, *, status=200, **context) -> HttpResponse:
    budget = selectors.release_budget(release)
    context.setdefault("plan_form", None)
    context.setdefault("line_form", None)
    if context["plan_form"] is None:
        context["plan_form"] = PlanForm(
            initial={"planned_override": budget.planned_override or "", "note": budget.note}
        )
    if context["line_form"] is None:
        context["line_form"] = CostLineForm(initial={"spent_on": budget.today})
    return render(
        request,
        "delivery/budget.html",
        {
            "release": release,
            "budget": budget,
            "figure": selectors.burn_figure(budget),
            "risk": selectors.budget_risk(release),
            **context,
        },
        status=status,
    )


@workspace_view(read="budget.view", write="budget.manage")
def budget(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    """The release's budget page; a POST sets the planned cost by hand."""
    release = selectors.budget_release_get(workspace=request.workspace, key=release_key)
    form = PlanForm(request.POST or None)
    done = submit(
        request, form, partial(services.budget_plan_set, release=release, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"The plan of {release.name} was saved.")
        return redirect("budgets:release", slug=request.workspace.slug, release_key=release.key)
    if request.method != "POST":
        return _page(request, release)
    return _page(request, release, plan_form=form, status=form_status(form))


@workspace_view(read=None, write="budget.manage")
def cost_line_add(request: WorkspaceRequest, release_key: str) -> HttpResponse:
    release = selectors.budget_release_get(workspace=request.workspace, key=release_key)
    form = CostLineForm(request.POST)
    done = submit(
        request, form, partial(services.cost_line_create, release=release, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.description} was recorded.")
        return redirect("budgets:release", slug=request.workspace.slug, release_key=release.key)
    return _page(request, release, line_form=form, status=form_status(form))


def _line_initial(line: CostLine) -> dict:
    return {
        "description": line.description,
        "category": line.category,
        "amount": f"{line.amount:.2f}",
        "spent_on": line.spent_on,
    }


@workspace_view(read="budget.manage", write="budget.manage")
def cost_line_edit(request: WorkspaceRequest, release_key: str, cost_line_key: str) -> HttpResponse:
    release = selectors.budget_release_get(workspace=request.workspace, key=release_key)
    line = selectors.cost_line_get(release=release, key=cost_line_key)
    form = CostLineForm(request.POST or None, initial=_line_initial(line))
    done = submit(request, form, partial(services.cost_line_update, line=line, actor=request.user))
    if done.ok:
        messages.success(request, f"{line.description} was saved.")
        return redirect("budgets:release", slug=request.workspace.slug, release_key=release.key)
    return render(
        request,
        "delivery/budget_line.html",
        {"release": release, "line": line, "form": form},
        status=form_status(form),
    )


@workspace_view(read="budget.manage", write="budget.manage")
def cost_line_delete(
    request: WorkspaceRequest, release_key: str, cost_line_key: str
) -> HttpResponse:
    release = selectors.budget_release_get(workspace=request.workspace, key=release_key)
    line = selectors.cost_line_get(release=release, key=cost_line_key)
    if request.method == "POST":
        services.cost_line_delete(line=line, actor=request.user)
        messages.success(request, f"{line.description} was deleted.")
        return redirect("budgets:release", slug=request.workspace.slug, release_key=release.key)
    return render(request, "delivery/budget_line_delete.html", {"release": release, "line": line})
