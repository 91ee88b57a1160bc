"""CSV import of companies and people: upload, map and preview, import, result.

The file stays in the data directory between the steps (lodestar.imports.uploads); the
mapping the user picks is saved with it, so every step after a POST is a plain GET.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from lodestar.core.errors import Conflict
from lodestar.core.forms import form_status, submit
from lodestar.core.middleware import accepts_uploads
from lodestar.imports import engine, uploads
from lodestar.imports.forms import MappingForm, UploadForm
from lodestar.imports.kinds import import_kind, import_kinds
from lodestar.imports.mapping import auto_map
from lodestar.imports.reader import ImportFileError, Table, delimiter_from, read_table
from lodestar.workspaces.access import WorkspaceRequest, workspace_view

KIND_LISTS = {
    "companies": "customers:companies",
    "people": "customers:people",
    "feedback": "feedback:inbox",
}
PREVIEW_ROWS = 10
SHOWN_PROBLEMS = 100


def _kinds() -> dict[str, Any]:
    return {name: kind for name, kind in import_kinds().items() if name in KIND_LISTS}


def _go(request: WorkspaceRequest, url: str) -> HttpResponse:
    """After a POST: htmx (which shows the progress indicator) navigates by header."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]


@accepts_uploads
@workspace_view(read="customer.import", write="customer.import")
def import_upload(request: WorkspaceRequest) -> HttpResponse:
    kinds = _kinds()
    chosen = request.GET.get("kind")
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        kinds=kinds,
        initial={"kind": chosen if chosen in kinds else "companies"},
    )
    action = partial(uploads.upload_create, workspace=request.workspace, user=request.user)
    done = submit(request, form, action)
    if done.ok:
        return redirect(
            "customers:import_mapping", slug=request.workspace.slug, import_key=done.result.key
        )
    return render(
        request,
        "customers/import_upload.html",
        {"form": form, "kinds": kinds.values()},
        status=form_status(form),
    )


@workspace_view(read="customer.import", write="customer.import")
def import_mapping(request: WorkspaceRequest, import_key: str) -> HttpResponse:
    workspace = request.workspace
    upload = uploads.upload_get(workspace=workspace, user=request.user, key=import_key)
    here = reverse("customers:import_mapping", args=[workspace.slug, upload.key])
    if upload.result is not None:
        return redirect("customers:import_done", slug=workspace.slug, import_key=upload.key)
    kind = import_kind(upload.kind)
    table = read_table(upload.read(), delimiter=upload.delimiter or None)
    mapping = upload.mapping
    if mapping is None or len(mapping) != len(table.header):
        mapping = auto_map(kind, table.header)
    form = MappingForm(request.POST or None, kind=kind, table=table, mapping=mapping)
    if request.method == "POST" and form.is_valid():
        delimiter = delimiter_from(form.cleaned_data["delimiter"]) or table.delimiter
        if delimiter != table.delimiter:
            # Other columns: the mapping starts over from the new header.
            upload.delimiter, upload.mapping = delimiter, None
            uploads.upload_update(upload)
            return _go(request, here)
        upload.mapping = form.mapping()
        uploads.upload_update(upload)
        if form.cleaned_data["action"] == "import":
            skip = form.cleaned_data["skip_invalid"]
            return _import(request, upload, kind, table, upload.mapping, skip)
        return _go(request, here)
    plan, mapping_errors = None, []
    try:
        plan = engine.import_plan(kind=kind, workspace=workspace, table=table, mapping=mapping)
    except ImportFileError as exc:
        mapping_errors = [exc.message]
    context = {
        "upload": upload,
        "kind": kind,
        "table": table,
        "form": form,
        "plan": plan,
        "mapping_errors": mapping_errors,
        "columns": list(zip(form.columns, _samples(table), strict=True)),
        **_preview(kind, table, mapping, plan),
    }
    return render(request, "customers/import_mapping.html", context, status=form_status(form))


def _import(
    request: WorkspaceRequest, upload, kind, table: Table, mapping: list[str], skip: bool
) -> HttpResponse:
    workspace = request.workspace
    here = reverse("customers:import_mapping", args=[workspace.slug, upload.key])
    try:
        plan = engine.import_plan(kind=kind, workspace=workspace, table=table, mapping=mapping)
        if plan.invalid_rows and not skip:
            rows = "1 row has" if plan.invalid_rows == 1 else f"{plan.invalid_rows} rows have"
            messages.error(
                request,
                f"Nothing was imported: {rows} problems. Fix them in the file and upload it "
                "again, or tick “skip rows with problems”.",
            )
            return _go(request, here)
        result = engine.import_apply(
            plan=plan,
            workspace=workspace,
            actor=request.user,
            skip_invalid=skip,
            filename=upload.filename,
        )
    except (ImportFileError, Conflict) as exc:
        messages.error(request, exc.message)
        return _go(request, here)
    uploads.upload_finish(upload, result.as_dict())
    return _go(request, reverse("customers:import_done", args=[workspace.slug, upload.key]))


def _samples(table: Table) -> list[str]:
    """Each column's first non-empty value, to help recognize it."""
    samples = [""] * len(table.header)
    for _line, cells in table.rows[:50]:
        for index, cell in enumerate(cells[: len(samples)]):
            if not samples[index] and cell.strip():
                samples[index] = cell.strip()[:80]
    return samples


def _preview(kind, table: Table, mapping: list[str], plan) -> dict[str, Any]:
    """The first rows as they would be imported, and the file's problems (the first 100)."""
    if plan is None:
        return {
            "preview_fields": [table.column_name(i) for i in range(len(table.header))],
            "preview": [
                {"line": line, "action": "", "cells": cells[: len(table.header)]}
                for line, cells in table.rows[:PREVIEW_ROWS]
            ],
        }
    fields = [kind.field(name) for name in mapping if name]
    preview = []
    for row in plan.rows[:PREVIEW_ROWS]:
        bad = {name for name, _reason in row.errors}
        cells = [
            row.cells.get(f.name, "")
            if f.name in bad or row.action == engine.INVALID
            else kind.display(f.name, row.shown.get(f.name))
            for f in fields
        ]
        preview.append({"line": row.line, "action": row.action, "cells": cells})
    problems = plan.problems
    counts = plan.counts
    return {
        "preview_fields": [f.label for f in fields],
        "preview": preview,
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "counts": {
            "create": counts[engine.CREATE],
            "update": counts[engine.UPDATE],
            "unchanged": counts[engine.UNCHANGED],
            "invalid": counts[engine.INVALID],
        },
        "importable": counts[engine.CREATE] + counts[engine.UPDATE] + counts[engine.UNCHANGED],
        "match_labels": " or ".join(kind.field(n).label.lower() for n in kind.match_fields),
    }


@workspace_view(read="customer.import", write=None)
def import_done(request: WorkspaceRequest, import_key: str) -> HttpResponse:
    workspace = request.workspace
    upload = uploads.upload_get(workspace=workspace, user=request.user, key=import_key)
    if upload.result is None:
        return redirect("customers:import_mapping", slug=workspace.slug, import_key=upload.key)
    result = upload.result
    problems = [engine.Problem(*p) for p in result.get("problems", [])]
    return render(
        request,
        "customers/import_done.html",
        {
            "upload": upload,
            "kind": import_kind(upload.kind),
            "result": result,
            "problems": problems[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
            "list_url": reverse(KIND_LISTS[upload.kind], args=[workspace.slug]),
        },
    )
