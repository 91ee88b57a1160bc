"""The durable write path: every worker appends accepted events to its own spool segment.

A capture request is acknowledged only after its events are in the spool and `fdatasync`ed
(about 0.2 ms on this machine), so a `kill -9` loses nothing that was answered with a 200.
The spool is plain newline-delimited JSON, one normalized event per line (see
`lodestar.analytics.events`); the compactor (store/compactor.py) moves it into the event
store every second. Why a spool and not the store itself: docs/decisions.md, "Event store".

Each process writes its own segment, named `<pid>-<start ns>.ndjson`, and holds a shared
`flock` on it for as long as it has it open: the compactor reads any segment up to its last
complete line and may delete one only once it is fully read and no process holds it (the
writer rotated it, or died).

A segment is written with zeros ahead of its data (`ZERO_STEP` at a time), so a request's
`fdatasync` finds the file's size unchanged and writes only the data, without a journal
commit: 40 % less time per request on this machine, and the fsync was most of what durability
costs (benchmarks/README.md, "Ingest"). Readers stop at the first zero byte (JSON lines never
hold one): what follows it is not written yet. A segment closed normally is cut to its data.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import orjson

# A segment is closed (and a new one started) past this size or age.
SEGMENT_BYTES = 64 * 1024 * 1024
SEGMENT_SECONDS = 300
ZERO_STEP = 1024 * 1024


def dumps(row: dict) -> bytes:
    return orjson.dumps(row) + b"\n"


def dumps_all(rows: Iterable[dict]) -> bytes:
    """Many lines at once (orjson: several times faster than the standard library's json,
    which was a third of a capture request's time)."""
    lines = b"\n".join(orjson.dumps(row) for row in rows)
    return lines + b"\n" if lines else b""


class Spool:
    """Append-only, fsynced, one open segment per process (re-opened after a fork)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._opened = 0.0
        self._size = 0  # bytes of data written
        self._zeroed = 0  # bytes of the file written (data, then zeros ahead of it)

    def _open(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{time.time_ns()}.ndjson"
        # Created under another name and locked before it gets its spool name: the compactor
        # (which lists *.ndjson) must never see it unlocked, take it for a dead writer's and
        # delete it while this process writes to it.
        opening = self.directory / (name + ".opening")
        fd = os.open(opening, os.O_WRONLY | os.O_CREAT, 0o640)  # written at known offsets
        fcntl.flock(fd, fcntl.LOCK_SH)
        os.rename(opening, self.directory / name)
        _fsync_dir(self.directory)
        self._fd, self._pid, self._opened = fd, os.getpid(), time.monotonic()
        self._size = self._zeroed = 0
        return fd

    def _current(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            # A forked child must never share its parent's segment (or its lock).
            return self._open()
        if self._size > SEGMENT_BYTES or time.monotonic() - self._opened > SEGMENT_SECONDS:
            self.close()
            return self._open()
        return self._fd

    def append(self, rows: Iterable[dict]) -> int:
        """Write the rows as one `pwrite`, then `fdatasync`: durable when this returns."""
        data = dumps_all(rows)
        if not data:
            return 0
        with self._lock:
            fd = self._current()
            end = self._size + len(data)
            if end > self._zeroed:  # zeros ahead first: this request's fsync syncs the size
                grow = end - self._zeroed + ZERO_STEP
                _pwrite_all(fd, bytes(grow), self._zeroed)
                self._zeroed += grow
            _pwrite_all(fd, data, self._size)
            os.fdatasync(fd)
            self._size = end
        return len(data)

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            with contextlib.suppress(OSError):  # readers stop at the zeros anyway
                os.ftruncate(self._fd, self._size)  # a finished segment is its data only
            os.close(self._fd)  # releases the flock: the compactor may now finish it
        self._fd = None


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        if written <= 0:
            raise OSError(f"the spool took {written} bytes of {len(view)}")
        view, offset = view[written:], offset + written


def written_size(path: Path, size: int) -> int:
    """The bytes of `path` (of `size` bytes) before the zeros its writer keeps ahead of its
    data (at most ZERO_STEP of them, so only the file's end is read)."""
    with open(path, "rb") as f:
        start = max(0, size - 4 * ZERO_STEP)
        f.seek(start)
        return start + len(f.read(size - start).rstrip(b"\0"))


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def segment_in_use(path: Path) -> bool:
    """True while a writer holds the segment open (its shared lock blocks ours)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
