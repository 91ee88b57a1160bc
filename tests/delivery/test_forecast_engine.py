"""The Monte Carlo engine on cases with known answers (no database)."""

from datetime import date, timedelta

import numpy as np
import pytest

from lodestar.delivery.forecast import (
    MIN_HISTORY_WEEKS,
    Work,
    forecast,
    forecast_queue,
    usable_history,
)

TODAY = date(2026, 11, 26)


def test_constant_throughput_gives_a_deterministic_date():
    # 5 a week, 50 left: exactly 10 weeks; week 10 ends on day 69 (day 0 is today).
    f = forecast([5] * 12, 50, start=TODAY, target=TODAY + timedelta(days=69))
    assert f.p50 == f.p85 == f.p95 == TODAY + timedelta(days=69)
    assert f.p_on_time == 1.0
    late = forecast([5] * 12, 50, start=TODAY, target=TODAY + timedelta(days=68))
    assert late.p_on_time == 0.0


def test_the_finishing_week_is_interpolated_by_day():
    # 52 left at 5 a week: 10 full weeks, then 2 of the 11th week's 5 stories: 2/5 of 7 days
    # is 2.8, rounded up to the 3rd day of week 11 (day 70 + 2).
    f = forecast([5] * 12, 52, start=TODAY, target=TODAY)
    assert f.p50 == f.p95 == TODAY + timedelta(days=72)


def test_zero_remaining_is_done_today_whatever_the_history():
    for history in ([], [0] * 12, [5] * 12):
        f = forecast(history, 0, start=TODAY, target=TODAY)
        assert (f.p_on_time, f.p50, f.p85, f.p95) == (1.0, TODAY, TODAY, TODAY)


@pytest.mark.parametrize("history", [[], [0] * 12])
def test_no_history_is_not_enough_data(history):
    f = forecast(history, 10, start=TODAY, target=TODAY + timedelta(days=100))
    assert f.p_on_time is None and f.p50 is None and f.p95 is None
    assert f.reason.startswith("Not enough data")
    assert not f.enough_data


def test_a_short_history_is_not_enough_data():
    # The empty weeks before the team's first done story do not count.
    history = [0] * 9 + [4, 5, 6]
    assert usable_history(history) == [4, 5, 6]
    f = forecast(history, 10, start=TODAY, target=TODAY + timedelta(days=100))
    assert f.p_on_time is None
    assert f"needs at least {MIN_HISTORY_WEEKS}" in f.reason
    enough = forecast([0] * 8 + [4, 0, 5, 6], 10, start=TODAY, target=TODAY)
    assert enough.p_on_time is not None and enough.history_weeks == 4


def test_a_trial_that_never_finishes_counts_as_late():
    # One story a fortnight at best: 10,000 stories are not done within five years.
    f = forecast([1, 0, 1, 0], 10_000, start=TODAY, target=date(2099, 1, 1), trials=2000)
    assert f.p_on_time == 0.0 and f.never == 1.0
    assert f.p50 is None and f.p95 is None


def test_seeded_distribution_mean_five_a_week():
    rng = np.random.default_rng(42)
    history = list(rng.poisson(5, 52))
    history = [int(v) for v in history]
    mean = sum(history) / len(history)
    f = forecast(history, 50, start=TODAY, target=TODAY + timedelta(weeks=10), seed=7)
    weeks = (f.p50 - TODAY).days / 7
    assert abs(weeks - 50 / mean) < 1.0
    assert f.p50 <= f.p85 <= f.p95
    assert 0.2 < f.p_on_time < 0.8
    assert f.trials == 10_000
    # The same seed, the same numbers.
    again = forecast(history, 50, start=TODAY, target=TODAY + timedelta(weeks=10), seed=7)
    assert (again.p_on_time, again.p50, again.p95) == (f.p_on_time, f.p50, f.p95)


def test_a_queue_puts_earlier_work_ahead():
    first, second = forecast_queue(
        [5] * 12,
        [Work(20, TODAY + timedelta(weeks=4)), Work(10, TODAY + timedelta(weeks=4))],
        start=TODAY,
    )
    assert first.p50 == TODAY + timedelta(days=27) and first.p_on_time == 1.0
    assert second.ahead == 20
    assert second.p50 == TODAY + timedelta(days=41) and second.p_on_time == 0.0
    alone = forecast([5] * 12, 10, start=TODAY, target=TODAY + timedelta(weeks=4))
    assert alone.p_on_time == 1.0
    assert forecast([5] * 12, 10, start=TODAY, target=None, ahead=20).p50 == second.p50


def test_the_cone_widens_and_ends_at_the_work():
    f = forecast([2, 8, 5, 3, 7, 5], 40, start=TODAY, target=TODAY + timedelta(weeks=8), cone=True)
    assert f.cone[0].day == TODAY and f.cone[0].p50 == 0
    for point in f.cone:
        assert point.p95 <= point.p85 <= point.p50 <= 40
    assert f.cone[-1].p95 == 40  # 95 % of trials done by the last point
    assert forecast([2, 8, 5, 3, 7, 5], 40, start=TODAY, target=TODAY).cone == []


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        forecast([5] * 6, -1, start=TODAY, target=TODAY)
    with pytest.raises(ValueError):
        forecast([5] * 6, 1, start=TODAY, target=TODAY, trials=0)
