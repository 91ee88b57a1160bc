"""Similar feedback: the panel on a feedback page, duplicate suggestions, themes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.feedback import selectors
from lodestar.feedback.similar import duplicate_candidates, similar_to, theme_list
from lodestar.feedback.similar.index import IndexBuilding
from lodestar.feedback.similar.merge import feedback_merge, feedback_unmerge
from lodestar.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view(read="feedback.view")
def panel(request: WorkspaceRequest, feedback_key: str) -> HttpResponse:
    """The "Similar feedback" panel: a fragment for htmx, or a page of its own without it."""
    feedback = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    try:
        found, building = similar_to(feedback, limit=10), False
    except IndexBuilding:
        found, building = [], True
    context = {
        "feedback": feedback,
        "panel": True,
        "building": building,
        "similar": found,
        "duplicate_of": feedback.duplicate_of,
        "duplicates": list(feedback.duplicates.select_related("company").order_by("pk")[:20]),
    }
    if getattr(request, "htmx", False):
        return render(request, "feedback/_similar.html", context)
    return render(request, "feedback/similar.html", context)


@workspace_view(read="feedback.view")
def duplicates(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    merged = (
        selectors.feedback_list(workspace=workspace)
        .filter(duplicate_of__isnull=False)
        .select_related("duplicate_of")
        .order_by("-updated_at", "-pk")[:20]
    )
    try:
        pairs, building = duplicate_candidates(workspace), False
    except IndexBuilding:
        pairs, building = [], True
    return render(
        request,
        "feedback/duplicates.html",
        {"pairs": pairs, "building": building, "merged": list(merged)},
    )


def _back(request: WorkspaceRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("similar:duplicates", args=[request.workspace.slug])


@workspace_view(read=None, write="feedback.triage")
def merge(request: WorkspaceRequest, feedback_key: str) -> HttpResponse:
    """Merge this feedback (the duplicate) into the one named by the `into` field."""
    duplicate = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    try:
        into = request.POST.get("into", "").strip()
        if not into:
            raise Invalid(fields={"into": ["Name the feedback to merge into."]})
        try:
            original = selectors.feedback_get(workspace=request.workspace, key=into)
        except NotFound:
            raise Invalid(fields={"into": ["No such feedback in this workspace."]}) from None
        original = feedback_merge(duplicate=duplicate, original=original, actor=request.user)
    except (Invalid, Conflict) as exc:
        text = " ".join(m for ms in exc.fields.values() for m in ms) or exc.message
        messages.error(request, text)
    else:
        messages.success(request, f"Merged into “{str(original)[:60]}”. Unmerge undoes it.")
    return redirect(_back(request))


@workspace_view(read=None, write="feedback.triage")
def unmerge(request: WorkspaceRequest, feedback_key: str) -> HttpResponse:
    duplicate = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    try:
        feedback_unmerge(duplicate=duplicate, actor=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Unmerged: it is back, with its insights.")
    return redirect(_back(request))


@workspace_view(read="feedback.view")
def themes(request: WorkspaceRequest) -> HttpResponse:
    try:
        found = theme_list(request.workspace)
    except IndexBuilding:
        return render(request, "feedback/themes.html", {"building": True})
    chosen, members = None, []
    raw = request.GET.get("theme", "")
    if raw.isdigit():
        chosen = found.get(int(raw))
        if chosen is not None:
            ids = found.member_ids(chosen.number, limit=50)
            rows = {
                f.pk: f
                for f in selectors.feedback_list(workspace=request.workspace).filter(pk__in=ids)
            }
            members = [rows[pk] for pk in ids if pk in rows]
    return render(
        request,
        "feedback/themes.html",
        {"found": found, "chosen": chosen, "members": members, "asked": raw},
    )
