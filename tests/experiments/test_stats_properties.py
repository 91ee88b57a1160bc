"""Properties of the frequentist engine and the effects under it, on arms summarised from
generated per-person values (so every sum, sum of squares and sum of products is consistent).
The Bayesian engine's own properties live in its test file."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lodestar.experiments.stats.arms import Arm, Comparison, Options, Unanalysable
from lodestar.experiments.stats.effects import effect
from lodestar.experiments.stats.frequentist import compare

SETTINGS = settings(max_examples=60, deadline=None)


def summarise(name: str, values: list[float], pre: list[float] | None) -> Arm:
    arm = Arm(name, len(values), float(sum(values)), float(sum(v * v for v in values)))
    if pre is None:
        return arm
    return replace(
        arm,
        pre_sum=float(sum(pre)),
        pre_sum_squares=float(sum(v * v for v in pre)),
        sum_products=float(sum(a * b for a, b in zip(values, pre, strict=True))),
    )


@st.composite
def arm_pairs(draw, metric: str | None = None, min_size: int = 2):
    """Two arms of the same metric, with or without pre-exposure sums, and options."""
    metric = metric or draw(st.sampled_from(["mean", "binomial"]))
    element = st.integers(0, 1) if metric == "binomial" else st.integers(0, 50)
    with_pre = draw(st.booleans())
    arms = []
    for name in ("control", "variant"):
        values = draw(st.lists(element, min_size=min_size, max_size=60))
        pre = (
            draw(st.lists(element, min_size=len(values), max_size=len(values)))
            if with_pre
            else None
        )
        arms.append((name, values, pre))
    options = Options(
        metric=metric,  # type: ignore[arg-type]
        difference=draw(st.sampled_from(["relative", "absolute"])),
        sequential=draw(st.booleans()),
        alpha=draw(st.sampled_from([0.01, 0.05, 0.1])),
        sequential_tuning=draw(st.sampled_from([100.0, 5000.0])),
    )
    return arms, options


class Result(NamedTuple):
    lift: float
    low: float
    high: float
    p_value: float


def run(control: Arm, variant: Arm, options: Options) -> Result:
    """compare, skipping the example when it has no number (those are tested elsewhere)."""
    try:
        result = compare(control, variant, options)
    except Unanalysable:
        assume(False)
        raise
    return complete(result)


def complete(result: Comparison) -> Result:
    assert result.lift is not None and result.ci is not None and result.p_value is not None
    return Result(result.lift, result.ci[0], result.ci[1], result.p_value)


def close(a: float, b: float, rel: float = 1e-7, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


@SETTINGS
@given(arm_pairs())
def test_swapping_the_arms_negates_the_absolute_lift_and_flips_the_interval(case):
    arms, options = case
    options = replace(options, difference="absolute")
    control, variant = (summarise(*arm) for arm in arms)
    forward = run(control, variant, options)
    backward = complete(compare(variant, control, options))  # must not raise
    assert close(backward.lift, -forward.lift, abs_=1e-9)
    assert close(backward.low, -forward.high, abs_=1e-9)
    assert close(backward.high, -forward.low, abs_=1e-9)
    assert close(backward.p_value, forward.p_value, abs_=1e-9)


@SETTINGS
@given(arm_pairs())
def test_swapping_the_arms_inverts_the_relative_ratio(case):
    # (1 + lift)(1 + lift swapped) = 1 for the plain relative lift.
    arms, options = case
    control, variant = (summarise(name, values, None) for name, values, _ in arms)
    try:
        forward = effect(control, variant, replace(options, difference="relative"))
        backward = effect(variant, control, replace(options, difference="relative"))
    except Unanalysable:
        assume(False)
        return
    assert close((1 + forward.estimate) * (1 + backward.estimate), 1.0, rel=1e-9)


@SETTINGS
@given(arm_pairs(metric="mean"), st.sampled_from([0.5, 3.0, 1000.0]))
def test_scaling_every_value_scales_the_absolute_lift_only(case, c):
    arms, options = case
    control, variant = (summarise(*arm) for arm in arms)
    scaled_control, scaled_variant = (
        summarise(name, [c * v for v in values], None if pre is None else [c * v for v in pre])
        for name, values, pre in arms
    )
    for difference in ("absolute", "relative"):
        opts = replace(options, difference=difference)
        plain = run(control, variant, opts)
        scaled = complete(compare(scaled_control, scaled_variant, opts))  # must not raise
        factor = c if difference == "absolute" else 1.0
        assert close(scaled.lift, factor * plain.lift, abs_=1e-9 * c)
        assert close(scaled.low, factor * plain.low, abs_=1e-9 * c)
        assert close(scaled.high, factor * plain.high, abs_=1e-9 * c)
        assert close(scaled.p_value, plain.p_value, rel=1e-6, abs_=1e-9)


@SETTINGS
@given(arm_pairs())
def test_p_value_is_a_probability_and_the_interval_holds_the_estimate(case):
    arms, options = case
    control, variant = (summarise(*arm) for arm in arms)
    result = run(control, variant, options)
    assert 0.0 <= result.p_value <= 1.0
    assert result.low <= result.lift <= result.high
    assert all(math.isfinite(x) for x in result)


@SETTINGS
@given(arm_pairs(min_size=20))
def test_the_sequential_interval_is_wider_than_the_fixed_one(case):
    # With 20 or more per arm the t quantile stays below the always-valid factor.
    arms, options = case
    control, variant = (summarise(*arm) for arm in arms)
    fixed = run(control, variant, replace(options, sequential=False))
    sequential = complete(compare(control, variant, replace(options, sequential=True)))
    assert sequential.high - sequential.low > fixed.high - fixed.low
    assert sequential.lift == fixed.lift


@SETTINGS
@given(arm_pairs())
def test_p_value_below_alpha_exactly_when_the_interval_excludes_zero(case):
    arms, options = case
    control, variant = (summarise(*arm) for arm in arms)
    result = run(control, variant, options)
    assume(abs(result.p_value - options.alpha) > 1e-9)
    excludes_zero = result.low > 0 or result.high < 0
    assert (result.p_value < options.alpha) == excludes_zero
