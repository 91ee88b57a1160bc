"""The frequentist engine and the effects under it, against the published test cases of
GrowthBook (growthbook/growthbook, packages/stats/tests/) and PostHog (PostHog/posthog,
products/experiments/stats/tests/). Only their inputs and expected numbers are reproduced
here; each case names the file and test it comes from.

Tolerance: absolute 1e-5 on every number (their numbers are published rounded to 5 or 9
decimals; a number they publish with only 4 decimals is checked to half a unit of its last
decimal, 5e-5, and says so)."""

from __future__ import annotations

import math

import pytest

from lodestar.experiments.stats.arms import Arm, Options, Unanalysable
from lodestar.experiments.stats.effects import cuped, effect, theta
from lodestar.experiments.stats.frequentist import (
    compare,
    fixed_interval,
    sequential_interval,
    sequential_rho,
)

TOL = 1e-5


def mean_arm(name: str, n: int, total: float, squares: float, **pre: float) -> Arm:
    return Arm(name, n, total, squares, **pre)


def binomial_arm(name: str, n: int, conversions: float, **pre: float) -> Arm:
    return Arm(name, n, conversions, conversions, **pre)


def assert_close(actual: float | None, expected: float, tol: float = TOL) -> None:
    assert actual is not None
    assert abs(actual - expected) <= tol, f"{actual} != {expected} (abs tol {tol})"


def assert_result(
    control: Arm,
    variant: Arm,
    options: Options,
    lift: float,
    ci: tuple[float | None, float | None] | None,
    p_value: float | None,
    stderr: float | None = None,
    ci_tol: float = TOL,
) -> None:
    result = compare(control, variant, options)
    assert_close(result.lift, lift)
    if ci is not None:
        assert result.ci is not None
        for got, want in zip(result.ci, ci, strict=True):
            if want is not None:
                assert_close(got, want, ci_tol)
    if p_value is not None:
        assert_close(result.p_value, p_value)
    if stderr is not None:
        assert_close(effect(control, variant, options).stderr, stderr)


# --- GrowthBook: packages/stats/tests/frequentist/test_tests.py ---------------------------
# SampleMeanStatistic(sum, sum_squares, n): control a, variant b.
GB_A = mean_arm("a", 3407, 1396.87, 52377.9767)
GB_B = mean_arm("b", 3461, 2422.7, 134698.29)
GB_A3000 = mean_arm("a", 3000, 1396.87, 52377.9767)


def test_growthbook_two_sided_ttest_relative():
    # TestTwoSidedTTest.test_two_sided_ttest
    assert_result(GB_A, GB_B, Options(), 0.70732, (-0.03526, 1.44989), 0.06191, stderr=0.37879)


def test_growthbook_two_sided_ttest_absolute():
    # TestTwoSidedTTest.test_two_sided_ttest_absolute
    options = Options(difference="absolute")
    assert_result(GB_A, GB_B, options, 0.29, (0.04538, 0.53462), 0.02016, stderr=0.12478)


def test_growthbook_two_sided_ttest_binomial():
    # TestTwoSidedTTest.test_two_sided_ttest_binom: ProportionStatistic(14/28) vs (16/30).
    # The uplift stddev is published as 0.2717 (4 decimals): checked to 5e-5.
    control, variant = binomial_arm("a", 28, 14), binomial_arm("b", 30, 16)
    options = Options(metric="binomial")
    assert_result(control, variant, options, 0.06667, (-0.47767, 0.61101), 0.80707)
    assert_close(effect(control, variant, options).stderr, 0.2717, 5e-5)


def test_growthbook_effect_moments_full_precision():
    # TestOneSidedGreaterTTest / TestOneSidedLesserTTest publish the point estimate and its
    # standard error at full precision (control n = 3000); the one-sided tests themselves are
    # not offered here (see docs/experiments-statistics.md).
    relative = effect(GB_A3000, GB_B, Options())
    assert_close(relative.estimate, 0.5033610858562358, 1e-9)
    assert_close(relative.stderr, 0.3334122146400735, 1e-9)
    absolute = effect(GB_A3000, GB_B, Options(difference="absolute"))
    assert_close(absolute.estimate, 0.23437666666666668, 1e-9)
    assert_close(absolute.stderr, 0.12983081254184736, 1e-9)


def test_growthbook_sequential_ttest():
    # TestSequentialTTest.test_sequential_test_runs (SequentialConfig tuning 1000); GrowthBook
    # reports the always-valid p-value, here min(1, 1/e) = 1.
    options = Options(sequential=True, sequential_tuning=1000)
    assert_result(GB_A3000, GB_B, options, 0.50336, (-0.55844, 1.56516), 1.0, stderr=0.33341)


def test_growthbook_sequential_ttest_proportion():
    # TestSequentialTTest.test_sequential_test_runs_prop (default tuning 5000)
    control, variant = binomial_arm("a", 3000, 1396), binomial_arm("b", 3461, 2422)
    options = Options(metric="binomial", sequential=True)
    assert_result(control, variant, options, 0.50386, (0.40098, 0.60675), 0.0, stderr=0.03386)


def test_growthbook_sequential_ttest_cuped():
    # TestSequentialTTest.test_sequential_test_runs_ra: RegressionAdjustedStatistic with
    # pre sums (16.87, 527.9767) / (22.7, 1348.29) and post_pre_sum_of_products=1 per arm.
    control = mean_arm(
        "a", 3000, 1396.87, 52377.9767, pre_sum=16.87, pre_sum_squares=527.9767, sum_products=1
    )
    variant = mean_arm(
        "b", 3461, 2422.7, 134698.29, pre_sum=22.7, pre_sum_squares=1348.29, sum_products=1
    )
    options = Options(sequential=True)
    assert_result(control, variant, options, 0.50338, (-0.50969, 1.51646), 1.0, stderr=0.33341)


def test_growthbook_sequential_tuning_orders_the_intervals():
    # TestSequentialTTest.test_sequential_test_tuning_as_expected: tuning far below the
    # sample (10) is widest, near it (6461) narrowest, far above (10000) in between.
    def interval(tuning: float) -> tuple[float, float]:
        result = compare(GB_A3000, GB_B, Options(sequential=True, sequential_tuning=tuning))
        assert result.ci is not None
        return result.ci

    below, near, above = interval(10), interval(6461), interval(10000)
    assert below[0] < above[0] and below[1] > above[1]
    assert below[0] < near[0] and below[1] > near[1]
    assert above[0] < near[0] and above[1] > near[1]


# --- GrowthBook: packages/stats/tests/test_gbstats.py --------------------------------------
# MULTI_DIMENSION_STATISTICS_DF, dimension "one": control "zero", variant "one".
GB_ZERO = mean_arm("zero", 100, 270, 848.79)
GB_ONE = mean_arm("one", 120, 300, 869)


def test_growthbook_analyze_metric_df_frequentist():
    # TestAnalyzeMetricDfFrequentist.test_get_metric_df_frequentist
    result = compare(GB_ZERO, GB_ONE, Options())
    assert_close(result.control_mean, 2.7)
    assert_close(result.variant_mean, 2.5)
    assert_close(result.lift, -0.074074074)
    assert_close(result.p_value, 0.145219005)


def test_growthbook_analyze_metric_df_sequential():
    # TestAnalyzeMetricDfSequential.test_analyze_metric_df_sequential (tuning 600; a tuning
    # of 1 must give a wider interval)
    result = compare(GB_ZERO, GB_ONE, Options(sequential=True, sequential_tuning=600))
    assert result.ci is not None
    assert_close(result.lift, -0.074074074)
    assert_close(result.p_value, 0.892332229)
    assert_close(result.ci[0], -0.233322085)
    bad = compare(GB_ZERO, GB_ONE, Options(sequential=True, sequential_tuning=1))
    assert bad.ci is not None and bad.ci[0] < result.ci[0]


# RA_STATISTICS_DF: control "zero", variant "one", with covariate (pre-exposure) sums.
def _ra_arms(binomial: bool) -> tuple[Arm, Arm]:
    zero = dict(n=3001, s=300.0, ss=600.0, ps=210.0, pss=415.0, sp=-20.0)
    one = dict(n=3000, s=222.0, ss=555.0, ps=120.0, pss=405.0, sp=-10.0)
    arms = []
    for name, row in (("zero", zero), ("one", one)):
        ss, pss = (row["s"], row["ps"]) if binomial else (row["ss"], row["pss"])
        arms.append(
            Arm(name, int(row["n"]), row["s"], ss, row["ps"], pss, row["sp"]),
        )
    return arms[0], arms[1]


def test_growthbook_analyze_metric_df_cuped():
    # TestAnalyzeMetricDfRegressionAdjustment.test_analyze_metric_df_ra: the lift is the
    # difference of adjusted means over the unadjusted control mean (not the plain lift).
    control, variant = _ra_arms(binomial=False)
    result = compare(control, variant, Options())
    assert_close(result.control_mean, 0.099966678)
    assert_close(result.variant_mean, 0.074)
    assert_close(result.lift, -0.281707154)
    assert_close(result.p_value, 0.003732549)
    assert result.lift is not None
    assert abs(result.lift - (0.074 - 0.110963012) / 0.110963012) > 1e-3


def test_growthbook_analyze_metric_df_cuped_proportion():
    # TestAnalyzeMetricDfRegressionAdjustment.test_analyze_metric_df_ra_proportion
    control, variant = _ra_arms(binomial=True)
    result = compare(control, variant, Options(metric="binomial"))
    assert_close(result.lift, -0.316211568)
    assert_close(result.p_value, 0.000000352)


def test_growthbook_zero_val_is_unanalysable_here():
    # TestAnalyzeMetricDfFrequentist.test_get_metric_df_zero_val (ONE_USER_DF): GrowthBook
    # answers lift -0.85 with p-value 1 for a variant with one user. On purpose we give no
    # number below two exposures per arm: the variance of one value is undefined.
    control, variant = mean_arm("zero", 3, 20, 443), mean_arm("one", 1, 1, 1)
    with pytest.raises(Unanalysable, match="'one' has 1 exposures"):
        compare(control, variant, Options())


# --- PostHog: products/experiments/stats/tests/test_frequentist.py -------------------------
# run_test(treatment, control): the first statistic there is the variant here.


def test_posthog_two_sided_ttest_with_sample_mean():
    # TestTwoSidedTTest.test_two_sided_ttest_with_sample_mean. The lower bound is published
    # as -0.0875 (4 decimals): checked to 5e-5.
    control = mean_arm("control", 2507, 1196.87, 37377.9767)
    variant = mean_arm("test", 2461, 1922.7, 94698.29)
    assert_result(control, variant, Options(), 0.63646, (-0.0875, None), 0.08487, ci_tol=5e-5)
    assert_result(control, variant, Options(), 0.63646, (None, 1.36048), 0.08487)


def test_posthog_two_sided_ttest_with_sample_proportion():
    # TestTwoSidedTTest.test_two_sided_ttest_with_sample_proportion
    control, variant = binomial_arm("control", 1529, 87), binomial_arm("test", 1471, 62)
    options = Options(metric="binomial")
    assert_result(control, variant, options, -0.25925, (-0.49475, -0.02376), 0.030960)


@pytest.mark.parametrize(
    ("control", "variant", "metric", "tuning", "lift", "ci", "stderr", "p_value"),
    [
        # TestSequentialTwoSidedTTestGoldenValues.test_matches_reference_values
        # ("sample_mean_tuning_1000")
        (
            mean_arm("control", 3000, 1400.0, 52000.0),
            mean_arm("test", 3500, 2500.0, 135000.0),
            "mean",
            1000,
            0.53061,
            (-0.53230, 1.59353),
            0.33368,
            1.0,
        ),
        # ("proportion_default_tuning")
        (
            binomial_arm("control", 3050, 1450),
            binomial_arm("test", 3500, 2600),
            "binomial",
            5000,
            0.56256,
            (0.46064, 0.66448),
            0.03354,
            0.0,
        ),
    ],
)
def test_posthog_sequential_golden_values(
    control, variant, metric, tuning, lift, ci, stderr, p_value
):
    options = Options(metric=metric, sequential=True, sequential_tuning=tuning)
    assert_result(control, variant, options, lift, ci, p_value, stderr=stderr)


def test_posthog_sequential_rho_and_width():
    # TestSequentialMath: rho = sqrt((-2 log a + log(-2 log a + 1)) / tuning), and the
    # sequential half-width exceeds the fixed one.
    expected = math.sqrt((-2 * math.log(0.05) + math.log(-2 * math.log(0.05) + 1)) / 5000)
    assert_close(sequential_rho(0.05, 5000), expected, 1e-12)
    e = effect(binomial_arm("a", 2000, 100), binomial_arm("b", 2000, 100), Options())
    options = Options(sequential=True)
    seq_low, seq_high = sequential_interval(e, 4000, options)
    fixed_low, fixed_high = fixed_interval(e, options.alpha)
    assert seq_high - seq_low > fixed_high - fixed_low


def test_posthog_sequential_zero_effect_has_p_value_one():
    # TestSequentialTwoSidedTTest.test_sequential_p_value_with_zero_effect_returns_one
    arm = binomial_arm("a", 2000, 100)
    options = Options(metric="binomial", difference="absolute", sequential=True)
    result = compare(arm, Arm("b", 2000, 100, 100), options)
    assert result.p_value == 1.0


# --- CUPED ---------------------------------------------------------------------------------


def _summaries(name: str, post: list[float], pre: list[float]) -> Arm:
    return Arm(
        name,
        len(post),
        sum(post),
        sum(v * v for v in post),
        pre_sum=sum(pre),
        pre_sum_squares=sum(v * v for v in pre),
        sum_products=sum(a * b for a, b in zip(post, pre, strict=True)),
    )


def test_cuped_theta_is_the_pooled_regression_slope():
    # post = 2 * pre + 1 exactly plus a treatment shift: the pooled slope is not 2 (the shift
    # is between arms), so compare with numpy's own least squares on the pooled data.
    import numpy as np

    rng = np.random.default_rng(7)
    pre_a, pre_b = rng.normal(10, 3, 400), rng.normal(10, 3, 400)
    post_a = 2 * pre_a + rng.normal(0, 1, 400)
    post_b = 2 * pre_b + 0.5 + rng.normal(0, 1, 400)
    a = _summaries("a", list(post_a), list(pre_a))
    b = _summaries("b", list(post_b), list(pre_b))
    pooled_pre = np.concatenate([pre_a, pre_b])
    pooled_post = np.concatenate([post_a, post_b])
    slope = np.cov(pooled_post, pooled_pre)[0, 1] / np.var(pooled_pre, ddof=1)
    assert_close(theta(a, b, "mean"), float(slope), 1e-9)
    # and the adjustment narrows the interval a lot
    plain = compare(
        Arm("a", a.n, a.sum, a.sum_squares), Arm("b", b.n, b.sum, b.sum_squares), Options()
    )
    adjusted = compare(a, b, Options())
    assert plain.ci is not None and adjusted.ci is not None
    assert adjusted.ci[1] - adjusted.ci[0] < (plain.ci[1] - plain.ci[0]) / 3


def test_cuped_absolute_is_the_difference_of_adjusted_means():
    a = _summaries("a", [3.0, 5.0, 4.0, 8.0, 6.0], [1.0, 2.0, 2.0, 4.0, 3.0])
    b = _summaries("b", [6.0, 7.0, 5.0, 9.0, 8.0], [2.0, 2.0, 1.0, 4.0, 3.0])
    t = theta(a, b, "mean")
    e = cuped(a, b, Options(difference="absolute"))
    assert e.theta == t
    assert_close(e.estimate, (b.mean - t * 12 / 5) - (a.mean - t * 12 / 5), 1e-12)
    assert e.control_mean == a.mean and e.variant_mean == b.mean


def test_cuped_without_pre_exposure_variance_is_the_plain_effect():
    # Every pre-exposure value equal: theta is 0 and nothing is adjusted.
    post_a, post_b = [1.0, 3.0, 2.0, 5.0], [2.0, 4.0, 4.0, 6.0]
    a = _summaries("a", post_a, [2.0] * 4)
    b = _summaries("b", post_b, [2.0] * 4)
    for difference in ("relative", "absolute"):
        options = Options(difference=difference)
        adjusted = cuped(a, b, options)
        plain = effect(
            Arm("a", 4, a.sum, a.sum_squares), Arm("b", 4, b.sum, b.sum_squares), options
        )
        assert adjusted.theta == 0
        assert (adjusted.estimate, adjusted.variance) == (plain.estimate, plain.variance)


def test_cuped_needs_pre_sums_on_both_arms():
    a = _summaries("a", [1.0, 3.0, 2.0, 5.0], [1.0, 2.0, 2.0, 4.0])
    b = Arm("b", 4, 16.0, 72.0)  # no pre-exposure data: the plain effect
    assert effect(a, b, Options()) == effect(Arm("a", 4, a.sum, a.sum_squares), b, Options())


def test_cuped_that_explains_everything_is_unanalysable():
    a = _summaries("a", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    b = _summaries("b", [2.0, 3.0, 4.0], [2.0, 3.0, 4.0])
    with pytest.raises(Unanalysable, match="predict this metric exactly"):
        compare(a, b, Options(difference="absolute"))


# --- Bad input: a plain message, never a NaN -----------------------------------------------


@pytest.mark.parametrize(
    ("control", "variant", "options", "message"),
    [
        (Arm("a", 0, 0, 0), Arm("b", 10, 5, 5), Options(), "'a' has no exposures yet"),
        (Arm("a", 10, 5, 5), Arm("b", 1, 1, 1), Options(), "'b' has 1 exposures"),
        (
            Arm("a", 50, 20, 20),
            Arm("b", 40, 20, 20),
            Options(metric="binomial", minimum_sample=100),
            "results start at 100 per arm",
        ),
        (
            Arm("a", 10, 0, 0),
            Arm("b", 10, 3, 3),
            Options(metric="binomial"),
            "a relative lift is undefined",
        ),
        (Arm("a", 10, 20, 40), Arm("b", 10, 30, 90), Options(), "no variance"),
        (Arm("a", 10, 5, 5), Arm("b", 10, 6, 6), Options(alpha=1.5), "between 0 and 1"),
        (
            Arm("a", 10, 5, 5),
            Arm("b", 10, 6, 6),
            Options(sequential=True, sequential_tuning=0),
            "tuning sample size must be positive",
        ),
    ],
)
def test_unanalysable_inputs_say_why(control, variant, options, message):
    with pytest.raises(Unanalysable, match=message):
        compare(control, variant, options)


def test_absolute_difference_of_a_zero_control_is_fine():
    result = compare(
        Arm("a", 100, 0, 0), Arm("b", 100, 7, 7), Options(metric="binomial", difference="absolute")
    )
    assert result.lift == pytest.approx(0.07)
    assert result.p_value is not None and 0 <= result.p_value < 0.05


def test_comparison_carries_the_variant_and_the_means():
    result = compare(GB_A, GB_B, Options())
    assert result.name == "b" and result.n == 3461
    assert result.control_mean == pytest.approx(GB_A.mean)
    assert result.variant_mean == pytest.approx(GB_B.mean)
    assert result.problem is None and result.chance_to_win is None
