"""Health check and the HTML/JSON error pages Django falls back to."""

from __future__ import annotations

import os

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
    try:
        from lodestar.analytics import store

        layout = store.get_engine().layout
        layout.ensure()
        layout.read_manifest()
        checks["events"] = "ok" if os.access(layout.spool, os.W_OK) else "error: spool read-only"
    except Exception as exc:  # an unreadable manifest or data dir means "down"
        checks["events"] = f"error: {type(exc).__name__}: {exc}"[:300]
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


LOOPBACK = {"127.0.0.1", "::1"}


@public
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper on the same machine (others get a 404): the
    event store's ingest backlog and lag. Computed from files, so every worker agrees."""
    if request.META.get("REMOTE_ADDR") not in LOOPBACK:
        return error_response(request, errors.NotFound("No such page."))
    from lodestar.analytics import store
    from lodestar.analytics.store.status import status

    now = status(store.get_engine().layout)
    gauges = [
        ("lodestar_events_backlog_bytes", "Accepted event bytes not yet in the store.",
         now.backlog_bytes),
        ("lodestar_events_lag_seconds", "How long accepted events have waited for the store.",
         round(now.lag_seconds, 3)),
        ("lodestar_events_stored", "Events in the embedded store.", now.stored_events),
        ("lodestar_event_files", "Parquet files in the embedded store.", now.files),
    ]  # fmt: skip
    lines = []
    for name, help_text, value in gauges:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")
