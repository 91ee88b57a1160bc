"""analyze() / analyze_json() and `lodestar experiment analyze`, run as a user runs it."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.errors import Invalid
from lodestar.experiments.stats.analyze import analyze, analyze_json
from lodestar.experiments.stats.arms import Arm, Options

ISSUE_EXAMPLE = {
    "metric": "mean",
    "engine": "frequentist",
    "sequential": False,
    "alpha": 0.05,
    "arms": [
        {"name": "control", "n": 3407, "sum": 1396.87, "sum_squares": 52377.98},
        {"name": "b", "n": 3456, "sum": 1764.8, "sum_squares": 65441.6},
    ],
    "planned_split": [0.5, 0.5],
    "difference": "relative",
}


def with_(**changes):
    return {**ISSUE_EXAMPLE, **changes}


# --- analyze -----------------------------------------------------------------------------


def test_analyze_compares_every_variant_with_the_control():
    arms = [Arm("a", 1000, 100, 100), Arm("b", 1000, 120, 120), Arm("c", 990, 90, 90)]
    analysis = analyze(arms, Options(metric="binomial", engine="bayesian"))
    assert [c.name for c in analysis.comparisons] == ["b", "c"]
    assert analysis.comparisons[0].chance_to_win > 0.5 > analysis.comparisons[1].chance_to_win
    assert analysis.srm_p_value is not None and not analysis.srm  # equal split by default


def test_analyze_flags_a_sample_ratio_mismatch():
    arms = [Arm("a", 1000, 100, 100), Arm("b", 1200, 120, 120)]
    analysis = analyze(arms, Options(metric="binomial", engine="bayesian"), [0.5, 0.5])
    assert analysis.srm  # GrowthBook's check_srm case: p = 0.000020079
    assert not analyze(arms, Options(metric="binomial"), [1 / 2.2, 1.2 / 2.2]).srm


def test_an_unanalysable_comparison_has_a_problem_not_a_nan():
    arms = [Arm("a", 1000, 100, 100), Arm("b", 0, 0, 0), Arm("c", 1000, 130, 130)]
    for engine in ("bayesian", "frequentist"):
        analysis = analyze(arms, Options(metric="binomial", engine=engine))
        empty, fine = analysis.comparisons
        assert empty.problem == "The arm 'b' has no exposures yet."
        assert empty.lift is None and empty.ci is None
        assert fine.problem is None and fine.lift == pytest.approx(0.3)


def test_zero_variance_and_zero_control_mean_are_explained():
    same = [Arm("a", 50, 50, 50), Arm("b", 50, 50, 50)]
    comparison = analyze(same, Options(metric="binomial")).comparisons[0]
    assert "no variance" in comparison.problem
    zero = [Arm("a", 50, 0, 0), Arm("b", 50, 5, 5)]
    comparison = analyze(zero, Options(metric="binomial", engine="bayesian")).comparisons[0]
    assert "relative lift is undefined" in comparison.problem


def test_minimum_sample_is_explained():
    arms = [Arm("a", 50, 5, 5), Arm("b", 50, 6, 6)]
    options = Options(metric="binomial", engine="bayesian", minimum_sample=100)
    assert "results start at 100" in analyze(arms, options).comparisons[0].problem


@pytest.mark.parametrize(
    ("arms", "options", "split", "message"),
    [
        ([Arm("a", 10, 1, 1)], Options(), None, "at least 2 arms"),
        ([Arm("a", 10, 1, 1), Arm("a", 10, 1, 1)], Options(), None, r"arms\[1\]\.name 'a'"),
        ([Arm("", 10, 1, 1), Arm("b", 10, 1, 1)], Options(), None, r"arms\[0\]\.name"),
        (
            [Arm("a", 10, 1, 1), Arm("b", 2.5, 1, 1)],  # type: ignore[arg-type]
            Options(),
            None,
            r"arms\[1\]\.n must be a whole number >= 0",
        ),
        ([Arm("a", 10, 1, 1), Arm("b", -3, 0, 0)], Options(), None, r"arms\[1\]\.n"),
        ([Arm("a", 10, math.nan, 1), Arm("b", 10, 1, 1)], Options(), None, r"arms\[0\]\.sum "),
        ([Arm("a", 10, 1, math.inf), Arm("b", 10, 1, 1)], Options(), None, "sum_squares"),
        (
            [Arm("a", 10, 11, 11), Arm("b", 10, 1, 1)],
            Options(metric="binomial"),
            None,
            r"arms\[0\]\.sum \(conversions\) must be between 0 and n",
        ),
        (
            [Arm("a", 10, 100, 10), Arm("b", 10, 1, 1)],
            Options(metric="mean"),
            None,
            r"arms\[0\]\.sum_squares must be at least sum²/n",
        ),
        ([Arm("a", 0, 1, 1), Arm("b", 10, 1, 1)], Options(), None, "n = 0"),
        ([Arm("a", 10, 1, 1), Arm("b", 10, 1, 1)], Options(alpha=0.5), None, "alpha"),
        ([Arm("a", 10, 1, 1), Arm("b", 10, 1, 1)], Options(alpha=0), None, "alpha"),
        (
            [Arm("a", 10, 1, 1), Arm("b", 10, 1, 1)],
            Options(engine="bayesian", prior_stddev=0),
            None,
            "prior_stddev",
        ),
        ([Arm("a", 10, 1, 1), Arm("b", 10, 1, 1)], Options(), [0.6, 0.6], "sum to 1"),
        ([Arm("a", 10, 1, 1), Arm("b", 10, 1, 1)], Options(), [1.0], "one weight per arm"),
    ],
)
def test_bad_requests_name_the_field(arms, options, split, message):
    with pytest.raises(Invalid, match=message):
        analyze(arms, options, split)


def test_sum_squares_rounding_is_tolerated():
    # 3 people with value 0.1: sum 0.3, sum of squares 0.03 (which floats make 0.0299999...)
    arms = [Arm("a", 3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01), Arm("b", 3, 0.6, 0.14)]
    analyze(arms, Options(metric="mean"))


# --- analyze_json: the CLI schema -----------------------------------------------------------


def test_frequentist_output_schema():
    out = analyze_json(ISSUE_EXAMPLE)
    assert set(out) == {"srm_p_value", "arms"}
    assert 0 <= out["srm_p_value"] <= 1
    (b,) = out["arms"]
    assert set(b) == {"name", "lift", "ci", "p_value"}
    assert b["name"] == "b"
    control_mean, variant_mean = 1396.87 / 3407, 1764.8 / 3456
    assert b["lift"] == pytest.approx(variant_mean / control_mean - 1)
    assert b["ci"][0] < b["lift"] < b["ci"][1]
    assert 0 <= b["p_value"] <= 1


def test_bayesian_output_schema():
    out = analyze_json(with_(engine="bayesian"))
    (b,) = out["arms"]
    assert set(b) == {"name", "lift", "ci", "chance_to_win", "risk"}
    assert 0 <= b["chance_to_win"] <= 1 and b["risk"] >= 0


def test_absolute_difference_and_informative_prior():
    absolute = analyze_json(with_(engine="bayesian", difference="absolute"))["arms"][0]
    assert absolute["lift"] == pytest.approx(1764.8 / 3456 - 1396.87 / 3407)
    prior = analyze_json(with_(engine="bayesian", prior_mean=0.0, prior_stddev=0.01))["arms"][0]
    flat = analyze_json(with_(engine="bayesian"))["arms"][0]
    assert abs(prior["lift"]) < abs(flat["lift"])  # shrunk towards the prior mean 0


def test_growthbook_binomial_case_through_the_json():
    # growthbook/growthbook packages/stats/tests/bayesian/test_tests.py,
    # TestBinom.test_bayesian_binomial_ab_test, through the CLI schema
    data = {
        "metric": "binomial",
        "engine": "bayesian",
        "arms": [{"name": "a", "n": 100, "sum": 49}, {"name": "b", "n": 100, "sum": 51}],
    }
    (b,) = analyze_json(data)["arms"]
    assert abs(b["lift"] - 0.04082) < 1e-5
    assert abs(b["ci"][0] - -0.24779) < 1e-5 and abs(b["ci"][1] - 0.32943) < 1e-5
    assert abs(b["chance_to_win"] - 0.60918) < 1e-5 and abs(b["risk"] - 0.04058) < 1e-5


def test_problem_appears_only_when_there_is_one():
    data = with_(
        arms=[*ISSUE_EXAMPLE["arms"], {"name": "c", "n": 0, "sum": 0, "sum_squares": 0}],
        planned_split=None,
    )
    data.pop("planned_split")
    b, c = analyze_json(data)["arms"]
    assert "problem" not in b
    assert c == {
        "name": "c",
        "lift": None,
        "ci": None,
        "p_value": None,
        "problem": "The arm 'c' has no exposures yet.",
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "JSON object"),
        (with_(colour="red"), "Unknown key 'colour'"),
        ({"arms": ISSUE_EXAMPLE["arms"]}, "metric is required"),
        ({"metric": "mean"}, "arms is required"),
        (with_(metric="ratio"), "metric must be"),
        (with_(engine="magic"), "engine must be"),
        (with_(difference="ratio"), "difference must be"),
        (with_(sequential="yes"), "sequential must be true or false"),
        (with_(alpha="0.05"), "alpha must be a number"),
        (with_(alpha=0.7), "alpha must be a number between 0 and 0.5"),
        (with_(arms={"control": 1}), "arms must be a list"),
        (with_(arms=[1, 2]), r"arms\[0\] must be an object"),
        (with_(arms=[{"name": "a", "n": 1, "sum": 1, "x": 1}] * 2), r"arms\[0\] has the unknown"),
        (with_(arms=[{"name": "a", "n": 1}] * 2), r"arms\[0\]\.sum is required"),
        (with_(arms=[{"name": "a", "n": 1, "sum": 1}] * 2), r"arms\[0\]\.sum_squares is required"),
        (with_(planned_split=[0.5, 0.6]), "must sum to 1"),
        (with_(planned_split="50/50"), "must be a list"),
        (with_(engine="bayesian", prior_mean=0.1), "prior_mean needs prior_stddev"),
        (with_(prior_mean=0.1, prior_stddev=0.1), "bayesian engine only"),
    ],
)
def test_bad_json_requests_name_the_problem(data, message):
    with pytest.raises(Invalid, match=message):
        analyze_json(data)


@st.composite
def requests(draw):
    metric = draw(st.sampled_from(["binomial", "mean"]))
    arms = []
    for i in range(draw(st.integers(min_value=2, max_value=4))):
        n = draw(st.integers(min_value=0, max_value=5000))
        if metric == "binomial":
            total = float(draw(st.integers(min_value=0, max_value=n)))
            squares = total
        else:
            mean = draw(st.floats(min_value=-100, max_value=100))
            sd = draw(st.floats(min_value=0, max_value=50))
            total = mean * n
            squares = (sd**2 * max(n - 1, 0) + mean**2 * n) * (1 + 1e-12)
        arms.append({"name": f"arm{i}", "n": n, "sum": total, "sum_squares": squares})
    return {
        "metric": metric,
        "engine": draw(st.sampled_from(["frequentist", "bayesian"])),
        "sequential": draw(st.booleans()),
        "difference": draw(st.sampled_from(["relative", "absolute"])),
        "alpha": draw(st.sampled_from([0.01, 0.05, 0.1])),
        "arms": arms,
    }


@settings(max_examples=200, deadline=None)
@given(data=requests())
def test_output_is_never_nan(data):
    out = analyze_json(data)
    json.dumps(out, allow_nan=False)  # raises on NaN or infinity
    assert 0 <= out["srm_p_value"] <= 1
    for arm in out["arms"]:
        if "problem" in arm:
            assert arm["lift"] is None
        else:
            assert arm["ci"][0] <= arm["lift"] <= arm["ci"][1]
            for key in ("p_value", "chance_to_win"):
                if key in arm:
                    assert 0 <= arm[key] <= 1


# --- the command ----------------------------------------------------------------------------


def run(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lodestar.cli", "experiment", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_prints_json():
    result = run("analyze", "--format", "json", stdin=json.dumps(ISSUE_EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == analyze_json(ISSUE_EXAMPLE)


def test_the_command_prints_a_table():
    result = run("analyze", "--format", "table", stdin=json.dumps(with_(engine="bayesian")))
    assert result.returncode == 0, result.stderr
    assert "chance to win" in result.stdout and "no mismatch" in result.stdout
    assert "+24.55%" in result.stdout  # the lift of b


def test_bad_json_exits_2_with_a_message():
    result = run("analyze", "--format", "json", stdin="{not json")
    assert result.returncode == 2
    assert "not JSON" in result.stderr and result.stdout == ""


def test_bad_input_exits_2_naming_the_field():
    bad = with_(arms=[ISSUE_EXAMPLE["arms"][0], {**ISSUE_EXAMPLE["arms"][1], "n": -1}])
    result = run("analyze", "--format", "json", stdin=json.dumps(bad))
    assert result.returncode == 2
    assert "arms[1].n must be a whole number >= 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_with_captured_stdio(monkeypatch, capsys):
    from lodestar import cli

    srm_data = with_(
        arms=[
            {"name": "control", "n": 1000, "sum": 100, "sum_squares": 100},
            {"name": "b", "n": 1200, "sum": 150, "sum_squares": 150},
        ],
        metric="binomial",
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(srm_data)))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["experiment", "analyze"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "Sample-ratio mismatch" in out


def test_the_command_is_listed():
    from lodestar.cli import COMMANDS

    assert "experiment" in COMMANDS
    result = subprocess.run(
        [sys.executable, "-m", "lodestar.cli", "experiment", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "analyze" in result.stdout
