"""The funnel's walk: over step events sorted by (person, time, step mask), each person's
deepest ordered chain within the window, and the times of its steps (queries/funnels.py
fetches the events and reports; this is the algorithm, engine-neutral numpy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Walk:
    """The funnel walked over sorted step events: one row per person."""

    depth: np.ndarray  # steps reached (1..K; 0 = never did step 1 in the range)
    times: np.ndarray  # (persons, K) µs of the chain's step events (-1 when not reached)
    first_row: np.ndarray  # the person's first row in the sorted arrays


def walk(
    h: np.ndarray,
    ts: np.ndarray,
    m: np.ndarray,
    steps: int,
    window_us: int,
    entry_end_us: int | None = None,
) -> Walk:
    """The greedy latest-start walk over events sorted by (person, time, mask).

    `h` identifies the person (equal on a person's rows), `m` has bit k set when the event
    matches step k+1. Step 1 only counts before `entry_end_us` (the end of the date range).

    A chain is one int64, start row * n + (n - 1 - completion row): its running maximum
    keeps the latest start and, for one start, the earliest completion. Each level keeps,
    for every row, the best chain completed at or before it (the chains scattered to their
    completion rows, then a running maximum: one linear pass); it is valid for a row when
    its start lies in the row's person (so chains never cross persons)."""
    n = len(ts)
    if n == 0:
        return Walk(np.zeros(0, np.int64), np.zeros((0, steps), np.int64), np.zeros(0, np.int64))
    ts = ts.astype(np.int64, copy=False)
    m = m.astype(np.int64 if steps > 7 else np.int8, copy=False)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(h[1:], h[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    big = np.int64(n)
    last = np.r_[starts[1:] - 1, n - 1]
    # The first row of each row's person, as a chain value: a chain is the person's when it
    # is at least this.
    floor = np.repeat(starts * big, np.diff(np.r_[starts, n]))
    level_best: list[np.ndarray] = []

    def record(rows: np.ndarray, chains: np.ndarray) -> None:
        at = np.full(n, -1, dtype=np.int64)
        at[rows] = chains
        level_best.append(np.maximum.accumulate(at))

    def best(level: int, rows: np.ndarray) -> np.ndarray:
        """Level's best chain as of each row in `rows` (-1 when none in the row's person)."""
        value = level_best[level][rows]
        return np.where(value >= floor[rows], value, -1)

    entry = np.flatnonzero(m & 1)
    if entry_end_us is not None:
        entry = entry[ts[entry] < entry_end_us]
    record(entry, entry * big + (big - 1 - entry))
    for k in range(1, steps):
        rows = np.flatnonzero((m >> k) & 1)
        rows = rows[~new[rows]]  # a person's first event cannot extend a chain
        # One event never satisfies two steps: extend the chain as of the row before.
        before = best(k - 1, rows - 1)
        start = before // big
        ok = (before >= 0) & (ts[rows] - ts[np.maximum(start, 0)] <= window_us)
        rows, start = rows[ok], start[ok]
        record(rows, start * big + (big - 1 - rows))
    finals = [best(k, last) for k in range(steps)]
    depth = np.zeros(len(starts), dtype=np.int64)
    for k in range(steps):
        depth[finals[k] >= 0] = k + 1
    # Read each person's deepest chain back: step k's event, then the chain it extended.
    times = np.full((len(starts), steps), -1, dtype=np.int64)
    done = np.full(len(starts), -1, dtype=np.int64)  # completion row at the current level
    for k in range(steps - 1, -1, -1):
        at_k = depth == k + 1
        done[at_k] = (big - 1) - finals[k][at_k] % big
        has = depth >= k + 1
        times[has, k] = ts[done[has]]
        if k:
            done[has] = (big - 1) - best(k - 1, done[has] - 1) % big
    return Walk(depth, times, starts)
