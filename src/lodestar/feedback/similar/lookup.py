"""Reads: the feedback most like one feedback, and pairs that look like the same feedback twice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lodestar.feedback.models import Feedback, Status
from lodestar.feedback.similar.index import Index, index_for
from lodestar.workspaces.models import Workspace


@dataclass
class Similar:
    feedback: Feedback
    score: float  # cosine, 0..1

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class Pair:
    original: Feedback
    duplicate: Feedback
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores, highest first: O(n) selection, then a sort of k."""
    if k <= 0 or len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    chosen = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return chosen[np.argsort(-scores[chosen], kind="stable")]


def nearest(index: Index, feedback_id: int, text: str, k: int) -> list[tuple[int, float]]:
    """(feedback id, cosine) of the k rows closest to one feedback, itself left out, over
    the index and the rows added since it was built (as of `index_for`, which looked)."""
    ids, scores = index.score_all(index.vector_of(feedback_id, text))
    found: list[tuple[int, float]] = []
    for at in top_k(scores, k + 1):  # one more: the feedback itself is among them
        pk = int(ids[at])
        if pk != feedback_id and scores[at] > 0:
            found.append((pk, float(scores[at])))
    return found[:k]


def _rows_by_id(workspace: Workspace, ids: list[int]) -> dict[int, Feedback]:
    rows = Feedback.objects.filter(workspace=workspace, pk__in=ids).select_related(
        "company", "person"
    )
    return {row.pk: row for row in rows}


def similar_to(feedback: Feedback, limit: int = 10) -> list[Similar]:
    """The feedback of the same workspace most like this one, most similar first. Rows of
    any status; nothing below the engine's floor; never another workspace's (the index is
    per workspace, and rows are fetched through it again)."""
    workspace = feedback.workspace
    index = index_for(workspace)
    found = nearest(index, feedback.pk, feedback.text, limit * 2)
    found = [(pk, score) for pk, score in found if score >= index.engine.floor]
    rows = _rows_by_id(workspace, [pk for pk, _ in found])
    return [Similar(rows[pk], score) for pk, score in found if pk in rows][:limit]


def _same_customer(a: Feedback, b: Feedback) -> bool:
    """Duplicates are one customer saying the same thing twice (or two unattributed notes).
    Two companies asking alike is demand from both, shown by Similar and Themes, not merged;
    nor is an anonymous note paired with a company's, as it may be anyone's."""
    return a.company_id == b.company_id


def _order(a: Feedback, b: Feedback) -> tuple[Feedback, Feedback]:
    """(original, duplicate): the older one stays."""
    return (a, b) if (a.received_at, a.pk) <= (b.received_at, b.pk) else (b, a)


def duplicate_candidates(
    workspace: Workspace, *, scan: int = 300, threshold: float | None = None, limit: int = 50
) -> list[Pair]:
    """Likely duplicates among the newest `scan` inbox feedback: pairs whose cosine is at
    least the engine's threshold, with a non-archived, unmerged feedback of the same company
    (or both of none), most alike first; the older of a pair is the one to keep."""
    index = index_for(workspace)
    threshold = index.engine.duplicate_threshold if threshold is None else threshold
    newest = list(
        Feedback.objects.filter(workspace=workspace, status=Status.INBOX, duplicate_of=None)
        .order_by("-pk")
        .values_list("pk", "text")[:scan]
    )
    scored: dict[tuple[int, int], float] = {}
    for pk, text in newest:
        # Neighbours of other companies come first as often as not: look past them.
        for other, score in nearest(index, pk, text, 25):
            if score < threshold:
                break
            pair = (min(pk, other), max(pk, other))
            scored[pair] = max(score, scored.get(pair, 0.0))
    rows = _rows_by_id(workspace, sorted({pk for pair in scored for pk in pair}))
    pairs: list[Pair] = []
    paired: set[int] = set()  # a feedback is offered as a duplicate once, at its best match
    for (a, b), score in sorted(scored.items(), key=lambda item: (-item[1], -item[0][1])):
        first, second = rows.get(a), rows.get(b)
        if first is None or second is None or not _same_customer(first, second):
            continue
        if any(r.status == Status.ARCHIVED or r.duplicate_of_id for r in (first, second)):
            continue
        original, duplicate = _order(first, second)
        if duplicate.pk in paired:
            continue
        paired.add(duplicate.pk)
        pairs.append(Pair(original, duplicate, score))
        if len(pairs) >= limit:
            break
    return pairs
