"""Rate limits of the public intake endpoints, with the wait a 429 tells the client."""

from __future__ import annotations

import time

from lodestar.core.errors import RateLimited
from lodestar.core.ratelimit import Limit

WIDGET_PER_IP = Limit("widget-ip", limit=20, window_seconds=10 * 60)
WIDGET_PER_KEY = Limit("widget-key", limit=600, window_seconds=10 * 60)
INBOUND_PER_IP = Limit("inbound-mail-ip", limit=600, window_seconds=10 * 60)
INBOUND_PER_MAILBOX = Limit("inbound-mail", limit=300, window_seconds=10 * 60)


class Flooded(RateLimited):
    """RateLimited that knows when the window ends (for the Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def consume(checks: list[tuple[Limit, str]], message: str) -> None:
    """Count one use against each (limit, ident); raise Flooded, counting nothing, when any
    has used its allowance in this window. `message` may use {minutes}."""
    for limit, ident in checks:
        if limit.count(ident) >= limit.limit:
            wait = limit.window_seconds - int(time.time()) % limit.window_seconds
            raise Flooded(message.format(minutes=max(1, round(wait / 60))), retry_after=wait)
    for limit, ident in checks:
        limit.hit(ident)
