"""The funnel walk (queries/funnel_walk.py): against an exhaustive search, in any row order, on
several threads, for people with many events, and against ClickHouse's windowFunnel."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from lodestar.analytics.queries import funnel_walk
from lodestar.analytics.queries.funnel_walk import walk


def brute_depth(events: list[tuple[int, int]], steps: int, window: int, entry_end=None) -> int:
    """Deepest step over every choice of distinct events in order (events sorted by time,
    then mask); step 1 only before `entry_end`."""
    best = 0
    for i, (t0, m0) in enumerate(events):
        if not m0 & 1 or (entry_end is not None and t0 >= entry_end):
            continue
        best = max(best, 1)

        def go(pos: int, k: int, t0: int = t0) -> int:
            deepest = k
            for j in range(pos + 1, len(events)):
                t, m = events[j]
                if k < steps and m >> k & 1 and t - t0 <= window:
                    deepest = max(deepest, go(j, k + 1))
            return deepest

        best = max(best, go(i, 1))
    return best


def greedy_depth(events: list[tuple[int, int]], steps: int, window: int) -> int:
    """The same answer for long journeys: from a given start, taking the earliest event that
    matches the next step is never worse, so try each start greedily (quadratic, not
    exponential)."""
    best = 0
    for i, (t0, m0) in enumerate(events):
        if not m0 & 1:
            continue
        k, j = 1, i + 1
        while k < steps and j < len(events):
            t, m = events[j]
            if t - t0 > window:
                break
            if m >> k & 1:
                k += 1
            j += 1
        best = max(best, k)
    return best


def flatten(persons: list[tuple[int, list[tuple[int, int]]]]):
    key = np.array([p for p, ev in persons for _ in ev], dtype=np.int64)
    ts = np.array([t for _, ev in persons for t, _ in ev], dtype=np.int64)
    m = np.array([mm for _, ev in persons for _, mm in ev], dtype=np.int64)
    return key, ts, m


def by_person(result, key: np.ndarray) -> dict[int, tuple[int, list[int]]]:
    """person -> (depth, step times reached), whatever order the walk returned people in."""
    return {
        int(key[row]): (int(d), result.times[i][:d].tolist())
        for i, (row, d) in enumerate(zip(result.first_row, result.depth, strict=True))
    }


def random_persons(rng: random.Random, steps: int, count: int, most: int = 7):
    persons = []
    for p in range(count):
        events = sorted(
            (rng.randint(0, 10), rng.randint(1, 2**steps - 1)) for _ in range(rng.randint(1, most))
        )
        persons.append((p * 7919 + 13, events))  # keys that are neither dense nor sorted
    return persons


def test_the_walk_matches_a_brute_force_on_random_journeys():
    rng = random.Random(7)
    for _ in range(300):
        steps = rng.randint(2, 4)
        window = rng.randint(1, 6)
        entry_end = rng.choice([None, rng.randint(0, 11)])
        persons = random_persons(rng, steps, rng.randint(1, 6))
        key, ts, m = flatten(persons)
        result = by_person(walk(key, ts, m, steps, window, entry_end), key)
        for person, events in persons:
            depth, reached = result[person]
            assert depth == brute_depth(events, steps, window, entry_end), (events, steps)
            # The chain read back is a real chain: in order, within the window, right steps.
            assert all(b >= a for a, b in itertools.pairwise(reached))
            if reached:
                assert reached[-1] - reached[0] <= window
            for k, t in enumerate(reached):
                assert any(te == t and mm >> k & 1 for te, mm in events)


def test_one_event_never_satisfies_two_steps():
    # Steps a -> a: one `a` is step 1 only; a second `a` completes step 2.
    key = np.array([1, 2, 2], dtype=np.uint64)
    ts = np.array([0, 0, 5], dtype=np.int64)
    m = np.array([3, 3, 3], dtype=np.int64)
    result = walk(key, ts, m, 2, 10)
    assert by_person(result, key.astype(np.int64)) == {1: (1, [0]), 2: (2, [0, 5])}


def test_row_order_does_not_change_the_answer():
    rng = random.Random(3)
    persons = random_persons(rng, 4, 400)
    key, ts, m = flatten(persons)
    sorted_answer = by_person(walk(key, ts, m, 4, 5), key)
    shuffle = np.random.default_rng(3).permutation(len(key))
    shuffled = walk(key[shuffle], ts[shuffle], m[shuffle], 4, 5)
    assert by_person(shuffled, key[shuffle]) == sorted_answer
    assert {d for d, _ in sorted_answer.values()} == {0, 1, 2, 3, 4}


def test_first_row_and_entry_row_point_at_the_persons_events():
    # Person 5: a step-2 event first, then step 1 twice; person 6 never does step 1.
    key = np.array([5, 6, 5, 5], dtype=np.int64)
    ts = np.array([30, 10, 20, 40], dtype=np.int64)
    m = np.array([1, 2, 2, 1], dtype=np.int64)
    result = walk(key, ts, m, 2, 100)
    rows = {
        int(key[f]): (int(f), int(e))
        for f, e in zip(result.first_row, result.entry_row, strict=True)
    }
    assert rows == {5: (2, 0), 6: (1, -1)}


def test_threads_and_tiny_buckets_give_the_one_thread_answer(monkeypatch):
    rng = random.Random(11)
    persons = random_persons(rng, 3, 3000)
    key, ts, m = flatten(persons)
    one = by_person(walk(key, ts, m, 3, 4), key)
    monkeypatch.setattr(funnel_walk, "_ROWS_PER_THREAD", 1000)
    monkeypatch.setattr(funnel_walk, "_ROWS_PER_BUCKET", 16)
    monkeypatch.setattr(funnel_walk, "_cores", lambda: 4)
    assert funnel_walk._threads(len(key)) == 4
    assert by_person(walk(key, ts, m, 3, 4), key) == one
    assert {int(k) for k in key} == set(one)


def test_people_with_hundreds_of_events():
    # Longer than the insertion sort's limit: those people's events are sorted another way.
    rng = random.Random(5)
    persons = random_persons(rng, 5, 40, most=400)
    key, ts, m = flatten(persons)
    shuffle = np.random.default_rng(5).permutation(len(key))
    result = by_person(walk(key[shuffle], ts[shuffle], m[shuffle], 5, 3), key[shuffle])
    assert max(len(ev) for _, ev in persons) > 200
    for person, events in persons:
        assert result[person][0] == greedy_depth(events, 5, 3)


def test_no_rows_and_too_many_steps():
    empty = np.zeros(0, np.int64)
    result = walk(empty, empty, empty, 3, 10)
    assert result.depth.shape == (0,) and result.times.shape == (0, 3)
    one = np.array([1], np.int64)
    with pytest.raises(ValueError, match="1 to 10 steps"):
        walk(one, one, one, 11, 10)


def test_counts_match_chdb_window_funnel(tmp_path):
    """On data where both definitions agree (each event matches one step, timestamps strictly
    increase per person), the walk gives windowFunnel's levels."""
    chdb = pytest.importorskip("chdb")
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    persons, per = 3000, 8
    h = np.repeat(np.arange(persons, dtype=np.uint64), per)
    gaps = rng.integers(1, 2 * 86400, persons * per)
    ts = np.cumsum(gaps).astype(np.int64)  # strictly increasing everywhere
    step = rng.integers(0, 5, persons * per)  # 0 = not a step event
    window = 7 * 86400
    steps = 4
    path = tmp_path / "events.parquet"
    pq.write_table(pa.table({"p": h, "t": ts, "s": step}), path)
    conditions = ", ".join(f"s = {k}" for k in range(1, steps + 1))
    rows = chdb.query(
        f"SELECT p, windowFunnel({window})(toDateTime(t), {conditions}) AS level "
        f"FROM file('{path}', Parquet) GROUP BY p ORDER BY p",
        "CSV",
    )
    levels = {int(a): int(b) for a, b in (line.split(",") for line in str(rows).split())}
    keep = step > 0
    mask = np.where(keep, 1 << (np.maximum(step, 1) - 1), 0)[keep]
    result = walk(h[keep], ts[keep], mask, steps, window)
    ours = dict(zip(h[keep][result.first_row].tolist(), result.depth.tolist(), strict=True))
    expected = np.bincount([levels[p] for p in range(persons)], minlength=steps + 1)
    got = np.bincount([ours.get(p, 0) for p in range(persons)], minlength=steps + 1)
    assert got.tolist() == expected.tolist()
    assert expected[steps] > 0 and expected[2] > 0  # the data reaches every depth
