"""Adjusted p-values across several comparisons (the secondary metrics of an experiment).

    holm  Holm's step-down (1979): sort ascending, p_(i) * (m - i + 1), made non-decreasing,
          capped at 1. Controls the family-wise error rate.
    bh    Benjamini-Hochberg step-up (1995): sort ascending, p_(i) * m / i, made
          non-increasing from the largest down, capped at 1. Controls the false discovery rate.
    none  the p-values as they are.

None (a comparison that has no p-value) passes through and does not count in m. The same
definitions as GrowthBook's adjustPValuesHolmBonferroni / adjustPValuesBenjaminiHochberg."""

from __future__ import annotations

from typing import Literal

from lodestar.core.errors import Invalid

Method = Literal["holm", "bh", "none"]
METHODS: tuple[str, ...] = ("holm", "bh", "none")


def adjust(p_values: list[float | None], method: Method | str = "holm") -> list[float | None]:
    if method not in METHODS:
        raise Invalid(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    for i, p in enumerate(p_values):
        if p is not None and (
            isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1
        ):
            raise Invalid(f"p_values[{i}] must be a number between 0 and 1, or None.")
    present = [(float(p), i) for i, p in enumerate(p_values) if p is not None]
    result: list[float | None] = [None if p is None else float(p) for p in p_values]
    m = len(present)
    if method == "none" or m == 0:
        return result
    present.sort()
    if method == "holm":
        running = 0.0
        for rank, (p, i) in enumerate(present):
            running = max(running, min(1.0, p * (m - rank)))
            result[i] = running
    else:
        running = 1.0
        for rank in range(m - 1, -1, -1):
            p, i = present[rank]
            running = min(running, min(1.0, p * m / (rank + 1)))
            result[i] = running
    return result
