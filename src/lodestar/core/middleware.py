"""Request id and access log, body-size limit, security headers, and the HTML/JSON error map."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lodestar.core import errors, logs

log = logging.getLogger("lodestar.request")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[HttpRequest], HttpResponse]


# Machine endpoints: the API, the inbound-mail webhook and the widget's post.
JSON_PREFIXES = ("/api/", "/inbound/", "/widget/")


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.headers.get("Accept", "").startswith(
        "application/json"
    )


def error_response(request: HttpRequest, error: errors.LodestarError) -> HttpResponse:
    """The one place an error becomes a response, as JSON or as an HTML page."""
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(error.as_dict(), status=error.status)
    else:
        partial = getattr(request, "htmx", False)
        template = "core/error_partial.html" if partial else "core/error.html"
        response = render(request, template, {"error": error}, status=error.status)
    if isinstance(error, errors.RateLimited) and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


class RequestIdMiddleware:
    """Tags the request (and every log line written while serving it) with an id."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = logs.request_id.set(rid)
        request.id = rid  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            logs.request_id.reset(token)


class NullCharacterMiddleware:
    """A NUL in the path names nothing (404); in the query string it is refused (400). No
    view ever sees one: PostgreSQL cannot store or even compare text holding it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return error_response(request, errors.NotFound("There is nothing at this address."))
        if "%00" in request.META.get("QUERY_STRING", ""):
            message = "Null characters are not allowed."
            bad = [
                name or "query"
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            ]
            if bad:
                return error_response(
                    request, errors.Invalid(message, fields={name: [message] for name in bad})
                )
        return self.get_response(request)


def accepts_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that takes file uploads: its bodies may be up to LODESTAR_MAX_UPLOAD_BYTES
    instead of LODESTAR_MAX_BODY_BYTES."""
    view.max_body_bytes = settings.MAX_UPLOAD_BYTES  # type: ignore[attr-defined]
    return view


class BodySizeMiddleware:
    """Refuses a declared-oversize body with 413 before anything reads it. The limit is the
    view's own (see accepts_uploads), else LODESTAR_MAX_BODY_BYTES."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, errors.Invalid("Content-Length is not a number."))
        if declared > max(settings.MAX_BODY_BYTES, settings.MAX_UPLOAD_BYTES):
            return self._too_large(request, declared, settings.MAX_UPLOAD_BYTES)
        request._declared_length = declared  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        # Runs before CSRF's process_view, the first thing that reads the body.
        limit = getattr(view, "max_body_bytes", settings.MAX_BODY_BYTES)
        declared = getattr(request, "_declared_length", 0)
        if declared > limit:
            return self._too_large(request, declared, limit)
        return None

    @staticmethod
    def _too_large(request: HttpRequest, declared: int, limit: int) -> HttpResponse:
        return error_response(
            request,
            errors.TooLarge(f"The request body is {declared} bytes; the limit is {limit} bytes."),
        )


class SecurityHeadersMiddleware:
    """CSP on every response; the Secure flag on cookies of requests that came over TLS."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class ErrorMiddleware:
    """Maps LodestarError (and an oversize body found while reading) to the one error shape."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, errors.LodestarError):
            return error_response(request, exception)
        if isinstance(exception, RequestDataTooBig):
            return error_response(request, errors.TooLarge())
        return None
