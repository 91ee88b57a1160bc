"""Keyset pagination: each page costs the same queries however deep it is.

A list is ordered by up to one field plus the primary key (always last, as a tie-breaker);
the cursor carries the last row's values of those fields. Cursors are opaque to clients and
only ever applied inside an already permission-filtered queryset, so they reveal nothing
about other workspaces.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from lodestar.core.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page:
    items: list[Any]
    count: int | None  # None when the caller asked not to count (a page that never shows it)
    next: str | None

    def as_dict(self, convert: Callable[[Any], Any]) -> dict[str, Any]:
        """The API's list shape: {"items": [...], "count": N, "next": cursor-or-null}."""
        return {"items": [convert(i) for i in self.items], "count": self.count, "next": self.next}


def _bad_cursor() -> Invalid:
    return Invalid("The cursor is not valid.", fields={"cursor": ["Not a valid cursor."]})


def _encode(values: list[Any]) -> str:
    plain = [str(v) if isinstance(v, Decimal | date) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != size or not isinstance(values[-1], int):
        raise _bad_cursor()
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise _bad_cursor()
    return values


def paginate(
    queryset: QuerySet,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
    order_by: str | None = None,
    count: bool = True,
) -> Page:
    """One page of `queryset`. `order_by` names one non-null field ("name", "-arr"); the
    primary key follows it in the same direction. Without it: by pk (`newest_first`: desc).
    `count=False` skips the total, a second full read of a filtered list, for pages that
    never show it."""
    if limit is None:
        limit = DEFAULT_LIMIT
    if limit < 1:
        raise Invalid("limit must be at least 1.", fields={"limit": ["Must be at least 1."]})
    limit = min(limit, MAX_LIMIT)
    total = queryset.count() if count else None
    descending = order_by.startswith("-") if order_by else newest_first
    field = order_by.lstrip("-") if order_by else None
    pk_order = "-pk" if descending else "pk"
    ordered = queryset.order_by(order_by, pk_order) if order_by else queryset.order_by(pk_order)
    if cursor:
        after = "lt" if descending else "gt"
        if field is None:
            (last_pk,) = _decode(cursor, 1)
            ordered = ordered.filter(**{f"pk__{after}": last_pk})
        else:
            last_value, last_pk = _decode(cursor, 2)
            ordered = ordered.filter(
                Q(**{f"{field}__{after}": last_value})
                | Q(**{field: last_value, f"pk__{after}": last_pk})
            )
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode([getattr(last, field), last.pk] if field else [last.pk])
    return Page(items=rows, count=total, next=next_cursor)
