"""Full-text search over feedback that gives the same answers on SQLite and PostgreSQL.

Each feedback keeps `search_text`: its text folded here, in Python (case-folded, accents
stripped, anything but letters and digits turned into single spaces, padded with a space at
each end). Queries are folded the same way, so matching is a plain substring test that both
databases run alike.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+|_+")


def fold(text: str) -> str:
    """`"Exports to CSV — café!"` -> `" exports to csv cafe "`."""
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", bare).split()
    return f" {' '.join(words)} " if words else ""
