"""Where the event store keeps its files, and the manifest that says which are current.

    <data dir>/events/
        spool/<pid>-<ns>.ndjson     accepted events, fsynced before the 200 (spool.py)
        ws-<id>/*.parquet           one workspace's events, persons and distinct-id overrides
        manifest.json               current files per workspace and how far each spool
                                    segment has been read; replaced atomically
        compactor.lock              flock: one process compacts at a time

Readers take the manifest as their snapshot: a file leaves the manifest before it is
deleted, and is deleted only after a grace period, so a query never loses a file under it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings


@dataclass
class FileEntry:
    name: str  # relative to the workspace directory
    rows: int
    min_ts: int  # microseconds since the epoch, UTC
    max_ts: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.rows, "min_ts": self.min_ts, "max_ts": self.max_ts}


@dataclass
class WorkspaceFiles:
    files: list[FileEntry] = field(default_factory=list)
    persons: str | None = None  # persons-<seq>.parquet
    overrides: str | None = None  # overrides-<seq>.parquet

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [f.as_dict() for f in self.files],
            "persons": self.persons,
            "overrides": self.overrides,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkspaceFiles:
        return cls(
            files=[FileEntry(**f) for f in data.get("files", [])],
            persons=data.get("persons"),
            overrides=data.get("overrides"),
        )


@dataclass
class Manifest:
    seq: int = 0
    spool: dict[str, int] = field(default_factory=dict)  # segment name -> bytes consumed
    workspaces: dict[int, WorkspaceFiles] = field(default_factory=dict)
    retired: list[tuple[str, float]] = field(default_factory=list)  # (path, retired at)

    def workspace(self, workspace_id: int) -> WorkspaceFiles:
        return self.workspaces.setdefault(workspace_id, WorkspaceFiles())

    def next_name(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}-{self.seq:08d}.parquet"


class Layout:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else Path(settings.EVENTS_DIR)
        self.spool = self.root / "spool"
        self.manifest_path = self.root / "manifest.json"
        self.lock_path = self.root / "compactor.lock"
        self.tmp = self.root / "tmp"

    def workspace_dir(self, workspace_id: int) -> Path:
        return self.root / f"ws-{int(workspace_id)}"

    def ensure(self) -> None:
        for path in (self.root, self.spool, self.tmp):
            path.mkdir(parents=True, exist_ok=True)

    def read_manifest(self) -> Manifest:
        try:
            data = json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            return Manifest()
        return Manifest(
            seq=data["seq"],
            spool=data.get("spool", {}),
            workspaces={
                int(k): WorkspaceFiles.from_dict(v) for k, v in data.get("workspaces", {}).items()
            },
            retired=[(p, t) for p, t in data.get("retired", [])],
        )

    def write_manifest(self, manifest: Manifest) -> None:
        data = {
            "seq": manifest.seq,
            "spool": manifest.spool,
            "workspaces": {str(k): v.as_dict() for k, v in manifest.workspaces.items()},
            "retired": manifest.retired,
        }
        tmp = self.root / f"manifest.{os.getpid()}.tmp"
        with open(tmp, "w") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.manifest_path)
        fsync_dir(self.root)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
