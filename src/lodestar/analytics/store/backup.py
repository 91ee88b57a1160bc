"""The event store's part of `lodestar backup` / `lodestar restore` (core/backup.py).

A backup first compacts the spool (so every accepted event is in a file), then archives the
manifest and the files it names under `events/`. Workspace ids are kept by the database dump
(no natural keys), so the `ws-<id>` directories stay valid on restore, on either database.
With the ClickHouse engine the events live in ClickHouse: back them up with its own tools.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

from lodestar.analytics import store
from lodestar.analytics.store.layout import Layout


def add_to(tar: tarfile.TarFile, work: Path) -> int:
    """Archive the current event files; return how many events they hold."""
    engine = store.get_engine()
    if engine.dialect != "duckdb":
        return 0
    store.flush()
    layout: Layout = engine.layout
    manifest = layout.read_manifest()
    manifest.spool = {}
    manifest.retired = []
    saved = work / "events-manifest.json"
    layout_copy = Layout(work / "events-tmp")
    layout_copy.ensure()
    layout_copy.write_manifest(manifest)
    shutil.move(layout_copy.manifest_path, saved)
    tar.add(saved, arcname="events/manifest.json")
    events = 0
    for ws, files in manifest.workspaces.items():
        names = [f.name for f in files.files] + [n for n in (files.persons, files.overrides) if n]
        for name in names:
            tar.add(layout.workspace_dir(ws) / name, arcname=f"events/ws-{ws}/{name}")
        events += sum(f.rows for f in files.files)
    return events


def restore_from(work: Path) -> None:
    """Replace the event store with the archived one (an archive without events empties it)."""
    engine = store.get_engine()
    if engine.dialect != "duckdb":
        return
    root = engine.layout.root
    if root.exists():
        shutil.rmtree(root)
    source = work / "events"
    if source.is_dir():
        shutil.copytree(source, root)
    engine.layout.ensure()
    store.reset()
