"""The frequentist engine: one variant against the control.

Fixed horizon: Welch's t-test on the effect from effects.py (a mean's difference, or the
two-proportion test with unpooled p(1 - p) variances for a conversion), a two-sided p-value
and a 1 - alpha confidence interval, as GrowthBook's `TwoSidedTTest` computes them.

Sequential: an always-valid confidence sequence (Waudby-Smith et al., "Time-uniform central
limit theory and asymptotic confidence sequences", eq. 9, https://arxiv.org/abs/2103.06476),
tuned to be narrowest near `options.sequential_tuning` exposures, with the always-valid
p-value 1 / e-value (eq. 155), as GrowthBook's `SequentialTwoSidedTTest`. Looking at it
every day does not inflate the false-positive rate; the price is a wider interval.

docs/experiments-statistics.md says where each formula comes from."""

from __future__ import annotations

import math

from scipy import stats

from lodestar.experiments.stats.arms import Arm, Comparison, Options, Unanalysable
from lodestar.experiments.stats.effects import Effect, effect


def compare(control: Arm, variant: Arm, options: Options) -> Comparison:
    """The variant against the control: lift and CI in the unit of `options.difference`
    (relative = a fraction, absolute = the metric's unit), and the two-sided p-value.
    Raises Unanalysable (with a plain message) when there is no honest number."""
    if not 0 < options.alpha < 1:
        raise Unanalysable(f"The significance level must be between 0 and 1, not {options.alpha}.")
    e = effect(control, variant, options)
    if not e.variance > 0 or not math.isfinite(e.variance):
        raise Unanalysable(
            f"'{control.name}' and '{variant.name}' leave no variance to test the difference with."
        )
    if options.sequential:
        low, high = sequential_interval(e, control.n + variant.n, options)
        p_value = sequential_p_value(e, control.n + variant.n, options)
    else:
        low, high = fixed_interval(e, options.alpha)
        p_value = fixed_p_value(e)
    return Comparison(
        name=variant.name,
        n=variant.n,
        control_mean=e.control_mean,
        variant_mean=e.variant_mean,
        lift=e.estimate,
        ci=(low, high),
        p_value=p_value,
    )


def fixed_p_value(e: Effect) -> float:
    """Two-sided p-value of Welch's t statistic estimate / stderr."""
    t = abs(e.estimate) / e.stderr
    return float(min(1.0, 2 * stats.t.sf(t, e.dof)))


def fixed_interval(e: Effect, alpha: float) -> tuple[float, float]:
    """The 1 - alpha confidence interval, t quantile with Welch's degrees of freedom."""
    width = float(stats.t.ppf(1 - alpha / 2, e.dof)) * e.stderr
    return (e.estimate - width, e.estimate + width)


def sequential_rho(alpha: float, tuning: float) -> float:
    """The mixing parameter that makes the confidence sequence narrowest at `tuning`
    exposures (both arms together; Waudby-Smith et al., eq. 9 and the choice of rho after it)."""
    if tuning <= 0:
        raise Unanalysable("The sequential tuning sample size must be positive.")
    log_term = -2 * math.log(alpha)
    return math.sqrt((log_term + math.log(log_term + 1)) / tuning)


def sequential_interval(e: Effect, n: int, options: Options) -> tuple[float, float]:
    """The always-valid 1 - alpha interval after n exposures (both arms).

    With s2 = n * Var(estimate) the per-observation variance and r = rho^2:
    halfwidth = sqrt(s2) * sqrt(2 (n r + 1) / (n^2 r) * log(sqrt(n r + 1) / alpha))."""
    rho2 = sequential_rho(options.alpha, options.sequential_tuning) ** 2
    s2 = e.variance * n
    nr1 = n * rho2 + 1
    width = math.sqrt(s2) * math.sqrt(
        2 * nr1 / (n * n * rho2) * math.log(math.sqrt(nr1) / options.alpha)
    )
    return (e.estimate - width, e.estimate + width)


def sequential_p_value(e: Effect, n: int, options: Options) -> float:
    """The always-valid p-value: min(1, 1 / e-value), with the e-value of the same normal
    mixture (Waudby-Smith et al., eq. 155; what GrowthBook reports):
    e = exp(r * z^2 * n / (2 (n r + 1))) / sqrt(n r + 1), z = estimate / stderr, r = rho^2.
    It is below alpha exactly when the sequential interval excludes 0."""
    rho2 = sequential_rho(options.alpha, options.sequential_tuning) ** 2
    nr1 = n * rho2 + 1
    z2 = e.estimate**2 / e.variance
    log_e = rho2 * z2 * n / (2 * nr1) - 0.5 * math.log(nr1)
    return float(min(1.0, math.exp(-log_e)))
