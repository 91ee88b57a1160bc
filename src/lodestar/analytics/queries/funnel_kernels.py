"""The funnel walk's compiled loops (numba). queries/funnel_walk.py prepares the arrays and
runs these on a few threads; read its docstring first.

Rows arrive in any order. Each row carries a group key (a person, or a person and a period),
and a sort value `(µs since the earliest row) * 1024 + step mask`, so one integer orders a
group's events by time and then mask (the µs fit in 53 bits: 285 years). The rows are spread
over buckets by a multiplicative hash of the key (a bucket holds ~1,000 rows, so its working
set stays in the CPU's cache), and each bucket is grouped with a small open-addressing table,
sorted per group and walked.

Every function releases the GIL (`nogil`), so Python threads run them on separate cores.
"""

import numpy as np
from numba import njit

# Fibonacci hashing: the top bits of key * (2^64 / golden ratio) pick the bucket; another odd
# constant places the key in a bucket's table.
_BUCKET_MIX = np.uint64(0x9E3779B97F4A7C15)
_SLOT_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
MASK_BITS = 10  # steps per funnel at most (funnels.MAX_STEPS)
_MASK = (1 << MASK_BITS) - 1
_BIG_GROUP = 32  # a group with more rows is sorted with argsort instead of by insertion
_HIGHEST_BIT = np.array([0] + [x.bit_length() - 1 for x in range(1, 1 << MASK_BITS)])


@njit(cache=True, nogil=True)
def histogram(key, lo, hi, shift, counts):
    """Rows lo..hi counted per bucket."""
    for i in range(lo, hi):
        counts[(np.uint64(key[i]) * _BUCKET_MIX) >> np.uint64(shift)] += 1


@njit(cache=True, nogil=True)
def scatter(key, ts, mask, base, lo, hi, shift, offsets, out_key, out_value, out_row):
    """Rows lo..hi copied to their bucket's next free place (`offsets`, advanced), with the
    sort value made from the time and the mask on the way."""
    for i in range(lo, hi):
        b = (np.uint64(key[i]) * _BUCKET_MIX) >> np.uint64(shift)
        at = offsets[b]
        out_key[at] = key[i]
        out_value[at] = ((np.int64(ts[i]) - base) << MASK_BITS) | (np.int64(mask[i]) & _MASK)
        out_row[at] = i
        offsets[b] = at + 1


@njit(cache=True, nogil=True)
def _sort_group(values, rows, a, z):
    """values[a:z] ascending, rows[a:z] along with them."""
    if z - a > _BIG_GROUP:
        order = np.argsort(values[a:z])
        values[a:z] = values[a:z][order]
        rows[a:z] = rows[a:z][order]
        return
    for i in range(a + 1, z):
        v = values[i]
        r = rows[i]
        j = i - 1
        while j >= a and values[j] > v:
            values[j + 1] = values[j]
            rows[j + 1] = rows[j]
            j -= 1
        values[j + 1] = v
        rows[j + 1] = r


@njit(cache=True, nogil=True)
def walk_buckets(
    keys, values, rows, bounds, b0, b1, steps, window, entry_end, base, depth, times, first, entry
):
    """Buckets b0..b1 grouped, sorted and walked; one output per group (`times` is steps x
    groups, in µs since 1970: `base` plus the time in the sort value). Returns the number of
    groups written.

    The walk per group, events in (time, mask) order: level k keeps the chain that has
    reached step k+1 with the latest start so far (its start position, start time and step
    times). An event matching step k+1 extends level k-1's chain when it started at most
    `window` µs before; the levels are updated from the deepest down, so one event never
    serves two steps. A later start leaves at least as much of the window for every later
    step, so the latest start is never beaten by another chain; among chains with the same
    start the first to complete a step is kept."""
    biggest = 0
    for b in range(b0, b1):
        biggest = max(biggest, bounds[b + 1] - bounds[b])
    cap = 16
    while cap < 2 * biggest:
        cap <<= 1
    table_key = np.empty(cap, np.int64)
    table_group = np.empty(cap, np.int64)
    row_group = np.empty(biggest, np.int64)
    ends = np.empty(biggest + 1, np.int64)
    sorted_values = np.empty(biggest, np.int64)
    sorted_rows = np.empty(biggest, np.int64)
    chain_start = np.empty(steps, np.int64)
    chain_time = np.empty(steps, np.int64)
    chain_times = np.empty((steps, steps), np.int64)
    step_bits = (1 << steps) - 1  # never a bit past the last step (no bounds checks here)
    out = 0
    for b in range(b0, b1):
        lo = bounds[b]
        size = bounds[b + 1] - lo
        if size == 0:
            continue
        slots = 16
        while slots < 2 * size:
            slots <<= 1
        table_group[:slots] = -1
        groups = 0
        for j in range(size):
            k = keys[lo + j]
            s = np.int64((np.uint64(k) * _SLOT_MIX) >> np.uint64(32)) & (slots - 1)
            while table_group[s] >= 0 and table_key[s] != k:
                s = (s + 1) & (slots - 1)
            if table_group[s] < 0:
                table_key[s] = k
                table_group[s] = groups
                groups += 1
            row_group[j] = table_group[s]
        # Counting sort by group: ends[g] is where group g's rows go next.
        ends[: groups + 1] = 0
        for j in range(size):
            ends[row_group[j] + 1] += 1
        for g in range(groups):
            ends[g + 1] += ends[g]
        for j in range(size):
            g = row_group[j]
            sorted_values[ends[g]] = values[lo + j]
            sorted_rows[ends[g]] = rows[lo + j]
            ends[g] += 1
        start = 0
        for g in range(groups):
            end = ends[g]
            _sort_group(sorted_values, sorted_rows, start, end)
            chain_start[:] = -1
            first[out] = sorted_rows[start]
            entry[out] = -1
            for i in range(start, end):
                v = sorted_values[i]
                mask = v & step_bits
                t = v >> MASK_BITS
                later = mask >> 1  # the steps after the first this event matches
                while later:  # deepest first
                    k = _HIGHEST_BIT[later] + 1
                    later ^= 1 << (k - 1)
                    if chain_start[k - 1] > chain_start[k] and t - chain_time[k - 1] <= window:
                        chain_start[k] = chain_start[k - 1]
                        chain_time[k] = chain_time[k - 1]
                        for q in range(k):
                            chain_times[k, q] = chain_times[k - 1, q]
                        chain_times[k, k] = t
                if mask & 1:
                    if entry[out] < 0:
                        entry[out] = sorted_rows[i]
                    if t < entry_end:
                        chain_start[0] = i
                        chain_time[0] = t
                        chain_times[0, 0] = t
            reached = 0
            for k in range(steps):
                if chain_start[k] >= 0:
                    reached = k + 1
            depth[out] = reached
            for q in range(steps):
                times[q, out] = chain_times[reached - 1, q] + base if q < reached else -1
            out += 1
            start = end
    return out


@njit(cache=True, nogil=True)
def close_up(depth, first, entry, times, to, at, count):
    """Move `count` outputs from `at` down to `to` (to < at): copying forward never
    overwrites an output still to move, so no temporary copy is needed."""
    for i in range(count):
        depth[to + i] = depth[at + i]
        first[to + i] = first[at + i]
        entry[to + i] = entry[at + i]
        for q in range(times.shape[0]):
            times[q, to + i] = times[q, at + i]
