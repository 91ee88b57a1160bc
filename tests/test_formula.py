"""The scoring formula engine: worked examples written by hand, bad input, and a
hypothesis test that random formulas and values only ever raise FormulaError."""

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.planning.formula import FormulaError, evaluate, parse

RICE = "(reach * impact * confidence) / effort"
ICE = "impact * confidence * ease"
WSJF = "(business_value + time_criticality + risk_reduction) / job_size"
VALUE_EFFORT = "value / effort"


def test_rice_worked_example():
    # 2,000 customers a quarter, impact 2 (high), 80% confidence, 4 person-weeks:
    # 2000 * 2 * 0.8 / 4 = 800.
    result = evaluate(RICE, {"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4})
    assert result.value == pytest.approx(800)
    assert result.drivers == {"reach": 2000, "impact": 2, "confidence": 0.8, "effort": 4}
    assert [(t.text, t.value, t.op) for t in result.terms] == [
        ("reach", 2000, "*"),
        ("impact", 2, "*"),
        ("confidence", 0.8, "*"),
        ("effort", 4, "/"),
    ]


def test_ice_worked_example():
    # impact 8, confidence 6, ease 5 -> 240
    assert evaluate(ICE, {"impact": 8, "confidence": 6, "ease": 5}).value == 240


def test_wsjf_worked_example_explains_the_sum():
    # cost of delay 8 + 13 + 5 = 26, job size 2 -> 13
    result = evaluate(
        WSJF, {"business_value": 8, "time_criticality": 13, "risk_reduction": 5, "job_size": 2}
    )
    assert result.value == 13
    assert [(t.text, t.value) for t in result.terms] == [
        ("business_value + time_criticality + risk_reduction", 26),
        ("job_size", 2),
    ]


def test_value_effort_worked_example():
    assert evaluate(VALUE_EFFORT, {"value": 9, "effort": 3}).value == 3


def test_sum_terms_have_contributions():
    # The example custom formula: 120000/1000 + 3*4 = 132, then / 2 = 66
    result = evaluate(
        "demand_arr / 1000 + 3 * strategic_fit - penalty",
        {"demand_arr": 120_000, "strategic_fit": 4, "penalty": 2},
    )
    assert result.value == 130
    assert [(t.text, t.contribution) for t in result.terms] == [
        ("demand_arr / 1000", 120),
        ("3 * strategic_fit", 12),
        ("penalty", -2),
    ]


def test_functions():
    values = {"a": 16, "b": 3.14159}
    assert evaluate("sqrt(a) + min(a, 2) + max(1, 2, 3)", values).value == 9
    assert evaluate("round(b, 2)", values).value == 3.14
    assert evaluate("log(a, 2)", values).value == pytest.approx(4)
    assert evaluate("log(1)", values).value == 0


def test_syntax_error_names_the_position():
    with pytest.raises(FormulaError) as err:
        parse("reach * (impact + ")
    assert "syntax" in err.value.message
    assert err.value.position is not None
    with pytest.raises(FormulaError) as err:
        parse("reach +* 3")
    assert err.value.position == 7
    assert "character 8" in str(err.value)


@pytest.mark.parametrize(
    ("formula", "values", "message", "position"),
    [
        ("reach / effort", {"reach": 10, "effort": 0}, "division by zero: “effort” is 0", 0),
        ("reach * impact", {"reach": 10, "impact": None}, "missing value for “impact”", 8),
        ("2 ** 1000", {}, "power too large", 0),
        ("10 ** 99 * 10 ** 99 * 10 ** 99 * 10 ** 99", {}, "too large", None),
        ("log(0)", {}, "log() needs a positive number", 0),
        ("sqrt(0 - 1)", {}, "sqrt()", 0),
        ("(0 - 8) ** 0.5", {}, "fractional power", 0),
    ],
)
def test_runtime_errors(formula, values, message, position):
    with pytest.raises(FormulaError) as err:
        evaluate(formula, values)
    assert message in err.value.message
    if position is not None:
        assert err.value.position == position


def test_unknown_driver_is_named_with_position():
    with pytest.raises(FormulaError) as err:
        parse("reach * impakt", drivers={"reach", "impact"})
    assert err.value.message == "unknown driver “impakt”"
    assert err.value.position == 8
    assert err.value.driver == "impakt"


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os')",
        "reach.__class__",
        "[1, 2]",
        "'text'",
        "a if b else c",
        "a < b",
        "lambda: 1",
        "open('x')",
        "min",
        "max(x=1)",
        "1j",
        "True",
        "a; b",
        "a = 1",
    ],
)
def test_anything_else_is_refused(formula):
    with pytest.raises(FormulaError):
        evaluate(formula, {"a": 1, "b": 2, "c": 3, "reach": 4})


def test_too_long_formula():
    with pytest.raises(FormulaError, match="too long"):
        parse("a + " * 200 + "a")


def test_empty_formula():
    with pytest.raises(FormulaError, match="empty"):
        parse("   ")


def test_whitespace_and_line_breaks_keep_positions():
    with pytest.raises(FormulaError) as err:
        parse("  reach *\n  nope", drivers={"reach"})
    assert err.value.position == 12


# --- hypothesis: anything at all only ever raises FormulaError ------------------

DRIVERS = ["reach", "impact", "confidence", "effort", "ghost"]
atoms = st.one_of(
    st.sampled_from(DRIVERS),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["0", "0.0", "1e308", "9" * 40, "-1"]),
)
junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


def _formulas() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binop = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "%", "//", "<"]), inner)
        call = st.tuples(
            st.sampled_from(["min", "max", "log", "sqrt", "round", "abs", "eval"]),
            st.lists(inner, min_size=0, max_size=3),
        )
        return st.one_of(
            binop.map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            inner.map(lambda s: f"({s})"),
            inner.map(lambda s: f"-{s}"),
            call.map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        )

    tree = st.recursive(atoms, extend, max_leaves=12)
    return st.one_of(tree, junk, st.tuples(tree, junk).map("".join))


values = st.one_of(
    st.none(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(0),
)


@settings(max_examples=400, deadline=None)
@given(formula=_formulas(), drivers=st.dictionaries(st.sampled_from(DRIVERS[:4]), values))
def test_random_formulas_only_raise_formula_error(formula, drivers):
    try:
        result = evaluate(formula, drivers)
    except FormulaError as exc:
        error = exc
        assert error.message
        assert error.position is None or 0 <= error.position <= len(formula)
    else:
        assert math.isfinite(result.value)
        for term in result.terms:
            assert math.isfinite(term.value)


@settings(max_examples=200, deadline=None)
@given(formula=_formulas())
def test_parsing_without_driver_list_only_raises_formula_error(formula):
    with contextlib.suppress(FormulaError):
        parse(formula)
