"""Feedback search gives the same answers on SQLite and PostgreSQL (CI runs this file on both).

The corpus holds the texts databases disagree on when left to their own case folding and
LIKE: accents, German ß, Turkish dotted and dotless i, Chinese and Japanese, emoji, `%`, `_`
and backslashes in text and query, mixed case, hyphenated words. Expected results are written
by hand from the texts. A property test then compares the database with a plain-Python
reading of the same query over random texts.
"""

# ruff: noqa: RUF001, RUF003 - the look-alike letters (ı, Ａ) are what this file tests

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lodestar.customers.models import Company
from lodestar.feedback import selectors
from lodestar.feedback.models import Feedback, Tag
from lodestar.feedback.search import fold, parse
from lodestar.workspaces import services as workspace_services
from lodestar.workspaces.search import search as workspace_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPANIES = {
    "mork": "Café Mörk GmbH",
    "izmir": "İzmir Lojistik",
    "percent": "100% Plumbing_Co",
}

# label: (text, company label or None, tags)
CORPUS = {
    "cafe": ("Café au lait while waiting for the dispatch board to load.", None, ["churn-risk"]),
    "strasse": ("Die Straße ist gesperrt; the route planner ignores closures.", None, ["bug"]),
    "istanbul": ("İSTANBUL depot: technicians can't see İş emri numbers.", "izmir", []),
    "dotless": ("Kırmızı alarm on overdue jobs", None, []),
    "dotted": ("KIRMIZI ALARM ON OVERDUE JOBS", None, []),
    "cjk": ("配車ボードが遅い。CSV导出 also fails.", None, []),
    "emoji": ("Love the new map 🚚🔥 but the ETA is wrong", None, []),
    "percent": ("We pay 100% of overtime; the 50% discount_code is broken", None, []),
    "underscore": ("field tech_notes are lost after sync", None, []),
    "backslash": ("Exporting to C:\\exports\\daily fails every night", None, []),
    "mixed": ("QuickBooks Online sync DUPLICATES invoices", None, ["bug"]),
    "hyphen": ("The e-mail notifications arrive twice; re-send fails", None, []),
    "phrase": ("Our dispatch board is slow with 50 techs on it", None, []),
    "prefix": ("Dispatcher role needs finer permissions", None, []),
    "callback": ("Please call me back about the renewal.", "mork", []),
}
ALL = set(CORPUS)

CASES = [
    # accents, either way round, any case
    ("cafe", {"cafe", "callback"}),  # callback: its company is Café Mörk
    ("CAFÉ", {"cafe", "callback"}),
    ("café au", {"cafe"}),
    ("mörk", {"callback"}),
    ("MORK", {"callback"}),
    # German ß folds to ss
    ("strasse", {"strasse"}),
    ("Straße", {"strasse"}),
    ("STRASSE", {"strasse"}),
    # Turkish: İ folds to i; dotless ı stays ı, unlike the capital I, which folds to i
    ("istanbul", {"istanbul"}),
    ("İstanbul", {"istanbul"}),
    ("iş emri", {"istanbul"}),
    ("izmir", {"istanbul"}),  # the company's name
    ("kırmızı", {"dotless"}),
    ("kirmizi", {"dotted"}),
    ("KIRMIZI", {"dotted"}),
    ("alarm", {"dotless", "dotted"}),
    # Chinese and Japanese: found inside a run of characters
    ("配車", {"cjk"}),
    ("遅い", {"cjk"}),
    ("导出", {"cjk"}),
    ("csv导出", {"cjk"}),
    ("ボード", {"cjk"}),
    ("配達", set()),
    # emoji and punctuation are not words
    ("🚚 map", {"emoji"}),
    ("map🔥", {"emoji"}),
    ("🚚", ALL),
    ("%", ALL),
    ("_", ALL),
    ("\\", ALL),
    # % and _ are never wildcards, backslashes never escapes
    ("100%", {"percent"}),
    ("50%", {"percent", "phrase"}),
    ("%ech", set()),
    ("_ech", set()),
    ("t_ch", set()),
    ("t%h", set()),
    ("discount_code", {"percent"}),
    ("tech_notes", {"underscore"}),
    ("notes", {"underscore"}),
    ("C:\\exports", {"backslash"}),
    ("exports\\daily", {"backslash"}),
    ("\\daily", {"backslash"}),
    ("plumbing_co", set()),  # company names are folded alike: "plumbing co" is no feedback's
    # mixed case
    ("quickbooks duplicates", {"mixed"}),
    ("QUICKBOOKS", {"mixed"}),
    ("dUpLiCaTe", {"mixed"}),
    # hyphenated words are phrases of their parts
    ("e-mail", {"hyphen"}),
    ("mail", {"hyphen"}),
    ("email", set()),
    ("re-send", {"hyphen"}),
    ("resend", set()),
    # words match word starts; phrases match whole words
    ("dispatch", {"cafe", "phrase", "prefix"}),
    ('"dispatch"', {"cafe", "phrase"}),
    ('"dispatch board"', {"cafe", "phrase"}),
    ('"board dispatch"', set()),
    ('"dispatch boa"', set()),
    ("dispatch boa", {"cafe", "phrase"}),
    ("patch", set()),
    ("slow dispatch", {"phrase"}),
    ('"dispatch board', {"cafe", "phrase"}),  # an unclosed quote runs to the end
    ("\u201cdispatch board\u201d", {"cafe", "phrase"}),  # typographic quotes
    # exclusion
    ("-dispatch", ALL - {"cafe", "phrase", "prefix"}),
    ("dispatch -slow", {"cafe", "prefix"}),
    ('board -"is slow"', {"cafe"}),
    ("-cafe -%", ALL - {"cafe", "callback"}),
    # operators
    ("company:café", {"callback"}),
    ("company:mork", {"callback"}),
    ('company:"mörk gmbh"', {"callback"}),
    ('company:"mörk gm"', set()),
    ("company:izm", {"istanbul"}),
    ("company:call", set()),  # "call" is in the text, not the company's name
    ("-company:mork please", set()),
    ("tag:bug", {"strasse", "mixed"}),
    ("tag:BUG", {"strasse", "mixed"}),
    ("-tag:bug dispatch", {"cafe", "phrase", "prefix"}),
    ("tag:churn-risk", {"cafe"}),
    ("tag:nope", set()),
    ("nocompany:mork", set()),  # not an operator: the words "nocompany mork"
    # empty and blank
    ("", ALL),
    ("   ", ALL),
]


@pytest.fixture
def corpus(db):
    owner = UserFactory(email="searcher@example.test")
    workspace = workspace_services.workspace_create(user=owner, name="Corpus", slug="corpus")
    companies = {
        label: Company.objects.create(workspace=workspace, name=name)
        for label, name in COMPANIES.items()
    }
    tags = {}
    ids = {}
    for label, (text, company, tag_names) in CORPUS.items():
        feedback = Feedback.objects.create(
            workspace=workspace, text=text, company=companies.get(company)
        )
        for name in tag_names:
            tag = tags.get(name) or Tag.objects.create(workspace=workspace, name=name)
            tags[name] = tag
            feedback.tags.add(tag)
        ids[feedback.pk] = label
    # Another workspace's lookalikes are never found.
    other_owner = UserFactory(email="other-searcher@example.test")
    other = workspace_services.workspace_create(user=other_owner, name="Other", slug="other-s")
    lookalike = Company.objects.create(workspace=other, name="Café Mörk GmbH")
    Feedback.objects.create(workspace=other, text="Café dispatch board 🚚 100%", company=lookalike)
    return workspace, ids


def _found(workspace, ids, q) -> set[str]:
    return {
        ids[pk]
        for pk in selectors.feedback_list(workspace=workspace, q=q).values_list("pk", flat=True)
    }


@pytest.mark.parametrize(("q", "expected"), CASES, ids=[repr(q) for q, _ in CASES])
def test_search_finds_what_a_reader_would(corpus, q, expected):
    workspace, ids = corpus
    assert _found(workspace, ids, q) == expected


def test_a_search_costs_two_queries(corpus, django_assert_max_num_queries):
    workspace, ids = corpus
    with django_assert_max_num_queries(2):  # the company names, then the feedback
        _found(workspace, ids, "dispatch company:mork -tag:bug")


def test_the_api_and_the_workspace_search_use_the_same_search(corpus, client):
    workspace, _ = corpus
    client.force_login(workspace.memberships.get().user)
    response = client.get("/api/v1/workspaces/corpus/feedback", {"q": "cafe"})
    assert response.status_code == 200
    texts = {item["text"] for item in response.json()["items"]}
    assert texts == {CORPUS["cafe"][0], CORPUS["callback"][0]}
    hits = dict(workspace_search(membership=workspace.memberships.get(), query="straße"))
    assert [h.label for h in hits["Feedback"]] == [CORPUS["strasse"][0]]
    assert hits["Feedback"][0].url.startswith("/w/corpus/feedback/")


def test_fold():
    assert fold("Exports to CSV — café!") == " exports to csv cafe "
    assert fold("Straße İş ı KIRMIZI") == " strasse is ı kirmizi "
    assert (
        fold("配車ボード CSV导出") == " 配 車 ホ ー ト csv 导 出 "
    )  # kana lose their voicing marks
    assert fold("100%_off \\ ﬁne ＡＢＣ x²") == " 100 off fine abc x2 "
    assert fold("🚚 %_\\ --") == ""
    assert fold("") == "" and fold(None) == ""  # type: ignore[arg-type]


def test_parse_reads_words_phrases_exclusions_and_operators():
    terms = parse(
        'Dispatch "board  SLOW" -foo -"no rush" company:Mörk tag:Quick-Win -tag:"a b" x:y'
    ).terms
    assert [(t.value, t.field, t.phrase, t.negate) for t in terms] == [
        ("dispatch", "", False, False),
        ("board slow", "", True, False),
        ("foo", "", False, True),
        ("no rush", "", True, True),
        ("mork", "company", False, False),
        ("quick-win", "tag", False, False),
        ("a b", "tag", False, True),
        ("x y", "", False, False),
    ]
    assert not parse('% _ \\ 🚚 - ""')
    assert len(parse("a " * 60).terms) == 20


# -- property: the database agrees with plain Python ---------------------------------------

# Few symbols, so that random words often share starts and random queries often match.
SYMBOLS = [
    *"abé",
    *("É", "ß", "SS", "İ", "ı", "I", "i", "导", "出", "ボ", "%", "_", "\\", "'", "🚚"),
    *("\u0301", "ﬁ"),  # a combining acute accent, a ligature
]
SEPARATORS = [" ", " ", " ", "-", "_", "%", "\\", ". ", "🚚", "\n"]
words = st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=3).map("".join)
texts = st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=5).map(
    lambda parts: "".join(w + sep for w, sep in parts)
)


@st.composite
def queries(draw) -> str:
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        prefix = draw(st.sampled_from(["", "", "", "-", "company:", "-company:", "tag:", "-tag:"]))
        if prefix.endswith("tag:"):
            body = draw(st.sampled_from(["bug", "BUG", '"a b"', "a", "nope"]))
        else:
            body = draw(words)
            if draw(st.booleans()):
                body = f'"{body} {draw(words)}"' if draw(st.booleans()) else f'"{body}"'
        terms.append(prefix + body)
    return " ".join(terms)


def _reference(query, text: str, company: str | None, tags: set[str]) -> bool:
    """What the query means, read in plain Python over the folded strings."""
    folded, company_folded = fold(text), fold(company or "")
    for term in query.terms:
        needle = f" {term.value} " if term.phrase else f" {term.value}"
        if term.field == "tag":
            hit = term.value in tags
        elif term.field == "company":
            hit = needle in company_folded
        else:
            hit = needle in folded or needle in company_folded
        if hit == term.negate:
            return False
    return True


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(texts, st.sampled_from([None, 0, 1]), st.sets(st.sampled_from(["bug", "a b"]))),
        min_size=1,
        max_size=8,
    ),
    names=st.lists(texts, min_size=2, max_size=2),
    q=queries(),
)
def _agrees(workspace, rows, names, q):
    with transaction.atomic():
        companies = [Company.objects.create(workspace=workspace, name=n) for n in names]
        tag_objects = {n: Tag.objects.create(workspace=workspace, name=n) for n in ("bug", "a b")}
        expected = set()
        query = parse(q)
        for text, company, tags in rows:
            feedback = Feedback.objects.create(
                workspace=workspace,
                text=text or "-",
                company=companies[company] if company is not None else None,
            )
            feedback.tags.set([tag_objects[t] for t in tags])
            name = names[company] if company is not None else None
            if _reference(query, text or "-", name, tags):
                expected.add(feedback.pk)
        found = set(selectors.feedback_list(workspace=workspace, q=q).values_list("pk", flat=True))
        assert found == expected, (q, query)
        transaction.set_rollback(True)


def test_database_agrees_with_python_on_random_texts_and_queries(db):
    owner = UserFactory(email="property@example.test")
    workspace = workspace_services.workspace_create(user=owner, name="Prop", slug="prop")
    _agrees(workspace)
