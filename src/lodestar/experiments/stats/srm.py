"""Sample-ratio mismatch: were the exposures split as planned? Pearson's chi-square
goodness of fit of the exposure counts against the planned split, k - 1 degrees of freedom
(GrowthBook's `check_srm` in gbstats/utils.py). A p-value below arms.SRM_THRESHOLD (0.001)
means the assignment or the exposure logging is broken, and the results should not be read."""

from __future__ import annotations

import math

from scipy.special import chdtrc

from lodestar.core.errors import Invalid

SPLIT_TOLERANCE = 1e-6


def check_split(planned_split: list[float], arms: int) -> None:
    """Raise Invalid naming the problem unless the split has one weight > 0 per arm and
    sums to 1."""
    if not isinstance(planned_split, list | tuple):
        raise Invalid("planned_split must be a list of weights, one per arm.")
    if len(planned_split) != arms:
        raise Invalid(
            f"planned_split has {len(planned_split)} weights but there are {arms} arms: "
            "give one weight per arm."
        )
    for i, weight in enumerate(planned_split):
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise Invalid(f"planned_split[{i}] must be a number.")
        if not math.isfinite(weight) or weight <= 0:
            raise Invalid(f"planned_split[{i}] must be greater than 0.")
    total = math.fsum(planned_split)
    if abs(total - 1) > SPLIT_TOLERANCE:
        raise Invalid(f"planned_split must sum to 1; it sums to {total:g}.")


def srm_p_value(counts: list[int], planned_split: list[float]) -> float:
    """The chi-square p-value of the exposure counts against the planned split (weights
    that sum to 1, one per arm). 1.0 when nothing has been exposed yet."""
    check_split(planned_split, len(counts))
    if len(counts) < 2:
        raise Invalid("A sample-ratio check needs at least 2 arms.")
    for i, count in enumerate(counts):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise Invalid(f"counts[{i}] must be a whole number >= 0.")
    total = sum(counts)
    if total == 0:
        return 1.0
    statistic = 0.0
    for observed, weight in zip(counts, planned_split, strict=True):
        expected = weight * total
        statistic += (observed - expected) ** 2 / expected
    return min(max(float(chdtrc(len(counts) - 1, statistic)), 0.0), 1.0)
