"""Sample-ratio mismatch, multiple comparisons and power, against GrowthBook's published
test cases, with their properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.errors import Invalid
from lodestar.experiments.stats import power as P
from lodestar.experiments.stats.multiple import adjust
from lodestar.experiments.stats.srm import srm_p_value

TOLERANCE = 1e-5

# --- SRM ----------------------------------------------------------------------------------


# growthbook/growthbook packages/stats/tests/test_gbstats.py, test_srm:
# check_srm([1000, 1200], [0.5, 0.5]) == 0.000020079 (9 decimals)
def test_growthbook_check_srm():
    assert abs(srm_p_value([1000, 1200], [0.5, 0.5]) - 0.000020079) < 5e-10


def test_srm_matches_scipy_chisquare_with_uneven_splits():
    from scipy.stats import chisquare

    for counts, split in [
        ([640, 360], [0.7, 0.3]),
        ([5100, 4900], [0.5, 0.5]),
        ([3300, 3350, 3410], [1 / 3, 1 / 3, 1 / 3]),
        ([900, 50, 50], [0.9, 0.05, 0.05]),
    ]:
        expected = [w * sum(counts) for w in split]
        assert abs(srm_p_value(counts, split) - chisquare(counts, expected).pvalue) < 1e-12


def test_srm_nothing_exposed_is_no_mismatch():
    assert srm_p_value([0, 0], [0.5, 0.5]) == 1.0


@pytest.mark.parametrize(
    ("counts", "split", "message"),
    [
        ([10, 10], [0.5, 0.4], "must sum to 1"),
        ([10, 10], [0.5], "one weight per arm"),
        ([10, 10, 10], [0.5, 0.5, 0.0], r"planned_split\[2\] must be greater than 0"),
        ([10, 10], [1.2, -0.2], r"planned_split\[1\] must be greater than 0"),
        ([10, -1], [0.5, 0.5], r"counts\[1\] must be a whole number"),
        ([10, 10], "half", "must be a list"),
    ],
)
def test_srm_bad_split_names_the_problem(counts, split, message):
    with pytest.raises(Invalid, match=message):
        srm_p_value(counts, split)


def test_srm_split_tolerance_is_one_in_a_million():
    assert 0 <= srm_p_value([10, 20, 30], [0.3333333, 0.3333333, 0.3333334]) <= 1
    with pytest.raises(Invalid):
        srm_p_value([10, 10], [0.5, 0.50001])


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=10**7), min_size=2, max_size=6),
    data=st.data(),
)
def test_srm_p_value_is_a_probability(counts, data):
    weights = data.draw(
        st.lists(st.floats(min_value=0.01, max_value=1), min_size=len(counts), max_size=len(counts))
    )
    split = [w / math.fsum(weights) for w in weights]
    if abs(math.fsum(split) - 1) > 1e-6:
        return
    p = srm_p_value(counts, split)
    assert 0 <= p <= 1


# --- multiple comparisons ------------------------------------------------------------------


# growthbook/growthbook packages/front-end/test/experiments.test.ts (services/experiments
# adjustPValuesHolmBonferroni), "does HB procedure correctly"
def test_growthbook_holm():
    adjusted = adjust([0.01, 0.04, 0.03, 0.005, 0.55, 0.6], "holm")
    for got, want in zip(adjusted, [0.05, 0.12, 0.12, 0.03, 1, 1], strict=True):
        assert abs(got - want) < 1e-12


# the same file, "does BH procedure correctly" (compared at 8 decimals there)
def test_growthbook_benjamini_hochberg():
    adjusted = adjust([0.898, 0.138, 0.007, 0.964, 0.538, 0.006, 0.138], "bh")
    want = [0.964, 0.2415, 0.0245, 0.964, 0.7532, 0.0245, 0.2415]
    for got, expected in zip(adjusted, want, strict=True):
        assert abs(got - expected) < 1e-8


# the same file, "pvals and CIs adjusted in place": [0.025, 0.03] -> Holm [0.05, 0.05],
# BH [0.03, 0.03]
def test_growthbook_two_metrics():
    assert adjust([0.025, 0.03], "holm") == pytest.approx([0.05, 0.05], abs=1e-12)
    assert adjust([0.025, 0.03], "bh") == pytest.approx([0.03, 0.03], abs=1e-12)


def test_none_passes_through_and_does_not_count():
    assert adjust([0.025, None, 0.03], "holm") == pytest.approx([0.05, None, 0.05])
    assert adjust([None, None], "bh") == [None, None]
    assert adjust([0.2, None], "none") == [0.2, None]


def test_bad_method_or_p_value():
    with pytest.raises(Invalid, match="method must be one of"):
        adjust([0.1], "bonferroni")
    with pytest.raises(Invalid, match=r"p_values\[1\]"):
        adjust([0.1, 1.5], "holm")
    with pytest.raises(Invalid, match=r"p_values\[0\]"):
        adjust([math.nan], "bh")


p_lists = st.lists(
    st.one_of(st.none(), st.floats(min_value=0, max_value=1)), min_size=1, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(p_values=p_lists, method=st.sampled_from(["holm", "bh", "none"]))
def test_adjusted_p_values_are_at_least_the_raw_ones_and_in_range(p_values, method):
    adjusted = adjust(p_values, method)
    for raw, new in zip(p_values, adjusted, strict=True):
        if raw is None:
            assert new is None
        else:
            assert 0 <= new <= 1
            assert new >= raw - 1e-15


@settings(max_examples=300, deadline=None)
@given(p_values=p_lists, method=st.sampled_from(["holm", "bh"]))
def test_adjustment_keeps_the_order_of_the_raw_p_values(p_values, method):
    """Both methods are monotone: a smaller raw p-value never gets a larger adjusted one."""
    adjusted = adjust(p_values, method)
    pairs = [(r, a) for r, a in zip(p_values, adjusted, strict=True) if r is not None]
    for r1, a1 in pairs:
        for r2, a2 in pairs:
            if r1 < r2:
                assert a1 <= a2 + 1e-15


@settings(max_examples=200, deadline=None)
@given(p_values=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=12))
def test_holm_is_never_below_bh(p_values):
    """Holm controls the family-wise error rate, BH the false discovery rate: Holm's
    adjusted p-values are at least BH's."""
    for holm, bh in zip(adjust(p_values, "holm"), adjust(p_values, "bh"), strict=True):
        assert holm >= bh - 1e-12


# --- power ----------------------------------------------------------------------------------

SD = math.sqrt(3909.9997749994377)


# growthbook/growthbook packages/front-end/test/components/PowerCalculation/stats.test.ts
# (the version with sequential power 0.20596): powerEst(0.05, mean 10, variance
# 3909.9997749994377, n 400000, 3 variations) and findMde(0.8, ...)
def test_growthbook_power_and_mde():
    per_arm = 400000 / 3
    assert abs(P.power("mean", 10.0, SD, 0.05, per_arm) - 0.52144) < TOLERANCE
    assert abs(P.minimum_detectable_effect("mean", 10.0, SD, per_arm) - 0.07027) < TOLERANCE
    seq_power = P.power("mean", 10.0, SD, 0.05, per_arm, sequential=True)
    assert abs(seq_power - 0.20596) < TOLERANCE
    seq_mde = P.minimum_detectable_effect("mean", 10.0, SD, per_arm, sequential=True)
    assert abs(seq_mde - 0.12821) < TOLERANCE


# the same file, "checks power" and "checks sequential power": 4,500 users a week over 3
# variations, weeks 1..9; click_through_rate (binomial 10 %, +30 %) and revenue (mean 0.1,
# sd sqrt(0.5), +5 %), interleaved as GrowthBook lists them.
WEEKLY = {
    False: (
        [0.65596, 0.0541, 0.91614, 0.05821, 0.98342, 0.06235, 0.99713, 0.0665, 0.99955,
         0.07067, 0.99993, 0.07486, 0.99999, 0.07906, 1, 0.08328, 1, 0.08752],
        [0.36767, 1.26769, 0.24505, 0.71941, 0.19525, 0.54299, 0.16673, 0.4506, 0.14774,
         0.39208, 0.13394, 0.35099, 0.12336, 0.32018, 0.11491, 0.29603, 0.10796, 0.27647],
    ),
    True: (
        [0.32738, 0.05168, 0.57751, 0.05341, 0.74687, 0.05506, 0.85299, 0.05666, 0.91653,
         0.05822, 0.95341, 0.05976, 0.97435, 0.06127, 0.98603, 0.06277, 0.99247, 0.06424],
        [0.65545, 4.33868, 0.4112, 1.51846, 0.32394, 1.04943, 0.27607, 0.84084, 0.24484,
         0.71862, 0.22241, 0.63663, 0.20532, 0.577, 0.19172, 0.53123, 0.18058, 0.49473],
    ),
}  # fmt: skip


@pytest.mark.parametrize("sequential", [False, True])
def test_growthbook_weekly_power_and_mde(sequential):
    powers, mdes = [], []
    for week in range(1, 10):
        per_arm = 4500 * week / 3
        powers += [
            P.power("binomial", 0.1, None, 0.3, per_arm, sequential=sequential),
            P.power("mean", 0.1, math.sqrt(0.5), 0.05, per_arm, sequential=sequential),
        ]
        mdes += [
            P.minimum_detectable_effect("binomial", 0.1, None, per_arm, sequential=sequential),
            P.minimum_detectable_effect(
                "mean", 0.1, math.sqrt(0.5), per_arm, sequential=sequential
            ),
        ]
    want_powers, want_mdes = WEEKLY[sequential]
    for got, want in zip(powers, want_powers, strict=True):
        assert abs(got - want) < TOLERANCE
    for got, want in zip(mdes, want_mdes, strict=True):
        assert abs(got - want) < TOLERANCE
    # GrowthBook's runtime: the click-through rate reaches 80 % power in week 2 (4 with
    # sequential testing), revenue not within 9 weeks.
    week = 4 if sequential else 2
    per_arm = P.sample_size("binomial", 0.1, None, 0.3, arms=3, sequential=sequential)
    assert 4500 * (week - 1) / 3 < per_arm <= 4500 * week / 3
    assert P.sample_size("mean", 0.1, math.sqrt(0.5), 0.05, sequential=sequential) > 4500 * 3


def test_sample_size_is_the_smallest_that_reaches_the_power():
    for metric, mean, sd, effect in [
        ("binomial", 0.1, None, 0.1),
        ("binomial", 0.42, None, -0.05),
        ("mean", 12.5, 30.0, 0.04),
    ]:
        for sequential in (False, True):
            n = P.sample_size(metric, mean, sd, effect, power=0.8, sequential=sequential)
            assert P.power(metric, mean, sd, effect, n, sequential=sequential) >= 0.8
            assert P.power(metric, mean, sd, effect, n - 1, sequential=sequential) < 0.8


def test_mde_and_sample_size_are_inverse():
    n = P.sample_size("binomial", 0.1, None, 0.1)
    mde = P.minimum_detectable_effect("binomial", 0.1, None, n)
    assert mde is not None and abs(mde - 0.1) < 0.002
    assert P.minimum_detectable_effect("mean", 10.0, 1000.0, 5) is None  # far too few


def test_duration_days():
    assert P.duration_days(1000, 2, 500) == 4
    assert P.duration_days(1001, 2, 500) == 5
    assert P.duration_days(0, 3, 10) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: P.sample_size("binomial", 1.2, None, 0.1), "between 0 and 1"),
        (lambda: P.sample_size("mean", 10, None, 0.1), "baseline_stddev"),
        (lambda: P.sample_size("mean", 0, 1, 0.1), "must not be 0"),
        (lambda: P.sample_size("binomial", 0.1, None, 0), "other than 0"),
        (lambda: P.sample_size("binomial", 0.6, None, 0.8), "100 %"),
        (lambda: P.sample_size("binomial", 0.1, None, 0.1, alpha=0.7), "alpha"),
        (lambda: P.sample_size("binomial", 0.1, None, 0.1, power=0.01), "power"),
        (lambda: P.sample_size("binomial", 0.1, None, 0.1, arms=1), "arms"),
        (lambda: P.sample_size("histogram", 0.1, None, 0.1), "metric"),
        (lambda: P.duration_days(100, 2, 0), "daily_exposures"),
        (lambda: P.minimum_detectable_effect("binomial", 0.1, None, 0), "per_arm"),
    ],
)
def test_power_bad_input_names_the_field(call, message):
    with pytest.raises(Invalid, match=message):
        call()
