"""The delivery app's scheduled work, run by every server worker's background ticker (see
lodestar.analytics.store.compactor.Ticker) and by `lodestar manage delivery_jobs`:

- forecasts: every open release re-forecast (a row per day), at-risk flags and proposed
  schedule risks;
- budgets: over-budget checks, proposed budget risks;
- risk reviews: a reminder email to the owner of each risk whose review date has come.

Each job is idempotent (a forecast row per release and day, a reminder at most once a day),
so running them twice costs time but changes nothing; a `flock` and a stamp file keep the
workers from doing it more than once an hour between them."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0  # how often the jobs run (between all the workers)
CHECK_SECONDS = 300.0  # how often a worker looks whether they are due


def _forecasts() -> int:
    from lodestar.delivery.forecast_services import refresh_all

    return len(refresh_all())


def _budgets() -> int:
    from lodestar.delivery.budget_services import check_all_budgets

    return check_all_budgets()


def _reminders() -> int:
    from lodestar.delivery.risk_reminders import send_review_reminders

    return send_review_reminders()


JOBS: dict[str, Callable[[], int]] = {
    "forecasts": _forecasts,
    "budgets": _budgets,
    "risk reminders": _reminders,
}


def run_due(*, force: bool = False) -> dict[str, int] | None:
    """Run every job when an hour has passed since the last run (or `force`): {job: count}.
    None when not due, or when another process is running them now."""
    stamp = settings.DATA_DIR / "delivery-jobs.stamp"
    fd = os.open(stamp, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        last = os.fstat(fd).st_size and os.fstat(fd).st_mtime
        if not force and last and time.time() - last < EVERY_SECONDS:
            return None
        done: dict[str, int] = {}
        for name, job in JOBS.items():
            try:
                done[name] = job()
            except Exception:  # one failing job must not stop the others
                log.exception("delivery job %r failed", name)
        os.ftruncate(fd, 0)
        os.write(fd, f"{time.time():.0f}\n".encode())
        return done
    finally:
        os.close(fd)


_next_check = 0.0


def tick() -> None:
    """Called by the background ticker every second; never raises."""
    global _next_check
    if time.monotonic() < _next_check:
        return
    _next_check = time.monotonic() + CHECK_SECONDS
    try:
        run_due()
    except Exception:
        log.exception("delivery jobs failed")
    finally:
        connections.close_all()  # this thread's connections only
