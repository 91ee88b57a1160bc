"""The Bayesian engine: a normal model of the effect, as GrowthBook's gbstats
`EffectBayesianABTest` (and PostHog's `products/experiments/stats/bayesian`).

The data give the effect d (absolute, or relative by the delta method; see effects.py) with
variance v. The prior on the true effect is flat (improper: the posterior is the
likelihood, N(d, v)) or normal N(m, s^2), in the unit of `options.difference`; then

    precision  = 1/v + 1/s^2
    mean       = (d/v + m/s^2) / precision
    sd         = sqrt(1 / precision)

and from the posterior N(mean, sd^2):

    chance to win      P(effect > 0)                    = Phi(mean / sd)
    risk (ship)        E[max(-effect, 0)]               = sd*phi(z) - mean*Phi(-z)
    risk (keep control) E[max(effect, 0)]               = sd*phi(z) + mean*Phi(z)
    credible interval  mean +- Phi^-1(1 - alpha/2) * sd

(z = mean/sd; the expected losses are gbstats' `get_risk`, P(effect < 0) times the mean of
the normal truncated below 0, written in closed form.) The risks are in the unit of the lift:
a risk of 0.004 on a relative lift is "shipping would cost 0.4 % in expectation"."""

from __future__ import annotations

import math

from scipy.special import ndtr, ndtri

from lodestar.experiments.stats.arms import Arm, Comparison, Options, Unanalysable
from lodestar.experiments.stats.effects import effect

_SQRT_2PI = math.sqrt(2 * math.pi)


def posterior(estimate: float, variance: float, options: Options) -> tuple[float, float]:
    """The posterior mean and standard deviation of the effect."""
    if not variance > 0 or not math.isfinite(variance):
        raise Unanalysable("The effect has no usable variance, so there is no posterior.")
    precision = 1 / variance
    weighted = estimate / variance
    if options.prior_stddev is not None:
        prior_mean = options.prior_mean or 0.0
        prior_precision = 1 / options.prior_stddev**2
        precision += prior_precision
        weighted += prior_mean * prior_precision
    return weighted / precision, math.sqrt(1 / precision)


def risks(mean: float, sd: float) -> tuple[float, float]:
    """(expected loss of shipping the variant, expected loss of keeping the control)."""
    z = mean / sd
    density = math.exp(-0.5 * z * z) / _SQRT_2PI
    ship = sd * density - mean * float(ndtr(-z))
    keep = sd * density + mean * float(ndtr(z))
    return max(ship, 0.0), max(keep, 0.0)


def compare(control: Arm, variant: Arm, options: Options) -> Comparison:
    """The variant against the control. Raises Unanalysable (from effects.check) when the
    two arms cannot be compared."""
    e = effect(control, variant, options)
    mean, sd = posterior(e.estimate, e.variance, options)
    z = float(ndtri(1 - options.alpha / 2))
    ship, keep = risks(mean, sd)
    return Comparison(
        name=variant.name,
        n=variant.n,
        control_mean=e.control_mean,
        variant_mean=e.variant_mean,
        lift=mean,
        ci=(mean - z * sd, mean + z * sd),
        chance_to_win=float(ndtr(mean / sd)),
        risk=ship,
        risk_control=keep,
    )
