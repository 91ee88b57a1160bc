"""The uploaded file kept between the web import's steps (upload, mapping, import).

Each upload is two files in the data directory, `imports/<key>.csv` and `imports/<key>.json`
(who uploaded it, in which workspace, the chosen kind, delimiter and mapping, then the
result). Only the uploading user, in the same workspace, gets it back; anyone else gets 404.
The key is random and checked against its alphabet before it is joined to a path. The CSV is
deleted by the import; anything left over is swept after a day. The files live on the local
disk: servers behind one load balancer need the data directory's `uploads` on shared storage.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from lodestar.core.errors import Invalid, NotFound
from lodestar.core.keys import new_key
from lodestar.imports.reader import ImportFileError, delimiter_from, read_table

KEEP_SECONDS = 24 * 3600
_KEY = re.compile(r"^[a-z2-9]{24}$")


@dataclass
class Upload:
    key: str
    workspace_id: int
    user_id: int
    kind: str
    filename: str
    size: int
    created: float
    delimiter: str = ""  # "" = detect
    mapping: list[str] | None = None  # None = auto-map
    result: dict[str, Any] | None = field(default=None)

    @property
    def csv_path(self) -> Path:
        return _folder() / f"{self.key}.csv"

    def read(self) -> bytes:
        try:
            return self.csv_path.read_bytes()
        except FileNotFoundError:
            raise NotFound("This file was imported already, or has expired.") from None


def _folder() -> Path:
    return Path(settings.UPLOADS_DIR) / "imports"


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all (a reader never sees half a file)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _save_meta(upload: Upload) -> None:
    _write(_folder() / f"{upload.key}.json", json.dumps(asdict(upload)).encode())


def upload_create(*, workspace, user, kind: str, file, delimiter: str = "") -> Upload:
    """Keep an uploaded file for the next steps, once it reads as CSV (Invalid on `file`)."""
    data = file.read()
    try:
        separator = delimiter_from(delimiter) or ""
        read_table(data, delimiter=separator or None)
    except ImportFileError as exc:
        raise Invalid(fields={"file": [exc.message]}) from None
    return upload_save(
        workspace=workspace,
        user=user,
        kind=kind,
        filename=file.name or "",
        data=data,
        delimiter=separator,
    )


def upload_save(
    *, workspace, user, kind: str, filename: str, data: bytes, delimiter: str = ""
) -> Upload:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    uploads_sweep()
    name = re.sub(r"[\x00-\x1f\x7f]", "", Path(filename.replace("\\", "/")).name)[:200]
    upload = Upload(
        key=new_key(24),
        workspace_id=workspace.pk,
        user_id=user.pk,
        kind=kind,
        filename=name or "upload.csv",
        size=len(data),
        created=time.time(),
        delimiter=delimiter,
    )
    _write(upload.csv_path, data)
    _save_meta(upload)
    return upload


def upload_get(*, workspace, user, key: str) -> Upload:
    """The upload `key` if this user made it in this workspace; NotFound otherwise."""
    missing = NotFound("No such import: uploads are kept for a day.")
    if not _KEY.fullmatch(key):
        raise missing
    try:
        meta = json.loads((_folder() / f"{key}.json").read_text())
        upload = Upload(**meta)
    except (OSError, ValueError, TypeError):
        raise missing from None
    if upload.workspace_id != workspace.pk or upload.user_id != user.pk:
        raise missing
    return upload


def upload_update(upload: Upload) -> None:
    _save_meta(upload)


def upload_finish(upload: Upload, result: dict[str, Any]) -> None:
    """Keep the result for the result page; delete the file's contents."""
    upload.result = result
    _save_meta(upload)
    upload.csv_path.unlink(missing_ok=True)


def uploads_sweep(*, now: float | None = None) -> int:
    """Delete uploads older than a day; returns how many files went."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in _folder().glob("*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed
