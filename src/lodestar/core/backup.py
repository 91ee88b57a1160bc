"""Backup and restore of a whole installation, engine-neutral.

The archive is a .tar.gz holding `manifest.json`, `database.json` (Django's serialized
rows, so a SQLite backup restores into PostgreSQL and back), `uploads/`, `secret_key`
and `events/` (the embedded event store's files: lodestar.analytics.store.backup).
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

import lodestar
from lodestar.analytics.store import backup as event_backup

FORMAT = 1
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "core.ratecounter"]


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why and what to do."""


def _row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.split(".")[0] in {"contenttypes", "sessions"} or label in EXCLUDED:
            continue
        counts[label] = model._default_manager.count()
    return {k: v for k, v in counts.items() if v}


def backup_write(path: Path, *, overwrite: bool = False, console_out: Any = None) -> str:
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists; pass --force to overwrite it.")
    if not path.parent.exists():
        raise BackupError(f"The folder {path.parent} does not exist.")
    with tempfile.TemporaryDirectory(prefix="lodestar-backup-") as tmp:
        work = Path(tmp)
        dump = work / "database.json"
        with _status(console_out, "Writing the database…"):
            call_command(
                "dumpdata",
                natural_foreign=True,
                natural_primary=True,
                exclude=EXCLUDED,
                output=str(dump),
                verbosity=0,
            )
        counts = _row_counts()
        manifest = {
            "format": FORMAT,
            "lodestar": lodestar.__version__,
            "created_at": datetime.now(UTC).isoformat(),
            "database_vendor": connection.vendor,
            "rows": counts,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = path.with_name(path.name + ".partial")
        with _status(console_out, "Compressing…"), tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname="database.json")
            secret = settings.DATA_DIR / "secret_key"
            if secret.exists():
                tar.add(secret, arcname="secret_key")
            if settings.UPLOADS_DIR.exists():
                tar.add(settings.UPLOADS_DIR, arcname="uploads")
            with _status(console_out, "Adding the events…"):
                events = event_backup.add_to(tar, work)
        partial.replace(path)  # never leave a half-written archive under the real name
    return f"{sum(counts.values())} rows in {len(counts)} tables, {events} events"


def _installation_has_data() -> bool:
    from lodestar.accounts.models import User
    from lodestar.workspaces.models import Workspace

    uploads = settings.UPLOADS_DIR
    has_uploads = uploads.exists() and any(uploads.iterdir())
    return has_uploads or User.objects.exists() or Workspace.objects.exists()


def backup_restore(path: Path, *, force: bool = False, console_out: Any = None) -> str:
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a Lodestar backup (not a .tar.gz: {exc}).") from None
    with tar, tempfile.TemporaryDirectory(prefix="lodestar-restore-") as tmp:
        work = Path(tmp)
        try:
            tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{path} could not be read: {exc}") from None
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{path} is not a Lodestar backup (no manifest).") from None
        if manifest.get("format") != FORMAT or not (work / "database.json").is_file():
            raise BackupError(
                f"{path} has backup format {manifest.get('format')!r}; "
                f"this Lodestar reads format {FORMAT}."
            )
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        with _status(console_out, "Preparing the database…"):
            call_command("migrate", interactive=False, verbosity=0)
        if _installation_has_data() and not force:
            raise BackupError(
                f"The data dir {settings.DATA_DIR} already holds data; restoring would replace "
                "it. Pass --force to replace it, or restore into an empty data dir."
            )
        with _status(console_out, "Loading rows…"), transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(work / "database.json"), verbosity=0)
        if settings.UPLOADS_DIR.exists():
            shutil.rmtree(settings.UPLOADS_DIR)
        if (work / "uploads").is_dir():
            shutil.copytree(work / "uploads", settings.UPLOADS_DIR)
        else:
            settings.UPLOADS_DIR.mkdir(parents=True, exist_ok=True)
        event_backup.restore_from(work)
        if (work / "secret_key").is_file() and not settings.ENV["LODESTAR_SECRET_KEY"]:
            shutil.copyfile(work / "secret_key", settings.DATA_DIR / "secret_key")
            (settings.DATA_DIR / "secret_key").chmod(0o600)
    counts = manifest.get("rows", {})
    return f"{sum(counts.values())} rows in {len(counts)} tables"


class _status:
    """A rich spinner while a step runs, when writing to a terminal."""

    def __init__(self, out: Any, text: str) -> None:
        self.text = text
        self.live = None
        if out is not None and getattr(out, "isatty", lambda: False)():
            from rich.console import Console

            self.live = Console(stderr=True).status(text)

    def __enter__(self) -> _status:
        if self.live is not None:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live is not None:
            self.live.__exit__(*exc)
