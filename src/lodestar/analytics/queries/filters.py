"""Property filters, shared by every insight: `[{"key": "plan", "op": "eq", "value": "pro"}]`.

    parse_filters(data) -> list[Filter]     from a list of dicts or its JSON text; raises
                                            Invalid(fields={"filters": ...}) naming the problem
    where(dialect, filters, column)         the SQL condition (all filters must hold; "true"
                                            when there are none) over a JSON column

Operators: eq, neq (text comparison; a number value compares as a number), contains
(case-insensitive substring), gt, lt (numeric: a non-numeric property never matches),
is_set (the key is present and not null; takes no value). `neq` also matches events that
lack the key, as a reader expects ("plan is not pro" includes events with no plan).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lodestar.analytics.queries.base import Dialect
from lodestar.core.errors import Invalid

OPS: dict[str, str] = {
    "eq": "equals",
    "neq": "does not equal",
    "contains": "contains",
    "gt": "greater than",
    "lt": "less than",
    "is_set": "is set",
}
MAX_FILTERS = 20
MAX_TEXT = 500


@dataclass(frozen=True)
class Filter:
    key: str
    op: str
    value: str | float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "op": self.op}
        if self.op != "is_set":
            out["value"] = self.value
        return out

    def __str__(self) -> str:
        if self.op == "is_set":
            return f"{self.key} is set"
        value = self.value if isinstance(self.value, str) else f"{self.value:g}"
        return f"{self.key} {OPS[self.op]} {value}"


def parse_filters(data: Any, *, field: str = "filters") -> list[Filter]:
    """Filters from a list of {"key", "op", "value"} dicts, or that list as JSON text.
    None or "" is no filter. Errors name `field` (the form field to show them on)."""
    if data is None or data == "":
        return []
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise Invalid(
                fields={field: 'Write the filters as a JSON list: [{"key", "op", "value"}].'}
            ) from None
    if not isinstance(data, list):
        raise Invalid(fields={field: 'Filters are a list of {"key", "op", "value"} objects.'})
    if len(data) > MAX_FILTERS:
        raise Invalid(fields={field: f"At most {MAX_FILTERS} filters."})
    return [_one(item, i, field) for i, item in enumerate(data, start=1)]


def _one(item: Any, n: int, field: str) -> Filter:
    def bad(message: str) -> Invalid:
        return Invalid(fields={field: f"Filter {n}: {message}"})

    if not isinstance(item, Mapping):
        raise bad('write it as {"key", "op", "value"}.')
    key = item.get("key")
    if not isinstance(key, str) or not key.strip():
        raise bad("name the property (key).")
    key = key.strip()
    if len(key) > 200:
        raise bad("the property name is longer than 200 characters.")
    op = item.get("op", "eq")
    if op not in OPS:
        raise bad(f"unknown operator {op!r}; use one of {', '.join(OPS)}.")
    if op == "is_set":
        return Filter(key, op)
    value = item.get("value")
    if op in ("gt", "lt"):
        number = _number(value)
        if number is None:
            raise bad(f"{OPS[op]} needs a number.")
        return Filter(key, op, number)
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, int | float):
        return Filter(key, op, float(value)) if op != "contains" else Filter(key, op, f"{value:g}")
    if not isinstance(value, str) or value == "":
        raise bad("give a value.")
    if len(value) > MAX_TEXT:
        raise bad(f"the value is longer than {MAX_TEXT} characters.")
    return Filter(key, op, value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def condition(dialect: Dialect, f: Filter, column: str = "properties") -> str:
    text = dialect.json_str(column, f.key)
    if f.op == "is_set":
        return f"({text} IS NOT NULL)"
    if f.op in ("gt", "lt"):
        sign = ">" if f.op == "gt" else "<"
        return f"({dialect.json_num(column, f.key)} {sign} {dialect.literal(f.value)})"
    if f.op == "contains":
        assert isinstance(f.value, str)
        return f"({contains(dialect, text, f.value)})"
    if isinstance(f.value, float):
        # 3 and 3.0 are the same number whichever way the client wrote it.
        number = dialect.json_num(column, f.key)
        if f.op == "eq":
            return f"({number} = {dialect.literal(f.value)})"
        return f"({number} IS NULL OR {number} <> {dialect.literal(f.value)})"
    if f.op == "eq":
        return f"({text} = {dialect.literal(f.value)})"
    return f"({text} IS NULL OR {text} <> {dialect.literal(f.value)})"


def contains(dialect: Dialect, text: str, needle: str) -> str:
    """`needle` appears in the text expression, ignoring case."""
    lowered = dialect.literal(needle.lower())
    if dialect.name == "clickhouse":
        return f"positionUTF8(lowerUTF8({text}), {lowered}) > 0"
    return f"contains(lower({text}), {lowered})"


def where(dialect: Dialect, filters: Iterable[Filter], column: str = "properties") -> str:
    """Every filter holds, as one SQL condition over the JSON `column` ("true" if none)."""
    parts = [condition(dialect, f, column) for f in filters]
    return " AND ".join(parts) if parts else "true"
