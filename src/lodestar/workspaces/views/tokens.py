"""Personal API tokens and the activity log page."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.activity.selectors import activity_list
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.workspaces import selectors, services
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.forms import TokenForm


@workspace_view(read="token.manage", write="token.manage")
def tokens(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = TokenForm(request.POST or None)
    secret = None
    done = submit(
        request, form, partial(services.token_create, workspace=workspace, user=request.user)
    )
    if done.ok:
        _token, secret = done.result
        form = TokenForm()  # shown once, beside an empty form for the next one
    return render(
        request,
        "workspaces/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": selectors.token_list(workspace=workspace, user=request.user)[:100],
        },
        status=form_status(form),
    )


@workspace_view(read=None, write="token.manage")
def token_revoke(request: WorkspaceRequest, token_key: str) -> HttpResponse:
    workspace = request.workspace
    token = selectors.token_get(workspace=workspace, user=request.user, key=token_key)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token {token.name} was revoked; scripts using it now get 401.")
    return redirect("workspaces:tokens", slug=workspace.slug)


@workspace_view(read="activity.view")
def activity(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    page = paginate(
        activity_list(workspace=workspace),
        cursor=request.GET.get("cursor"),
        limit=50,
        newest_first=True,
    )
    return render(request, "workspaces/activity.html", {"page": page})
