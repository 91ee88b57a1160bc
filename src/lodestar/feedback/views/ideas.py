"""The team's side of the ideas portal, inside the workspace: the ideas with their votes,
proxy votes for customers, moderation (status, feature, merge, hide) and portal settings."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.core.forms import apply_errors, form_status, submit
from lodestar.core.pagination import paginate
from lodestar.feedback import portal_selectors as selectors
from lodestar.feedback import portal_services as services
from lodestar.feedback.portal_forms import (
    FeatureLinkForm,
    IdeaFilterForm,
    MemberCommentForm,
    MemberIdeaForm,
    MergeForm,
    PortalForm,
    ProxyVoteForm,
    StatusForm,
)
from lodestar.feedback.portal_models import Idea, IdeaStatus
from lodestar.planning.selectors import feature_titles
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can


def _moderator(request: WorkspaceRequest) -> bool:
    return role_can(request.membership.role, "idea.moderate")


def _back(idea: Idea):
    return redirect("ideas:idea", slug=idea.workspace.slug, idea_key=idea.key)


@workspace_view(read="idea.view", write="idea.create")
def idea_list(request: WorkspaceRequest) -> HttpResponse:
    """All ideas with their votes (moderators also see hidden and unconfirmed ones); POST
    adds one, the member's own or for a customer."""
    workspace = request.workspace
    form = MemberIdeaForm(request.POST or None)
    action = partial(services.idea_create, workspace=workspace, membership=request.membership)
    done = submit(request, form, action)
    if done.ok:
        messages.success(request, f"“{done.result.title}” was added to the portal.")
        return _back(done.result)
    moderator = _moderator(request)
    filters = IdeaFilterForm(request.GET or None)
    chosen = filters.chosen()
    rows = selectors.idea_list(
        workspace=workspace, status=chosen["status"], q=chosen["q"], listed_only=not moderator
    ).select_related("company", "feature")
    page = paginate(
        rows,
        cursor=request.GET.get("cursor"),
        limit=50,
        order_by=selectors.SORTS[chosen["sort"]],
        newest_first=True,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "feedback/ideas/list.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "portal": selectors.portal_for(workspace=workspace),
            "counts": selectors.status_counts(workspace=workspace, listed_only=not moderator),
            "statuses": IdeaStatus.choices,
            "query": query.urlencode(),
            "filtered": bool(chosen["q"] or chosen["status"]),
            "moderator": moderator,
            "can_manage_portal": role_can(request.membership.role, "portal.manage"),
            "can_create": role_can(request.membership.role, "idea.create"),
        },
        status=form_status(form),
    )


def _detail(request: WorkspaceRequest, idea: Idea, status: int = 200, **forms) -> HttpResponse:
    moderator = _moderator(request)
    forms.setdefault("comment_form", MemberCommentForm())
    forms.setdefault("proxy_form", ProxyVoteForm())
    forms.setdefault(
        "status_form",
        StatusForm(initial={"status": idea.status, "declined_reason": idea.declined_reason}),
    )
    forms.setdefault(
        "feature_form",
        FeatureLinkForm(initial={"feature_title": idea.feature.title if idea.feature else ""}),
    )
    forms.setdefault("merge_form", MergeForm())
    if any(f.errors for f in forms.values()) and status == 200:
        status = 400
    context = {
        "idea": idea,
        "moderator": moderator,
        "portal": selectors.portal_for(workspace=request.workspace),
        "votes": selectors.vote_list(idea=idea)[:200],
        "comments": selectors.comment_list(idea=idea, include_hidden=moderator),
        "merged": idea.merged.all()[:50],
        **forms,
    }
    if moderator:
        context["feature_titles"] = feature_titles(workspace=request.workspace)
        context["idea_titles"] = selectors.idea_titles(workspace=request.workspace, exclude=idea)
    return render(request, "feedback/ideas/idea.html", context, status=status)


def _idea(request: WorkspaceRequest, idea_key: str) -> Idea:
    idea = selectors.idea_get(workspace=request.workspace, key=idea_key)
    if not idea.listed and not _moderator(request) and idea.merged_into_id is None:
        raise NotFound("No such idea.")
    return idea


@workspace_view(read="idea.view", write="idea.create")
def idea_detail(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    """An idea with its votes and comments; POST adds a comment as the member."""
    idea = _idea(request, idea_key)
    form = MemberCommentForm(request.POST or None)
    action = partial(services.comment_add, idea=idea, membership=request.membership)
    if submit(request, form, action).ok:
        messages.success(request, "Comment posted: visitors see it on the portal.")
        return _back(idea)
    return _detail(request, idea, status=form_status(form), comment_form=form)


@workspace_view(read=None, write="idea.create")
def idea_vote(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    """A proxy vote: a member votes on behalf of a named customer."""
    idea = _idea(request, idea_key)
    form = ProxyVoteForm(request.POST)
    action = partial(services.vote_proxy, idea=idea, membership=request.membership)
    try:
        done = submit(request, form, action)
    except Conflict as exc:
        form.add_error(None, exc.message)
        return _detail(request, idea, status=409, proxy_form=form)
    if done.ok:
        messages.success(request, "Vote recorded on behalf of the customer.")
        return _back(idea)
    return _detail(request, idea, proxy_form=form)


@workspace_view(read=None, write="idea.moderate")
def idea_status(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    idea = _idea(request, idea_key)
    form = StatusForm(request.POST)
    url = request.build_absolute_uri(
        reverse("portal:idea", args=[request.workspace.slug, idea.key])
    )
    action = partial(services.idea_set_status, idea=idea, actor=request.user, idea_url=url)
    done = submit(request, form, action)
    if done.ok:
        sent = done.result
        messages.success(
            request,
            f"Status: {idea.get_status_display()}."
            + (f" {sent} customer{'s' if sent != 1 else ''} emailed." if sent else ""),
        )
        return _back(idea)
    return _detail(request, idea, status_form=form)


@workspace_view(read=None, write="idea.moderate")
def idea_feature(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    idea = _idea(request, idea_key)
    form = FeatureLinkForm(request.POST)
    done = submit(request, form, partial(services.idea_link_feature, idea=idea, actor=request.user))
    if done.ok:
        feature = done.result
        messages.success(request, f"Linked to {feature.title}." if feature else "Unlinked.")
        return _back(idea)
    return _detail(request, idea, feature_form=form)


@workspace_view(read=None, write="idea.moderate")
def idea_merge(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    idea = _idea(request, idea_key)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            into = selectors.idea_find(workspace=request.workspace, text=form.cleaned_data["into"])
            services.idea_merge(idea=idea, actor=request.user, into=into)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Merged into “{into.title}”; votes and comments moved.")
            return _back(into)
    return _detail(request, idea, merge_form=form)


@workspace_view(read=None, write="idea.moderate")
def idea_hide(request: WorkspaceRequest, idea_key: str) -> HttpResponse:
    idea = _idea(request, idea_key)
    hidden = _flag(request)
    services.idea_set_hidden(idea=idea, actor=request.user, hidden=hidden)
    messages.success(request, "Hidden from the portal." if hidden else "Shown on the portal.")
    return _back(idea)


@workspace_view(read=None, write="idea.moderate")
def comment_hide(request: WorkspaceRequest, comment_key: str) -> HttpResponse:
    comment = selectors.comment_get(workspace=request.workspace, key=comment_key)
    hidden = _flag(request)
    services.comment_set_hidden(comment=comment, actor=request.user, hidden=hidden)
    messages.success(request, "Comment hidden." if hidden else "Comment shown again.")
    return _back(comment.idea)


def _flag(request: WorkspaceRequest) -> bool:
    value = request.POST.get("hidden", "")
    if value not in {"0", "1"}:
        raise Invalid(fields={"hidden": ["Send hidden=1 to hide or hidden=0 to show."]})
    return value == "1"


@workspace_view(read="portal.manage", write="portal.manage")
def portal_settings(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    portal = selectors.portal_for(workspace=workspace)
    form = PortalForm(
        request.POST or None,
        initial={
            "enabled": portal.enabled,
            "visibility": "public" if portal.public else "private",
            "welcome": portal.welcome,
        },
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.portal_update(
                workspace=workspace,
                actor=request.user,
                enabled=data["enabled"],
                public=data["visibility"] == "public",
                welcome=data["welcome"],
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Portal settings saved.")
            return redirect("ideas:portal_settings", slug=workspace.slug)
    return render(
        request,
        "feedback/ideas/portal_settings.html",
        {
            "form": form,
            "portal": portal,
            "portal_url": request.build_absolute_uri(reverse("portal:home", args=[workspace.slug])),
        },
        status=form_status(form),
    )
