"""Feedback that arrives by itself: .eml uploads, the inbound-mail webhook and its addresses,
and the in-app widget (its script and the endpoint it posts to)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from lodestar.core import errors
from lodestar.core.access import public
from lodestar.core.forms import form_status, submit
from lodestar.core.middleware import accepts_uploads, error_response
from lodestar.core.ratelimit import client_ip, consume_all
from lodestar.feedback.intake import limits, mailboxes, widget
from lodestar.feedback.intake.email import Received, email_receive, max_message_bytes
from lodestar.feedback.intake.forms import EmailUploadForm, MailboxForm
from lodestar.feedback.models import Feedback
from lodestar.workspaces.access import WorkspaceRequest, workspace_view
from lodestar.workspaces.selectors import product_list

WIDGET_JS = Path(__file__).resolve().parent.parent / "static" / "feedback" / "widget.js"
RAW_MAIL_TYPES = {"", "message/rfc822", "text/plain", "application/octet-stream"}


def _products(workspace) -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in product_list(workspace=workspace)[:100]]


def _text(error: errors.LodestarError) -> str:
    """One line for a result: the message, or the field messages when it is the default."""
    details = [m for msgs in error.fields.values() for m in msgs]
    if not details:
        return error.message
    if error.message == error.default_message:
        return " ".join(details)
    return " ".join([error.message, *details])


# -- .eml upload --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    name: str
    ok: bool
    message: str
    feedback: Feedback | None = None


def _receive_file(request: WorkspaceRequest, upload, product) -> FileResult:
    name = upload.name or "unnamed file"
    limit = max_message_bytes()
    if upload.size > limit:
        return FileResult(
            name,
            False,
            f"Too large: {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{limit / 1024 / 1024:.1f} MB. Attachments are not stored, so save the message "
            "without them.",
        )
    try:
        received: Received = email_receive(
            workspace=request.workspace, raw=upload.read(), product=product, actor=request.user
        )
    except errors.LodestarError as exc:
        return FileResult(name, False, _text(exc))
    message = "Added to the inbox." if received.created else "Already received: not added again."
    if received.created and received.attachments:
        message += f" {received.attachments} attachment(s) not stored."
    return FileResult(name, True, message, received.feedback)


@accepts_uploads
@workspace_view(read="feedback.create", write="feedback.create")
def email_upload(request: WorkspaceRequest) -> HttpResponse:
    products = _products(request.workspace)
    posted = request.method == "POST"
    form = EmailUploadForm(
        request.POST if posted else None, request.FILES if posted else None, products=products
    )
    results: list[FileResult] = []
    if posted and form.is_valid():
        key = form.cleaned_data.get("product_key")
        product = product_list(workspace=request.workspace).filter(key=key).first() if key else None
        results = [_receive_file(request, f, product) for f in form.cleaned_data["emails"]]
    failed = bool(results) and not any(r.ok for r in results)
    return render(
        request,
        "feedback/intake/email_upload.html",
        {"form": form, "results": results, "limit_mb": max_message_bytes() // 1024 // 1024},
        status=400 if failed else form_status(form),
    )


# -- inbound-mail addresses (the webhook's settings) ----------------------------------------


def _mailboxes_page(request: WorkspaceRequest, form: MailboxForm) -> HttpResponse:
    rows = [
        (m, request.build_absolute_uri(reverse("intake:inbound_email", args=[m.token])))
        for m in mailboxes.mailbox_list(workspace=request.workspace).order_by("id")
    ]
    return render(
        request,
        "feedback/intake/mailboxes.html",
        {"rows": rows, "form": form, "limit_mb": max_message_bytes() // 1024 // 1024},
        status=form_status(form),
    )


@workspace_view(read="product.manage", write="product.manage")
def mailbox_list(request: WorkspaceRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None, products=_products(request.workspace))
    action = partial(mailboxes.mailbox_create, workspace=request.workspace, actor=request.user)
    if submit(request, form, action).ok:
        messages.success(request, "Address added. Paste its URL into your mail provider.")
        return redirect("intake:mailboxes", slug=request.workspace.slug)
    return _mailboxes_page(request, form)


@workspace_view(read=None, write="product.manage")
def mailbox_rotate(request: WorkspaceRequest, mailbox_key: str) -> HttpResponse:
    mailbox = mailboxes.mailbox_get(workspace=request.workspace, key=mailbox_key)
    mailboxes.mailbox_rotate(mailbox=mailbox, actor=request.user)
    messages.success(request, "New URL made: the old one no longer works. Update your provider.")
    return redirect("intake:mailboxes", slug=request.workspace.slug)


@workspace_view(read=None, write="product.manage")
def mailbox_delete(request: WorkspaceRequest, mailbox_key: str) -> HttpResponse:
    mailbox = mailboxes.mailbox_get(workspace=request.workspace, key=mailbox_key)
    mailboxes.mailbox_delete(mailbox=mailbox, actor=request.user)
    messages.success(request, "Address deleted: mail sent to it is refused from now on.")
    return redirect("intake:mailboxes", slug=request.workspace.slug)


# -- the inbound-mail webhook ---------------------------------------------------------------


@public
@accepts_uploads  # the whole message is read; max_message_bytes() then bounds it
@csrf_exempt
def inbound_email(request: HttpRequest, token: str) -> HttpResponse:
    """POST the raw RFC 822 message as the body (Content-Type message/rfc822 or text/plain)."""
    try:
        if request.method != "POST":
            raise errors.MethodNotAllowed("POST the raw message (RFC 822) as the request body.")
        too_many = "Too many messages. Try again in {minutes} minute(s)."
        consume_all([(limits.INBOUND_PER_IP, client_ip(request))], too_many)
        mailbox = mailboxes.mailbox_for_token(token)
        consume_all([(limits.INBOUND_PER_MAILBOX, mailbox.key)], too_many)
        if (request.content_type or "").lower() not in RAW_MAIL_TYPES:
            raise errors.UnsupportedMediaType(
                "Send the raw message as the body, with Content-Type: message/rfc822 "
                f"(got {request.content_type})."
            )
        received = email_receive(
            workspace=mailbox.workspace,
            raw=request.read(max_message_bytes() + 1),
            product=mailbox.product,
        )
    except errors.LodestarError as exc:
        return error_response(request, exc)
    body: dict[str, Any] = {
        "status": "received" if received.created else "already received",
        "feedback": received.feedback.key,
        "attachments_not_stored": received.attachments,
    }
    return JsonResponse(body, status=201 if received.created else 200)


# -- the widget -----------------------------------------------------------------------------


@public
def widget_script(request: HttpRequest) -> HttpResponse:
    """The embeddable script, loaded by other sites' pages with a <script> tag."""
    if request.method not in ("GET", "HEAD"):
        return error_response(request, errors.MethodNotAllowed("GET the script."))
    response = HttpResponse(WIDGET_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    # Loadable from any origin, also by pages that require CORP (COEP: require-corp).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _cors(response: HttpResponse, origin: str, *, preflight: bool = False) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    if preflight:
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
    else:
        response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def _widget_data(request: HttpRequest) -> dict[str, Any]:
    if (request.content_type or "").lower() not in ("application/json", "text/plain"):
        raise errors.UnsupportedMediaType()
    raw = request.read(widget.MAX_BODY_BYTES + 1)
    if len(raw) > widget.MAX_BODY_BYTES:
        raise errors.TooLarge(f"The request body is over {widget.MAX_BODY_BYTES:,} bytes.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise errors.Invalid("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.Invalid("Send a JSON object: {key, text, email, url}.")
    return data


@public
@csrf_exempt
def widget_feedback(request: HttpRequest) -> HttpResponse:
    """The widget's POST (JSON: key, text, email, name, url, website=honeypot) and its CORS
    preflight. CORS headers go only to origins the product allows."""
    origin = request.headers.get("Origin", "").strip()
    if request.method == "OPTIONS":
        if not widget.origin_known(origin):
            return error_response(
                request, errors.PermissionDenied("This origin may not post feedback.")
            )
        response = _cors(HttpResponse(status=204), origin, preflight=True)
        response["Vary"] = "Origin"
        return response
    share = False  # whether this response may carry CORS headers for `origin`
    try:
        if request.method != "POST":
            share = widget.origin_known(origin)
            raise errors.MethodNotAllowed("POST the feedback as JSON.")
        if not origin:
            raise errors.PermissionDenied(
                "The request has no Origin header: the widget posts from a web page."
            )
        share = widget.origin_known(origin)
        data = _widget_data(request)
        product = widget.product_for_key(data.get("key"))
        share = widget.origin_allowed(product, origin)
        if not share:
            raise errors.PermissionDenied(
                f"{origin} is not an allowed origin of this product; add it on the product's "
                "page in Lodestar."
            )
        widget.check_rate(product=product, ip=client_ip(request))
        widget.widget_submit(product=product, data=data)
    except errors.LodestarError as exc:
        response = error_response(request, exc)
    else:
        response = JsonResponse(
            {"status": "received", "message": "Thank you! Your feedback was sent."}, status=201
        )
    response["Vary"] = "Origin"
    return _cors(response, origin) if share else response
