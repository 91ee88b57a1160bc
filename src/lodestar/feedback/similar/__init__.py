"""Similar feedback: the "similar" panel, duplicate-merge suggestions and themes.

    similar_to(feedback, limit=10)        the feedback most like one feedback
    duplicate_candidates(workspace, ...)  pairs that look like one customer saying it twice
    theme_list(workspace)                 open feedback in themes, ranked by ARR
    feedback_merge / feedback_unmerge     (merge.py) fold a duplicate into its original, undo

Engines (engines.py): TF-IDF by default; sentence embeddings (all-MiniLM-L6-v2) when the
`semantic` extra is installed. The per-workspace index lives under the data directory
(index.py). See docs/listen-similar.md.
"""

from lodestar.feedback.similar.index import build, index_for
from lodestar.feedback.similar.lookup import Pair, Similar, duplicate_candidates, similar_to
from lodestar.feedback.similar.themes import Theme, Themes, theme_list

__all__ = [
    "Pair",
    "Similar",
    "Theme",
    "Themes",
    "build",
    "duplicate_candidates",
    "index_for",
    "similar_to",
    "theme_list",
]
