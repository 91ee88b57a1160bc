"""The feedback inbox: read, add, triage one at a time or in bulk."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from lodestar.core.errors import Invalid
from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.feedback import saved_filters, selectors, services
from lodestar.feedback.forms import (
    FeedbackForm,
    InboxFilterForm,
    InsightForm,
    SavedFilterEditForm,
    SavedFilterForm,
    TriageForm,
)
from lodestar.feedback.models import Status
from lodestar.planning.selectors import feature_titles
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_list


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


@workspace_view(read="feedback.view", write="feedback.create")
def inbox(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = FeedbackForm(request.POST or None, products=_products(workspace))
    done = submit(
        request, form, partial(services.feedback_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, "Feedback added to the inbox.")
        return redirect("feedback:inbox", slug=workspace.slug)
    return inbox_page(request, request.GET, form=form)


def inbox_page(
    request: WorkspaceRequest,
    params: QueryDict,
    *,
    form: FeedbackForm | None = None,
    save_form: SavedFilterForm | None = None,
    edit_form: SavedFilterEditForm | None = None,
) -> HttpResponse:
    """The inbox for the filters in `params`; the saved-filter views re-show it with their
    form's errors (then status 400)."""
    workspace = request.workspace
    membership = request.membership
    form = form or FeedbackForm(products=_products(workspace))
    filters = InboxFilterForm(params or None, tags=selectors.tag_names(workspace=workspace))
    filters.is_valid()  # a bad value drops that filter only
    chosen = getattr(filters, "cleaned_data", {})
    status = chosen.get("status") or Status.INBOX
    who = chosen.get("who")
    rows = selectors.feedback_list(
        workspace=workspace,
        status=status,
        tag=chosen.get("tag", ""),
        q=chosen.get("q", ""),
        assignee=membership if who == "me" else None,
        unassigned=who == "nobody",
    ).prefetch_related("tags")
    # The tabs carry the counts; a total here would read the whole filtered tab again.
    page = paginate(rows, cursor=params.get("cursor"), limit=50, newest_first=True, count=False)
    query = params.copy()
    query.pop("cursor", None)
    # What "Save this filter" saves, and which saved filter (if any) is the one shown.
    current = saved_filters.clean_query(
        urlencode(
            {"status": status, **{k: chosen[k] for k in ("q", "tag", "who") if chosen.get(k)}}
        )
    )
    can_share = role_can(membership.role, "feedback.triage")
    saved = list(saved_filters.saved_filter_list(membership=membership))
    edit_forms = {
        f.key: edit_form
        if edit_form is not None and edit_form.saved.pk == f.pk
        else SavedFilterEditForm(saved=f, can_share=can_share)
        for f in saved
        if f.owner_id == membership.pk
    }
    listed = [
        {
            "filter": f,
            "mine": f.owner_id == membership.pk,
            "current": f.query == current,
            "edit_form": edit_forms.get(f.key),
            "can_delete": saved_filters.can_delete(membership, f),
        }
        for f in saved
    ]
    return render(
        request,
        "feedback/inbox.html",
        {
            "page": page,
            "form": form,
            "filters": filters,
            "status": status,
            "counts": selectors.status_counts(workspace=workspace),
            "count_cap": selectors.COUNT_CAP,
            "statuses": Status.choices,
            "query": query.urlencode(),
            "filtered": any(chosen.get(k) for k in ("q", "tag", "who")),
            "current_query": current,
            "save_form": save_form or SavedFilterForm(can_share=can_share),
            "saved_filters": listed,
            "can_manage": any(s["edit_form"] or s["can_delete"] for s in listed),
            "edit_open": edit_form.saved.key if edit_form is not None else "",
        },
        status=form_status(form, *(f for f in (save_form, edit_form) if f is not None)),
    )


def _feedback_page(request: WorkspaceRequest, feedback, *, form=None, insight_form=None):
    form = form or _triage_form(None, feedback)
    insight_form = insight_form or InsightForm()
    return render(
        request,
        "feedback/feedback.html",
        {
            "feedback": feedback,
            "form": form,
            "insight_form": insight_form,
            "insights": selectors.insight_list_for_feedback(feedback=feedback),
            "feature_titles": feature_titles(workspace=request.workspace),
        },
        status=form_status(form, insight_form),
    )


def _triage_form(data, feedback) -> TriageForm:
    return TriageForm(
        data,
        initial={
            "status": feedback.status,
            "assignee_email": feedback.assignee.user.email if feedback.assignee else "",
            "tags": ", ".join(t.name for t in feedback.tags.all()),
        },
    )


@workspace_view(read="feedback.view", write="feedback.triage")
def feedback_detail(request: WorkspaceRequest, feedback_key: str) -> HttpResponse:
    feedback = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    form = _triage_form(request.POST or None, feedback)
    action = partial(services.feedback_triage, feedback=feedback, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, "Triage saved.")
        return redirect("feedback:feedback", slug=request.workspace.slug, feedback_key=feedback.key)
    return _feedback_page(request, feedback, form=form)


@workspace_view(read=None, write="feedback.triage")
def bulk(request: WorkspaceRequest) -> HttpResponse:
    try:
        moved = services.feedback_bulk_status(
            workspace=request.workspace,
            actor=request.user,
            keys=request.POST.getlist("keys"),
            action=request.POST.get("action", ""),
        )
    except Invalid as exc:
        messages.error(request, " ".join(m for msgs in exc.fields.values() for m in msgs))
    else:
        messages.success(request, f"{moved} feedback moved.")
    # Back to the same tab and filters; re-encoded, so nothing but a query string gets through.
    back = QueryDict(request.POST.get("back", "")).urlencode()
    inbox_url = reverse("feedback:inbox", args=[request.workspace.slug])
    return redirect(f"{inbox_url}?{back}" if back else inbox_url)


@workspace_view(read=None, write="insight.link")
def insight_add(request: WorkspaceRequest, feedback_key: str) -> HttpResponse:
    feedback = selectors.feedback_get(workspace=request.workspace, key=feedback_key)
    form = InsightForm(request.POST)
    done = submit(
        request, form, partial(services.insight_link, feedback=feedback, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"Linked to {done.result.feature.title}.")
        return redirect("feedback:feedback", slug=request.workspace.slug, feedback_key=feedback.key)
    return _feedback_page(request, feedback, insight_form=form)


@workspace_view(read=None, write="insight.link")
def insight_remove(request: WorkspaceRequest, insight_key: str) -> HttpResponse:
    insight = selectors.insight_get(workspace=request.workspace, key=insight_key)
    services.insight_remove(insight=insight, actor=request.user)
    messages.success(request, f"Unlinked from {insight.feature.title}.")
    return redirect(
        "feedback:feedback", slug=request.workspace.slug, feedback_key=insight.feedback.key
    )
