"""Keyset pagination: each page costs the same queries however deep it is.

Cursors are opaque to clients (base64 of the last row's internal id, only ever applied inside
an already permission-filtered queryset, so they reveal nothing about other workspaces).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from lodestar.core.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page:
    items: list[Any]
    count: int
    next: str | None


def _decode(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(
            "The cursor is not valid.", fields={"cursor": ["Not a valid cursor."]}
        ) from None


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def paginate(
    queryset: QuerySet,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> Page:
    if limit is None:
        limit = DEFAULT_LIMIT
    if limit < 1:
        raise Invalid("limit must be at least 1.", fields={"limit": ["Must be at least 1."]})
    limit = min(limit, MAX_LIMIT)
    count = queryset.count()
    ordered = queryset.order_by("-pk" if newest_first else "pk")
    if cursor:
        last = _decode(cursor)
        ordered = ordered.filter(pk__lt=last) if newest_first else ordered.filter(pk__gt=last)
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, count=count, next=_encode(rows[-1].pk) if more and rows else None)
