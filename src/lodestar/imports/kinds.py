"""What one kind of imported row is, and the registry of kinds.

A kind is registered by the app that owns its model, in `<app>/imports.py` (found through
Django's autodiscovery, like admin.py), so adding feedback import is one new module:

    @register
    class FeedbackImport(ImportKind):
        name = "feedback"
        ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.module_loading import autodiscover_modules

from lodestar.imports.reader import ImportFileError

if TYPE_CHECKING:
    from lodestar.imports.engine import Row
    from lodestar.workspaces.models import Workspace


@dataclass(frozen=True)
class Field:
    name: str  # the key the kind's clean() reads
    label: str
    aliases: tuple[str, ...] = ()  # header names that map to this field (normalized on use)
    help: str = ""


class ImportKind(ABC):
    """Subclass per kind of row. The engine handles reading, mapping, duplicates, matching
    and writing; a kind says which fields exist, how a row is cleaned and how it matches."""

    name: ClassVar[str]  # "companies": the CLI argument and the activity target type
    label: ClassVar[str]  # "Companies"
    noun: ClassVar[str]  # "company", for messages
    model: ClassVar[type[models.Model]]  # has a `workspace` foreign key
    fields: ClassVar[tuple[Field, ...]]
    # Fields that identify an existing row, most trusted first. Each must be unique per
    # workspace (a database constraint): a row matches on the first one it has a value for.
    match_fields: ClassVar[tuple[str, ...]]
    # Groups of fields of which at least one must be mapped to a column.
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()

    # Labels of match fields a kind derives itself rather than reads from a column.
    derived: ClassVar[dict[str, str]] = {}

    def field(self, name: str) -> Field:
        found = next((f for f in self.fields if f.name == name), None)
        return found or Field(name, self.derived.get(name, name))

    @abstractmethod
    def clean(self, raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Raw cells (mapped fields only) -> (model values, {field: [reasons]})."""

    def resolve(self, workspace: Workspace, rows: list[Row]) -> None:
        """Turn references into ids for all clean rows at once (e.g. a company domain into
        company_id), adding row errors for what does not resolve. Default: nothing to do."""
        return None

    def queryset(self, workspace: Workspace) -> models.QuerySet:
        return self.model._default_manager.filter(workspace=workspace)

    def build(self, workspace: Workspace, values: dict[str, Any]) -> models.Model:
        return self.model(workspace=workspace, **values)

    def display(self, name: str, value: Any) -> str:
        """A cleaned value as the preview shows it."""
        if value is None or value == "":
            return ""
        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        try:
            model_field = self.model._meta.get_field(name)
        except FieldDoesNotExist:  # e.g. a person's company_domain
            return str(value)
        choices = dict(getattr(model_field, "flatchoices", None) or ())
        return str(choices.get(value, value))


_KINDS: dict[str, ImportKind] = {}
# Kinds the CLI already names but whose app is not there yet: a clear message, not "unknown".
_discovered = False


def register(cls: type[ImportKind]) -> type[ImportKind]:
    _KINDS[cls.name] = cls()
    return cls


def import_kinds() -> dict[str, ImportKind]:
    global _discovered
    if not _discovered:
        autodiscover_modules("imports")
        _discovered = True
    return dict(_KINDS)


def import_kind(name: str) -> ImportKind:
    kinds = import_kinds()
    if name in kinds:
        return kinds[name]
    available = ", ".join(kinds)
    raise ImportFileError(f"Nothing called {name!r} can be imported. Available: {available}.")
