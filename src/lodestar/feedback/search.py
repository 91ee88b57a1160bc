"""Full-text search over feedback that gives the same answers on SQLite and PostgreSQL.

Each feedback keeps `search_text`: its text folded here, in Python (case-folded, accents
stripped, Chinese and Japanese characters spaced apart, anything but letters and digits
turned into single spaces, padded with a space at each end). Queries are folded the same way,
so matching is a plain, case-sensitive substring test (`LIKE`, wildcards escaped by Django)
that both databases run alike, whatever their collation or Unicode tables.

Query syntax (docs/listen-inbox.md):

    dispatch slow          every word must match, each as the start of a word ("slow" finds
                           "slower"); in the feedback's text or its company's name
    "dispatch board"       an exact phrase of whole words
    -archived  -"no rush"  must not match
    company:northwind      the company's name (word start; company:"blue sky" a phrase)
    tag:churn-risk         has that tag (exact name); -tag:bug has not

A word with punctuation inside ("e-mail", "don't", "导出") is a phrase of its parts, the
last one matching as a word start. Terms that fold to nothing (punctuation, emoji) are
ignored; a query of only such terms filters nothing.

Company names have no folded column, so they are folded here too: the selector reads the
workspace's company names once per search and turns each term into a list of company ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format

from lodestar.workspaces.models import Workspace
from lodestar.workspaces.search import Hit, Source

_NOT_WORD = re.compile(r"[^\w]+|_+")
# Scripts written without spaces between words: each character is a word of its own, so a
# query finds text inside a run of them (a query's run becomes a phrase of its characters).
_UNSPACED = re.compile(
    "([\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs (extension A, unified, compat.)
    "\U00020000-\U0003134f])"  # CJK extensions B to G
)
MAX_TERMS = 20
OPERATORS = ("company", "tag")
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb"}


def fold(text: str) -> str:
    """`"Exports to CSV — café!"` -> `" exports to csv cafe "`; `""` for no words."""
    text = text or ""
    if text.isascii():  # the common case, 3x faster: the same result as the full path
        words = _NOT_WORD.sub(" ", text.lower()).split()
    else:
        decomposed = unicodedata.normalize("NFKD", text).casefold()
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        words = _NOT_WORD.sub(" ", _UNSPACED.sub(r" \1 ", bare)).split()
    return f" {' '.join(words)} " if words else ""


@dataclass(frozen=True)
class Term:
    """One condition. `value` is folded words ("dispatch board") or, for tags, a tag name."""

    value: str
    field: str = ""  # "" (text or company name), "company" or "tag"
    phrase: bool = False  # whole words only (quoted); else the last word may continue
    negate: bool = False

    @property
    def pattern(self) -> str:
        """The substring a folded text contains when this term (unnegated) matches it."""
        return f" {self.value} " if self.phrase else f" {self.value}"

    def matches(self, folded: str) -> bool:
        return self.pattern in folded


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def needs_companies(self) -> bool:
        return any(t.field in ("", "company") for t in self.terms)


def _read(raw: str, i: int) -> tuple[str, bool, int]:
    """The word or quoted phrase starting at raw[i]: (text, quoted, index after it)."""
    close = _QUOTES.get(raw[i])
    if close is not None:
        end = raw.find(close, i + 1)
        end = len(raw) if end < 0 else end  # an unclosed quote runs to the end
        return raw[i + 1 : end], True, end + 1
    end = i
    while end < len(raw) and not raw[end].isspace():
        end += 1
    return raw[i:end], False, end


def parse(raw: str) -> Query:
    """The query a member typed -> its terms (at most MAX_TERMS; the rest are ignored)."""
    raw = raw or ""
    terms: list[Term] = []
    i = 0
    while i < len(raw) and len(terms) < MAX_TERMS:
        if raw[i].isspace():
            i += 1
            continue
        negate = raw[i] == "-" and i + 1 < len(raw) and not raw[i + 1].isspace()
        i += negate
        field = ""
        head = re.match(r"(\w+):(?=\S)", raw[i:])
        if head and head.group(1).lower() in OPERATORS:
            field = head.group(1).lower()
            i += head.end()
        text, quoted, i = _read(raw, i)
        value = " ".join(text.lower().split()) if field == "tag" else fold(text).strip()
        if value:
            terms.append(Term(value, field, phrase=quoted and field != "tag", negate=negate))
    return Query(tuple(terms))


def company_ids(term: Term, companies: Iterable[tuple[int, str]]) -> list[int]:
    """Ids of the companies whose folded name `term` matches (ignoring its negation)."""
    return [pk for pk, folded in companies if term.matches(folded)]


# Company names are folded on every search that looks at them; most repeat between searches.
_fold_name = lru_cache(maxsize=50_000)(fold)


def folded_companies(names: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(pk, _fold_name(name)) for pk, name in names]


def condition(query: Query, companies: list[tuple[int, str]]) -> Q:
    """A filter on Feedback for `query`. `companies`: the workspace's (id, folded name)
    pairs, needed when `query.needs_companies`."""
    from lodestar.feedback.models import Feedback

    result = Q()
    for term in query.terms:
        if term.field == "tag":
            tagged = Feedback.tags.through.objects.filter(
                feedback_id=OuterRef("pk"), tag__name=term.value
            )
            part = Q(Exists(tagged))
        else:
            ids = company_ids(term, companies)
            part = Q(company_id__in=ids) if ids or term.field else Q()
            if not term.field:
                text = Q(search_text__contains=term.pattern)
                part = text | part if ids else text
        result &= ~part if term.negate else part
    return result


# -- the workspace search page ----------------------------------------------------------


def _feedback_hits(workspace: Workspace, q: str, limit: int) -> list[Hit]:
    from lodestar.feedback.selectors import feedback_list

    if not parse(q):  # only punctuation or emoji: nothing to look for
        return []
    rows = feedback_list(workspace=workspace, q=q).order_by("-pk")[:limit]
    return [
        Hit(
            f.text if len(f.text) <= 120 else f"{f.text[:119]}…",
            " · ".join(
                filter(
                    None,
                    [
                        f.company.name if f.company else "",
                        f.get_status_display(),
                        date_format(f.received_at, "M j, Y"),
                    ],
                )
            ),
            reverse("feedback:feedback", args=[workspace.slug, f.key]),
        )
        for f in rows
    ]


SOURCES = [Source("Feedback", "feedback.view", _feedback_hits)]
