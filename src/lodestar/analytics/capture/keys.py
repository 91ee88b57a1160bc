"""The product behind a write key, as each worker process remembers it for a few seconds.

A capture request must not cost a relational query (let alone a write): the ingest path is
a JSON parse, the checks and one spool append. So each process keeps what it learned about
a key (the product, its allowed origins, or that the key is unknown) for KEY_CACHE_SECONDS;
a product's new allowed origins apply within that time, everywhere.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from lodestar.analytics.capture import limits
from lodestar.core.errors import NotAuthenticated
from lodestar.workspaces.models import Product


@dataclass(frozen=True)
class KeyInfo:
    write_key: str
    workspace_id: int
    product: str  # the product's key
    origins: frozenset[str]


_cache: dict[str, tuple[float, KeyInfo | None]] = {}
_lock = threading.Lock()

UNKNOWN = (
    "Unknown project API key. Copy the capture key from the product's page in Lodestar "
    "(it starts with lw_)."
)


def lookup(key: Any) -> KeyInfo:
    """The key's product, or NotAuthenticated (401) for a missing or unknown key."""
    if not isinstance(key, str) or not key.startswith("lw_") or len(key) > 40:
        if key is None or key == "":
            raise NotAuthenticated(
                "No project API key: send `api_key` in the body (PostHog) or the write key "
                "as the Basic auth user name (Segment)."
            )
        raise NotAuthenticated(UNKNOWN)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        info = hit[1]
    else:
        info = _load(key)
        with _lock:
            if len(_cache) >= limits.KEY_CACHE_SIZE:
                _cache.clear()
            _cache[key] = (now + limits.KEY_CACHE_SECONDS, info)
    if info is None:
        raise NotAuthenticated(UNKNOWN)
    return info


def _load(key: str) -> KeyInfo | None:
    row = (
        Product.objects.filter(write_key=key)
        .values_list("workspace_id", "key", "allowed_origins")
        .first()
    )
    if row is None:
        return None
    workspace_id, product, origins = row
    return KeyInfo(
        write_key=key,
        workspace_id=workspace_id,
        product=product,
        origins=frozenset(o.strip().lower() for o in origins.splitlines() if o.strip()),
    )


def forget() -> None:
    """Drop everything remembered (tests; a product's settings changed in this process)."""
    with _lock:
        _cache.clear()
