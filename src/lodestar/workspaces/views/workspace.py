"""Home, the workspace list and creation, the overview, the loop stages and settings."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from lodestar.activity.selectors import activity_list
from lodestar.core.access import public, signed_in
from lodestar.core.forms import form_status, submit
from lodestar.workspaces import search as workspace_search
from lodestar.workspaces import selectors, services
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.forms import WorkspaceCreateForm, WorkspaceSettingsForm
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.stages import STAGES

LAST_WORKSPACE = "lodestar.last_workspace"


@public
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = list(selectors.memberships_of(request.user)[:50])
    last = request.session.get(LAST_WORKSPACE)
    for membership in memberships:
        if membership.workspace.slug == last:
            return redirect("workspaces:overview", slug=last)
    if len(memberships) == 1:
        return redirect("workspaces:overview", slug=memberships[0].workspace.slug)
    return redirect("workspaces:list")


@signed_in
def workspace_list(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of(request.user)
    return render(request, "workspaces/list.html", {"memberships": memberships})


@signed_in
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceCreateForm(request.POST or None)
    done = submit(request, form, partial(services.workspace_create, user=request.user))
    if done.ok:
        messages.success(request, f"{done.result.name} is ready. Add a product to begin.")
        return redirect("workspaces:overview", slug=done.result.slug)
    return render(request, "workspaces/create.html", {"form": form}, status=form_status(form))


@workspace_view(read="workspace.view")
def overview(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    role = request.membership.role
    request.session[LAST_WORKSPACE] = workspace.slug
    context = {
        "products": selectors.product_list(workspace=workspace)[:12],
        "product_count": selectors.product_list(workspace=workspace).count(),
        "stages": STAGES,
    }
    if role_can(role, "member.view"):
        context["member_count"] = selectors.member_list(workspace=workspace).count()
    if role_can(role, "team.view"):
        context["team_count"] = selectors.team_list(workspace=workspace).count()
    if role_can(role, "activity.view"):
        context["recent"] = activity_list(workspace=workspace).order_by("-pk")[:8]
    return render(request, "workspaces/overview.html", context)


@workspace_view(read="workspace.view")
def stage(request: WorkspaceRequest, stage: str) -> HttpResponse:
    try:
        current = STAGES[stage]
    except KeyError:
        raise Http404("No such stage") from None
    role = request.membership.role
    sections = [s for s in current.sections if role_can(role, s.permission)]
    return render(
        request, "workspaces/stage.html", {"stage": current, "sections": sections, "stages": STAGES}
    )


@workspace_view(read="workspace.update", write="workspace.update")
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = WorkspaceSettingsForm(
        request.POST or None, initial={"name": workspace.name, "time_zone": workspace.time_zone}
    )
    action = partial(services.workspace_update, workspace=workspace, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, "Settings saved.")
        return redirect("workspaces:settings", slug=workspace.slug)
    return render(request, "workspaces/settings.html", {"form": form}, status=form_status(form))


@workspace_view(read="workspace.view")
def search(request: WorkspaceRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = workspace_search.search(membership=request.membership, query=query)
    return render(
        request,
        "workspaces/search.html",
        {"query": query, "results": results, "min_length": workspace_search.MIN_LENGTH},
    )
