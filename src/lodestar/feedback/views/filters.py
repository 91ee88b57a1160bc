"""Saved inbox filters: save the current filters, rename or share one, delete one.

Each is a POST from the inbox page; success goes back to the inbox (a saved filter opens
applied), an error re-shows the inbox with the form's field errors (400)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from lodestar.core.errors import Invalid
from lodestar.core.forms import apply_errors, submit
from lodestar.feedback import saved_filters
from lodestar.feedback.forms import SavedFilterEditForm, SavedFilterForm
from lodestar.feedback.views.inbox import inbox_page
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can


def _inbox(request: WorkspaceRequest, query: str = "") -> HttpResponse:
    url = reverse("feedback:inbox", args=[request.workspace.slug])
    return redirect(f"{url}?{query}" if query else url)


def _back(request: WorkspaceRequest) -> QueryDict:
    """The inbox filters the form was posted from (re-encoded: only a query string)."""
    return QueryDict(QueryDict(request.POST.get("back", "")).urlencode())


@workspace_view(read=None, write="feedback.view")
def filter_save(request: WorkspaceRequest) -> HttpResponse:
    membership = request.membership
    form = SavedFilterForm(request.POST, can_share=role_can(membership.role, "feedback.triage"))
    query = request.POST.get("query", "")
    done = submit(
        request,
        form,
        partial(saved_filters.saved_filter_create, membership=membership, query=query),
    )
    if done.ok:
        messages.success(request, f"Saved the filter “{done.result.name}”.")
        return _inbox(request, done.result.query)
    return inbox_page(request, _back(request), save_form=form)


@workspace_view(read=None, write="feedback.view")
def filter_update(request: WorkspaceRequest, filter_key: str) -> HttpResponse:
    membership = request.membership
    saved = saved_filters.saved_filter_get(membership=membership, key=filter_key)
    form = SavedFilterEditForm(
        request.POST, saved=saved, can_share=role_can(membership.role, "feedback.triage")
    )
    if form.is_valid():
        try:
            saved_filters.saved_filter_update(
                saved=saved,
                membership=membership,
                name=form.cleaned_data["name"],
                shared=form.cleaned_data["shared"] if "shared" in form.fields else None,
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Saved the filter “{saved.name}”.")
            return _inbox(request, _back(request).urlencode())
    return inbox_page(request, _back(request), edit_form=form)


@workspace_view(read=None, write="feedback.view")
def filter_delete(request: WorkspaceRequest, filter_key: str) -> HttpResponse:
    saved = saved_filters.saved_filter_get(membership=request.membership, key=filter_key)
    saved_filters.saved_filter_delete(saved=saved, membership=request.membership)
    messages.success(request, f"Deleted the filter “{saved.name}”.")
    return _inbox(request, _back(request).urlencode())
