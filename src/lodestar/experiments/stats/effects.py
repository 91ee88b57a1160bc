"""The difference between a variant and the control, with its variance: what every engine
tests. Absolute: mean_b - mean_a. Relative: mean_b / mean_a - 1, its variance by the delta
method. With pre-exposure sums on both arms, CUPED-adjusted (see `cuped`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lodestar.experiments.stats.arms import Arm, Options, Unanalysable


@dataclass(frozen=True)
class Effect:
    estimate: float  # in the unit of options.difference
    variance: float  # of the estimate
    dof: float  # Welch-Satterthwaite degrees of freedom (inf for proportions)
    control_mean: float
    variant_mean: float

    @property
    def stderr(self) -> float:
        return math.sqrt(self.variance)


def check(control: Arm, variant: Arm, options: Options) -> None:
    """Raise Unanalysable with the reason when the two arms cannot be compared."""
    for arm in (control, variant):
        if arm.n <= 0:
            raise Unanalysable(f"The arm '{arm.name}' has no exposures yet.")
        if arm.n < max(options.minimum_sample, 2):
            need = max(options.minimum_sample, 2)
            raise Unanalysable(
                f"The arm '{arm.name}' has {arm.n:,} exposures; results start at {need:,} per arm."
            )
    if options.difference == "relative" and control.mean == 0:
        raise Unanalysable(
            f"The control '{control.name}' has a mean of 0, so a relative lift is undefined; "
            "ask for the absolute difference, or wait for conversions."
        )
    va, vb = control.variance(options.metric), variant.variance(options.metric)
    if va == 0 and vb == 0:
        raise Unanalysable(
            f"Every person in '{control.name}' and '{variant.name}' has the same value "
            f"({control.mean:g} and {variant.mean:g}): with no variance there is nothing to test."
        )


def effect(control: Arm, variant: Arm, options: Options) -> Effect:
    check(control, variant, options)
    if control.has_pre and variant.has_pre:
        return cuped(control, variant, options)
    ma, mb = control.mean, variant.mean
    va = control.variance(options.metric) / control.n
    vb = variant.variance(options.metric) / variant.n
    dof = _welch_dof(va, vb, control.n, variant.n, options)
    if options.difference == "absolute":
        return Effect(mb - ma, va + vb, dof, ma, mb)
    estimate = mb / ma - 1
    variance = vb / ma**2 + va * mb**2 / ma**4
    return Effect(estimate, variance, dof, ma, mb)


def _welch_dof(va: float, vb: float, na: int, nb: int, options: Options) -> float:
    if options.metric == "binomial":
        return math.inf
    denominator = va**2 / (na - 1) + vb**2 / (nb - 1)
    return (va + vb) ** 2 / denominator if denominator > 0 else math.inf


def cuped(control: Arm, variant: Arm, options: Options) -> Effect:
    """The CUPED-adjusted effect (regression adjustment on the pre-exposure value, with
    one theta pooled over both arms)."""
    raise NotImplementedError  # issue 8: the statistics helper writes this
