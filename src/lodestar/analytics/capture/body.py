"""A capture request's body, decoded to JSON the way PostHog's and Segment's clients send it.

Accepted: a JSON body (any Content-Type: `sendBeacon` sends text/plain), gzipped
(`Content-Encoding: gzip`, posthog-js' `?compression=gzip-js`, or simply gzip's magic bytes),
and posthog-js' form encoding `data=<base64 JSON>` (optionally gzipped inside). Every size is
capped while reading and decompressing, so a gzip bomb ends in a 413, not in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from typing import Any
from urllib.parse import parse_qs

import orjson
from django.http import HttpRequest

from lodestar.analytics.capture import limits
from lodestar.core.errors import Invalid, TooLarge, UnsupportedMediaType

GZIP_MAGIC = b"\x1f\x8b"


class Body:
    """The decoded JSON and the size of its text (for the per-event size check)."""

    __slots__ = ("data", "size", "surrogates")

    def __init__(self, data: Any, size: int, surrogates: bool) -> None:
        self.data = data
        self.size = size
        # Whether the text escapes a UTF-16 surrogate (`\ud83d`): only then can a string hold
        # a lone one, which cannot be stored as UTF-8, so only then is each event checked.
        self.surrogates = surrogates


def read(request: HttpRequest) -> Body:
    """The request's JSON. Raises Invalid (400), TooLarge (413) or UnsupportedMediaType."""
    raw = request.read(limits.MAX_BODY_BYTES + 1)
    if len(raw) > limits.MAX_BODY_BYTES:
        raise TooLarge(f"The request body is over {limits.MAX_BODY_BYTES:,} bytes.")
    compression = request.GET.get("compression", "")
    if (request.content_type or "").lower() == "application/x-www-form-urlencoded":
        raw, compression = _form(raw, compression)
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip") or compression == "gzip-js" or raw[:2] == GZIP_MAGIC:
        raw = gunzip(raw)
    elif encoding not in ("", "identity"):
        raise UnsupportedMediaType(
            f"Content-Encoding {encoding[:40]!r} is not supported; send gzip or no encoding."
        )
    elif compression not in ("", "none", "base64"):
        raise UnsupportedMediaType(
            f"compression={compression[:40]!r} is not supported; use gzip-js or none."
        )
    if not raw.strip():
        raise Invalid("The request body is empty: send a JSON object with the events.")
    return Body(parse_json(raw), len(raw), b"\\ud" in raw or b"\\uD" in raw)


def _form(raw: bytes, compression: str) -> tuple[bytes, str]:
    """posthog-js' fallback: `data=<base64 or JSON>&compression=...`."""
    try:
        form = parse_qs(raw.decode("ascii"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise Invalid("The form body is not valid URL encoding.") from None
    values = form.get("data")
    if not values:
        raise Invalid("The form body has no `data` field with the events.")
    compression = (form.get("compression") or [compression])[0]
    data = values[0].strip()
    if data[:1] in ("{", "["):
        return data.encode(), compression
    try:
        data = data.replace(" ", "+")  # a `+` that was not URL-encoded reads as a space
        padded = data + "=" * (-len(data) % 4)
        decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("The form field `data` is neither JSON nor base64.") from None
    return decoded, compression


def gunzip(raw: bytes) -> bytes:
    """Decompress gzip (or zlib) data, stopping past MAX_DECOMPRESSED_BYTES."""
    cap = limits.MAX_DECOMPRESSED_BYTES
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, detected
    try:
        out = inflater.decompress(raw, cap + 1)
    except zlib.error:
        raise Invalid("The body is not valid gzip data.") from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise TooLarge(f"The body decompresses to over {cap:,} bytes.")
    if not inflater.eof:
        raise Invalid("The gzip data is truncated.")
    return out


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """JSON as the store can keep it: no NaN or Infinity (nor numbers that overflow to it),
    no unpaired surrogates, at most 1,024 levels deep. orjson refuses all of these itself and
    parses several times faster than the standard library (docs/decisions.md, "Capture")."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in str(exc):
            raise Invalid(f"The body is not valid JSON: {str(exc)[:200]}.") from None
    # A string escapes an unpaired surrogate: parse with the standard library, which keeps it,
    # so normalize drops only the event holding it and keeps the rest of the batch.
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        detail = str(exc).splitlines()[0][:200] if isinstance(exc, ValueError) else ""
        raise Invalid("The body is not valid JSON" + (f": {detail}." if detail else ".")) from None
