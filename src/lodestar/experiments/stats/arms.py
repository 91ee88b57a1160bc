"""The values the statistics work on. Everything is a summary: an arm is its exposure
count and the sum and sum of squares of the per-person metric values (for a conversion
metric the values are 0 or 1, so `sum` is the number of conversions)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal

MetricType = Literal["binomial", "mean"]
EngineName = Literal["frequentist", "bayesian"]
Difference = Literal["relative", "absolute"]

SRM_THRESHOLD = 0.001  # a sample-ratio mismatch is flagged below this p-value


class Unanalysable(ValueError):
    """A comparison that has no honest number: the message says why, in plain words
    ("The variant 'b' has no exposures yet."). Raised by effects and engines, caught by
    analyze, which puts the message on the comparison instead of a NaN."""


@dataclass(frozen=True)
class Arm:
    name: str
    n: int  # exposed persons
    sum: float  # sum of the metric's per-person values (conversions, for binomial)
    sum_squares: float  # sum of their squares (= sum, for binomial)
    # CUPED: the same metric per person in the days before exposure (all three or none).
    pre_sum: float | None = None
    pre_sum_squares: float | None = None
    sum_products: float | None = None  # sum of value x pre-exposure value

    @property
    def has_pre(self) -> bool:
        return (
            self.pre_sum is not None
            and self.pre_sum_squares is not None
            and self.sum_products is not None
        )

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else math.nan

    def variance(self, metric: MetricType) -> float:
        """The per-person variance: p(1 - p) for a proportion, the sample variance (n - 1)
        for a mean. NaN below the sample it needs."""
        if metric == "binomial":
            if self.n <= 0:
                return math.nan
            p = self.sum / self.n
            return p * (1 - p)
        if self.n <= 1:
            return math.nan
        return max((self.sum_squares - self.sum**2 / self.n) / (self.n - 1), 0.0)


@dataclass(frozen=True)
class Options:
    metric: MetricType = "mean"
    engine: EngineName = "frequentist"
    sequential: bool = False
    alpha: float = 0.05
    difference: Difference = "relative"
    # Bayesian: an informative normal prior on the effect (in the unit of `difference`);
    # None for a flat prior.
    prior_mean: float | None = None
    prior_stddev: float | None = None
    # Sequential testing: the sample size the always-valid interval is tuned for.
    sequential_tuning: float = 5000.0
    # Fewer exposures than this in an arm: no result yet, just how many are still needed.
    minimum_sample: int = 0


@dataclass
class Comparison:
    """One variant against the control. `lift` and `ci` are in the unit of the options'
    `difference`: a fraction ((variant - control) / control) or the metric's own unit."""

    name: str
    n: int = 0
    control_mean: float | None = None
    variant_mean: float | None = None
    lift: float | None = None
    ci: tuple[float, float] | None = None
    p_value: float | None = None  # frequentist
    chance_to_win: float | None = None  # Bayesian: P(variant better than control)
    risk: float | None = None  # Bayesian: expected loss of shipping this variant
    risk_control: float | None = None  # Bayesian: expected loss of keeping the control
    adjusted_p_value: float | None = None  # after Holm / BH across metrics
    problem: str | None = None  # why there is no number (then lift, ci, ... are None)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Analysis:
    arms: list[Arm]
    options: Options
    srm_p_value: float | None
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def srm(self) -> bool:
        return self.srm_p_value is not None and self.srm_p_value < SRM_THRESHOLD
