"""Validate a whole file against the workspace (import_plan), then write it (import_apply).

Planning reads but never writes, so the same plan serves the preview, the dry run and the
import. The write is one transaction: nothing is written if a row is invalid, unless the
caller asks to skip invalid rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid
from lodestar.imports.kinds import ImportKind
from lodestar.imports.mapping import mapping_problems
from lodestar.imports.reader import ImportFileError, Table
from lodestar.workspaces.models import Workspace

Progress = Callable[[int, int], None]
T = TypeVar("T")

BATCH = 500  # rows per query: under SQLite's variable limit, few round trips
CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "invalid"


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # the column's header as the file has it
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"


@dataclass
class Row:
    line: int
    cells: dict[str, str]  # field -> raw cell text (mapped fields only)
    values: dict[str, Any] = field(default_factory=dict)  # model attribute -> clean value
    shown: dict[str, Any] = field(default_factory=dict)  # field -> clean value, for previews
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field or "", reason)
    target: models.Model | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    action: str = ""

    def fail(self, name: str, reason: str) -> None:
        self.errors.append((name, reason))
        self.action = INVALID


@dataclass
class Plan:
    kind: ImportKind
    table: Table
    mapping: list[str]
    rows: list[Row]

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.action for row in self.rows)

    @property
    def invalid_rows(self) -> int:
        return self.counts[INVALID]

    @property
    def problems(self) -> list[Problem]:
        return [
            Problem(row.line, self.column_of(name), reason)
            for row in self.rows
            for name, reason in row.errors
        ]

    @property
    def ignored_columns(self) -> list[str]:
        return [self.table.column_name(i) for i, name in enumerate(self.mapping) if not name]

    @property
    def unkeyed_rows(self) -> int:
        """Valid rows without any match key: importing the file again adds them again."""
        keys = self.kind.match_fields
        return sum(
            1 for r in self.rows if r.action == CREATE and not any(r.values.get(k) for k in keys)
        )

    def column_of(self, name: str) -> str:
        if name in self.mapping:
            return self.table.column_name(self.mapping.index(name))
        field = next((f for f in self.kind.fields if f.name == name), None)
        return field.label if field else "row"


@dataclass
class Result:
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": [[p.line, p.column, p.reason] for p in self.problems],
        }


def chunked(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_plan(
    *,
    kind: ImportKind,
    workspace: Workspace,
    table: Table,
    mapping: list[str],
    progress: Progress | None = None,
) -> Plan:
    """Clean every row, resolve references, match existing rows and decide each row's action
    (create, update, unchanged, invalid). Raises ImportFileError when the mapping is unusable."""
    if problems := mapping_problems(kind, table, mapping):
        raise ImportFileError(" ".join(problems))
    width = len(table.header)
    columns = [(index, name) for index, name in enumerate(mapping) if name]
    rows: list[Row] = []
    total = len(table.rows)
    for done, (line, cells) in enumerate(table.rows, 1):
        row = Row(line, {name: cells[i] if i < len(cells) else "" for i, name in columns})
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            row.fail(
                "",
                f"This row has {len(cells)} cells but the header has {width} columns: "
                "is a value with a delimiter in it missing its quotes?",
            )
        values, errors = kind.clean(row.cells)
        for name, reasons in errors.items():
            for reason in reasons:
                row.fail(name, reason)
        row.values, row.shown = values, dict(values)
        rows.append(row)
        if progress and done % BATCH == 0:
            progress(done, total)
    clean = [row for row in rows if row.action != INVALID]
    kind.resolve(workspace, clean)
    _match(kind, workspace, [row for row in clean if row.action != INVALID])
    if progress:
        progress(total, total)
    return Plan(kind, table, mapping, rows)


def _match(kind: ImportKind, workspace: Workspace, rows: list[Row]) -> None:
    """Find each row's existing object, refuse what would break a unique key, and record
    what changes."""
    objects: dict[Any, models.Model] = {}  # pk -> the one instance of each object
    existing: dict[str, dict[Any, models.Model]] = {}
    for name in kind.match_fields:
        wanted = sorted({row.values[name] for row in rows if row.values.get(name)})
        existing[name] = {}
        for chunk in chunked(wanted):
            for obj in kind.queryset(workspace).filter(**{f"{name}__in": chunk}):
                obj = objects.setdefault(obj.pk, obj)
                existing[name][getattr(obj, name)] = obj
    seen: dict[str, dict[Any, int]] = {name: {} for name in kind.match_fields}
    claimed: dict[Any, int] = {}  # pk -> line of the row that updates it
    for row in rows:
        target = _target(kind, existing, row)
        for name in kind.match_fields:
            value = row.values.get(name)
            if not value:
                continue
            label = kind.field(name).label
            holder = existing[name].get(value)
            if holder is not None and holder is not target:
                row.fail(name, f"Another {kind.noun} already has {label} {value!r}: {holder}.")
            if value in seen[name]:
                row.fail(name, f"{label} {value!r} is also on line {seen[name][value]}.")
            else:
                seen[name][value] = row.line
        if row.action == INVALID:
            continue
        if target is not None:
            if target.pk in claimed:
                row.fail("", f"The same {kind.noun} ({target}) is on line {claimed[target.pk]}.")
                continue
            claimed[target.pk] = row.line
            row.target = target
            row.changes = {k: v for k, v in row.values.items() if getattr(target, k) != v}
            row.action = UPDATE if row.changes else UNCHANGED
        else:
            row.action = CREATE


def _target(
    kind: ImportKind, existing: dict[str, dict[Any, models.Model]], row: Row
) -> models.Model | None:
    """The object a row updates: found by the most trusted key the row has. A less trusted
    key (a domain) only finds an object whose more trusted keys (the external id) are empty:
    two different external ids are two different companies, whatever their domain."""
    tried: list[str] = []
    for name in kind.match_fields:
        value = row.values.get(name)
        if not value:
            continue
        obj = existing[name].get(value)
        if obj is not None and not any(getattr(obj, earlier) for earlier in tried):
            return obj
        tried.append(name)
    return None


def import_apply(
    *,
    plan: Plan,
    workspace: Workspace,
    actor: Any,
    skip_invalid: bool = False,
    filename: str = "",
    progress: Progress | None = None,
) -> Result:
    """Write the plan's valid rows in one transaction and record one activity entry.
    Precondition: the plan has no invalid rows, or skip_invalid is set (else Invalid)."""
    kind = plan.kind
    counts = plan.counts
    if counts[INVALID] and not skip_invalid:
        rows = "1 row has" if counts[INVALID] == 1 else f"{counts[INVALID]} rows have"
        raise Invalid(f"Nothing was imported: {rows} problems. Fix them, or skip them.")
    creates = [kind.build(workspace, row.values) for row in plan.rows if row.action == CREATE]
    updates = [row for row in plan.rows if row.action == UPDATE]
    total = len(creates) + len(updates)
    model = kind.model
    now = timezone.now()
    fields = sorted({name for row in updates for name in row.changes})
    stamped = any(f.name == "updated_at" for f in model._meta.fields)  # bulk_update skips auto_now
    if stamped:
        fields.append("updated_at")
    objects = []
    for row in updates:
        assert row.target is not None
        for name, value in row.changes.items():
            setattr(row.target, name, value)
        if stamped:
            row.target.updated_at = now  # type: ignore[attr-defined]
        objects.append(row.target)
    done = 0
    try:
        with transaction.atomic():
            for batch in chunked(creates):
                model._default_manager.bulk_create(batch)
                done += len(batch)
                if progress:
                    progress(done, total)
            for batch in chunked(objects):
                model._default_manager.bulk_update(batch, fields)
                done += len(batch)
                if progress:
                    progress(done, total)
            result = Result(
                rows=len(plan.rows),
                created=counts[CREATE],
                updated=counts[UPDATE],
                unchanged=counts[UNCHANGED],
                skipped=counts[INVALID],
                problems=plan.problems,
            )
            label = f"{filename}: " if filename else ""
            activity_record(
                workspace=workspace,
                actor=actor,
                verb="imported",
                target_type=kind.name,
                target_label=(
                    f"{label}{result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged, {result.skipped} skipped"
                ),
                changes={
                    name: [None, getattr(result, name)]
                    for name in ("created", "updated", "unchanged", "skipped")
                },
            )
    except IntegrityError:
        raise Conflict(
            f"Someone changed these {kind.label.lower()} while the file was being imported; "
            "nothing was written. Import the file again."
        ) from None
    if progress:
        progress(total, total)
    return result
