"""The garbage collector and a long-lived server process.

A loaded Lodestar holds ~140,000 objects that live as long as the process (modules, views,
URL patterns, schemas). CPython's full collection walks all of them: ~75 ms on the 2-core
machines this runs on, paid by whichever request happens to trigger it. `freeze_startup_heap`
loads what every request needs, then moves those objects out of the collector's sight with
`gc.freeze()`; the collector then only walks what requests allocate."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not per request
    gc.collect()
    gc.freeze()
