"""Rate limits of the public intake endpoints (counted with core.ratelimit.consume_all)."""

from __future__ import annotations

from lodestar.core.ratelimit import Limit

WIDGET_PER_IP = Limit("widget-ip", limit=20, window_seconds=10 * 60)
WIDGET_PER_KEY = Limit("widget-key", limit=600, window_seconds=10 * 60)
INBOUND_PER_IP = Limit("inbound-mail-ip", limit=600, window_seconds=10 * 60)
INBOUND_PER_MAILBOX = Limit("inbound-mail", limit=300, window_seconds=10 * 60)
