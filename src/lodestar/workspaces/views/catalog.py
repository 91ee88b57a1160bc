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
from lodestar.workspaces.forms import (
    ConfirmKeyForm,
    ProductEditForm,
    ProductForm,
    TeamForm,
    TeamMemberForm,
)


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


@workspace_view(read="team.view", write="team.manage")
def teams(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                workspace=workspace, actor=request.user, **form.cleaned_data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Team {team.name} was created. Now add its members.")
            return redirect("workspaces:team", slug=workspace.slug, team_key=team.key)
    page = paginate(
        selectors.team_list(workspace=workspace), cursor=request.GET.get("cursor"), limit=50
    )
    return render(
        request,
        "workspaces/teams.html",
        {"page": page, "form": form},
        status=400 if form.errors else 200,
    )


def _team_page(request: WorkspaceRequest, team, *, form=None, member_form=None, status=200):
    return render(
        request,
        "workspaces/team.html",
        {
            "team": team,
            "members": selectors.team_members(team=team),
            "form": form
            or TeamForm(
                initial={
                    "name": team.name,
                    "description": team.description,
                    "capacity_points": team.capacity_points,
                    "cost_per_week": team.cost_per_week,
                }
            ),
            "member_form": member_form or TeamMemberForm(),
        },
        status=status,
    )


@workspace_view(read="team.view", write="team.manage")
def team_detail(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    """The team and its edit form. Members are added and removed one at a time (below), so
    this form never rewrites the member list: a page cannot drop people it did not show."""
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    if request.method != "POST":
        return _team_page(request, team)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            services.team_update(team=team, actor=request.user, **form.cleaned_data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Team saved.")
            return redirect("workspaces:team", slug=request.workspace.slug, team_key=team.key)
    return _team_page(request, team, form=form, status=400)


@workspace_view(read=None, write="team.manage")
def team_member_add(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    form = TeamMemberForm(request.POST)
    if form.is_valid():
        try:
            membership = services.team_member_add(
                team=team, actor=request.user, email=form.cleaned_data["email"]
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{membership.user.display_name} joined {team.name}.")
            return redirect("workspaces:team", slug=request.workspace.slug, team_key=team.key)
    return _team_page(request, team, member_form=form, status=400)


@workspace_view(read=None, write="team.manage")
def team_member_remove(request: WorkspaceRequest, team_key: str, member_key: str) -> HttpResponse:
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    membership = selectors.member_get(workspace=request.workspace, key=member_key)
    services.team_member_remove(team=team, actor=request.user, membership=membership)
    messages.success(request, f"{membership.user.display_name} left {team.name}.")
    return redirect("workspaces:team", slug=request.workspace.slug, team_key=team.key)


@workspace_view(read="team.manage", write="team.manage")
def team_delete(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    workspace = request.workspace
    team = selectors.team_get(workspace=workspace, key=team_key)
    if request.method == "POST":
        services.team_delete(team=team, actor=request.user)
        messages.success(request, f"Team {team.name} was deleted.")
        return redirect("workspaces:teams", slug=workspace.slug)
    return render(request, "workspaces/team_delete.html", {"team": team})
