"""The funnel's walk: over step events in any order, each person's deepest ordered chain
within the window and the times of its steps (queries/funnels.py fetches the events and
reports; this is the algorithm, engine-neutral).

Why it looks like this: sorting 5.5 million step events by person and time in the database
and walking them with numpy took 1.2 s on the 10-million-event benchmark; grouping them here,
in compiled loops on every core, without a global sort, takes 0.11 s (benchmarks/README.md,
"Funnel, retention, storage"). The loops are in funnel_kernels.py:

1. Each row's bucket is a hash of its group key; rows are copied bucket by bucket (two linear
   passes, split between threads).
2. Each thread takes a share of the buckets: groups a bucket's rows with a small hash table,
   sorts each group by (time, mask) and walks it (the rule is in `walk_buckets`).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

_ROWS_PER_BUCKET = 2048
_ROWS_PER_THREAD = 200_000  # below this, one thread: starting threads would cost more
_MAX = np.iinfo(np.int64).max
_ROW_BYTES = 20  # key, sort value, row number
_KEEP_BYTES = 256 * 2**20


@dataclass
class Walk:
    """The funnel walked: one row per person (group), in no particular order."""

    depth: np.ndarray  # steps reached (1..K; 0 = never did step 1 in the range)
    times: np.ndarray  # (persons, K) µs of the chain's step events (-1 when not reached)
    # (a transposed view: each step's column is contiguous)
    first_row: np.ndarray  # the input row of the person's first event (by time, then mask)
    entry_row: np.ndarray  # the input row of the person's first step-1 event (-1: none)


class _Scratch:
    """The bucketed copy of the rows, kept between walks up to `_KEEP_BYTES`: memory the
    process has not touched yet costs a page fault per 4 kB (or a wait for a 2 MB page), which
    on this machine added 30-100 ms to a 110 ms walk of 5.5 million rows. One walk at a time
    uses the kept arrays; a concurrent one allocates its own."""

    _lock = threading.Lock()
    _kept: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __init__(self) -> None:
        self.holding = False

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if n * _ROW_BYTES <= _KEEP_BYTES and self._lock.acquire(blocking=False):
            self.holding = True
            kept = _Scratch._kept
            if kept is None or len(kept[0]) < n:
                kept = _Scratch._kept = _fresh(n)
            return kept[0][:n], kept[1][:n], kept[2][:n]
        return _fresh(n)

    def give_back(self) -> None:
        if self.holding:
            self.holding = False
            self._lock.release()


def _fresh(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int32 if n < 2**31 else np.int64),
    )


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a limited container)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _threads(n: int) -> int:
    return max(1, min(_cores(), 8, n // _ROWS_PER_THREAD))


def walk(
    key: np.ndarray,
    ts: np.ndarray,
    m: np.ndarray,
    steps: int,
    window_us: int,
    entry_end_us: int | None = None,
) -> Walk:
    """The latest-start walk per group of rows with equal `key` (an integer: a person's hash).

    `ts` is the event's time in µs, `m` has bit k set when the event matches step k+1 (at
    most 10 steps). Step 1 only counts before `entry_end_us` (the end of the date range)."""
    from lodestar.analytics.queries import funnel_kernels as kernels

    n = len(ts)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return Walk(empty, np.zeros((0, steps), np.int64), empty, empty)
    if not 1 <= steps <= kernels.MASK_BITS:
        raise ValueError(f"A funnel walk takes 1 to {kernels.MASK_BITS} steps, not {steps}.")
    # One dtype per argument, so the loops are compiled once.
    key = np.ascontiguousarray(key)
    key = key.view(np.int64) if key.dtype.itemsize == 8 else key.astype(np.int64)
    ts = np.ascontiguousarray(ts, dtype=np.int64)
    m = np.ascontiguousarray(m, dtype=np.int32)
    base = int(ts.min())
    entry_end = _MAX if entry_end_us is None else min(max(entry_end_us - base, -_MAX), _MAX)

    bits = max(1, int(np.ceil(np.log2(max(n / _ROWS_PER_BUCKET, 2)))))
    buckets, shift = 1 << bits, 64 - bits
    threads = _threads(n)
    row_cuts = np.linspace(0, n, threads + 1).astype(np.int64)
    parts = range(threads)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    scratch = _Scratch()

    def each(fn, jobs):
        """fn(*job) for each job, on the pool's threads."""
        return list(pool.map(lambda job: fn(*job), jobs)) if pool else [fn(*j) for j in jobs]

    try:
        counts = np.zeros((threads, buckets), np.int64)
        each(
            kernels.histogram,
            [(key, row_cuts[t], row_cuts[t + 1], shift, counts[t]) for t in parts],
        )
        bounds = np.zeros(buckets + 1, np.int64)
        np.cumsum(counts.sum(axis=0), out=bounds[1:])
        # Thread t's rows go after the earlier threads' rows in each bucket.
        offsets = bounds[:-1] + np.cumsum(counts, axis=0) - counts
        copied = scratch.take(n)  # the rows' keys, sort values and input row numbers
        each(
            kernels.scatter,
            [
                (key, ts, m, base, row_cuts[t], row_cuts[t + 1], shift, offsets[t], *copied)
                for t in parts
            ],
        )
        # Share the buckets out by rows. A thread has at most one person per row it walks, so
        # thread t writes its people from its first row's place on (pages never written are
        # never mapped), and the blocks close up afterwards.
        cuts = np.searchsorted(bounds, row_cuts)
        cuts[0], cuts[-1] = 0, buckets
        starts = [int(bounds[cuts[t]]) for t in parts]
        depth, first, entry = (np.empty(n, np.int64) for _ in range(3))
        times = np.empty((steps, n), np.int64)  # step-major: each step's times are contiguous
        written = each(
            kernels.walk_buckets,
            [
                (*copied, bounds, cuts[t], cuts[t + 1], steps, window_us, entry_end, base, *out)
                for t, at in zip(parts, starts, strict=True)
                for out in [(depth[at:], times[:, at:], first[at:], entry[at:])]
            ],
        )
    finally:
        scratch.give_back()
        if pool is not None:
            pool.shutdown()
    people = 0
    for at, count in zip(starts, written, strict=True):
        if at != people:
            kernels.close_up(depth, first, entry, times, people, at, count)
        people += count
    return Walk(depth[:people], times[:, :people].T, first[:people], entry[:people])
