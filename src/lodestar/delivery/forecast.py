"""The delivery forecast engine: Monte Carlo over a team's weekly throughput. Pure numpy, no
Django, so it is tested on known answers and benchmarked on its own.

Each trial replays the future week by week, drawing each week's count of done stories at
random (with replacement) from the team's history, until the cumulative count covers the
work. All trials run at once as a trials x weeks matrix (draw, cumsum, first column that
reaches the work).

Dates: simulated week `k` (1-based) covers the days `start + 7(k-1)` to `start + 7k - 1`.
Within the week that finishes the work the date is interpolated by day: if the week's draw
was 5 stories and 2 were still left, the work ends 2/5 of the way through it (rounded up to
a whole day). So work of exactly one week at a constant pace ends on `start + 6`.

A queue: a team works its releases in order (earliest target first), so a release finishes
when the stories of the releases ahead of it *and* its own are done. `forecast_queue` runs
one simulation for the whole queue and reads each release off the same trials."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

DEFAULT_TRIALS = 10_000
DEFAULT_HISTORY_WEEKS = 12
MIN_HISTORY_WEEKS = 4  # weeks since the team's first done story in the history window
HORIZON_WEEKS = 261  # five years: a trial not done by then counts as late (never finishes)
CONE_QUANTILES = (0.5, 0.85, 0.95)


@dataclass(frozen=True)
class Work:
    """One item of a team's queue: stories left, and the date they are wanted by."""

    remaining: int
    target: date | None = None


@dataclass(frozen=True)
class ConePoint:
    """At the end of a simulated week: stories of this item done in at least 50 %, 85 % and
    95 % of the trials (the p85 line is below the p50 one: it is the more cautious)."""

    day: date
    p50: int
    p85: int
    p95: int


@dataclass(frozen=True)
class Forecast:
    """One item's forecast. `p_on_time` is None, with a `reason`, when there is not enough
    data: no date is guessed then. Dates are None when fewer than that share of trials
    finish within the horizon (`HORIZON_WEEKS`)."""

    remaining: int
    ahead: int  # stories of earlier items in the queue, done first
    trials: int
    history_weeks: int  # the weeks of history drawn from (after the leading empty weeks)
    p_on_time: float | None
    p50: date | None = None
    p85: date | None = None
    p95: date | None = None
    reason: str = ""
    never: float = 0.0  # share of trials not done within the horizon
    cone: list[ConePoint] = field(default_factory=list)
    draws: int = 0  # random draws the simulation made (the benchmark's count)

    @property
    def enough_data(self) -> bool:
        return self.p_on_time is not None


def usable_history(history: Sequence[int]) -> list[int]:
    """The history the simulation draws from: the weeks from the team's first done story on
    (the empty weeks before it are before the team delivered anything, not slow weeks)."""
    values = [max(int(v), 0) for v in history]
    first = next((i for i, v in enumerate(values) if v > 0), len(values))
    return values[first:]


def not_enough_data(history: Sequence[int], *, min_weeks: int = MIN_HISTORY_WEEKS) -> str:
    """Why `history` cannot support a forecast ("" when it can)."""
    usable = usable_history(history)
    if not usable:
        return (
            "Not enough data: the team finished no stories in the weeks of history, so there "
            "is no pace to forecast from."
        )
    if len(usable) < min_weeks:
        return (
            f"Not enough data: the team has {len(usable)} week{'s' if len(usable) != 1 else ''}"
            f" of throughput history; the forecast needs at least {min_weeks}."
        )
    return ""


def forecast(
    history: Sequence[int],
    remaining: int,
    *,
    start: date,
    target: date | None,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    ahead: int = 0,
    min_weeks: int = MIN_HISTORY_WEEKS,
    horizon_weeks: int = HORIZON_WEEKS,
    cone: bool = False,
) -> Forecast:
    """Forecast `remaining` stories (after `ahead` stories of earlier work) from `start`."""
    queue = [Work(ahead)] if ahead else []
    return forecast_queue(
        history,
        [*queue, Work(remaining, target)],
        start=start,
        trials=trials,
        seed=seed,
        min_weeks=min_weeks,
        horizon_weeks=horizon_weeks,
        cone=cone,
    )[-1]


def forecast_queue(
    history: Sequence[int],
    queue: Sequence[Work],
    *,
    start: date,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    min_weeks: int = MIN_HISTORY_WEEKS,
    horizon_weeks: int = HORIZON_WEEKS,
    cone: bool = False,
) -> list[Forecast]:
    """Forecast each item of a team's queue, worked in the given order, from `start`.
    Deterministic for a given seed. An item with nothing remaining is done today (100 %),
    whatever the history; the others need enough history (see `not_enough_data`). `cone`:
    also the burn-up cone (a quantile per simulated week: most of the cost; pages ask)."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if any(w.remaining < 0 for w in queue):
        raise ValueError("remaining work cannot be negative")
    ends = np.cumsum([w.remaining for w in queue], dtype=np.int64)
    aheads = [int(e) - w.remaining for e, w in zip(ends, queue, strict=True)]
    reason = not_enough_data(history, min_weeks=min_weeks)
    usable = np.asarray(usable_history(history), dtype=np.int32)
    total = int(ends[-1]) if len(queue) else 0

    if reason or total == 0:
        sim = None
    else:
        sim = _simulate(usable, total, trials=trials, seed=seed, horizon=horizon_weeks)

    results = []
    for work, ahead in zip(queue, aheads, strict=True):
        if work.remaining == 0:
            results.append(_done_today(work, ahead, trials, start, len(usable)))
        elif sim is None:
            results.append(Forecast(work.remaining, ahead, 0, len(usable), None, reason=reason))
        else:
            results.append(sim.read(work, ahead, start=start, history_weeks=len(usable), cone=cone))
    return results


def _done_today(work: Work, ahead: int, trials: int, start: date, weeks: int) -> Forecast:
    on_time = 1.0 if work.target is None or start <= work.target else 0.0
    return Forecast(
        0, ahead, trials, weeks, on_time, start, start, start, cone=[ConePoint(start, 0, 0, 0)]
    )


@dataclass
class _Simulation:
    cum: np.ndarray  # trials x weeks: stories done by the end of each simulated week
    draws: np.ndarray  # trials x weeks: each week's count
    made: int  # draws made

    def read(
        self, work: Work, ahead: int, *, start: date, history_weeks: int, cone: bool
    ) -> Forecast:
        trials, weeks = self.cum.shape
        goal = ahead + work.remaining
        reached = self.cum >= goal
        finished = reached[:, -1]
        week = np.where(finished, reached.argmax(axis=1), weeks)  # 0-based finishing week
        idx = np.minimum(week, weeks - 1)
        rows = np.arange(trials)
        before = np.where(idx > 0, self.cum[rows, np.maximum(idx - 1, 0)], 0)
        pace = self.draws[rows, idx]
        # Days into the finishing week (1..7): the share of its stories the work still needed.
        share = np.divide(goal - before, pace, out=np.ones(trials), where=pace > 0)
        days = week * 7 + np.clip(np.ceil(share * 7 - 1e-9), 1, 7) - 1  # offset from start
        days = np.where(finished, days, np.inf)
        on_time = None
        if work.target is not None:
            on_time = float(np.mean(days <= (work.target - start).days))
        dates = [_quantile_day(days, q, start) for q in CONE_QUANTILES]
        never = float(np.mean(~finished))
        return Forecast(
            remaining=work.remaining,
            ahead=ahead,
            trials=trials,
            history_weeks=history_weeks,
            p_on_time=on_time if on_time is not None else 1.0 - never,
            p50=dates[0],
            p85=dates[1],
            p95=dates[2],
            never=never,
            cone=self._cone(work, ahead, start, week) if cone else [],
            draws=self.made,
        )

    def _cone(self, work: Work, ahead: int, start: date, week: np.ndarray) -> list[ConePoint]:
        """Stories of this item done by the end of each week, until 95 % of trials are done
        (or the simulated weeks end). Quantile 1 - q of the done counts: done in q of trials."""
        last = int(np.quantile(week, 0.95, method="higher"))
        last = min(last, self.cum.shape[1] - 1)
        own = np.clip(self.cum[:, : last + 1] - ahead, 0, work.remaining)
        points = [ConePoint(start, 0, 0, 0)]
        levels = np.quantile(own, [1 - q for q in CONE_QUANTILES], axis=0, method="lower")
        for k in range(last + 1):
            day = start + timedelta(days=7 * (k + 1) - 1)
            points.append(ConePoint(day, *(int(levels[i, k]) for i in range(3))))
        return points


def _quantile_day(days: np.ndarray, q: float, start: date) -> date | None:
    """The day by which a share `q` of trials is done (None: past the horizon)."""
    value = np.quantile(days, q, method="higher")
    if not math.isfinite(value):
        return None
    return start + timedelta(days=int(value))


def _simulate(
    history: np.ndarray, total: int, *, trials: int, seed: int, horizon: int
) -> _Simulation:
    """Draw weeks until every trial reaches `total` or the horizon ends. Weeks are drawn in
    chunks sized from the mean pace, so a release a few weeks out costs a few weeks of draws
    and not five years of them; trials already done stop drawing."""
    rng = np.random.default_rng(seed)
    mean = float(history.mean())
    chunk = min(horizon, max(8, math.ceil(total / mean * 1.5) + 4))
    draws = rng.choice(history, size=(trials, chunk))
    made = draws.size
    cum = np.cumsum(draws, axis=1, dtype=np.int64)
    while cum.shape[1] < horizon:
        open_rows = np.flatnonzero(cum[:, -1] < total)
        if open_rows.size == 0:
            break
        more = min(chunk, horizon - cum.shape[1])
        extra = np.zeros((trials, more), dtype=draws.dtype)
        extra[open_rows] = rng.choice(history, size=(open_rows.size, more))
        made += open_rows.size * more
        draws = np.concatenate([draws, extra], axis=1)
        cum = np.concatenate([cum, cum[:, -1:] + np.cumsum(extra, axis=1)], axis=1)
    return _Simulation(cum=cum, draws=draws, made=made)
