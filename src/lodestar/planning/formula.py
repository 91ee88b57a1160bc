"""Scoring formulas: small arithmetic expressions over named drivers.

A formula such as ``(reach * impact * confidence) / effort`` is parsed once with
``ast.parse(mode="eval")``, checked against a whitelist (numbers, ``+ - * / **``,
parentheses, ``min max log sqrt round`` and driver names), then evaluated by the
`simpleeval` library with bounded operators — never Python's ``eval``.

Everything that can go wrong — a syntax error, an unknown driver, a missing value,
division by zero, an overflow, a too-large power, a too-long formula — raises
:class:`FormulaError`, which carries a human message and, where it makes sense, the
0-based character position in the formula.

:meth:`Formula.evaluate` returns a :class:`Result`: the value, the driver values used,
and the top-level terms with their values and contributions, so every score can be
explained.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simpleeval import InvalidExpression, SimpleEval

MAX_LENGTH = 500
MAX_EXPONENT = 100
MAX_MAGNITUDE = 1e300
FUNCTIONS = ("min", "max", "log", "sqrt", "round")
_ALLOWED_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class FormulaError(Exception):
    """The only error the formula engine raises. ``position`` is a 0-based character
    index into the formula (``None`` when the error is not about one place);
    ``driver`` names the driver at fault, if any."""

    def __init__(self, message: str, position: int | None = None, driver: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.driver = driver

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (at character {self.position + 1})"


@dataclass(frozen=True)
class Term:
    """One top-level part of a formula: its text, its value, and — for sums — its
    signed contribution to the score. ``op`` is how it joins the rest: ``+ - * /``."""

    text: str
    value: float
    op: str
    contribution: float | None = None


@dataclass(frozen=True)
class Result:
    value: float
    drivers: dict[str, float]
    terms: list[Term] = field(default_factory=list)


def _finite(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise FormulaError("the formula must compute a number")
    try:
        value = float(x)
    except OverflowError:
        raise FormulaError("a number in the formula is too large") from None
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise FormulaError("the result is too large (overflow)")
    return value


def _div(a: float, b: float) -> float:
    if b == 0:
        raise FormulaError("division by zero")
    return _finite(a / b)


def _pow(a: float, b: float) -> float:
    if abs(b) > MAX_EXPONENT:
        raise FormulaError(f"power too large: exponents are limited to ±{MAX_EXPONENT}")
    if a == 0 and b < 0:
        raise FormulaError("division by zero (zero to a negative power)")
    if a < 0 and not float(b).is_integer():
        raise FormulaError("a negative number to a fractional power has no real value")
    try:
        return _finite(float(a) ** float(b))
    except OverflowError:
        raise FormulaError("the result is too large (overflow)") from None


def _log(x: float, base: float | None = None) -> float:
    if x <= 0:
        raise FormulaError("log() needs a positive number")
    if base is None:
        return _finite(math.log(x))
    if base <= 0 or base == 1:
        raise FormulaError("log() base must be positive and not 1")
    return _finite(math.log(x, base))


def _sqrt(x: float) -> float:
    if x < 0:
        raise FormulaError("sqrt() needs a number that is not negative")
    return _finite(math.sqrt(x))


def _round(x: float, digits: float = 0) -> float:
    if not float(digits).is_integer() or abs(digits) > 10:
        raise FormulaError("round() digits must be a whole number between -10 and 10")
    return _finite(round(x, int(digits)))


def _min(*args: float) -> float:
    return _finite(min(args))


def _max(*args: float) -> float:
    return _finite(max(args))


_ARITY: dict[str, tuple[int, int]] = {
    "min": (1, 20),
    "max": (1, 20),
    "log": (1, 2),
    "sqrt": (1, 1),
    "round": (1, 2),
}
_FUNCS: dict[str, Callable[..., float]] = {
    "min": _min,
    "max": _max,
    "log": _log,
    "sqrt": _sqrt,
    "round": _round,
}
_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: lambda a, b: _finite(a + b),
    ast.Sub: lambda a, b: _finite(a - b),
    ast.Mult: lambda a, b: _finite(a * b),
    ast.Div: _div,
    ast.Pow: _pow,
    ast.USub: lambda a: _finite(-a),
    ast.UAdd: lambda a: _finite(+a),
}


class _Evaluator(SimpleEval):
    """simpleeval with our bounded operators; errors get the position of the
    innermost node that failed."""

    def __init__(self, formula: Formula, names: dict[str, float]):
        super().__init__(operators=dict(_OPERATORS), functions=dict(_FUNCS), names=names)
        self.formula = formula

    def _eval(self, node: ast.AST) -> Any:
        try:
            return super()._eval(node)
        except FormulaError as exc:
            if exc.position is None and hasattr(node, "col_offset"):
                exc.position = self.formula._position(node)
                if (
                    isinstance(node, ast.BinOp)
                    and isinstance(node.op, ast.Div)
                    and isinstance(node.right, ast.Name)
                    and exc.message == "division by zero"
                ):
                    exc.driver = node.right.id
                    exc.message = f"division by zero: “{node.right.id}” is 0"
            raise


class Formula:
    """A parsed, checked formula. Build one with :func:`parse`."""

    def __init__(self, text: str, tree: ast.expr, names: list[str]):
        self.text = text
        self.body = _single_line(text).lstrip(" ")
        self.lead = len(text) - len(self.body)
        self.tree = tree
        self.names = names  # driver names in order of first use
        self._parts: list[tuple[str, str, ast.expr]] | None = None
        self._evaluator: _Evaluator | None = None

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def _position(self, node: ast.AST) -> int:
        # ast columns count UTF-8 bytes; positions count characters.
        col = getattr(node, "col_offset", 0)
        return self.lead + len(self.body.encode()[:col].decode(errors="ignore"))

    def _segment(self, node: ast.AST) -> str:
        return (ast.get_source_segment(self.body, node) or "").strip()

    def evaluate(self, values: Mapping[str, float | int | None]) -> Result:
        """Evaluate with driver ``values``. A driver the formula uses that is absent
        or None raises FormulaError("missing value ...")."""
        used: dict[str, float] = {}
        for name in self.names:
            if name not in values:
                raise FormulaError(f"unknown driver “{name}”", self._first(name), name)
            raw = values[name]
            if raw is None:
                raise FormulaError(f"missing value for “{name}”", self._first(name), name)
            try:
                used[name] = _finite(raw)
            except FormulaError:
                raise FormulaError(
                    f"the value of “{name}” is not a usable number", self._first(name), name
                ) from None
        # One evaluator per formula, its names swapped per call: building one per feature
        # was a third of the time to rank thousands of features.
        if self._evaluator is None:
            self._evaluator = _Evaluator(self, used)
        evaluator = self._evaluator
        evaluator.names = used
        value = self._run(evaluator, self.tree)
        return Result(value=value, drivers=used, terms=self._terms(evaluator))

    def _run(self, evaluator: SimpleEval, node: ast.expr) -> float:
        try:
            # reviewed: simpleeval walks the already whitelisted tree; Python's eval never runs
            return _finite(evaluator.eval(self.body, previously_parsed=node))
        except FormulaError:
            raise
        except ZeroDivisionError:
            raise FormulaError("division by zero") from None
        except (OverflowError, MemoryError):
            raise FormulaError("the result is too large (overflow)") from None
        except (InvalidExpression, ArithmeticError, ValueError, TypeError) as exc:
            raise FormulaError(f"the formula cannot be computed: {exc}") from None

    def _first(self, name: str) -> int | None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id == name:
                return self._position(node)
        return None

    def _terms(self, evaluator: SimpleEval) -> list[Term]:
        """The top-level terms: for a sum each added/subtracted part with its signed
        contribution; for a product or ratio each factor (no contribution)."""
        if self._parts is None:
            self._parts = self._split()
        additive = bool(self._parts) and isinstance(self.tree.op, ast.Add | ast.Sub)  # type: ignore[attr-defined]
        terms = []
        for text, op, node in self._parts:
            value = self._run(evaluator, node)
            contribution = (value if op == "+" else -value) if additive else None
            terms.append(Term(text, value, op, contribution))
        return terms

    def _split(self) -> list[tuple[str, str, ast.expr]]:
        """The formula's top-level parts as (text, op, node), once per formula."""
        tree = self.tree
        if not isinstance(tree, ast.BinOp) or type(tree.op) not in _ALLOWED_BINOPS:
            return []
        additive = isinstance(tree.op, ast.Add | ast.Sub)
        kinds: tuple[type, ...] = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
        if not isinstance(tree.op, kinds):
            return []
        parts: list[tuple[str, str, ast.expr]] = []

        def flatten(node: ast.expr, op: str) -> None:
            if isinstance(node, ast.BinOp) and isinstance(node.op, kinds):
                flatten(node.left, op)
                flatten(node.right, _ALLOWED_BINOPS[type(node.op)])
            else:
                parts.append((self._segment(node), op, node))

        flatten(tree, "+" if additive else "*")
        return parts


def _single_line(text: str) -> str:
    """Line breaks and tabs become spaces, so positions stay character offsets."""
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ").replace("\f", " ")


def parse(text: str, drivers: Iterable[str] | None = None) -> Formula:
    """Parse and check ``text``. With ``drivers``, any other name is an error."""
    if not isinstance(text, str):
        raise FormulaError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is too long ({len(text)} characters, at most {MAX_LENGTH})"
        )
    if not text.strip():
        raise FormulaError("the formula is empty", 0)
    if "\x00" in text:
        raise FormulaError("the formula contains a null character", text.index("\x00"))
    body = _single_line(text).lstrip(" ")
    lead = len(text) - len(body)
    try:
        tree = ast.parse(body, mode="eval").body
    except SyntaxError as exc:
        position = lead + max((exc.offset or 1) - 1, 0)
        message = (exc.msg or "invalid syntax").split("(")[0].strip()
        raise FormulaError(f"syntax error: {message}", min(position, len(text))) from None
    except (ValueError, RecursionError, MemoryError, OverflowError):
        raise FormulaError("the formula cannot be read (too deeply nested?)") from None
    allowed = set(drivers) if drivers is not None else None
    names: list[str] = []
    formula = Formula(text, tree, names)
    _check(formula, tree, allowed, names)
    return formula


def _check(formula: Formula, node: ast.AST, allowed: set[str] | None, names: list[str]) -> None:
    where = formula._position(node)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError("only numbers and driver names are allowed here", where)
        _finite(node.value)
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError(f"“{node.id}” is a function: write {node.id}(…)", where)
        if allowed is not None and node.id not in allowed:
            raise FormulaError(f"unknown driver “{node.id}”", where, node.id)
        if node.id not in names:
            names.append(node.id)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ALLOWED_BINOPS:
            raise FormulaError("only + - * / ** are allowed", where)
        _check(formula, node.left, allowed, names)
        _check(formula, node.right, allowed, names)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError("only + - * / ** are allowed", where)
        _check(formula, node.operand, allowed, names)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError(f"unknown function: use one of {', '.join(FUNCTIONS)}", where)
        if node.keywords:
            raise FormulaError("functions take plain arguments, not name=value", where)
        low, high = _ARITY[node.func.id]
        if not low <= len(node.args) <= high:
            raise FormulaError(f"{node.func.id}() takes {low} to {high} argument(s)", where)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise FormulaError("* arguments are not allowed", formula._position(arg))
            _check(formula, arg, allowed, names)
        return
    if isinstance(node, ast.Compare | ast.BoolOp):
        raise FormulaError("comparisons and and/or are not allowed", where)
    raise FormulaError("only numbers, + - * / **, parentheses, functions and drivers", where)


def evaluate(text: str, values: Mapping[str, float | int | None]) -> Result:
    """Parse ``text`` (every name must be in ``values``) and evaluate it."""
    return parse(text, values.keys()).evaluate(values)
