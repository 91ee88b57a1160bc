"""Status reports: the archive of a product's weekly reports, generating one, the report
page, its Markdown and PDF downloads, the editor (drafts only) and sending."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lodestar.core.errors import Conflict, Invalid
from lodestar.core.forms import apply_errors, form_status
from lodestar.core.markdown import render as render_markdown
from lodestar.core.pagination import paginate
from lodestar.delivery import report_selectors as selectors
from lodestar.delivery import report_services as services
from lodestar.delivery.models import ReportStatus, StatusReport
from lodestar.delivery.report_forms import GenerateForm, ReportEditForm
from lodestar.delivery.report_pdf import report_pdf as build_pdf
from lodestar.planning.concurrency import EditConflict, parse_version
from lodestar.planning.release_forms import shown_version, submit_versioned
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_list

PAGE_SIZE = 26  # about half a year of weeks


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:200]]


def _archive(
    request: WorkspaceRequest,
    *,
    product_key: str | None = None,
    form=None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    workspace = request.workspace
    product = selectors.product_for(workspace=workspace, key=product_key)
    products = _products(workspace)
    page = None
    if product is not None:
        page = paginate(
            selectors.report_list(product=product, membership=request.membership),
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
            order_by="-week_start",
        )
    if form is None and product is not None:
        form = GenerateForm(
            products=products,
            initial={"product": product.key, "week": selectors.current_week(workspace)},
        )
    return render(
        request,
        "delivery/reports.html",
        {
            "product": product,
            "products": products,
            "page": page,
            "form": form,
            "error": error,
            "this_week": selectors.current_week(workspace),
            "query": urlencode({"product": product.key}) if product else "",
        },
        status=status,
    )


@workspace_view(read="report.view")
def reports(request: WorkspaceRequest) -> HttpResponse:
    return _archive(request, product_key=request.GET.get("product"))


@workspace_view(read=None, write="report.manage")
def report_generate(request: WorkspaceRequest) -> HttpResponse:
    """POST product + week: generate (or refresh the draft of) that week's report."""
    workspace = request.workspace
    form = GenerateForm(request.POST, products=_products(workspace))
    if not form.is_valid():
        chosen = "" if "product" in form.errors else request.POST.get("product", "")
        return _archive(request, product_key=chosen, form=form, status=form_status(form))
    product = selectors.product_for(workspace=workspace, key=form.cleaned_data["product"])
    assert product is not None  # a valid choice names one
    try:
        report = services.report_generate(
            product=product, actor=request.user, week_start=form.cleaned_data["week"]
        )
    except Invalid as exc:
        apply_errors(form, exc)
        return _archive(request, product_key=product.key, form=form, status=400)
    except Conflict as exc:
        return _archive(request, product_key=product.key, form=form, status=409, error=exc.message)
    messages.success(request, f"{report.title} is ready: read it, edit it, then send it.")
    return redirect("reports:report", slug=workspace.slug, report_key=report.key)


def _report(request: WorkspaceRequest, report_key: str) -> StatusReport:
    return selectors.report_get(
        workspace=request.workspace, key=report_key, membership=request.membership
    )


@workspace_view(read="report.view")
def report_detail(request: WorkspaceRequest, report_key: str) -> HttpResponse:
    report = _report(request, report_key)
    return render(
        request,
        "delivery/report.html",
        {
            "report": report,
            "body": render_markdown(report.body),
            "draft": report.status == ReportStatus.DRAFT,
            "recipients": selectors.recipients(report.product)
            if report.status == ReportStatus.DRAFT
            else [],
        },
    )


@workspace_view(read="report.view")
def report_markdown(request: WorkspaceRequest, report_key: str) -> HttpResponse:
    report = _report(request, report_key)
    response = HttpResponse(report.body, content_type="text/markdown; charset=utf-8")
    name = services.report_filename(report, "md")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view(read="report.view")
def report_pdf(request: WorkspaceRequest, report_key: str) -> HttpResponse:
    report = _report(request, report_key)
    response = HttpResponse(build_pdf(report), content_type="application/pdf")
    name = services.report_filename(report, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _read_only(request: WorkspaceRequest, report: StatusReport) -> HttpResponse:
    return render(
        request,
        "delivery/report_sent.html",
        {"report": report, "message": services.sent_conflict(report).message},
        status=409,
    )


@workspace_view(read="report.manage", write="report.manage")
def report_edit(request: WorkspaceRequest, report_key: str) -> HttpResponse:
    """The markdown editor of a draft. POST action=preview shows the text rendered, saving
    nothing; action=save saves it (versioned: a stale version is a 409 with the other
    person's change)."""
    report = _report(request, report_key)
    if report.status == ReportStatus.SENT:
        return _read_only(request, report)
    form = ReportEditForm(request.POST or None, initial={"body": report.body})
    preview = None
    if request.method == "POST" and request.POST.get("action") == "preview":
        if form.is_valid():
            preview = render_markdown(form.cleaned_data["body"])
        return render(
            request,
            "delivery/report_edit.html",
            {
                "report": report,
                "form": form,
                "preview": preview,
                "version": parse_version(request.POST.get("version")) or report.version,
            },
            status=form_status(form),
        )
    done = submit_versioned(
        request, form, partial(services.report_update, report=report, actor=request.user)
    )
    if done.ok:
        messages.success(request, "The report was saved.")
        return redirect("reports:report", slug=request.workspace.slug, report_key=report.key)
    conflict: EditConflict | None = done.conflict
    if conflict is not None:
        report = _report(request, report_key)
        if report.status == ReportStatus.SENT:
            return _read_only(request, report)
    return render(
        request,
        "delivery/report_edit.html",
        {
            "report": report,
            "form": form,
            "conflict": conflict,
            "theirs": render_markdown(report.body) if conflict is not None else None,
            "version": shown_version(request, done, report.version),
        },
        status=done.status,
    )


@workspace_view(read="report.manage", write="report.manage")
def report_send(request: WorkspaceRequest, report_key: str) -> HttpResponse:
    """GET: whom it will go to; POST: send it."""
    report = _report(request, report_key)
    if report.status == ReportStatus.SENT:
        return _read_only(request, report)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            sent_to = services.report_send(report=report, actor=request.user)
        except Invalid as exc:
            error, status = exc.message, 400
        except Conflict as exc:
            error, status = exc.message, 409
        else:
            messages.success(
                request,
                f"Sent to {len(sent_to)} recipient{'s' if len(sent_to) != 1 else ''}.",
            )
            return redirect("reports:report", slug=request.workspace.slug, report_key=report.key)
    return render(
        request,
        "delivery/report_send.html",
        {"report": report, "recipients": selectors.recipients(report.product), "error": error},
        status=status,
    )
