"""Research notes: list, write, read (markdown, sanitized), edit, delete; and highlights, the
quotes of a note turned into feedback."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from lodestar.core.forms import form_status, submit
from lodestar.core.pagination import paginate
from lodestar.customers import market_selectors as selectors
from lodestar.customers import research_services as services
from lodestar.customers.market_forms import HighlightForm, NoteFilterForm, NoteForm
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.permissions import role_can
from lodestar.workspaces.selectors import product_list


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:50]]


def _initial(note) -> dict:
    return {
        "kind": note.kind,
        "title": note.title,
        "date": note.date,
        "company_domain": note.company.domain if note.company else "",
        "person_email": note.person.email if note.person else "",
        "participants": note.participants,
        "member_emails": ", ".join(m.user.email for m in note.members.select_related("user")),
        "body": note.body,
    }


@workspace_view(read="market.view")
def notes(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    filters = NoteFilterForm(
        request.GET or None, companies=selectors.note_companies(workspace=workspace)
    )
    filters.is_valid()  # a bad value drops that filter only
    chosen = getattr(filters, "cleaned_data", {})
    rows = selectors.research_note_list(
        workspace=workspace,
        q=chosen.get("q", ""),
        kind=chosen.get("kind", ""),
        company_key=chosen.get("company", ""),
    )
    page = paginate(rows, cursor=request.GET.get("cursor"), limit=50, order_by="-day")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "customers/research.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "filtered": any(chosen.get(k) for k in ("q", "kind", "company")),
            "can_write": role_can(request.membership.role, "research.write"),
        },
    )


@workspace_view(read="research.write", write="research.write")
def note_new(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial = {"date": timezone.localdate(), "company_domain": request.GET.get("company", "")}
    form = NoteForm(request.POST or None, initial=initial)
    done = submit(
        request, form, partial(services.note_create, workspace=workspace, actor=request.user)
    )
    if done.ok:
        messages.success(request, f"{done.result.title} was saved.")
        return redirect("market:note", slug=workspace.slug, note_key=done.result.key)
    return render(request, "customers/research_edit.html", {"form": form}, status=form_status(form))


def _note_page(request: WorkspaceRequest, note, *, highlight_form=None, status=200):
    products = _products(request.workspace)
    return render(
        request,
        "customers/research_note.html",
        {
            "note": note,
            "members": note.members.select_related("user"),
            "highlights": selectors.highlight_list(note=note),
            "highlight_form": highlight_form or HighlightForm(products=products),
            "can_write": role_can(request.membership.role, "research.write"),
        },
        status=status,
    )


@workspace_view(read="market.view")
def note_detail(request: WorkspaceRequest, note_key: str) -> HttpResponse:
    note = selectors.research_note_get(workspace=request.workspace, key=note_key)
    return _note_page(request, note)


@workspace_view(read="research.write", write="research.write")
def note_edit(request: WorkspaceRequest, note_key: str) -> HttpResponse:
    note = selectors.research_note_get(workspace=request.workspace, key=note_key)
    form = NoteForm(request.POST or None, initial=_initial(note))
    if submit(request, form, partial(services.note_update, note=note, actor=request.user)).ok:
        messages.success(request, f"{note.title} was saved.")
        return redirect("market:note", slug=request.workspace.slug, note_key=note.key)
    return render(
        request,
        "customers/research_edit.html",
        {"form": form, "note": note},
        status=form_status(form),
    )


@workspace_view(read="research.write", write="research.write")
def note_delete(request: WorkspaceRequest, note_key: str) -> HttpResponse:
    note = selectors.research_note_get(workspace=request.workspace, key=note_key)
    if request.method == "POST":
        services.note_delete(note=note, actor=request.user)
        messages.success(request, f"{note.title} was deleted; the feedback it gave stays.")
        return redirect("market:notes", slug=request.workspace.slug)
    highlights = note.highlights.count()
    return render(
        request, "customers/research_delete.html", {"note": note, "highlights": highlights}
    )


@workspace_view(read=None, write="research.write")
def highlight_add(request: WorkspaceRequest, note_key: str) -> HttpResponse:
    note = selectors.research_note_get(workspace=request.workspace, key=note_key)
    form = HighlightForm(request.POST, products=_products(request.workspace))
    done = submit(request, form, partial(services.highlight_create, note=note, actor=request.user))
    if done.ok:
        feedback = done.result.feedback
        url = reverse("feedback:feedback", args=[request.workspace.slug, feedback.key])
        messages.success(
            request, format_html('Feedback added to the inbox: <a href="{}">open it</a>.', url)
        )
        return redirect("market:note", slug=request.workspace.slug, note_key=note.key)
    return _note_page(request, note, highlight_form=form, status=form_status(form))
