"""Which column feeds which field. A mapping is a list with one entry per column of the
header: a field name, or "" for a column that is ignored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from lodestar.imports.kinds import ImportKind
from lodestar.imports.reader import ImportFileError, Table

IGNORE = ("", "-", "ignore", "none")


def normalize_header(text: str) -> str:
    """'ARR ($)' -> 'arr', 'E-mail Address' -> 'emailaddress', 'Société' -> 'societe'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)  # units: "ARR (USD)", "Size [people]"
    return re.sub(r"[^a-z0-9]+", "", text)


def auto_map(kind: ImportKind, header: list[str]) -> list[str]:
    """Map each column whose header is a field's name, label or alias; the first column
    wins when two headers mean the same field."""
    lookup: dict[str, str] = {}
    for field in kind.fields:
        for name in (field.name, field.label, *field.aliases):
            lookup.setdefault(normalize_header(name), field.name)
    used: set[str] = set()
    mapping = []
    for column in header:
        name = lookup.get(normalize_header(column), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping


def override(
    kind: ImportKind, table: Table, mapping: list[str], overrides: Mapping[str, str]
) -> list[str]:
    """Apply {column: field} choices (the CLI's --map). A column is named by its header
    (case and punctuation do not matter) or by its 1-based number; the field by its name or
    label, or 'ignore'. A field given to a column is taken from whichever column had it."""
    mapping = list(mapping)
    fields = {normalize_header(f.name): f.name for f in kind.fields}
    fields |= {normalize_header(f.label): f.name for f in kind.fields}
    for column, target in overrides.items():
        index = _column_index(table, column)
        if target.strip().lower() in IGNORE:
            mapping[index] = ""
            continue
        name = fields.get(normalize_header(target))
        if name is None:
            choices = ", ".join(f.name for f in kind.fields)
            raise ImportFileError(f"{kind.label} have no field {target!r}. Fields: {choices}.")
        mapping = ["" if m == name else m for m in mapping]
        mapping[index] = name
    return mapping


def _column_index(table: Table, column: str) -> int:
    exact = [i for i, h in enumerate(table.header) if h.strip().lower() == column.strip().lower()]
    loose = [
        i
        for i, h in enumerate(table.header)
        if normalize_header(h) and normalize_header(h) == normalize_header(column)
    ]
    for found in (exact, loose):
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ImportFileError(
                f"Several columns are called {column!r}: name the column by its number instead "
                f"({', '.join(str(i + 1) for i in found)})."
            )
    if column.strip().isdigit() and 1 <= int(column) <= len(table.header):
        return int(column) - 1
    names = ", ".join(repr(table.column_name(i)) for i in range(len(table.header)))
    raise ImportFileError(f"The file has no column {column!r}. Its columns: {names}.")


def mapping_problems(kind: ImportKind, table: Table, mapping: list[str]) -> list[str]:
    """What makes a mapping unusable: a field fed by two columns, a required field fed by
    none, an unknown field."""
    problems = []
    known = {f.name for f in kind.fields}
    columns: dict[str, list[str]] = {}
    for index, name in enumerate(mapping):
        if not name:
            continue
        if name not in known:
            problems.append(f"{kind.label} have no field {name!r}.")
            continue
        columns.setdefault(name, []).append(table.column_name(index))
    for name, names in columns.items():
        if len(names) > 1:
            problems.append(
                f"{kind.field(name).label} is fed by several columns ({', '.join(names)}): "
                "choose one and ignore the others."
            )
    for group in kind.required:
        if not any(name in columns for name in group):
            labels = " or ".join(kind.field(name).label for name in group)
            problems.append(f"No column is mapped to {labels}: {kind.label.lower()} need it.")
    return problems
