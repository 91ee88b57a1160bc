"""The answer to a browser's CORS preflight for the endpoints other sites' pages call with a
product's public key (capture, the assignment API). A preflight carries no key, so it is
answered for any origin some product allows; the request itself is checked per product."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from lodestar.core import errors


def preflight(
    origin: str, *, known: bool, methods: str, headers: str, refusal: str
) -> HttpResponse:
    """204 with the CORS headers when `known` (the origin is allowed somewhere), else 403
    with `refusal` as the message."""
    if not known:
        error = errors.PermissionDenied(refusal)
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
    else:
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = methods
        response["Access-Control-Allow-Headers"] = headers
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response
