"""Themes: the open feedback grouped by what it is about, ranked by the ARR behind each.

k-means over the index's unit vectors (spherical in effect: centroids are re-normalised and
rows go to the nearest by cosine). Each theme is named by the terms that set it apart (its
mean TF-IDF weight above the overall mean) and shown by its most typical short quote. The
centroids and names are cached beside the index, for that build; every view then assigns the
current open feedback to them, so counts, companies and ARR are always today's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
from scipy import sparse

from lodestar.customers.models import Company
from lodestar.feedback.models import Feedback, Status
from lodestar.feedback.similar.engines import TFIDF, Matrix
from lodestar.feedback.similar.index import Index, file_lock, index_for, index_path, write_atomic
from lodestar.workspaces.models import Workspace

MAX_THEMES = 16
PER_THEME = 40  # open feedback per theme when choosing how many themes to make
MIN_ROWS = 6
EXACT_UP_TO = 20_000  # rows up to which themes use exact k-means
TERMS = 4
QUOTE_CHARS = 200  # the typical quote is the closest one at most this long, if any


@dataclass
class Theme:
    number: int
    terms: list[str]
    quote: Feedback | None = None
    count: int = 0
    companies: int = 0
    arr: Decimal = Decimal(0)
    share: float = 0.0  # ARR as a fraction of the top theme's, for the bar

    @property
    def label(self) -> str:
        return ", ".join(self.terms) or "(no distinctive words)"


@dataclass
class Themes:
    themes: list[Theme]  # highest ARR first
    grouped: int  # open feedback assigned to a theme
    ids: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    labels: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    closeness: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def get(self, number: int) -> Theme | None:
        return next((t for t in self.themes if t.number == number), None)

    def member_ids(self, number: int, limit: int = 50) -> list[int]:
        """The theme's feedback, the most typical first."""
        mine = np.flatnonzero(self.labels == number)
        order = mine[np.argsort(-self.closeness[mine], kind="stable")][:limit]
        return [int(pk) for pk in self.ids[order]]


@dataclass
class _Model:
    centroids: np.ndarray  # (k, dims) float32, unit rows
    terms: list[list[str]]


def default_k(rows: int) -> int:
    return min(MAX_THEMES, max(2, rows // PER_THEME))


def _open_rows(workspace: Workspace) -> list[tuple[int, int | None]]:
    rows = Feedback.objects.filter(workspace=workspace, duplicate_of=None).exclude(
        status=Status.ARCHIVED
    )
    return list(rows.order_by("pk").values_list("pk", "company_id").iterator(chunk_size=10_000))


def _vectors(index: Index, ids: np.ndarray) -> tuple[np.ndarray, Matrix]:
    """The rows of `ids` found in the index or among the rows added since; the ids kept."""
    parts, kept = [], []
    for source_ids, matrix in ((index.ids, index.matrix), (index.delta_ids, index.delta_matrix)):
        if not len(source_ids):
            continue
        at = np.clip(np.searchsorted(source_ids, ids), 0, len(source_ids) - 1)
        found = source_ids[at] == ids
        parts.append(matrix[at[found]])
        kept.append(ids[found])
    if not parts:
        return np.zeros(0, dtype=np.int64), None
    stack = sparse.vstack(parts, format="csr") if index.engine.sparse else np.vstack(parts)
    found_ids = np.concatenate(kept)
    order = np.argsort(found_ids, kind="stable")
    return found_ids[order], stack[order]


def _term_matrix(
    workspace: Workspace, index: Index, ids: np.ndarray, vectors: Matrix
) -> tuple[Matrix, list[str]]:
    """TF-IDF rows to name themes by: the index's own, or fitted now for embeddings."""
    if index.engine.sparse:
        return vectors, index.state["terms"].tolist()
    rows = Feedback.objects.filter(workspace=workspace).values_list("pk", "text")
    texts = dict(rows.iterator(chunk_size=10_000))
    state, matrix = TFIDF.fit([texts.get(int(pk), "") for pk in ids])
    return matrix, state["terms"].tolist()


def _name(labels: np.ndarray, k: int, terms: Matrix, vocabulary: list[str]) -> list[list[str]]:
    if not vocabulary:
        return [[] for _ in range(k)]
    member = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
        shape=(k, len(labels)),
    )
    sizes = np.maximum(np.asarray(member.sum(axis=1)).ravel(), 1)
    means = np.asarray((member @ terms).todense()) / sizes[:, None]
    lift = means - np.asarray(terms.mean(axis=0)).ravel()[None, :]
    names = []
    for row in lift:
        best = np.argsort(-row, kind="stable")[:TERMS]
        names.append([vocabulary[i] for i in best if row[i] > 0])
    return names


def _fit(workspace: Workspace, index: Index, ids: np.ndarray, vectors: Matrix, k: int) -> _Model:
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.exceptions import ConvergenceWarning

    if len(ids) <= EXACT_UP_TO:
        clusterer = KMeans(n_clusters=k, random_state=0, n_init=4)
    else:  # mini-batches: seconds instead of minutes on 100,000 rows, and nearly as good
        clusterer = MiniBatchKMeans(
            n_clusters=k, random_state=0, n_init=3, batch_size=4096, max_no_improvement=20
        )
    with warnings.catch_warnings():
        # Fewer distinct rows than themes asked for: some themes come out empty, and are skipped.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = clusterer.fit(vectors)
    centroids = np.asarray(model.cluster_centers_, dtype=np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    labels = np.asarray(model.labels_, dtype=np.int64)
    terms, vocabulary = _term_matrix(workspace, index, ids, vectors)
    return _Model(centroids, _name(labels, k, terms, vocabulary))


def _cache_path(index: Index, workspace: Workspace) -> Path:
    path = index_path(workspace, index.engine)
    return path.with_name(path.stem + "-themes.npz")


def _model(workspace: Workspace, index: Index, ids: np.ndarray, vectors: Matrix, k: int) -> _Model:
    """The themes of this build of the index (cached beside it), fitted on first use."""
    path = _cache_path(index, workspace)

    def cached() -> _Model | None:
        try:
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["stamp"]) != index.stamp or int(stored["k"]) != k:
                    return None
                terms = [[t for t in row if t] for row in stored["terms"].tolist()]
                return _Model(stored["centroids"], terms)
        except (OSError, ValueError, KeyError):
            return None

    found = cached()
    if found is not None:
        return found
    with file_lock(path, blocking=True):
        found = cached()  # another worker may have fitted them while this one waited
        if found is not None:
            return found
        model = _fit(workspace, index, ids, vectors, k)
        width = max([len(row) for row in model.terms] + [1])
        padded = np.array([row + [""] * (width - len(row)) for row in model.terms], dtype=str)
        write_atomic(
            path,
            {
                "stamp": np.array(index.stamp),
                "k": np.array(k),
                "centroids": model.centroids,
                "terms": padded,
            },
        )
        return model


def theme_list(workspace: Workspace, *, k: int | None = None) -> Themes:
    """The workspace's open (not archived, not merged) feedback in themes, by ARR."""
    index = index_for(workspace)
    rows = _open_rows(workspace)
    company_of = dict(rows)
    ids, vectors = _vectors(index, np.array([pk for pk, _ in rows], dtype=np.int64))
    if len(ids) < MIN_ROWS:
        return Themes([], 0)
    k = min(k or default_k(len(ids)), len(ids))
    model = _model(workspace, index, ids, vectors, k)
    similarity = np.asarray(vectors @ model.centroids.T)
    labels = np.argmax(similarity, axis=1)
    closeness = similarity[np.arange(len(ids)), labels]
    arr = dict(Company.objects.filter(workspace=workspace).values_list("pk", "arr"))
    themes = []
    for number in range(k):
        members = ids[labels == number]
        if not len(members):
            continue
        companies = {c for pk in members if (c := company_of[int(pk)]) is not None}
        themes.append(
            Theme(
                number=number,
                terms=model.terms[number] if number < len(model.terms) else [],
                count=len(members),
                companies=len(companies),
                arr=sum((arr.get(c, Decimal(0)) for c in companies), Decimal(0)),
            )
        )
    themes.sort(key=lambda t: (-t.arr, -t.count, t.number))
    result = Themes(themes, len(ids), ids, labels, closeness)
    _quotes(workspace, result)
    top = max((t.arr for t in themes), default=Decimal(0))
    for theme in themes:
        theme.share = float(theme.arr / top) if top else 0.0
    return result


def _quotes(workspace: Workspace, result: Themes) -> None:
    """Each theme's most typical quote that is short enough to read at a glance."""
    candidates = {t.number: result.member_ids(t.number, limit=30) for t in result.themes}
    rows = Feedback.objects.filter(
        workspace=workspace, pk__in=[pk for ids in candidates.values() for pk in ids]
    ).select_related("company")
    by_id = {row.pk: row for row in rows}
    for theme in result.themes:
        found = [by_id[pk] for pk in candidates[theme.number] if pk in by_id]
        short = [row for row in found if len(row.text) <= QUOTE_CHARS]
        theme.quote = (short or found)[0] if found else None
