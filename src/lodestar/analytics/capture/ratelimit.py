"""A token bucket per write key, in this process's memory.

The shared, database-backed limiter (core.ratelimit) costs a relational write per request;
capture must not (see keys.py). Each worker process refills its own bucket, so the limit a
client meets is the per-process rate times the number of workers: a bound on a runaway
client, not an exact quota.
"""

from __future__ import annotations

import math
import threading
import time

from lodestar.analytics.capture import limits
from lodestar.core.errors import RateLimited

_buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
_lock = threading.Lock()


def take(key: str, events: int) -> None:
    """Spend `events` tokens of `key`'s bucket, or raise RateLimited with a Retry-After."""
    rate, burst = limits.RATE_EVENTS_PER_SECOND, limits.RATE_BURST_EVENTS
    cost = max(1, events)
    now = time.monotonic()
    with _lock:
        tokens, at = _buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - at) * rate)
        if tokens < cost:
            _buckets[key] = (tokens, now)
            wait = max(1, math.ceil((cost - tokens) / rate))
            raise RateLimited(
                f"Too many events for this key; send them again in {wait} second(s).",
                retry_after=wait,
            )
        _buckets[key] = (tokens - cost, now)


def reset() -> None:
    with _lock:
        _buckets.clear()
