"""Products and teams."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.forms import form_status, submit
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
    done = submit(
        request, form, partial(services.product_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.name} ({done.result.key}) was added.")
        return redirect("workspaces:products", slug=workspace.slug)
    page = paginate(
        selectors.product_list(workspace=workspace), cursor=request.GET.get("cursor"), limit=50
    )
    return render(
        request, "workspaces/products.html", {"page": page, "form": form}, status=form_status(form)
    )


@workspace_view(read="workspace.view", write="product.manage")
def product_detail(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = selectors.product_get(workspace=request.workspace, key=product_key)
    form = ProductEditForm(
        request.POST or None,
        initial={
            "name": product.name,
            "description": product.description,
            "allowed_origins": product.allowed_origins,
        },
    )
    if submit(
        request, form, partial(services.product_update, product=product, actor=request.user)
    ).ok:
        messages.success(request, "Product saved.")
        return redirect("workspaces:product", slug=request.workspace.slug, product_key=product.key)
    widget_url = request.build_absolute_uri(reverse("intake:widget_script"))
    capture_host = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "workspaces/product.html",
        {"product": product, "form": form, "widget_url": widget_url, "capture_host": capture_host},
        status=form_status(form),
    )


@workspace_view(read="product.manage", write="product.manage")
def product_delete(request: WorkspaceRequest, product_key: str) -> HttpResponse:
    product = selectors.product_get(workspace=request.workspace, key=product_key)
    form = ConfirmKeyForm(request.POST or None)
    if submit(
        request, form, partial(services.product_delete, product=product, actor=request.user)
    ).ok:
        messages.success(request, f"{product.name} was deleted.")
        return redirect("workspaces:products", slug=request.workspace.slug)
    return render(
        request,
        "workspaces/product_delete.html",
        {"product": product, "form": form},
        status=form_status(form),
    )


@workspace_view(read="team.view", write="team.manage")
def teams(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = TeamForm(request.POST or None)
    done = submit(
        request, form, partial(services.team_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"Team {done.result.name} was created. Now add its members.")
        return redirect("workspaces:team", slug=workspace.slug, team_key=done.result.key)
    page = paginate(
        selectors.team_list(workspace=workspace), cursor=request.GET.get("cursor"), limit=50
    )
    return render(
        request, "workspaces/teams.html", {"page": page, "form": form}, status=form_status(form)
    )


def _team_page(request: WorkspaceRequest, team, *, form=None, member_form=None):
    form = form or TeamForm(
        initial={
            "name": team.name,
            "description": team.description,
            "capacity_points": team.capacity_points,
            "cost_per_week": team.cost_per_week,
        }
    )
    member_form = member_form or TeamMemberForm()
    return render(
        request,
        "workspaces/team.html",
        {
            "team": team,
            "members": selectors.team_members(team=team),
            "form": form,
            "member_form": member_form,
        },
        status=form_status(form, member_form),
    )


@workspace_view(read="team.view", write="team.manage")
def team_detail(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    """The team and its edit form. Members are added and removed one at a time (below), so
    this form never rewrites the member list: a page cannot drop people it did not show."""
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    if request.method != "POST":
        return _team_page(request, team)
    form = TeamForm(request.POST)
    if submit(request, form, partial(services.team_update, team=team, actor=request.user)).ok:
        messages.success(request, "Team saved.")
        return redirect("workspaces:team", slug=request.workspace.slug, team_key=team.key)
    return _team_page(request, team, form=form)


@workspace_view(read=None, write="team.manage")
def team_member_add(request: WorkspaceRequest, team_key: str) -> HttpResponse:
    team = selectors.team_get(workspace=request.workspace, key=team_key)
    form = TeamMemberForm(request.POST)
    done = submit(request, form, partial(services.team_member_add, team=team, actor=request.user))
    if done.ok:
        messages.success(request, f"{done.result.user.display_name} joined {team.name}.")
        return redirect("workspaces:team", slug=request.workspace.slug, team_key=team.key)
    return _team_page(request, team, member_form=form)


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
