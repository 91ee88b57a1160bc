"""The capture endpoints: PostHog's (/batch/, /capture/, /e/, /i/v0/e/), Segment's (/v1/...)
and /capture/validate/, which checks like /batch/ but stores nothing.

Every answer is JSON. 200 means every event it counts as accepted is durable (spooled and
fdatasynced); a batch with some bad events keeps the good ones and lists the others under
`dropped`; a 400 comes only when nothing in the request could be kept. Browsers may post
from the product's allowed origins (CORS); requests without an Origin (server SDKs) need
only the key.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lodestar.analytics import events as ev
from lodestar.analytics.capture import body, keys, limits, normalize, ratelimit
from lodestar.analytics.capture.services import capture_accept
from lodestar.core import cors, errors
from lodestar.core.access import public
from lodestar.feedback.intake.widget import origin_known

Unpack = Callable[[HttpRequest, Any], normalize.Unpacked]

ALLOWED_HEADERS = "Content-Type, Content-Encoding, Authorization"


def _basic_user(request: HttpRequest) -> str | None:
    """The user name of a Basic Authorization header (Segment sends the write key there)."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.partition(":")[0] or None


def _preflight(request: HttpRequest, origin: str) -> HttpResponse:
    """Any product's allowed origin may go on to POST (the POST itself is checked against
    its key's product)."""
    return cors.preflight(
        origin,
        known=origin_known(origin),
        methods="POST, OPTIONS",
        headers=ALLOWED_HEADERS,
        refusal="This origin may not send events: add it to the product's allowed origins.",
    )


def _capture(
    request: HttpRequest, unpack: Unpack, one: Callable, *, store: bool, ok: dict[str, Any]
) -> HttpResponse:
    origin = request.headers.get("Origin", "").strip()
    if request.method == "OPTIONS":
        return _preflight(request, origin)
    share = False  # whether the response may carry CORS headers for `origin`
    try:
        if request.method != "POST":
            raise errors.MethodNotAllowed("POST the events as JSON.")
        payload = body.read(request)
        unpacked = unpack(request, payload.data)
        info = keys.lookup(unpacked.key)
        if origin:
            share = origin.lower() in info.origins
            if not share:
                raise errors.PermissionDenied(
                    f"{origin[:200]} is not an allowed origin of this product; add it on the "
                    "product's page in Lodestar."
                )
        if not unpacked.items:
            raise errors.Invalid("The request holds no events.")
        ratelimit.take(info.write_key, len(unpacked.items))
        target = normalize.Target(
            workspace_id=info.workspace_id,
            product=info.product,
            write_key=info.write_key,
            now_us=time.time_ns() // 1000,
            check_size=payload.size > limits.SIZE_CHECK_ABOVE,
            check_text=payload.surrogates,
        )
        batch = normalize.normalize(unpacked, target, one)
        if not batch.rows:
            raise batch.invalid()
        if store:
            capture_accept(rows=batch.rows)
        result: dict[str, Any] = {**ok, "accepted": len(batch.rows)}
        if batch.dropped:
            result["dropped_count"] = len(batch.dropped)
            result["dropped"] = batch.dropped_json()
        if not store:
            result["stored"] = False
        if not store and request.GET.get("preview") != "0":
            result["events"] = [
                {k: v for k, v in row.items() if k != "w" and k not in ev.SPOOL_HINTS}
                for row in batch.rows[:10]
            ]
        response: HttpResponse = JsonResponse(result)
    except errors.LodestarError as exc:
        response = JsonResponse(exc.as_dict(), status=exc.status)
        if isinstance(exc, errors.RateLimited) and exc.retry_after:
            response["Retry-After"] = str(exc.retry_after)
    if origin:
        response["Vary"] = "Origin"
        if share:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = "Retry-After"
    return response


def _posthog_unpack(_request: HttpRequest, data: Any) -> normalize.Unpacked:
    return normalize.posthog_unpack(data)


def _segment_unpack(kind: str) -> Unpack:
    def unpack(request: HttpRequest, data: Any) -> normalize.Unpacked:
        return normalize.segment_unpack(data, kind, _basic_user(request))

    return unpack


def _endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    view = public(csrf_exempt(view))
    view.max_body_bytes = limits.MAX_BODY_BYTES  # type: ignore[attr-defined]
    return view


@_endpoint
def posthog(request: HttpRequest) -> HttpResponse:
    """PostHog's capture: {"api_key", "batch": [events]}, one event, or posthog-js' list."""
    return _capture(request, _posthog_unpack, normalize.posthog_event, store=True, ok={"status": 1})


@_endpoint
def segment(request: HttpRequest, kind: str) -> HttpResponse:
    """Segment's HTTP tracking API: /v1/batch and /v1/<track|page|screen|identify|group|alias>,
    the write key as the Basic auth user name (or `writeKey` in the body)."""
    return _capture(
        request, _segment_unpack(kind), normalize.segment_message, store=True, ok={"success": True}
    )


@_endpoint
def validate(request: HttpRequest) -> HttpResponse:
    """Everything /batch/ does but the store: for wiring an SDK, and the ingest benchmark's
    baseline. `?format=segment` checks a Segment /v1/batch body instead; `?preview=0` leaves
    out the first 10 events as they would be stored."""
    one: Callable[..., dict]
    if request.GET.get("format") == "segment":
        unpack, one = _segment_unpack("batch"), normalize.segment_message
    else:
        unpack, one = _posthog_unpack, normalize.posthog_event
    return _capture(request, unpack, one, store=False, ok={"status": 1})
