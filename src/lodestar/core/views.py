"""Health check and the HTML/JSON error pages Django falls back to."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from lodestar.core import errors
from lodestar.core.access import public
from lodestar.core.middleware import error_response


@public
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"; the message says which
        checks["database"] = f"error: {type(exc).__name__}: {exc}"[:300]
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, errors.Invalid("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, errors.PermissionDenied())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, errors.NotFound("There is nothing at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    error = errors.LodestarError("Something went wrong on our side. It has been logged.")
    error.status, error.code = 500, "server_error"
    return error_response(request, error)
