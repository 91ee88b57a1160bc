"""Power analysis before an experiment starts: how many exposures per arm, how many days, and
what is the smallest lift a given sample can detect. The definitions are GrowthBook's power
calculator (packages/front-end/components/PowerCalculation/stats.ts: `powerEst`, `findMde`),
for the frequentist two-sided test on the relative lift:

- the baseline arm has mean m and per-person variance s^2 (p(1 - p) for a conversion rate
  p); the variant's mean is m(1 + effect) with the same variance;
- the relative lift is estimated with the delta-method variance
      V = s^2 / (m^2 n) + s^2 (m(1 + effect))^2 / (m^4 n)          (n per arm)
  and, for sequential testing, V is inflated as the always-valid interval widens it
  (GrowthBook's `sequentialPowerSequentialVariance`, tuned for `sequential_tuning`);
- power = 1 - Phi(z* - effect/sqrt(V)) + Phi(-z* - effect/sqrt(V)), z* = Phi^-1(1 - alpha/2).

`sample_size` is the smallest whole number per arm whose power reaches the target;
`minimum_detectable_effect` solves the quadratic of `findMde` for the positive lift.
Each variant is compared with the control at alpha (no correction across variants, as in
GrowthBook), so the per-arm size does not depend on the number of arms; the duration does."""

from __future__ import annotations

import math

from scipy.special import ndtr, ndtri

from lodestar.core.errors import Invalid
from lodestar.experiments.stats.arms import MetricType

SEQUENTIAL_TUNING = 5000.0
MAX_PER_ARM = 10**12


def _check(
    metric: MetricType | str,
    baseline_mean: float,
    baseline_stddev: float | None,
    alpha: float,
    power: float | None = None,
) -> float:
    """Validate the design; return the per-person variance."""
    if metric not in ("binomial", "mean"):
        raise Invalid("metric must be 'binomial' or 'mean'.")
    if not (isinstance(alpha, int | float) and 0 < alpha < 0.5):
        raise Invalid("alpha must be between 0 and 0.5 (e.g. 0.05).")
    if power is not None and not (isinstance(power, int | float) and alpha < power < 1):
        raise Invalid("power must be between alpha and 1 (e.g. 0.8).")
    if not (isinstance(baseline_mean, int | float) and math.isfinite(baseline_mean)):
        raise Invalid("baseline_mean must be a number.")
    if metric == "binomial":
        if not 0 < baseline_mean < 1:
            raise Invalid("baseline_mean (a conversion rate) must be between 0 and 1.")
        return baseline_mean * (1 - baseline_mean)
    if baseline_mean == 0:
        raise Invalid("baseline_mean must not be 0: a relative lift of 0 is undefined.")
    if baseline_stddev is None or not (
        isinstance(baseline_stddev, int | float)
        and math.isfinite(baseline_stddev)
        and baseline_stddev > 0
    ):
        raise Invalid("baseline_stddev must be a number greater than 0 for a mean metric.")
    return float(baseline_stddev) ** 2


def _check_effect(metric: MetricType | str, baseline_mean: float, effect: float) -> None:
    if not (isinstance(effect, int | float) and math.isfinite(effect)) or effect == 0:
        raise Invalid("minimum_effect must be a relative change other than 0 (0.05 = +5 %).")
    if effect <= -1:
        raise Invalid("minimum_effect must be greater than -1 (a fall of less than 100 %).")
    if metric == "binomial" and baseline_mean * (1 + effect) >= 1:
        raise Invalid("minimum_effect would put the conversion rate at or above 100 %.")


def _sequential_inflation(n_both: float, alpha: float, tuning: float) -> float:
    """The factor by which the always-valid interval's width widens the fixed-horizon
    variance after n_both exposures in the two arms compared (GrowthBook's
    sequentialPowerSequentialVariance, divided by the variance)."""
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning
    radical = 2 * (n_both * rho2 + 1) * math.log(math.sqrt(n_both * rho2 + 1) / alpha)
    z_sequential2 = radical / (n_both * rho2)
    z_star = float(ndtri(1 - alpha / 2))
    return z_sequential2 / z_star**2


def _relative_variance(variance: float, mean: float, effect: float, per_arm: float) -> float:
    treated = mean * (1 + effect)
    return variance / (mean**2 * per_arm) + variance * treated**2 / (mean**4 * per_arm)


def power(
    metric: MetricType | str,
    baseline_mean: float,
    baseline_stddev: float | None,
    effect: float,
    per_arm: float,
    alpha: float = 0.05,
    sequential: bool = False,
    sequential_tuning: float = SEQUENTIAL_TUNING,
) -> float:
    """The chance that the two-sided test at alpha finds a true relative lift of `effect`
    with `per_arm` exposures in each arm."""
    variance = _check(metric, baseline_mean, baseline_stddev, alpha)
    _check_effect(metric, baseline_mean, effect)
    if not per_arm > 0:
        raise Invalid("per_arm must be greater than 0.")
    return _power(variance, baseline_mean, effect, per_arm, alpha, sequential, sequential_tuning)


def _power(
    variance: float,
    mean: float,
    effect: float,
    per_arm: float,
    alpha: float,
    sequential: bool,
    tuning: float,
) -> float:
    v = _relative_variance(variance, mean, effect, per_arm)
    if sequential:
        v *= _sequential_inflation(2 * per_arm, alpha, tuning)
    z_star = float(ndtri(1 - alpha / 2))
    standardized = effect / math.sqrt(v)
    return float(ndtr(standardized - z_star) + ndtr(-z_star - standardized))


def sample_size(
    metric: MetricType | str,
    baseline_mean: float,
    baseline_stddev: float | None,
    minimum_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    arms: int = 2,
    sequential: bool = False,
    sequential_tuning: float = SEQUENTIAL_TUNING,
) -> int:
    """Exposures needed per arm to detect a relative lift of `minimum_effect` (0.05 = +5 %)
    with the given power, two-sided at alpha. For a conversion metric `baseline_mean` is
    the conversion rate and `baseline_stddev` is ignored (None)."""
    variance = _check(metric, baseline_mean, baseline_stddev, alpha, power)
    _check_effect(metric, baseline_mean, minimum_effect)
    if isinstance(arms, bool) or not isinstance(arms, int) or arms < 2:
        raise Invalid("arms must be a whole number >= 2 (the control and a variant).")

    def reaches(n: int) -> bool:
        achieved = _power(
            variance, baseline_mean, minimum_effect, n, alpha, sequential, sequential_tuning
        )
        return achieved >= power

    high = 2
    while not reaches(high):
        high *= 2
        if high > MAX_PER_ARM:
            raise Invalid(
                "minimum_effect is too small to detect with any practical sample; "
                "aim for a larger lift."
            )
    low = high // 2  # does not reach (or is 1)
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high


def minimum_detectable_effect(
    metric: MetricType | str,
    baseline_mean: float,
    baseline_stddev: float | None,
    per_arm: float,
    alpha: float = 0.05,
    power: float = 0.8,
    sequential: bool = False,
    sequential_tuning: float = SEQUENTIAL_TUNING,
) -> float | None:
    """The smallest positive relative lift that `per_arm` exposures per arm detect with the
    given power (GrowthBook's findMde). None when no lift is detectable with so few."""
    variance = _check(metric, baseline_mean, baseline_stddev, alpha, power)
    if not per_arm > 0:
        raise Invalid("per_arm must be greater than 0.")
    if sequential:
        variance *= _sequential_inflation(2 * per_arm, alpha, sequential_tuning)
    z = float(ndtri(1 - alpha / 2) + ndtri(power))
    m = baseline_mean
    if per_arm <= variance * z**2 / m**2:
        return None
    sigma2 = variance / per_arm
    a = 1 - z**2 * sigma2 / m**2
    b = -2 * m
    c = m**2 - z**2 * sigma2
    root = (-b + math.sqrt(b**2 - 4 * a * c)) / (2 * a)
    return (root - m) / m


def duration_days(per_arm: int, arms: int, daily_exposures: float) -> int:
    """Whole days until every arm has `per_arm` exposures, at `daily_exposures` a day over
    the whole experiment."""
    if isinstance(per_arm, bool) or not isinstance(per_arm, int) or per_arm < 0:
        raise Invalid("per_arm must be a whole number >= 0.")
    if isinstance(arms, bool) or not isinstance(arms, int) or arms < 2:
        raise Invalid("arms must be a whole number >= 2.")
    if not (
        isinstance(daily_exposures, int | float)
        and math.isfinite(daily_exposures)
        and daily_exposures > 0
    ):
        raise Invalid("daily_exposures must be greater than 0.")
    return math.ceil(per_arm * arms / daily_exposures)
