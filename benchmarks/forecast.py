"""Forecasting 50 releases x 10,000 trials through the Monte Carlo engine, beside generating
the same number of random draws with numpy.

    .venv/bin/python benchmarks/forecast.py [--repeats 7] [--releases 50] [--trials 10000]

The engine (lodestar.delivery.forecast, pure numpy, no database) forecasts 50 releases with
seeded random inputs: 12 weeks of throughput history (Poisson, mean 2 to 8 stories a week),
10 to 150 stories left, a target 2 to 20 weeks out. Beside it, in the same run, the floor:
`rng.choice(history, size=N)` for the same total number of draws N the engine made (each
trial draws one week at a time until its work is done). Each figure is the median of
`--repeats` runs; ratio = engine / floor: what the simulation costs beyond its random numbers
(the cumulative sums, finding the finishing week, the day interpolation, the percentiles and
the burn-up cone).

`make bench` calls `measure()`. Numbers go to the terminal and to
benchmarks/results/forecast.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "forecast.json"
START = date(2026, 11, 26)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _releases(count: int, seed: int = 7) -> list[tuple[list[int], int, date]]:
    rng = np.random.default_rng(seed)
    made = []
    for _ in range(count):
        history = [int(v) for v in rng.poisson(rng.uniform(2, 8), 12)]
        history[0] = max(history[0], 1)  # a team with a first delivery in the window
        remaining = int(rng.integers(10, 151))
        target = START + timedelta(weeks=int(rng.integers(2, 21)))
        made.append((history, remaining, target))
    return made


def measure(console: Console, repeats: int = 7, releases: int = 50, trials: int = 10_000) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from lodestar.delivery.forecast import forecast

    inputs = _releases(releases)

    def engine() -> list:
        return [
            forecast(history, remaining, start=START, target=target, trials=trials, seed=i)
            for i, (history, remaining, target) in enumerate(inputs)
        ]

    results = engine()
    draws = sum(f.draws for f in results)
    histories = [np.asarray(h) for h, _r, _t in inputs]
    shares = [f.draws for f in results]

    def floor() -> None:
        rng = np.random.default_rng(0)
        for history, n in zip(histories, shares, strict=True):
            rng.choice(history, size=n)

    engine_ms = _median_ms(engine, repeats)
    floor_ms = _median_ms(floor, repeats)
    rows = [
        (f"numpy rng.choice: {draws:,} draws (floor)", floor_ms),
        (f"engine: {releases} releases x {trials:,} trials", engine_ms),
    ]
    table = Table(
        title=f"Forecasting {releases} releases x {trials:,} trials: median of {repeats} runs",
        caption="ratio = time / the same number of random draws in numpy. "
        f"Numbers: {RESULTS.relative_to(ROOT)}",
    )
    table.add_column("step")
    table.add_column("median ms", justify="right")
    table.add_column("ratio", justify="right")
    for name, ms in rows:
        table.add_row(name, f"{ms:.1f}", f"{ms / floor_ms:.1f}x")
    console.print(table)
    on_time = [f.p_on_time for f in results if f.p_on_time is not None]
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "releases": releases,
        "trials": trials,
        "draws": draws,
        "repeats": repeats,
        "numpy": np.__version__,
        "mean_p_on_time": round(sum(on_time) / len(on_time), 3) if on_time else None,
        "steps": [
            {"name": name, "median_ms": round(ms, 2), "ratio": round(ms / floor_ms, 2)}
            for name, ms in rows
        ],
        "per_release_ms": round(engine_ms / releases, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--releases", type=int, default=50)
    parser.add_argument("--trials", type=int, default=10_000)
    args = parser.parse_args()
    measure(Console(), args.repeats, args.releases, args.trials)
    return 0


if __name__ == "__main__":
    sys.exit(main())
