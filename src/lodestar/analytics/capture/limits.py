"""Every limit of the capture endpoints (documented in docs/measure-capture.md)."""

from __future__ import annotations

# The body as sent (compressed or not). PostHog's own limit for a batch is 20 MB.
MAX_BODY_BYTES = 20 * 1024 * 1024
# The body once decompressed: a gzip bomb stops here with a 413.
MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024
# Events in one request.
MAX_EVENTS = 10_000
# One event's properties, as stored (JSON): bigger events are dropped (PostHog: 1 MB).
MAX_PROPERTIES_BYTES = 1024 * 1024
# Re-encoding JSON can lengthen it (`1e15` -> `1000000000000000.0`): below this body size no
# event can reach MAX_PROPERTIES_BYTES, so the per-event size check is skipped.
SIZE_CHECK_ABOVE = MAX_PROPERTIES_BYTES // 8
MAX_EVENT_NAME = 200
MAX_DISTINCT_ID = 200
MAX_UUID = 200
# Events stamped further ahead than this are refused (PostHog clamps them to now; a refusal
# shows the broken clock instead of hiding it).
MAX_FUTURE_SECONDS = 23 * 3600
# A client clock this far off (the request's sent_at against the server's clock) has its
# events' timestamps corrected; closer than this they are kept as sent (see normalize.py).
CLOCK_SKEW_SECONDS = 60

# Rate limit per write key and per server worker process (token bucket, in events): a
# sustained rate and the burst a client may send at once. A worker serves a few thousand
# events a second of one key at most, so these stop a runaway loop, not normal traffic.
RATE_EVENTS_PER_SECOND = 50_000
RATE_BURST_EVENTS = 500_000

# How long a worker trusts what it knows about a write key (product, allowed origins).
KEY_CACHE_SECONDS = 10.0
KEY_CACHE_SIZE = 10_000
