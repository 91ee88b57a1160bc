"""The whole analysis of one metric over a list of arms: what the results page and
`lodestar experiment analyze` call.

    analyze(arms, options, planned_split=None) -> Analysis
        arms[0] is the control. Validates the request (a bad request raises
        lodestar.core.errors.Invalid naming the field), computes the sample-ratio p-value
        against the planned split (equal when none is given), and compares every other arm
        with the control with the chosen engine. A comparison that has no honest number gets
        `problem` (the engine's Unanalysable message) instead of NaN.

    analyze_json(data) -> dict
        The CLI schema of issue 8: input {"metric", "engine", "sequential", "alpha", "arms":
        [{"name", "n", "sum", "sum_squares"}], "planned_split", "difference"} (plus
        "prior_mean" / "prior_stddev" for an informative Bayesian prior); output
        {"srm_p_value", "arms": [{"name", "lift", "ci", "p_value"} | {"name", "lift", "ci",
        "chance_to_win", "risk"}]}, with "problem" on an arm only when it has one."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from lodestar.core.errors import Invalid
from lodestar.experiments.stats.arms import Analysis, Arm, Comparison, Options, Unanalysable
from lodestar.experiments.stats.srm import srm_p_value

METRICS = ("binomial", "mean")
ENGINES = ("frequentist", "bayesian")
DIFFERENCES = ("relative", "absolute")
INPUT_KEYS = {
    "metric",
    "engine",
    "sequential",
    "alpha",
    "arms",
    "planned_split",
    "difference",
    "prior_mean",
    "prior_stddev",
}
ARM_KEYS = {"name", "n", "sum", "sum_squares"}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def validate_options(options: Options) -> None:
    if options.metric not in METRICS:
        raise Invalid("metric must be 'binomial' or 'mean'.")
    if options.engine not in ENGINES:
        raise Invalid("engine must be 'frequentist' or 'bayesian'.")
    if options.difference not in DIFFERENCES:
        raise Invalid("difference must be 'relative' or 'absolute'.")
    if not (_is_number(options.alpha) and 0 < options.alpha < 0.5):
        raise Invalid("alpha must be a number between 0 and 0.5 (e.g. 0.05).")
    if options.prior_mean is not None and not _is_number(options.prior_mean):
        raise Invalid("prior_mean must be a number.")
    if options.prior_stddev is not None and not (
        _is_number(options.prior_stddev) and options.prior_stddev > 0
    ):
        raise Invalid("prior_stddev must be a number greater than 0.")
    if not (_is_number(options.sequential_tuning) and options.sequential_tuning > 0):
        raise Invalid("sequential_tuning must be greater than 0.")


def validate_arms(arms: list[Arm], metric: str) -> list[Arm]:
    """Check every arm; return them with `n` as an int."""
    if not isinstance(arms, list | tuple) or len(arms) < 2:
        raise Invalid("arms must hold at least 2 arms: the control first, then the variants.")
    seen: set[str] = set()
    checked = []
    for i, arm in enumerate(arms):
        where = f"arms[{i}]"
        if not isinstance(arm.name, str) or not arm.name.strip():
            raise Invalid(f"{where}.name must be a non-empty text.")
        if arm.name in seen:
            raise Invalid(f"{where}.name {arm.name!r} is used by another arm: names must differ.")
        seen.add(arm.name)
        raw_n: object = arm.n
        if isinstance(raw_n, float) and raw_n.is_integer():
            raw_n = int(raw_n)
        if isinstance(raw_n, bool) or not isinstance(raw_n, int) or raw_n < 0:
            raise Invalid(f"{where}.n must be a whole number >= 0.")
        n = raw_n
        for field in ("sum", "sum_squares"):
            if not _is_number(getattr(arm, field)):
                raise Invalid(f"{where}.{field} must be a finite number.")
        total, squares = float(arm.sum), float(arm.sum_squares)
        if n == 0:
            if total != 0 or squares != 0:
                raise Invalid(f"{where} has n = 0, so sum and sum_squares must be 0.")
        elif metric == "binomial":
            if not 0 <= total <= n:
                raise Invalid(f"{where}.sum (conversions) must be between 0 and n ({n}).")
        else:
            floor = total * total / n
            if squares < floor - 1e-9 * max(1.0, abs(squares), floor):
                raise Invalid(
                    f"{where}.sum_squares must be at least sum²/n ({floor:g}): "
                    "a sum of squares cannot be smaller."
                )
        checked.append(replace(arm, n=n))
    return checked


def _engine(name: str):
    if name == "bayesian":
        from lodestar.experiments.stats import bayesian

        return bayesian.compare
    from lodestar.experiments.stats import frequentist  # the other engine, imported when used

    return frequentist.compare


def _finite(comparison: Comparison) -> bool:
    values = [
        comparison.lift,
        comparison.p_value,
        comparison.chance_to_win,
        comparison.risk,
        comparison.risk_control,
        *(comparison.ci or ()),
    ]
    return all(v is None or math.isfinite(v) for v in values)


def compare_safely(control: Arm, variant: Arm, options: Options) -> Comparison:
    """One comparison; an Unanalysable reason (or a non-finite number) becomes `problem`."""
    try:
        comparison = _engine(options.engine)(control, variant, options)
    except Unanalysable as exc:
        return Comparison(name=variant.name, n=variant.n, problem=str(exc))
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        return Comparison(
            name=variant.name, n=variant.n, problem=f"These numbers cannot be compared ({exc})."
        )
    if not _finite(comparison):
        return Comparison(
            name=variant.name,
            n=variant.n,
            problem=f"The comparison of '{variant.name}' with '{control.name}' has no finite "
            "result with these numbers.",
        )
    return comparison


def analyze(
    arms: list[Arm], options: Options, planned_split: list[float] | None = None
) -> Analysis:
    validate_options(options)
    arms = validate_arms(arms, options.metric)
    if planned_split is None:
        planned_split = [1 / len(arms)] * len(arms)
    elif isinstance(planned_split, tuple):
        planned_split = list(planned_split)
    srm = srm_p_value([arm.n for arm in arms], planned_split)
    control = arms[0]
    comparisons = [compare_safely(control, variant, options) for variant in arms[1:]]
    return Analysis(arms=arms, options=options, srm_p_value=srm, comparisons=comparisons)


# --- the JSON schema of `lodestar experiment analyze` ---------------------------------------


def parse(data: Any) -> tuple[list[Arm], Options, list[float] | None]:
    """The request as arms, options and split; Invalid naming the field when it is bad."""
    if not isinstance(data, dict):
        raise Invalid("The input must be a JSON object with 'metric' and 'arms'.")
    unknown = sorted(set(data) - INPUT_KEYS)
    if unknown:
        raise Invalid(f"Unknown key {unknown[0]!r}; the keys are {', '.join(sorted(INPUT_KEYS))}.")
    if "metric" not in data:
        raise Invalid("metric is required: 'binomial' or 'mean'.")
    if "arms" not in data:
        raise Invalid("arms is required: a list of {name, n, sum, sum_squares}.")
    metric = data["metric"]
    if metric not in METRICS:
        raise Invalid("metric must be 'binomial' or 'mean'.")
    engine = data.get("engine", "frequentist")
    if engine not in ENGINES:
        raise Invalid("engine must be 'frequentist' or 'bayesian'.")
    difference = data.get("difference", "relative")
    if difference not in DIFFERENCES:
        raise Invalid("difference must be 'relative' or 'absolute'.")
    sequential = data.get("sequential", False)
    if not isinstance(sequential, bool):
        raise Invalid("sequential must be true or false.")
    alpha = data.get("alpha", 0.05)
    if not _is_number(alpha):
        raise Invalid("alpha must be a number between 0 and 0.5 (e.g. 0.05).")
    prior_mean = data.get("prior_mean")
    prior_stddev = data.get("prior_stddev")
    if prior_mean is not None and prior_stddev is None:
        raise Invalid("prior_mean needs prior_stddev: give both for an informative prior.")
    if prior_stddev is not None and engine != "bayesian":
        raise Invalid("prior_mean and prior_stddev apply to the bayesian engine only.")
    raw_arms = data["arms"]
    if not isinstance(raw_arms, list):
        raise Invalid("arms must be a list of {name, n, sum, sum_squares}.")
    arms = []
    for i, raw in enumerate(raw_arms):
        if not isinstance(raw, dict):
            raise Invalid(f"arms[{i}] must be an object with name, n, sum, sum_squares.")
        unknown = sorted(set(raw) - ARM_KEYS)
        if unknown:
            raise Invalid(f"arms[{i}] has the unknown key {unknown[0]!r}.")
        for key in ("name", "n", "sum"):
            if key not in raw:
                raise Invalid(f"arms[{i}].{key} is required.")
        if "sum_squares" in raw:
            squares = raw["sum_squares"]
        elif metric == "binomial":
            squares = raw["sum"]  # values are 0 or 1: the squares sum to the conversions
        else:
            raise Invalid(f"arms[{i}].sum_squares is required for a mean metric.")
        arms.append(Arm(name=raw["name"], n=raw["n"], sum=raw["sum"], sum_squares=squares))
    planned_split = data.get("planned_split")
    options = Options(
        metric=metric,
        engine=engine,
        sequential=sequential,
        alpha=float(alpha),
        difference=difference,
        prior_mean=prior_mean,
        prior_stddev=prior_stddev,
    )
    return arms, options, planned_split


def comparison_json(comparison: Comparison, engine: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": comparison.name,
        "lift": comparison.lift,
        "ci": list(comparison.ci) if comparison.ci is not None else None,
    }
    if engine == "bayesian":
        out["chance_to_win"] = comparison.chance_to_win
        out["risk"] = comparison.risk
    else:
        out["p_value"] = comparison.p_value
    if comparison.problem:
        out["problem"] = comparison.problem
    return out


def analyze_json(data: Any) -> dict[str, Any]:
    arms, options, planned_split = parse(data)
    analysis = analyze(arms, options, planned_split)
    return {
        "srm_p_value": analysis.srm_p_value,
        "arms": [comparison_json(c, options.engine) for c in analysis.comparisons],
    }
