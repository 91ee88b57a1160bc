"""The normalized event: what capture writes to the spool and the store keeps.

Both protocols (PostHog, Segment) are normalized to PostHog's names, so an event from
`posthog-js`, from Lodestar's own snippet or from Segment's `track` is read the same way.
One spool line is a JSON object with these keys:

    w           workspace id (int)
    p           product key (str)
    uuid        the client's event id (PostHog `uuid`, Segment `messageId`); generated if absent
    event       event name (`$pageview`, `$identify`, `signed_up`, ...)
    distinct_id the person's id as the client knows it
    ts          event time, microseconds since the epoch, UTC
    properties  JSON object (with `$set`, `$set_once`, `$groups`, `$anon_distinct_id`, ...)
    received    when Lodestar accepted it, microseconds since the epoch
    url, sid, co  properties' `$current_url`, `$session_id` and `$groups.company` when text
    ps          true when properties has `$set` or `$set_once` (else absent)
    pre         true when those were taken out at capture (url, sid, co each text or absent):
                capture has the properties parsed already, so the compactor need not parse
                every event's JSON again to find them

Person semantics applied by the compactor (store/persons.py):
    $identify       properties.$anon_distinct_id -> merged into distinct_id's person
    $create_alias   properties.alias -> merged into distinct_id's person
    any event       properties.$set / $set_once update the person's properties
    any event       properties.$groups.company = K links the person to the company whose
                    external id, domain or key is K (customers.Company)
"""

from __future__ import annotations

# Person-changing events; any event may also carry $set, $set_once and $groups.
IDENTIFY = "$identify"
ALIAS = "$create_alias"
SET = "$set"
GROUP_IDENTIFY = "$groupidentify"
COMPANY_GROUP = "company"

# The stored columns, in order (DuckDB types; the ClickHouse engine maps them).
COLUMNS: dict[str, str] = {
    "uuid": "VARCHAR",
    "event": "VARCHAR",
    "distinct_id": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "properties": "VARCHAR",
    "product": "VARCHAR",
    "url": "VARCHAR",
    "session_id": "VARCHAR",
    "received_at": "TIMESTAMP",
}

# Keys of a spool line that are the compactor's working copies, not part of the event.
SPOOL_HINTS = frozenset({"url", "sid", "co", "ps", "pre"})

# The spool line's columns as DuckDB's read_json should type them.
SPOOL_COLUMNS: dict[str, str] = {
    "w": "UBIGINT",
    "p": "VARCHAR",
    "uuid": "VARCHAR",
    "event": "VARCHAR",
    "distinct_id": "VARCHAR",
    "ts": "BIGINT",
    "properties": "JSON",
    "received": "BIGINT",
    "url": "VARCHAR",
    "sid": "VARCHAR",
    "co": "VARCHAR",
    "ps": "BOOLEAN",
    "pre": "BOOLEAN",
}
