"""Members, roles, invitations (sending and accepting)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.accounts.forms import SignupForm
from lodestar.accounts.selectors import user_exists
from lodestar.accounts.services import user_create
from lodestar.core.access import public
from lodestar.core.errors import Conflict, Invalid, PermissionDenied
from lodestar.core.forms import apply_errors, form_status, submit
from lodestar.core.pagination import paginate
from lodestar.workspaces import selectors, services
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.forms import InviteForm, RoleForm
from lodestar.workspaces.models import Role
from lodestar.workspaces.permissions import role_can


def _accept_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("invitation_accept", args=[token]))


@workspace_view(read="member.view", write="member.manage")
def members(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    actor = request.membership
    form = InviteForm(request.POST or None)
    done = submit(
        request,
        form,
        partial(services.invitation_create, workspace=workspace, actor_membership=actor),
    )
    if done.ok:
        invitation, token = done.result
        services.invitation_send(invitation=invitation, accept_url=_accept_url(request, token))
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("workspaces:members", slug=workspace.slug)
    page = paginate(
        selectors.member_list(workspace=workspace).prefetch_related("teams"),
        cursor=request.GET.get("cursor"),
        limit=50,
    )
    pending = list(selectors.invitation_list_pending(workspace=workspace)[:50])
    can_manage = role_can(actor.role, "member.manage")
    invitations = [
        (inv, _accept_url(request, services.invitation_token(inv)) if can_manage else None)
        for inv in pending
    ]
    return render(
        request,
        "workspaces/members.html",
        {
            "page": page,
            "form": form,
            "invitations": invitations,
            "roles": Role.choices,
        },
        status=form_status(form),
    )


@workspace_view(read=None, write="member.manage")
def member_role(request: WorkspaceRequest, member_key: str) -> HttpResponse:
    workspace = request.workspace
    membership = selectors.member_get(workspace=workspace, key=member_key)
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise Invalid(fields={name: [str(e) for e in errs] for name, errs in form.errors.items()})
    try:
        services.membership_set_role(
            membership=membership,
            actor_membership=request.membership,
            role=form.cleaned_data["role"],
        )
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{membership.user.display_name} is now {membership.get_role_display()}."
        )
    return redirect("workspaces:members", slug=workspace.slug)


@workspace_view(read="member.manage", write="member.manage")
def member_remove(request: WorkspaceRequest, member_key: str) -> HttpResponse:
    workspace = request.workspace
    membership = selectors.member_get(workspace=workspace, key=member_key)
    if request.method == "POST":
        try:
            services.membership_remove(
                membership=membership,
                actor_membership=request.membership,
            )
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{membership.user.email} was removed from {workspace}.")
        return redirect("workspaces:members", slug=workspace.slug)
    return render(request, "workspaces/member_remove.html", {"member": membership})


@workspace_view(read=None, write="member.manage")
def invitation_revoke(request: WorkspaceRequest, invitation_key: str) -> HttpResponse:
    workspace = request.workspace
    invitation = selectors.invitation_get(workspace=workspace, key=invitation_key)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("workspaces:members", slug=workspace.slug)


@public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email. Anonymous visitors create their account here
    (the email is the invited one); signed-in users with that email accept with one click."""
    invitation = services.invitation_from_token(token)  # 404/409 pages say what is wrong
    user = request.user
    form = SignupForm(request.POST or None, initial={"email": invitation.email})
    form.fields["email"].disabled = True
    if request.method == "POST":
        if not user.is_authenticated and form.is_valid():
            try:
                user = user_create(
                    email=invitation.email,
                    password=form.cleaned_data["password"],
                    name=form.cleaned_data["name"],
                )
            except Invalid as exc:
                apply_errors(form, exc)
                user = request.user
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user.is_authenticated:
            membership = services.invitation_accept(token=token, user=user)
            messages.success(request, f"Welcome to {membership.workspace.name}.")
            return redirect("workspaces:overview", slug=membership.workspace.slug)
    return render(
        request,
        "workspaces/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "wrong_user": user.is_authenticated and user.email != invitation.email,
            "account_exists": not user.is_authenticated and user_exists(email=invitation.email),
        },
        status=form_status(form),
    )
