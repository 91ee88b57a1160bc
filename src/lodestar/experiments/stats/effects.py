"""The difference between a variant and the control, with its variance: what every engine
tests. Absolute: mean_b - mean_a. Relative: mean_b / mean_a - 1, its variance by the delta
method. With pre-exposure sums on both arms, CUPED-adjusted (see `cuped`).

The formulas follow GrowthBook's gbstats (`gbstats/models/statistics.py` and
`gbstats/models/tests.py`); docs/experiments-statistics.md gives each one and its source."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lodestar.experiments.stats.arms import Arm, MetricType, Options, Unanalysable


@dataclass(frozen=True)
class Effect:
    estimate: float  # in the unit of options.difference
    variance: float  # of the estimate
    dof: float  # Welch-Satterthwaite degrees of freedom
    control_mean: float  # the arms' own (unadjusted) means
    variant_mean: float
    theta: float = 0.0  # the CUPED coefficient; 0 when no adjustment was made

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
    """The variant's effect against the control, CUPED-adjusted when both arms carry
    pre-exposure sums. Raises Unanalysable (plain message) when there is no honest number."""
    check(control, variant, options)
    if control.has_pre and variant.has_pre:
        return cuped(control, variant, options)
    va = control.variance(options.metric)
    vb = variant.variance(options.metric)
    return _difference(control, variant, va, vb, options)


def _difference(control: Arm, variant: Arm, va: float, vb: float, options: Options) -> Effect:
    """The plain (unadjusted) effect from the arms' per-person variances."""
    ma, mb = control.mean, variant.mean
    sa, sb = va / control.n, vb / variant.n  # squared standard errors of the two means
    dof = _welch_dof(sa, sb, control.n, variant.n)
    if options.difference == "absolute":
        return Effect(mb - ma, sa + sb, dof, ma, mb)
    # Delta method for mean_b / mean_a (the arms are independent, so no covariance term).
    estimate = mb / ma - 1
    variance = sb / ma**2 + sa * mb**2 / ma**4
    return Effect(estimate, variance, dof, ma, mb)


def _welch_dof(sa: float, sb: float, na: int, nb: int) -> float:
    """Welch-Satterthwaite degrees of freedom from the squared standard errors of the two
    means. Used for proportions too, as GrowthBook and PostHog do; with the sample sizes an
    experiment has, the t distribution is then the normal to many decimals."""
    denominator = sa**2 / (na - 1) + sb**2 / (nb - 1)
    return (sa + sb) ** 2 / denominator if denominator > 0 else math.inf


# --- CUPED -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Moments:
    """One arm's per-person variance of the metric (post), of its pre-exposure value (pre),
    and their covariance."""

    post: float
    pre: float
    covariance: float


def _moments(
    n: int, s: float, ss: float, ps: float, pss: float, sp: float, metric: MetricType
) -> _Moments:
    # The covariance is the sample covariance (n - 1) for both metric types, and the
    # variances are those of Arm.variance: p(1 - p) for 0/1 values, the sample variance for
    # means. This is what GrowthBook's published CUPED cases pin (test_gbstats.py,
    # test_analyze_metric_df_ra_proportion); for 0/1 pre-period values pss equals ps, so
    # pss / n - q^2 is q(1 - q).
    covariance = (sp - s * ps / n) / (n - 1)
    if metric == "binomial":
        p, q = s / n, ps / n
        return _Moments(p * (1 - p), max(pss / n - q * q, 0.0), covariance)
    return _Moments(
        max((ss - s * s / n) / (n - 1), 0.0), max((pss - ps * ps / n) / (n - 1), 0.0), covariance
    )


def _arm_moments(arm: Arm, metric: MetricType) -> _Moments:
    assert arm.pre_sum is not None and arm.pre_sum_squares is not None
    assert arm.sum_products is not None
    return _moments(
        arm.n, arm.sum, arm.sum_squares, arm.pre_sum, arm.pre_sum_squares, arm.sum_products, metric
    )


def theta(control: Arm, variant: Arm, metric: MetricType) -> float:
    """The CUPED coefficient: the regression slope of the metric on its pre-exposure value,
    pooled over both arms (gbstats `compute_theta`). 0 when either has no variance."""
    assert control.has_pre and variant.has_pre
    pooled = _moments(
        control.n + variant.n,
        control.sum + variant.sum,
        control.sum_squares + variant.sum_squares,
        (control.pre_sum or 0.0) + (variant.pre_sum or 0.0),
        (control.pre_sum_squares or 0.0) + (variant.pre_sum_squares or 0.0),
        (control.sum_products or 0.0) + (variant.sum_products or 0.0),
        metric,
    )
    if pooled.pre <= 0 or pooled.post <= 0:
        return 0.0
    return pooled.covariance / pooled.pre


def cuped(control: Arm, variant: Arm, options: Options) -> Effect:
    """The CUPED-adjusted effect (regression adjustment on the pre-exposure value, with
    one theta pooled over both arms; Deng et al. 2013, as GrowthBook's gbstats computes it).

    Each arm's adjusted mean is mean - theta * pre_mean and its per-person variance
    var + theta^2 var_pre - 2 theta cov. Absolute: the difference of the adjusted means.
    Relative: that difference over the control's unadjusted mean, its variance by the delta
    method (gbstats `frequentist_variance_relative_cuped`). With no pre-exposure variance,
    theta is 0 and this is the plain effect."""
    check(control, variant, options)
    metric = options.metric
    t = theta(control, variant, metric)
    if t == 0:
        return _difference(
            control, variant, control.variance(metric), variant.variance(metric), options
        )
    a, b = _arm_moments(control, metric), _arm_moments(variant, metric)
    assert control.pre_sum is not None and variant.pre_sum is not None
    va = a.post + t * t * a.pre - 2 * t * a.covariance
    vb = b.post + t * t * b.pre - 2 * t * b.covariance
    # Below a rounding error of the unadjusted variances counts as none left.
    tiny = 1e-10 * (a.post + b.post)
    if va <= tiny and vb <= tiny:
        raise Unanalysable(
            "The pre-exposure values predict this metric exactly, so after the CUPED "
            "adjustment no variation is left to test; analyse it without pre-exposure data."
        )
    va, vb = max(va, 0.0), max(vb, 0.0)
    na, nb = control.n, variant.n
    ma, mb = control.mean, variant.mean  # unadjusted
    adjusted_a = ma - t * control.pre_sum / na
    adjusted_b = mb - t * variant.pre_sum / nb
    dof = _welch_dof(va / na, vb / nb, na, nb)
    if options.difference == "absolute":
        return Effect(adjusted_b - adjusted_a, va / na + vb / nb, dof, ma, mb, t)
    estimate = (adjusted_b - adjusted_a) / ma
    variance_b = vb / (nb * ma**2)
    variance_a = (a.post * mb**2 / ma**2 - 2 * t * a.covariance * mb / ma + t * t * a.pre) / (
        na * ma**2
    )
    return Effect(estimate, variance_b + variance_a, dof, ma, mb, t)
