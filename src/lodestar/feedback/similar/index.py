"""A workspace's feedback as unit vectors, kept in one file under the data directory.

One process builds (under a file lock) and swaps the file in with an atomic rename; every
worker loads it read-only and keeps it in memory until the file changes (inode, mtime, size).
Feedback added after the build is fetched and vectorised at query time by each worker, once,
so lookups are fresh; when the new rows pass `stale_after()`, the next lookup rebuilds.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max
from scipy import sparse

from lodestar.feedback.models import Feedback
from lodestar.feedback.similar.engines import (
    TFIDF,
    Engine,
    Matrix,
    State,
    Transform,
    current_engine,
)
from lodestar.workspaces.models import Workspace

log = logging.getLogger(__name__)

FORMAT = 1
STALE_SHARE = 0.05  # rebuild once new rows pass 5 % of the indexed ones...
STALE_MIN = 20  # ...and at least this many (fewer are vectorised at query time)
FIRST_BUILD_WAIT = 10.0  # seconds a lookup waits for another process's first build
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class Index:
    engine: Engine
    workspace_id: int
    ids: np.ndarray  # int64, ascending; row i of `matrix` is feedback ids[i]
    matrix: Matrix
    state: State
    max_id: int  # the highest feedback id the build saw
    stamp: str  # names this build; caches derived from it (themes) check it
    built_seconds: float = 0.0
    # Per process, never saved: the vectoriser, the term-major copy used for lookups, and
    # the rows added since the build, vectorised as they are first seen.
    _transform: Transform | None = None
    _postings: Matrix | None = None
    delta_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    delta_matrix: Matrix = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    checked: bool = False  # against the database, once per process (see index_for)

    @property
    def size(self) -> int:
        return len(self.ids)

    def transform(self, texts: list[str]) -> Matrix:
        if self._transform is None:
            self._transform = self.engine.transformer(self.state)
        return self._transform(texts)

    def postings(self) -> Matrix:
        """Term-major rows (a CSC view as CSR): a query touches only its terms' postings."""
        if self._postings is None:
            self._postings = sparse.csr_matrix(self.matrix.T)
        return self._postings

    def stale_after(self) -> int:
        """How many new rows this index absorbs at query time before it is rebuilt."""
        if self.engine.incremental:
            return STALE_MIN
        return max(STALE_MIN, int(self.size * STALE_SHARE))

    def fresh(self) -> tuple[np.ndarray, Matrix, bool]:
        """Rows added since the build (and since this worker last looked), vectorised; and
        whether there are more than stale_after() of them. One query when nothing is new."""
        with self.lock:
            seen = int(self.delta_ids[-1]) if len(self.delta_ids) else self.max_id
            room = self.stale_after() + 1 - len(self.delta_ids)
            rows = list(
                Feedback.objects.filter(workspace_id=self.workspace_id, pk__gt=seen)
                .order_by("pk")
                .values_list("pk", "text")[: max(room, 0)]
            )
            if rows:
                added = self.transform([text for _pk, text in rows])
                ids = np.array([pk for pk, _text in rows], dtype=np.int64)
                if self.delta_matrix is None:
                    self.delta_matrix = added
                else:
                    stack = sparse.vstack if self.engine.sparse else np.vstack
                    self.delta_matrix = stack([self.delta_matrix, added])
                    if self.engine.sparse:
                        self.delta_matrix = sparse.csr_matrix(self.delta_matrix)
                self.delta_ids = np.concatenate([self.delta_ids, ids])
            return self.delta_ids, self.delta_matrix, len(self.delta_ids) > self.stale_after()

    def vector_of(self, feedback_id: int, text: str) -> Matrix:
        """The row for one feedback: from the index, the fresh rows, or vectorised now."""
        for ids, matrix in ((self.ids, self.matrix), (self.delta_ids, self.delta_matrix)):
            at = int(np.searchsorted(ids, feedback_id))
            if at < len(ids) and ids[at] == feedback_id:
                return matrix[at : at + 1]
        return self.transform([text])

    def scores(self, vector: Matrix) -> np.ndarray:
        """Cosine of one vector (a 1-row matrix) with every indexed row."""
        if self.engine.sparse:
            row = sparse.csr_matrix(vector)
            if row.nnz == 0 or self.size == 0:
                return np.zeros(self.size, dtype=np.float32)
            return np.asarray(row.data @ self.postings()[row.indices]).ravel()
        return self.matrix @ np.asarray(vector).ravel()

    def score_all(self, vector: Matrix) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosines) over the indexed rows and the new rows `fresh()` last found."""
        with self.lock:
            delta_ids, delta_matrix = self.delta_ids, self.delta_matrix
        scores = self.scores(vector)
        if not len(delta_ids):
            return self.ids, scores
        if self.engine.sparse:
            extra = (delta_matrix @ sparse.csr_matrix(vector).T).toarray().ravel()
        else:
            extra = delta_matrix @ np.asarray(vector).ravel()
        return (
            np.concatenate([self.ids, delta_ids]),
            np.concatenate([scores, extra.astype(np.float32)]),
        )


# -- storage -----------------------------------------------------------------------------


def _tag(workspace: Workspace) -> str:
    """Different for every database and every workspace created, so an index never
    outlives its workspace (a test database reuses ids) or answers for another database."""
    db = f"{connection.vendor}|{connection.settings_dict.get('NAME')}"
    raw = f"{db}|{workspace.pk}|{workspace.created_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def index_path(workspace: Workspace, engine: Engine | None = None) -> Path:
    engine = engine or current_engine()
    name = f"w{workspace.pk}-{_tag(workspace)}-{engine.name}.npz"
    return Path(settings.DATA_DIR) / "similar" / name


class IndexBuilding(Exception):
    """Another process is building this workspace's first index and has not finished."""


@contextmanager
def file_lock(path: Path, *, blocking: bool, wait: float = 0.0) -> Iterator[bool]:
    """An exclusive lock beside `path`, across processes (released if the holder dies).
    Blocking waits as long as it takes; otherwise it tries for `wait` seconds and yields
    False if another process still holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an .npz beside `path`, then rename it over: readers see the old file or the
    new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for left in path.parent.glob(f"{path.name}.*.tmp"):  # by a writer killed mid-write
        left.unlink(missing_ok=True)  # (callers hold the path's lock: no one else writes)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _save(path: Path, index: Index) -> None:
    meta = {
        "format": FORMAT,
        "engine": index.engine.name,
        "workspace": index.workspace_id,
        "max_id": index.max_id,
        "stamp": index.stamp,
        "built_seconds": index.built_seconds,
    }
    arrays = {"meta": np.array(json.dumps(meta)), "ids": index.ids}
    if index.engine.sparse:
        matrix = sparse.csr_matrix(index.matrix)
        arrays |= {
            "data": matrix.data,
            "indices": matrix.indices,
            "indptr": matrix.indptr,
            "shape": np.array(matrix.shape, dtype=np.int64),
        }
    else:
        arrays["vectors"] = np.asarray(index.matrix, dtype=np.float32)
    arrays |= {f"state_{name}": value for name, value in index.state.items()}
    write_atomic(path, arrays)


def _read(path: Path, engine: Engine, workspace: Workspace) -> Index | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError) as exc:  # missing, or a file we cannot read: rebuild
        if not isinstance(exc, FileNotFoundError):
            log.warning("similar: unreadable index %s (%s); rebuilding", path, exc)
        return None
    meta = json.loads(str(arrays["meta"]))
    if (meta["format"], meta["engine"], meta["workspace"]) != (
        FORMAT,
        engine.name,
        workspace.pk,
    ):
        return None
    if engine.sparse:
        matrix = sparse.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(arrays["shape"])
        )
    else:
        matrix = arrays["vectors"]
    state = {name[6:]: value for name, value in arrays.items() if name.startswith("state_")}
    return Index(
        engine=engine,
        workspace_id=workspace.pk,
        ids=arrays["ids"],
        matrix=matrix,
        state=state,
        max_id=int(meta["max_id"]),
        stamp=str(meta["stamp"]),
        built_seconds=float(meta.get("built_seconds", 0.0)),
    )


_cache: dict[Path, tuple[tuple[int, int, int], Index]] = {}
_cache_lock = threading.Lock()


def _file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def load(workspace: Workspace, engine: Engine | None = None) -> Index | None:
    """The saved index, from this process's memory while the file is unchanged."""
    engine = engine or current_engine()
    path = index_path(workspace, engine)
    key = _file_key(path)
    if key is None:
        return None
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
    index = _read(path, engine, workspace)
    if index is not None:
        with _cache_lock:
            _cache[path] = (key, index)
    return index


# -- building ----------------------------------------------------------------------------


def _rows(workspace: Workspace, after: int = 0) -> tuple[np.ndarray, list[str]]:
    rows = (
        Feedback.objects.filter(workspace=workspace, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "text")
    )
    ids: list[int] = []
    texts: list[str] = []
    for pk, text in rows.iterator(chunk_size=5000):
        ids.append(pk)
        texts.append(text)
    return np.array(ids, dtype=np.int64), texts


def _quiet(step: str, done: int, total: int) -> None:
    pass


def _embed_in_batches(engine: Engine, texts: list[str], report: Progress) -> Matrix:
    """Embeddings in slices, so a long build shows its progress (TF-IDF fits in one go).
    Texts go shortest first, so each batch pads to a similar length: far less wasted work."""
    transform = engine.transformer({})
    order = np.argsort([len(text) for text in texts], kind="stable")
    vectors = np.zeros((len(texts), engine.dimensions), dtype=np.float32)
    step = 2048
    for start in range(0, len(texts), step):
        chosen = order[start : start + step]
        vectors[chosen] = transform([texts[i] for i in chosen])
        report("vectorise", min(start + step, len(texts)), len(texts))
    return vectors


def _build_locked(
    workspace: Workspace, engine: Engine, path: Path, *, full: bool, report: Progress
) -> Index:
    started = time.perf_counter()
    previous = None if full or not engine.incremental else _read(path, engine, workspace)
    report("read", 0, 1)
    if previous is not None:
        ids, texts = _rows(workspace, after=previous.max_id)
        existing = set(Feedback.objects.filter(workspace=workspace).values_list("pk", flat=True))
        keep = np.fromiter((pk in existing for pk in previous.ids.tolist()), dtype=bool)
        report("read", 1, 1)
        added = _embed_in_batches(engine, texts, report)
        all_ids = np.concatenate([previous.ids[keep], ids])
        matrix = np.vstack([previous.matrix[keep], added])
        state = previous.state
    else:
        all_ids, texts = _rows(workspace)
        report("read", 1, 1)
        if engine.sparse:
            report("vectorise", 0, 1)
            state, matrix = engine.fit(texts)
            report("vectorise", 1, 1)
        else:
            state, matrix = {}, _embed_in_batches(engine, texts, report)
    index = Index(
        engine=engine,
        workspace_id=workspace.pk,
        ids=all_ids,
        matrix=matrix,
        state=state,
        max_id=int(all_ids[-1]) if len(all_ids) else (previous.max_id if previous else 0),
        stamp=f"{time.time_ns():x}",
        checked=True,
    )
    index.built_seconds = round(time.perf_counter() - started, 3)
    report("save", 0, 1)
    _save(path, index)
    report("save", 1, 1)
    key = _file_key(path)
    if key is not None:
        with _cache_lock:
            _cache[path] = (key, index)
    log.info(
        "similar: built the %s index of workspace %s: %s rows in %.1f s",
        engine.name,
        workspace.slug,
        index.size,
        index.built_seconds,
    )
    return index


def build(
    workspace: Workspace,
    *,
    engine: Engine | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> Index:
    """(Re)build and save the workspace's index, waiting for the lock; return it. An
    incremental engine (embeddings) keeps the vectors it has and embeds only the new rows,
    unless `full`."""
    engine = engine or current_engine()
    path = index_path(workspace, engine)
    with file_lock(path, blocking=True):
        return _build_locked(
            workspace, engine, path, full=full, report=progress or (lambda *args: None)
        )


_warned: set[tuple[int, str]] = set()


def _too_many_to_embed(workspace: Workspace, engine: Engine, after: int) -> bool:
    """Whether embedding the rows past `after` would hold a request too long (a build by
    `lodestar similar rebuild` does it instead)."""
    if engine.inline_limit is None:
        return False
    rows = Feedback.objects.filter(workspace=workspace, pk__gt=after)[: engine.inline_limit + 1]
    if rows.count() <= engine.inline_limit:
        return False
    if (workspace.pk, engine.name) not in _warned:
        _warned.add((workspace.pk, engine.name))
        log.warning(
            "similar: workspace %s has more new feedback than a request embeds; run "
            "`lodestar similar rebuild --workspace %s`",
            workspace.slug,
            workspace.slug,
        )
    return True


def index_for(workspace: Workspace, engine: Engine | None = None) -> Index:
    """The workspace's index, fresh enough to answer: built when missing, rebuilt when the
    rows added since pass stale_after(). While another process rebuilds, the old index
    (plus the new rows, vectorised here) answers instead of waiting. Raises IndexBuilding
    when there is no index yet and another process has been building it for a while.

    Embeddings are slow to compute (a few hundred rows a second at best): a request never
    embeds more than the engine's inline_limit rows. Without an embedding index it answers
    with TF-IDF; with a stale one it answers from it until `lodestar similar rebuild` runs."""
    engine = engine or current_engine()
    path = index_path(workspace, engine)
    index = load(workspace, engine)
    full = False
    if index is not None and not index.checked:
        # An index newer than the database (a backup restored over the data directory)
        # would map ids to other rows: rebuild it.
        newest = Feedback.objects.filter(workspace=workspace).aggregate(top=Max("pk"))["top"]
        if index.max_id > (newest or 0):
            index, full = None, True
        else:
            index.checked = True
    if index is None:
        if _too_many_to_embed(workspace, engine, 0):
            return index_for(workspace, TFIDF)
        # Wait a little for a worker already building it (seconds for TF-IDF); a long build
        # is not waited for: IndexBuilding says so.
        with file_lock(path, blocking=False, wait=FIRST_BUILD_WAIT) as free:
            if not free:
                raise IndexBuilding(workspace.slug)
            current = None if full else load(workspace, engine)
            return current or _build_locked(workspace, engine, path, full=full, report=_quiet)
    _ids, _matrix, stale = index.fresh()
    if not stale or _too_many_to_embed(workspace, engine, index.max_id):
        return index
    with file_lock(path, blocking=False) as free:
        if not free:
            return index  # being rebuilt elsewhere: answer from this one meanwhile
        current = load(workspace, engine)
        if current is not None and current.stamp != index.stamp:
            return current
        return _build_locked(workspace, engine, path, full=False, report=_quiet)
