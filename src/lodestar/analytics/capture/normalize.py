"""PostHog events and Segment messages -> spool rows (the keys in lodestar.analytics.events).

Segment is translated to PostHog's names, so every event is read the same way:

    track     -> the event itself (`event`), its `properties`
    page      -> `$pageview`, properties.url (or context.page.url) -> `$current_url`
    screen    -> `$screen`, name -> `$screen_name`
    identify  -> `$identify`, traits -> `$set`, anonymousId -> `$anon_distinct_id` (with userId)
    group     -> `$groupidentify`, groupId -> `$groups.company` (links the person), traits ->
                 `$group_set`
    alias     -> `$create_alias` by userId with `alias` = previousId (merges previousId)

Each event is checked on its own; a bad one is dropped with its index and the reason, and the
rest of the batch is kept (the view decides what status that gives).

Time: an event's `timestamp` (ISO 8601, or a number of milliseconds since the epoch) is
corrected for the client's clock as PostHog does: when the request says when it was sent
(`sent_at`, Segment `sentAt`) and that is more than CLOCK_SKEW_SECONDS away from the server's
clock, the event is placed at now - (sent_at - timestamp). Within that, the client's timestamp
is kept as sent, so a retried request (sent again, with a new `sent_at`) stores the same
timestamp and the store recognizes its uuids.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from lodestar.analytics import events as ev
from lodestar.analytics.capture import limits
from lodestar.core.errors import Invalid

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
FUTURE_US = limits.MAX_FUTURE_SECONDS * 1_000_000
SKEW_US = limits.CLOCK_SKEW_SECONDS * 1_000_000


class Drop(Exception):
    """One event is refused; the message says why (shown to the client with its index)."""


@dataclass
class Unpacked:
    """A request's events before validation, and the write key it carried (if any)."""

    key: Any
    items: list[Any]
    sent_at: Any = None
    context: dict = field(default_factory=dict)  # Segment: batch-level context


@dataclass
class Batch:
    rows: list[dict]
    dropped: list[tuple[int, str]]

    def dropped_json(self) -> list[dict[str, Any]]:
        return [{"index": i, "reason": reason} for i, reason in self.dropped[:100]]

    def invalid(self) -> Invalid:
        """The 400 for a request whose events were all refused, naming each (up to 100)."""
        fields = {f"batch[{i}]": [reason] for i, reason in self.dropped[:100]}
        count = len(self.dropped)
        return Invalid(
            f"No valid event in the request: {count} event{'s' if count != 1 else ''} refused.",
            fields=fields,
        )


@dataclass(frozen=True)
class Target:
    """Where accepted events go, and the checks that depend on the body."""

    workspace_id: int
    product: str  # the product's key
    write_key: str
    now_us: int
    check_size: bool = False  # the body is big enough for one event to pass the limit
    check_text: bool = False  # the body escapes surrogates: a string may hold a lone one


# -- unpacking: where the events and the key are in each format ------------------------------


def posthog_unpack(data: Any) -> Unpacked:
    """{"api_key", "batch": [...]} | one event {"api_key", "event", ...} | [events]
    (posthog-js, with the key in each event's properties.token)."""
    if isinstance(data, list):
        first = data[0] if data and isinstance(data[0], dict) else {}
        return Unpacked(_key_in(first), data)
    if not isinstance(data, dict):
        raise Invalid("Send a JSON object with `api_key` and `batch` (or one event).")
    key = data.get("api_key") or data.get("token")
    if "batch" in data:
        items = data["batch"]
        if not isinstance(items, list):
            raise Invalid(fields={"batch": ["Send a list of events."]})
        if key is None and items and isinstance(items[0], dict):
            key = _key_in(items[0])
        return Unpacked(key, items, data.get("sent_at"))
    if key is None:
        key = _key_in(data)
    return Unpacked(key, [data], data.get("sent_at"))


def _key_in(event: dict) -> Any:
    props = event.get("properties")
    key = event.get("api_key") or event.get("token")
    if key is None and isinstance(props, dict):
        key = props.get("token")
    return key


SEGMENT_TYPES = ("track", "page", "screen", "identify", "group", "alias")


def segment_unpack(data: Any, kind: str, basic_user: str | None) -> Unpacked:
    """/v1/batch: {"batch": [messages], "writeKey"?, "sentAt"?, "context"?}; /v1/<kind>: one
    message. The key is the Basic auth user name, else `writeKey` in the body."""
    if not isinstance(data, dict):
        raise Invalid('Send a JSON object (a Segment message, or {"batch": [...]}).')
    key: Any = basic_user or data.get("writeKey")
    if kind == "batch":
        items = data.get("batch")
        if not isinstance(items, list):
            raise Invalid(fields={"batch": ["Send a list of messages."]})
        context = data.get("context")
        return Unpacked(
            key, items, data.get("sentAt"), context if isinstance(context, dict) else {}
        )
    return Unpacked(key, [{**data, "type": kind}], data.get("sentAt"))


# -- normalizing ------------------------------------------------------------------------------


def normalize(
    unpacked: Unpacked, target: Target, one: Callable[[Any, Target, int | None, dict], dict]
) -> Batch:
    if len(unpacked.items) > limits.MAX_EVENTS:
        raise Invalid(
            f"{len(unpacked.items):,} events in one request; send at most {limits.MAX_EVENTS:,}."
        )
    sent_at = _sent_at(unpacked.sent_at)
    rows: list[dict] = []
    dropped: list[tuple[int, str]] = []
    for index, item in enumerate(unpacked.items):
        try:
            row = one(item, target, sent_at, unpacked.context)
            if target.check_size or target.check_text:
                _check_stored(row, target)
        except Drop as exc:
            dropped.append((index, str(exc)))
        else:
            rows.append(row)
    return Batch(rows, dropped)


def posthog_event(item: Any, target: Target, sent_at: int | None, _context: dict) -> dict:
    if not isinstance(item, dict):
        raise Drop("an event must be a JSON object")
    props = item.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        raise Drop("properties: must be an object")
    else:
        props = dict(props)
    for name in ("$set", "$set_once"):  # older clients put these beside the properties
        if name in item and name not in props:
            props[name] = item[name]
    if props.get("token") == target.write_key:
        del props["token"]
    event = _name(item.get("event"))
    raw_id = item.get("distinct_id")
    if raw_id is None:
        raw_id = props.get("distinct_id", item.get("$distinct_id"))
    distinct_id = _distinct_id(raw_id, "distinct_id")
    sent = sent_at
    if props.get("$ignore_sent_at") is True:
        sent = None
    ts = _event_time(item.get("timestamp"), item.get("offset"), sent, target.now_us)
    return _row(target, _uuid(item.get("uuid")), event, distinct_id, ts, props)


def segment_message(item: Any, target: Target, sent_at: int | None, context: dict) -> dict:
    if not isinstance(item, dict):
        raise Drop("a message must be a JSON object")
    kind = item.get("type")
    if kind not in SEGMENT_TYPES:
        raise Drop(f"type: must be one of {', '.join(SEGMENT_TYPES)}")
    user_id = _optional_id(item.get("userId"), "userId")
    anonymous_id = _optional_id(item.get("anonymousId"), "anonymousId")
    distinct_id = user_id or anonymous_id
    if not distinct_id:
        raise Drop("userId or anonymousId: one is required")
    ctx = item.get("context")
    ctx = {**context, **ctx} if isinstance(ctx, dict) else context
    props: dict[str, Any] = {}
    if kind == "track":
        event = _name(item.get("event"))
        props = _object(item.get("properties"), "properties")
    elif kind == "page":
        event = "$pageview"
        props = _object(item.get("properties"), "properties")
        page = ctx.get("page")
        if not isinstance(page, dict):
            page = {}
        for target_name, source in (
            ("$current_url", "url"),
            ("$pathname", "path"),
            ("$referrer", "referrer"),
            ("$title", "title"),
        ):
            value = props.get(source, page.get(source))
            if isinstance(value, str) and value:
                props.setdefault(target_name, value)
        if isinstance(item.get("name"), str):
            props.setdefault("$page_name", item["name"])
    elif kind == "screen":
        event = "$screen"
        props = _object(item.get("properties"), "properties")
        if isinstance(item.get("name"), str):
            props.setdefault("$screen_name", item["name"])
    elif kind == "identify":
        event = ev.IDENTIFY
        props = {ev.SET: _object(item.get("traits"), "traits")}
        if user_id and anonymous_id and anonymous_id != user_id:
            props["$anon_distinct_id"] = anonymous_id
    elif kind == "group":
        event = ev.GROUP_IDENTIFY
        group_id = _optional_id(item.get("groupId"), "groupId")
        if not group_id:
            raise Drop("groupId: required for a group call")
        props = {
            "$group_type": ev.COMPANY_GROUP,
            "$group_key": group_id,
            "$group_set": _object(item.get("traits"), "traits"),
            "$groups": {ev.COMPANY_GROUP: group_id},
        }
    else:  # alias: previousId's person is merged into userId's
        event = ev.ALIAS
        previous = _optional_id(item.get("previousId"), "previousId")
        if not previous or not user_id:
            raise Drop("alias: userId and previousId are required")
        props = {"alias": previous}
    _context_properties(props, ctx)
    ts = _segment_time(item, sent_at, target.now_us)
    return _row(target, _uuid(item.get("messageId")), event, distinct_id, ts, props)


def _context_properties(props: dict, ctx: dict) -> None:
    library = ctx.get("library")
    if isinstance(library, dict):
        if isinstance(library.get("name"), str):
            props.setdefault("$lib", library["name"])
        if isinstance(library.get("version"), str):
            props.setdefault("$lib_version", library["version"])
    page = ctx.get("page")
    if isinstance(page, dict) and isinstance(page.get("url"), str):
        props.setdefault("$current_url", page["url"])
    if isinstance(ctx.get("userAgent"), str):
        props.setdefault("$raw_user_agent", ctx["userAgent"][:1000])
    group_id = ctx.get("groupId")  # Segment's convention for the account of a track call
    if isinstance(group_id, str | int) and not isinstance(group_id, bool) and group_id != "":
        groups = props.get("$groups")
        if not isinstance(groups, dict):
            props["$groups"] = groups = {}
        groups.setdefault(ev.COMPANY_GROUP, str(group_id))


def _row(target: Target, uid: str, event: str, distinct_id: str, ts: int, props: dict) -> dict:
    row = {
        "w": target.workspace_id,
        "p": target.product,
        "uuid": uid,
        "event": event,
        "distinct_id": distinct_id,
        "ts": ts,
        "properties": props,
        "received": target.now_us,
    }
    # The columns the compactor would otherwise parse every event's JSON for (events.py).
    # A value that is not text (rare) is left to the compactor's JSON functions: `pre` false.
    pre = True
    for key, value in (
        ("url", props.get("$current_url")),
        ("sid", props.get("$session_id")),
        ("co", _company(props.get("$groups"))),
    ):
        if isinstance(value, str):
            row[key] = value
        elif value is not None:
            pre = False
    if "$set" in props or "$set_once" in props:
        row["ps"] = True
    row["pre"] = pre
    return row


def _company(groups: Any) -> Any:
    return groups.get(ev.COMPANY_GROUP) if isinstance(groups, dict) else None


def _check_stored(row: dict, target: Target) -> None:
    try:
        size = len(orjson.dumps(row["properties"]))
    except TypeError:  # orjson refuses a lone surrogate, or an integer past 64 bits
        raise Drop(
            "a value cannot be stored: a string with an unpaired UTF-16 surrogate, or an "
            "integer beyond 64 bits"
        ) from None
    if size > limits.MAX_PROPERTIES_BYTES:
        raise Drop(
            f"properties: {size:,} bytes; the limit is {limits.MAX_PROPERTIES_BYTES:,} per event"
        )
    for name in ("event", "distinct_id", "uuid"):
        try:
            row[name].encode()
        except UnicodeEncodeError:
            raise Drop(f"{name}: holds an unpaired UTF-16 surrogate") from None


# -- fields -----------------------------------------------------------------------------------


def _name(value: Any) -> str:
    if value is None or value == "":
        raise Drop("event: missing")
    if not isinstance(value, str):
        raise Drop("event: must be a string")
    if len(value) > limits.MAX_EVENT_NAME:
        raise Drop(f"event: longer than {limits.MAX_EVENT_NAME} characters")
    if "\x00" in value:
        raise Drop("event: holds a null character")
    return value


def _optional_id(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    return _distinct_id(value, name)


def _distinct_id(value: Any, name: str) -> str:
    if value is None or value == "":
        raise Drop(f"{name}: missing")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Drop(f"{name}: must be a string or a number")
    text = value if isinstance(value, str) else str(value)
    if len(text) > limits.MAX_DISTINCT_ID:
        raise Drop(f"{name}: longer than {limits.MAX_DISTINCT_ID} characters")
    if "\x00" in text:
        raise Drop(f"{name}: holds a null character")
    return text


def _uuid(value: Any) -> str:
    if value is None or value == "":
        return str(uuidlib.uuid4())  # no id from the client: a resend cannot be recognized
    if not isinstance(value, str):
        raise Drop("uuid: must be a string")
    if len(value) > limits.MAX_UUID or "\x00" in value:
        raise Drop(f"uuid: longer than {limits.MAX_UUID} characters or holds a null character")
    return value


def _object(value: Any, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Drop(f"{name}: must be an object")
    return dict(value)


def parse_time(value: Any) -> int | None:
    """Microseconds since the epoch from ISO 8601 text (no zone: UTC) or a number of
    milliseconds since the epoch; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not -1e15 < value < 1e15:
            return None
        return int(value * 1000)
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return (moment - EPOCH) // ONE_US
    except OverflowError:
        return None


def _sent_at(value: Any) -> int | None:
    return parse_time(value) if value is not None else None


def _event_time(value: Any, offset: Any, sent_at: int | None, now: int) -> int:
    if value is None or value == "":
        if isinstance(offset, int | float) and not isinstance(offset, bool) and offset >= 0:
            ts = now - int(min(offset, 1e12) * 1000)
        else:
            ts = now
    else:
        parsed = parse_time(value)
        if parsed is None:
            raise Drop("timestamp: not an ISO 8601 time (or milliseconds since 1970)")
        ts = parsed
        if sent_at is not None and abs(now - sent_at) > SKEW_US:
            ts = now - (sent_at - parsed)
    return _checked_time(ts, now)


def _segment_time(item: dict, sent_at: int | None, now: int) -> int:
    """Segment: an explicit `timestamp` is taken as is; `originalTimestamp` (the client's
    clock) is corrected with `sentAt`."""
    own_sent = _sent_at(item.get("sentAt")) if item.get("sentAt") is not None else sent_at
    if item.get("timestamp") not in (None, ""):
        return _event_time(item["timestamp"], None, None, now)
    return _event_time(item.get("originalTimestamp"), None, own_sent, now)


def _checked_time(ts: int, now: int) -> int:
    if ts > now + FUTURE_US:
        hours = limits.MAX_FUTURE_SECONDS // 3600
        raise Drop(f"timestamp: more than {hours} hours in the future (check the client's clock)")
    if ts < 0:
        raise Drop("timestamp: before 1970")
    return ts
