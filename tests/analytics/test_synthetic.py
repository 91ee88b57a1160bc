"""The seeded event generator behind the demo, the parity tests and the benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from lodestar.analytics.synthetic import DISPATCH, generate

END = datetime(2026, 11, 2, 15, tzinfo=UTC)


def _make(seed=3, persons=800):
    con = duckdb.connect()
    generate(con, seed=seed, persons=persons, end=END, days=70,
             companies=[("big.example", 1.3), ("small.example", 0.7)])  # fmt: skip
    return con


def test_the_same_seed_gives_the_same_events_and_another_seed_does_not():
    digest = "SELECT sum(hash(uuid, event, distinct_id, timestamp, properties)) FROM synthetic"
    assert _make().execute(digest).fetchall() == _make().execute(digest).fetchall()
    assert _make().execute(digest).fetchall() != _make(seed=4).execute(digest).fetchall()


def test_the_activation_funnel_narrows_and_better_accounts_activate_more():
    con = _make(persons=3000)
    counts = dict(con.execute("SELECT event, count(*) FROM synthetic GROUP BY event").fetchall())
    steps = [event for event, *_ in DISPATCH.funnel]
    firsts = [
        con.execute(
            "SELECT count(DISTINCT replace(distinct_id, 'anon', 'user')) FROM synthetic "
            "WHERE event = ?",
            [step],
        ).fetchall()[0][0]
        for step in steps[:2]
    ]
    assert firsts[0] == 3000 and firsts[1] < firsts[0]
    assert counts["$identify"] == counts["signed_up"]
    by_company = dict(
        con.execute(
            """
            SELECT properties->>'$."$groups".company' AS company,
                   count(*) FILTER (event = 'onboarding_completed') / count(*) FILTER
                       (event = 'signed_up')
            FROM synthetic s
            WHERE event IN ('signed_up', 'onboarding_completed')
            GROUP BY company
            """
        ).fetchall()
    )
    assert by_company["big.example"] > by_company["small.example"]


def test_events_never_pass_the_end_and_features_start_at_their_release():
    con = _make()
    assert con.execute("SELECT max(timestamp) FROM synthetic").fetchall()[0][0] < END.replace(
        tzinfo=None
    )
    for feature in DISPATCH.features:
        first = con.execute(
            "SELECT min(timestamp) FROM synthetic WHERE event = ?", [feature.event]
        ).fetchall()[0][0]
        assert first is None or first.date() >= feature.released


def test_friction_is_there_and_the_reports_page_is_slow():
    con = _make(persons=2000)
    kinds = dict(
        con.execute(
            "SELECT event, count(*) FROM synthetic WHERE event IN "
            "('$rageclick', '$dead_click', '$error_click', '$form_abandon') GROUP BY event"
        ).fetchall()
    )
    assert set(kinds) == {"$rageclick", "$dead_click", "$error_click", "$form_abandon"}
    p75 = dict(
        con.execute(
            """
            SELECT properties->>'$."$pathname"',
                   quantile_cont((properties->>'$."$lcp"')::DOUBLE, 0.75)
            FROM synthetic WHERE event = '$web_vitals' GROUP BY 1
            """
        ).fetchall()
    )
    assert p75["/reports"] > 4000
    assert max(v for k, v in p75.items() if k != "/reports") < 4000
