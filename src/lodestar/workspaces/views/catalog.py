"""Products and teams."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.errors import Invalid
from lodestar.core.forms import apply_errors
from lodestar.core.pagination import paginate
from lodestar.workspaces import selectors, services
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.forms import ConfirmKeyForm, ProductEditForm, ProductForm, TeamForm


@workspace_view(read="workspace.view", write="product.manage")
def products(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(
                workspace=workspace, actor=request.user, **form.cleaned_data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{product.name} ({product.key}) was added.")
            return redirect("workspaces:products", slug=workspace.slug)
    page = paginate(
        selectors.product_list(workspace=workspace), cursor=request.GET.get("cursor"), limit=50
    )
    return render(
        request,
        "workspaces/products.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


@workspace_view(read="workspace.view", write="product.manage")
def product_detail(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    workspace = request.workspace
    product = selectors.product_get(workspace=workspace, key=product_key)
    form = ProductEditForm(
        request.POST or None, initial={"name": product.name, "description": product.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, actor=request.user, **form.cleaned_data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Product saved.")
            return redirect("workspaces:product", slug=workspace.slug, product_key=product.key)
    return render(
        request,
        "workspaces/product.html",
        {"product": product, "form": form},
        status=400 if form.errors else 200,
    )


@workspace_view(read="product.manage", write="product.manage")
def product_delete(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    workspace = request.workspace
    product = selectors.product_get(workspace=workspace, key=product_key)
    form = ConfirmKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_delete(
                product=product, actor=request.user, confirm_key=form.cleaned_data["confirm_key"]
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{product.name} was deleted.")
            return redirect("workspaces:products", slug=workspace.slug)
    return render(
        request,
        "workspaces/product_delete.html",
        {"product": product, "form": form},
        status=400 if form.errors else 200,
    )


def _member_choices(workspace) -> list[tuple[str, str]]:
    return [
        (m.key, f"{m.user.display_name} ({m.get_role_display()})")
        for m in selectors.member_list(workspace=workspace).order_by("user__name")[:500]
    ]


@workspace_view(read="team.view", write="team.manage")
def teams(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = TeamForm(request.POST or None, member_choices=_member_choices(workspace))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            team = services.team_create(
                workspace=workspace, actor=request.user, member_keys=data.pop("members"), **data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Team {team.name} was created.")
            return redirect("workspaces:teams", slug=workspace.slug)
    page = paginate(
        selectors.team_list(workspace=workspace), cursor=request.GET.get("cursor"), limit=50
    )
    return render(
        request,
        "workspaces/teams.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


@workspace_view(read="team.view", write="team.manage")
def team_detail(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    workspace = request.workspace
    team = selectors.team_get(workspace=workspace, key=team_key)
    members = list(team.members.select_related("user").order_by("user__name"))
    form = TeamForm(
        request.POST or None,
        member_choices=_member_choices(workspace),
        initial={
            "name": team.name,
            "description": team.description,
            "capacity_points": team.capacity_points,
            "cost_per_week": team.cost_per_week,
            "members": [m.key for m in members],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.team_update(
                team=team, actor=request.user, member_keys=data.pop("members"), **data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Team saved.")
            return redirect("workspaces:team", slug=workspace.slug, team_key=team.key)
    return render(
        request,
        "workspaces/team.html",
        {"team": team, "members": members, "form": form},
        status=400 if form.errors else 200,
    )


@workspace_view(read="team.manage", write="team.manage")
def team_delete(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    workspace = request.workspace
    team = selectors.team_get(workspace=workspace, key=team_key)
    if request.method == "POST":
        services.team_delete(team=team, actor=request.user)
        messages.success(request, f"Team {team.name} was deleted.")
        return redirect("workspaces:teams", slug=workspace.slug)
    return render(request, "workspaces/team_delete.html", {"team": team})
