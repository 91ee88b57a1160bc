"""Reads behind the analytics home and the events and persons explorers.

Lists are newest first and paged by a cursor holding the last row's (time, id): each page
costs the same however deep it is. Person ids are whatever the client sent (an email, a
UUID, anything), so they are always quoted with `dialect.literal`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lodestar.analytics.queries.base import Dialect, Source
from lodestar.analytics.queries.filters import contains
from lodestar.core.errors import Invalid

PAGE = 50
TOP_EVENTS = 10


@dataclass
class Page:
    items: list[dict[str, Any]]
    next: str | None


def _encode(moment: datetime, key: str) -> str:
    raw = json.dumps([moment.isoformat(), key]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        moment, key = json.loads(raw.decode())
        return datetime.fromisoformat(moment), str(key)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        # (a list of the wrong length raises ValueError on unpacking)
        raise Invalid(
            "The cursor is not valid.", fields={"cursor": ["Not a valid cursor."]}
        ) from None


def _aware(value) -> datetime | None:
    """A stored UTC timestamp as an aware datetime (templates show it in the workspace's
    time zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _product(d: Dialect, product: str, column: str = "e.product") -> str:
    return f" AND {column} = {d.literal(product)}" if product else ""


def overview(src: Source, *, product: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Events in the last 24 hours and 7 days, the most frequent events of the last 7 days,
    and whether anything was ever captured."""
    d = src.dialect
    moment = _naive(now or datetime.now(UTC))
    day_ago, week_ago = moment - timedelta(days=1), moment - timedelta(days=7)
    where = f"true{_product(d, product)}"
    total, last_at = src.query(
        f"SELECT count(*) AS n, max(e.timestamp) AS last_at FROM events e WHERE {where}"
    ).rows[0]
    counts = src.query(
        f"""
        SELECT sum(CASE WHEN e.timestamp >= {d.literal(day_ago)} THEN 1 ELSE 0 END) AS day,
               count(*) AS week, count(DISTINCT e.person_id) AS persons
        FROM events e WHERE e.timestamp >= {d.literal(week_ago)}{_product(d, product)}"""
    ).rows[0]
    top = src.query(
        f"""
        SELECT e.event AS event, count(*) AS n, count(DISTINCT e.person_id) AS persons
        FROM events e WHERE e.timestamp >= {d.literal(week_ago)}{_product(d, product)}
        GROUP BY e.event ORDER BY n DESC, e.event LIMIT {TOP_EVENTS}"""
    ).rows
    return {
        "total": int(total or 0),
        "last_at": _aware(last_at),
        "day": int(counts[0] or 0),
        "week": int(counts[1] or 0),
        "persons_week": int(counts[2] or 0),
        "top": [{"event": e, "count": int(n), "persons": int(p)} for e, n, p in top],
    }


def event_names(src: Source, *, product: str = "", limit: int = 200) -> list[str]:
    """The event names seen, most frequent first (for the pickers' suggestions)."""
    rows = src.query(
        f"""SELECT e.event AS event, count(*) AS n FROM events e
            WHERE true{_product(src.dialect, product)}
            GROUP BY e.event ORDER BY n DESC, e.event LIMIT {int(limit)}"""
    ).rows
    return [r[0] for r in rows]


def events_page(
    src: Source,
    *,
    product: str = "",
    event: str = "",
    person: str = "",
    cursor: str = "",
    limit: int = PAGE,
) -> Page:
    """The latest events, newest first; `person` matches a distinct id or a person id."""
    d = src.dialect
    parts = ["true" + _product(d, product)]
    if event:
        parts.append(f"e.event = {d.literal(event)}")
    if person:
        parts.append(f"(e.person_id = {d.literal(person)} OR e.distinct_id = {d.literal(person)})")
    if cursor:
        moment, key = _decode(cursor)
        ts, uid = d.literal(moment), d.literal(key)
        parts.append(f"(e.timestamp < {ts} OR (e.timestamp = {ts} AND e.uuid < {uid}))")
    rows = src.query(
        f"""
        SELECT e.uuid, e.event, e.distinct_id, e.person_id, e.timestamp, e.url, e.properties,
               e.product
        FROM events e WHERE {" AND ".join(parts)}
        ORDER BY e.timestamp DESC, e.uuid DESC LIMIT {int(limit) + 1}"""
    ).rows
    items = [
        {
            "uuid": uid,
            "event": name,
            "distinct_id": distinct_id,
            "person_id": person_id,
            "timestamp": _aware(ts),
            "url": url,
            "properties": _properties(props),
            "product": prod,
        }
        for uid, name, distinct_id, person_id, ts, url, props, prod in rows[:limit]
    ]
    following = None
    if len(rows) > limit:
        last = rows[limit - 1]
        following = _encode(_naive(_aware(last[4])), last[0])  # type: ignore[arg-type]
    return Page(items, following)


def _properties(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def persons_page(
    src: Source, *, product: str = "", search: str = "", cursor: str = "", limit: int = PAGE
) -> Page:
    """Persons who sent events, most recently seen first, with their company."""
    d = src.dialect
    outer = ["true"]
    if search:
        needle = search.lower()
        outer.append(
            f"({contains(d, 'a.person_id', needle)} OR {contains(d, 'p.properties', needle)})"
        )
    if cursor:
        moment, key = _decode(cursor)
        ts, pid = d.literal(moment), d.literal(key)
        outer.append(f"(a.last_seen < {ts} OR (a.last_seen = {ts} AND a.person_id < {pid}))")
    rows = src.query(
        f"""
        WITH a AS (
            SELECT e.person_id AS person_id, count(*) AS n, min(e.timestamp) AS first_seen,
                   max(e.timestamp) AS last_seen
            FROM events e WHERE true{_product(d, product)} GROUP BY e.person_id)
        SELECT a.person_id, a.n, a.first_seen, a.last_seen, p.properties, p.company,
               p.company_key, p.company_plan
        FROM a LEFT JOIN persons p ON p.person_id = a.person_id
        WHERE {" AND ".join(outer)}
        ORDER BY a.last_seen DESC, a.person_id DESC LIMIT {int(limit) + 1}"""
    ).rows
    items = [
        {
            "person_id": pid,
            "events": int(n),
            "first_seen": _aware(first),
            "last_seen": _aware(last),
            "properties": _properties(props),
            "company": company,
            "company_key": company_key,
            "company_plan": plan,
        }
        for pid, n, first, last, props, company, company_key, plan in rows[:limit]
    ]
    following = None
    if len(rows) > limit:
        last_row = rows[limit - 1]
        following = _encode(_naive(_aware(last_row[3])), last_row[0])  # type: ignore[arg-type]
    return Page(items, following)


def person_get(src: Source, *, person_id: str, product: str = "") -> dict[str, Any] | None:
    """One person: properties, company, the distinct ids merged into them, and counts.
    None when the store knows nothing of this id."""
    d = src.dialect
    pid = d.literal(person_id)
    stored = src.query(
        f"""SELECT p.properties, p.created_at, p.updated_at, p.company_key, p.company,
                   p.company_arr, p.company_plan, p.company_segment
            FROM persons p WHERE p.person_id = {pid}"""
    ).rows
    n, first, last = src.query(
        f"""SELECT count(*) AS n, min(e.timestamp) AS first_seen, max(e.timestamp) AS last_seen
            FROM events e WHERE e.person_id = {pid}{_product(d, product)}"""
    ).rows[0]
    if not stored and not n:
        return None
    ids = src.query(
        f"""SELECT DISTINCT e.distinct_id AS distinct_id FROM events e
            WHERE e.person_id = {pid} ORDER BY distinct_id LIMIT 100"""
    ).rows
    props, created, updated, company_key, company, arr, plan, segment = (
        stored[0] if stored else (None,) * 8
    )
    return {
        "person_id": person_id,
        "properties": _properties(props),
        "created_at": _aware(created),
        "updated_at": _aware(updated),
        "company_key": company_key,
        "company": company,
        "company_arr": arr,
        "company_plan": plan,
        "company_segment": segment,
        "distinct_ids": [r[0] for r in ids],
        "events": int(n or 0),
        "first_seen": _aware(first),
        "last_seen": _aware(last),
    }
