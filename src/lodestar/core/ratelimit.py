"""Fixed-window rate limits kept in the relational database, so every worker process shares
them (an in-process cache would give each gunicorn worker its own allowance)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lodestar.core.errors import RateLimited
from lodestar.core.models import RateCounter


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window_seconds: int

    def _key(self, ident: str) -> str:
        window = int(time.time() // self.window_seconds)
        return f"{self.scope}:{ident.lower()[:200]}:{window}"

    def count(self, ident: str) -> int:
        row = RateCounter.objects.filter(key=self._key(ident)).values_list("count", flat=True)
        return next(iter(row), 0)

    def check(self, ident: str) -> None:
        """Raise RateLimited when `ident` has used its allowance in this window."""
        if self.count(ident) >= self.limit:
            raise RateLimited(
                f"Too many attempts. Try again in {max(1, self.window_seconds // 60)} minutes."
            )

    def hit(self, ident: str) -> int:
        """Count one use; return the count in this window."""
        key = self._key(ident)
        expires = timezone.now() + timedelta(seconds=self.window_seconds)
        with transaction.atomic():
            updated = RateCounter.objects.filter(key=key).update(count=F("count") + 1)
            if not updated:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, count=1, expires_at=expires)
                except IntegrityError:  # another worker created it first
                    RateCounter.objects.filter(key=key).update(count=F("count") + 1)
        if random.random() < 0.01:  # keep the table small without a scheduled job
            RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
        return self.count(ident)

    def consume(self, ident: str) -> None:
        """check() then hit(): for actions that count every attempt (sign-up, posts)."""
        self.check(ident)
        self.hit(ident)

    def seconds_left(self) -> int:
        """Seconds until this window ends and the allowance starts again."""
        return self.window_seconds - int(time.time()) % self.window_seconds

    def reset(self, ident: str) -> None:
        RateCounter.objects.filter(key=self._key(ident)).delete()


def consume_all(checks: list[tuple[Limit, str]], message: str | None = None) -> None:
    """Count one use against each (limit, ident) that has an ident; when any of them has used
    its allowance, raise RateLimited (with retry_after) and count nothing. `message` may use
    {minutes}."""
    checks = [(limit, ident) for limit, ident in checks if ident]
    for limit, ident in checks:
        if limit.count(ident) >= limit.limit:
            wait = limit.seconds_left()
            text = message.format(minutes=max(1, round(wait / 60))) if message else None
            raise RateLimited(text, retry_after=wait)
    for limit, ident in checks:
        limit.hit(ident)


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")
