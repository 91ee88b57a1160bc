"""The same query returns the same numbers on DuckDB and on ClickHouse (chDB), on the same
generated data: persons merged by identify and alias, company groups, friction events,
several days across a daylight-saving change in a non-UTC time zone."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from lodestar.analytics.queries.base import Dialect, DuckDialect
from lodestar.analytics.store.compactor import load
from lodestar.analytics.store.duck import DuckEngine
from lodestar.analytics.store.layout import Layout
from tests.analytics.test_clickhouse import chdb_url

pytest.importorskip("chdb")

TZ = "America/New_York"  # daylight saving ends on 2026-11-01
START = datetime(2026, 10, 25, 2, 30)  # UTC
DAYS = 14
NOW = START + timedelta(days=DAYS)
PATHS = ["/", "/pricing", "/signup", "/app/reports", "/app/settings", "/checkout"]


def generate(seed: int = 6) -> pa.Table:
    """A few thousand events of 150 persons, the same for every run."""
    rnd = random.Random(seed)
    rows: list[dict] = []

    def add(name: str, who: str, at: datetime, props: dict, product: str = "web") -> None:
        path = props.get("$pathname") or rnd.choice(PATHS)
        url = f"https://acme.test{path}?utm={rnd.randint(1, 3)}#top"
        rows.append(
            {
                "product": product,
                "uuid": str(uuid.UUID(int=rnd.getrandbits(128))),
                "event": name,
                "distinct_id": who,
                "timestamp": at,
                "properties": json.dumps({"$current_url": url, **props}),
                "url": url,
                "session_id": f"s-{who}-{at.date()}",
                "received_at": at + timedelta(seconds=1),
            }
        )

    for i in range(150):
        anon = f"anon-{i}"
        user = f"user{i}@co{i % 7}.test"
        t = START + timedelta(seconds=rnd.randint(0, DAYS * 86400 - 4 * 86400))
        t += timedelta(microseconds=rnd.randint(0, 999_999))
        plan = rnd.choice(["free", "pro", "team", None])
        for _ in range(rnd.randint(1, 6)):
            path = rnd.choice(PATHS)
            add("$pageview", anon, t, {"$pathname": path, "plan": plan})
            t += timedelta(minutes=rnd.randint(1, 300))
        identified = rnd.random() < 0.7
        me = anon
        if identified:
            me = user
            props: dict = {"$anon_distinct_id": anon, "$set": {"plan": plan, "age": i % 50}}
            if i % 3:
                props["$groups"] = {"company": ["nw-1", "globex.test", "nobody"][i % 3]}
            add("$identify", user, t, props)
            if i % 10 == 0:
                add("$create_alias", user, t + timedelta(seconds=5), {"alias": f"crm-{i}"})
                add("opened_email", f"crm-{i}", t + timedelta(hours=1), {})
        steps = ["signed_up", "activated", "report_created", "purchased"]
        for n, step in enumerate(steps):
            if rnd.random() < 0.75 - 0.12 * n:
                t += timedelta(hours=rnd.randint(0, 60), seconds=rnd.randint(0, 3599))
                amount = rnd.choice([19, 49.5, "99", None, True])
                add(step, me, t, {"amount": amount, "plan": plan, "n": n})
            else:
                break
        for _ in range(rnd.randint(0, 4)):
            t += timedelta(minutes=rnd.randint(1, 600))
            kind = rnd.choice(["$rageclick", "$dead_click", "$error_click", "$web_vitals"])
            path = rnd.choice(PATHS[:4])
            if kind == "$web_vitals":
                props = {
                    "$pathname": path,
                    "$lcp": rnd.choice([1200, 3900, 4500, 8000]),
                    "$inp": rnd.choice([80, 300, 700]),
                    "$cls": rnd.choice([0.01, 0.3]),
                }
            else:
                props = {
                    "$pathname": path,
                    "$selector": rnd.choice(["button.save", "a.next", "#buy"]),
                    "$el_text": rnd.choice(["Save", "Next", "Buy now"]),
                }
            add(kind, me, t, props, product=rnd.choice(["web", "web", "app"]))
        for _ in range(rnd.randint(0, 3)):  # back on another day
            t += timedelta(days=rnd.randint(1, 4), minutes=rnd.randint(0, 999))
            add("$pageview", me, t, {"$pathname": rnd.choice(PATHS)}, product="app")
    rows += [dict(r) for r in rows[:40]]  # resent events are stored once
    return pa.Table.from_pylist(rows)


WORKSPACE = 4242  # the stores are built here, outside the relational database
COMPANIES = [
    {
        "key": "c-northwind",
        "name": "Northwind",
        "external_id": "nw-1",
        "domain": "northwind.test",
        "arr": 48000.0,
        "plan": "pro",
        "segment": "mid_market",
    },
    {
        "key": "c-globex",
        "name": "Globex",
        "external_id": None,
        "domain": "globex.test",
        "arr": 120000.0,
        "plan": "enterprise",
        "segment": "enterprise",
    },
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """Both engines holding the same generated events, and a function that runs a callable
    on a source of each: `engines(lambda src: ...) -> (duck, clickhouse)`."""
    from lodestar.analytics.store.clickhouse import ClickHouseEngine

    root = tmp_path_factory.mktemp("parity")
    data = generate()
    database = f"parity_{uuid.uuid4().hex[:8]}"
    duck = DuckEngine(Layout(root / "duck"))
    house = ClickHouseEngine.from_url(chdb_url(database), Layout(root / "ch"))
    for engine in (duck, house):
        con = duckdb.connect()
        con.register("generated", data)
        result = load(engine, WORKSPACE, con, "SELECT * FROM generated")
        assert (result.events, result.repeats) == (len(data) - 40, 40)
        con.close()

    def both(fn):
        out = []
        for engine in (duck, house):
            with engine.source(WORKSPACE, COMPANIES, TZ) as src:
                out.append(fn(src))
        return tuple(out)

    yield both
    house.client.command(f"DROP DATABASE IF EXISTS {database}")


def same(value, digits: int = 9):
    """Floats to `digits` significant digits (the engines sum in different orders)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: same(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [same(v, digits) for v in value]
    return value


def differences(duck, house, path: str = "") -> list[str]:
    """Where two results differ, as readable lines (an empty list: equal)."""
    duck, house = same(duck), same(house)
    if isinstance(duck, dict) and isinstance(house, dict):
        keys = list(duck) + [k for k in house if k not in duck]
        return [
            line for k in keys for line in differences(duck.get(k), house.get(k), f"{path}.{k}")
        ]
    if isinstance(duck, list) and isinstance(house, list) and len(duck) == len(house):
        return [
            line
            for i, (a, b) in enumerate(zip(duck, house, strict=True))
            for line in differences(a, b, f"{path}[{i}]")
        ]
    return [] if duck == house else [f"{path}: duckdb {duck!r} != clickhouse {house!r}"]


# Raw SQL through the dialect: what every query module is built from.
def raw_queries(d: Dialect) -> dict[str, str]:
    return {
        "counts by local day": f"""
            SELECT {d.trunc("day", d.local("timestamp", TZ))} AS day, count(*) AS n
            FROM events GROUP BY day ORDER BY day""",
        "persons by local week and month": f"""
            SELECT {d.trunc("week", d.local("timestamp", TZ))} AS week,
                   {d.trunc("month", d.local("timestamp", TZ))} AS month,
                   count(DISTINCT person_id) AS persons
            FROM events GROUP BY week, month ORDER BY week, month""",
        "hours around the change": f"""
            SELECT {d.trunc("hour", d.local("timestamp", TZ))} AS hour, count(*) AS n
            FROM events
            WHERE {d.local("timestamp", TZ)} >= {d.literal(datetime(2026, 10, 31, 22))}
              AND {d.local("timestamp", TZ)} < {d.literal(datetime(2026, 11, 1, 4))}
            GROUP BY hour ORDER BY hour""",
        "a UTC window": f"""
            SELECT event, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last
            FROM events
            WHERE timestamp >= {d.literal(START + timedelta(days=3))}
              AND timestamp < {d.literal(START + timedelta(days=9))}
            GROUP BY event ORDER BY event""",
        "event property breakdown": f"""
            SELECT {d.json_str("properties", "plan")} AS plan,
                   {d.json_str("properties", "amount")} AS amount, count(*) AS n,
                   sum({d.json_num("properties", "amount")}) AS total,
                   count(DISTINCT person_id) AS persons
            FROM events GROUP BY plan, amount ORDER BY plan, amount""",
        "missing and non-string properties": f"""
            SELECT {d.json_str("properties", "nothing")} AS nothing,
                   {d.json_str("properties", "$set")} AS set_,
                   {d.json_num("properties", "$lcp")} AS lcp, count(*) AS n
            FROM events GROUP BY nothing, set_, lcp ORDER BY set_, lcp""",
        "merged persons": """
            SELECT person_id, count(DISTINCT distinct_id) AS ids, count(*) AS n
            FROM events GROUP BY person_id HAVING count(DISTINCT distinct_id) > 1
            ORDER BY person_id""",
        "persons by company": f"""
            SELECT company, company_plan, company_segment, company_arr,
                   {d.json_str("properties", "plan")} AS plan, count(*) AS n
            FROM persons GROUP BY ALL ORDER BY company, plan""",
        "events joined to persons": """
            SELECT p.company AS company, e.product AS product, count(*) AS n,
                   count(DISTINCT e.person_id) AS persons
            FROM events e LEFT JOIN persons p ON p.person_id = e.person_id
            GROUP BY company, product ORDER BY company, product""",
        "time to convert": f"""
            WITH firsts AS (
                SELECT person_id,
                       min(CASE WHEN event = 'signed_up' THEN timestamp END) AS a,
                       min(CASE WHEN event = 'purchased' THEN timestamp END) AS b
                FROM events GROUP BY person_id)
            SELECT count(*) AS n, round(avg({d.seconds_between("a", "b")}), 3) AS mean,
                   sum(CASE WHEN b IS NULL THEN 1 ELSE 0 END) AS dropped
            FROM firsts WHERE a IS NOT NULL""",
        "empty aggregate is NULL": """
            SELECT sum(1) AS s, max(timestamp) AS m, count(*) AS n FROM events
            WHERE event = 'never happened'""",
        "quantiles and microseconds": f"""
            SELECT event, {d.quantile(0.5, d.json_num("properties", "amount"))} AS median,
                   {d.quantile(0.75, d.json_num("properties", "$lcp"))} AS p75,
                   min({d.epoch_us("timestamp")}) AS first_us
            FROM events GROUP BY event ORDER BY event""",
        "companies": "SELECT * FROM companies ORDER BY name",
    }


@pytest.mark.parametrize("name", list(raw_queries(DuckDialect())))
def test_dialect_sql_gives_the_same_rows(engines, name):
    def run(src):
        result = src.query(raw_queries(src.dialect)[name])
        return result.columns, result.rows

    duck, house = engines(run)
    assert duck[1], "the generated data should give rows"
    assert not differences(duck, house)


def test_trends_match(engines):
    from lodestar.analytics.queries import trends

    queries = [
        {"s0_event": "$pageview", "s0_math": "total", "interval": "day"},
        {"s0_event": "$all", "s0_math": "persons", "interval": "week"},
        {"s0_event": "$pageview", "s0_math": "dau", "interval": "day", "s1_event": "signed_up"},
        {"s0_event": "$pageview", "interval": "hour", "range": "7d"},
        {"s0_event": "signed_up", "breakdown_by": "event", "breakdown": "plan"},
        {"s0_event": "$all", "breakdown_by": "company", "s0_math": "persons"},
        {"s0_event": "$all", "breakdown_by": "arr", "compare": "1"},
        {
            "s0_event": "purchased",
            "s0_filters": json.dumps([{"key": "amount", "op": "gt", "value": "20"}]),
        },
    ]
    for query in queries:
        params = trends.parse({"range": "30d", **query})
        duck, house = engines(lambda src, p=params: trends.run(src, p, now=NOW.replace(tzinfo=UTC)))
        assert not differences(duck, house), query
        assert any(any(s["values"]) for s in duck["series"]), query


def test_friction_matches(engines):
    from dataclasses import replace

    from lodestar.analytics.queries import friction

    for query in ({"product": "web"}, {"product": "app", "sort": "arr"}):
        params = replace(friction.parse({"days": "30", **query}), now=NOW.replace(tzinfo=UTC))
        duck, house = engines(lambda src, p=params: friction.run(src, p))
        assert duck["items"], query
        for result in (duck, house):  # items of equal impact come in no particular order
            result["items"].sort(key=lambda i: (i["kind"], i["page"], i["element"]))
        assert not differences(duck, house), query


def test_retention_matches(engines):
    from lodestar.analytics.queries import retention

    for query in (
        {"start_event": "signed_up", "period": "day", "periods": "10"},
        {"start_event": "$pageview", "cohort": "recurring", "period": "week", "periods": "3"},
    ):
        params = retention.parse({**query, "date_to": (NOW.date()).isoformat()})
        duck, house = engines(lambda src, p=params: retention.run(src, p, now=NOW))
        assert not differences(duck, house), query


def test_adoption_matches(engines):
    from lodestar.analytics.queries import adoption
    from lodestar.analytics.queries.filters import parse_filters

    for filters in ([], [{"key": "plan", "op": "eq", "value": "pro"}]):
        kw = {
            "product_key": "web",
            "event": "report_created",
            "filters": parse_filters(filters),
            "start": date(2026, 10, 19),
            "end": date(2026, 11, 16),
        }
        duck, house = engines(lambda src, kw=kw: adoption.run(src, **kw))
        assert any(w["adopters"] for w in duck["weeks"])
        assert not differences(duck, house), filters


FUNNEL_STEPS = ["signed_up", "activated", "report_created", "purchased"]


def test_funnels_match(engines):
    from lodestar.analytics.queries import funnels

    queries = [
        {"window": "14d"},
        {"window": "2d", "product": "web"},
        {"window": "30h", "breakdown_type": "event", "breakdown": "plan"},
        {"window": "14d", "breakdown_type": "company"},
        {"window": "14d", "breakdown_type": "person", "breakdown": "plan", "days": "7"},
    ]
    for query in queries:
        params = funnels.parse({"steps": ",".join(FUNNEL_STEPS), "days": "30", **query})
        now = NOW.replace(tzinfo=UTC)
        duck, house = engines(lambda src, p=params, now=now: funnels.run(src, p, now=now))
        assert duck["steps"][1]["count"], query
        assert not differences(duck, house), query
        lost = engines(lambda src, p=params, now=now: funnels.dropped(src, p, 2, now=now))
        assert lost[0]["count"], query
        assert not differences(*lost), query


def test_the_funnel_agrees_with_clickhouses_window_funnel(engines):
    """windowFunnel has the same definition when step 1 may start anywhere in the data and
    each step is a different event: the persons reaching each step are the same."""
    from lodestar.analytics.queries import funnels

    window = timedelta(days=2)
    params = funnels.parse(
        {"steps": ",".join(FUNNEL_STEPS), "window": "2d", "from": "2026-10-01", "to": "2026-12-31"}
    )
    duck, _ = engines(lambda src: funnels.run(src, params))

    def window_funnel(src):
        if src.dialect.name != "clickhouse":
            return None
        conditions = ", ".join(f"event = {src.dialect.literal(e)}" for e in FUNNEL_STEPS)
        rows = src.query(
            f"""
            SELECT level, count() AS n FROM (
                SELECT person_id, windowFunnel({window // timedelta(microseconds=1)})(
                    toUInt64(toUnixTimestamp64Micro(timestamp)), {conditions}) AS level
                FROM events WHERE event IN {src.dialect.literal(FUNNEL_STEPS)}
                GROUP BY person_id)
            WHERE level > 0 GROUP BY level"""
        ).rows
        levels = dict(rows)
        return [sum(n for level, n in levels.items() if level >= k) for k in range(1, 5)]

    _, reached = engines(window_funnel)
    assert reached[1] < reached[0]
    assert [s["count"] for s in duck["steps"]] == reached
