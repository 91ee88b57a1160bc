"""Exposures and per-arm metric sums from the event store, against a brute-force Python
computation over the same generated events, on DuckDB and on ClickHouse (chDB).

The events are stored through the store's bulk path (`compactor.load`) for the experiment's
workspace and, with the same person ids, for another workspace; some are in another
product. They cover the three exposure sources, mixed and unknown variants, exposures
outside the range, events on the window's edges, property filters, a funnel and CUPED."""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest

from lodestar.analytics.store.compactor import load
from lodestar.analytics.store.duck import DuckEngine
from lodestar.analytics.store.layout import Layout
from lodestar.experiments import queries
from lodestar.experiments.models import Experiment, Metric
from lodestar.workspaces.models import Product

TZ = "America/New_York"
WS, OTHER_WS = 4343, 4344
START = datetime(2026, 10, 20, 3, 0)  # naive UTC
END = START + timedelta(days=10)
WINDOW = 2 * 86_400  # metric window, seconds
CUPED_DAYS = 3
US = 1_000_000
VARIANTS = ["control", "b", "c"]
FLAG = "new-checkout"


def experiment(**extra) -> Experiment:
    fields = {
        "flag_key": FLAG,
        "variants": [{"name": v, "split": 1 / 3} for v in VARIANTS],
        "cuped": True,
        "cuped_days": CUPED_DAYS,
        "started_at": START.replace(tzinfo=UTC),
        "stopped_at": END.replace(tzinfo=UTC),
        **extra,
    }
    return Experiment(product=Product(key="web"), **fields)


FUNNEL = [
    {"event": "view", "filters": []},
    {"event": "cart", "filters": []},
    {"event": "purchase", "filters": [{"key": "amount", "op": "is_set"}]},
]


def metrics() -> list[Metric]:
    def metric(key, kind, event="", **extra):
        return Metric(key=key, kind=kind, event=event, window_seconds=WINDOW, **extra)

    pro = [{"key": "plan", "op": "eq", "value": "pro"}]
    pricing = [{"key": "path", "op": "contains", "value": "PRIC"}]
    above_20 = [{"key": "amount", "op": "gt", "value": 20}]
    return [
        metric("conv", "conversion", "purchase"),
        metric("conv_pro", "conversion", "purchase", filters=pro),
        metric("views", "count", "view"),
        metric("views_pricing", "count", "view", filters=pricing),
        metric("revenue", "mean", "purchase", property="amount"),
        metric("big_revenue", "mean", "purchase", property="amount", filters=above_20),
        metric("funnel", "conversion", steps=FUNNEL),
        metric("never", "count", "no_such_event"),
    ]


# -- the generated events -----------------------------------------------------------------


def us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def generate(persons: int, seed: int) -> list[dict]:
    """Rows: w (workspace), product, event, distinct_id, ts (µs), properties (dict)."""
    rnd = random.Random(seed)
    rows: list[dict] = []

    def add(who, event, ts, props, product="web", w=WS):
        rows.append(
            {"w": w, "product": product, "event": event, "distinct_id": who, "ts": ts,
             "properties": props}
        )  # fmt: skip

    def exposure(who, variant, ts, product="web", w=WS, flag=FLAG):
        source = rnd.choice(["posthog", "segment_name", "segment_id", "lodestar"])
        if source == "posthog":
            props = {"$feature_flag": flag, "$feature_flag_response": variant}
            add(who, "$feature_flag_called", ts, props, product, w)
        elif source == "lodestar":
            add(who, "$exposure", ts, {"experiment": flag, "variant": variant}, product, w)
        elif source == "segment_name":
            props = {"experiment_name": flag, "variation_name": variant, "variation_id": "v9"}
            add(who, "Experiment Viewed", ts, props, product, w)
        else:
            props = {"experiment_id": flag, "experiment_name": "A name", "variation_id": variant}
            add(who, "Experiment Viewed", ts, props, product, w)

    start_us, end_us = us(START), us(END)
    span = end_us - start_us
    for i in range(persons):
        who = f"p{i}"
        first = start_us + rnd.randint(-span // 10, span + span // 10)
        variant = rnd.choice(VARIANTS + ["d"] * (1 if i % 9 == 0 else 0))
        exposure(who, variant, first)
        if rnd.random() < 0.3:  # seen again, the same variant
            exposure(who, variant, first + rnd.randint(1, 3 * 86_400 * US))
        if rnd.random() < 0.1:  # seen again in another variant: mixed
            exposure(who, rnd.choice(VARIANTS), first + rnd.randint(0, 3 * 86_400 * US))
        if rnd.random() < 0.1:  # in another product or another experiment: not counted
            exposure(who, rnd.choice(VARIANTS), first - rnd.randint(1, 86_400 * US), "app")
            exposure(who, rnd.choice(VARIANTS), first - 1, flag="other-test")
        if rnd.random() < 0.05:  # a flag call without a variant: not an exposure
            add(who, "$feature_flag_called", first - 5, {"$feature_flag": FLAG})
        low, high = first - (CUPED_DAYS + 1) * 86_400 * US, first + (WINDOW + 86_400) * US
        for _ in range(rnd.randint(0, 12)):
            ts = rnd.randint(low, high)
            event = rnd.choice(["view", "view", "cart", "purchase", "purchase", "signup"])
            props: dict = {}
            if event == "view":
                props["path"] = rnd.choice(["/pricing", "/Pricing/plans", "/home", None])
            if event == "purchase":
                amount = rnd.choice([19, 49.5, "99", "abc", True, None, 0, "1e400", "nan"])
                if amount is not None or rnd.random() < 0.5:
                    props["amount"] = amount
                props["plan"] = rnd.choice(["pro", "free", 3])
            add(who, event, ts, props, product=rnd.choice(["web"] * 5 + ["app"]))
            if rnd.random() < 0.1:  # the same person in another workspace
                add(who, event, ts, props, w=OTHER_WS)
        # The edges: at the exposure, at the end of the window, just before the exposure,
        # at the start of the CUPED period and just before it.
        for ts in (
            first,
            first + WINDOW * US,
            first + WINDOW * US - 1,
            first - 1,
            first - CUPED_DAYS * 86_400 * US,
            first - CUPED_DAYS * 86_400 * US - 1,
        ):
            if rnd.random() < 0.3:
                add(who, rnd.choice(["view", "purchase"]), ts, {"amount": 7, "plan": "pro"})
        # A whole funnel in a row, sometimes.
        if rnd.random() < 0.3:
            t = rnd.randint(first - 2 * 86_400 * US, first + WINDOW * US)
            for step in ("view", "cart", "purchase"):
                t += rnd.randint(1, 20 * 3600 * US)
                add(who, step, t, {"amount": 5})
    # Another workspace's exposures of the same persons.
    for i in range(0, persons, 3):
        exposure(f"p{i}", "b", start_us + 10, w=OTHER_WS)
    return rows


def table(rows: list[dict], w: int) -> pa.Table:
    def at(ts: int) -> datetime:
        return datetime(1970, 1, 1) + timedelta(microseconds=ts)

    return pa.Table.from_pylist(
        [
            {
                "product": r["product"],
                "uuid": str(uuid.uuid4()),
                "event": r["event"],
                "distinct_id": r["distinct_id"],
                "timestamp": at(r["ts"]),
                "properties": json.dumps(r["properties"]),
                "url": None,
                "session_id": None,
                "received_at": at(r["ts"]),
            }
            for r in rows
            if r["w"] == w
        ]
    )


# -- brute force --------------------------------------------------------------------------


def brute_variant(r: dict) -> str | None:
    """The variant of an exposure of FLAG in the web product, or None if it is not one."""
    p, e = r["properties"], r["event"]
    if r["w"] != WS or r["product"] != "web":
        return None

    def text(key):
        value = p.get(key)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    if e == "$feature_flag_called" and text("$feature_flag") == FLAG:
        return text("$feature_flag_response")
    if e == "$exposure" and text("experiment") == FLAG:
        return text("variant")
    if e == "Experiment Viewed" and FLAG in (text("experiment_id"), text("experiment_name")):
        name, vid = text("variation_name"), text("variation_id")
        if name in VARIANTS:
            return name
        if vid in VARIANTS:
            return vid
        return name if name is not None else vid
    return None


def brute_exposed(rows, start_us, end_us) -> dict[str, tuple[int, set[str], int]]:
    """person -> (first exposure µs, variants seen, last exposure µs)."""
    out: dict[str, tuple[int, set[str], int]] = {}
    for r in rows:
        v = brute_variant(r)
        if v is None or not start_us <= r["ts"] < end_us:
            continue
        f, seen, last = out.get(r["distinct_id"], (r["ts"], set(), r["ts"]))
        out[r["distinct_id"]] = (min(f, r["ts"]), seen | {v}, max(last, r["ts"]))
    return out


def number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def matches(m: dict, r: dict) -> bool:
    p = r["properties"]
    for f in m.get("filters", []):
        value = p.get(f["key"])
        if f["op"] == "eq" and not (isinstance(value, str) and value == f["value"]):
            return False
        if f["op"] == "contains" and not (
            isinstance(value, str) and f["value"].lower() in value.lower()
        ):
            return False
        if f["op"] == "gt" and not ((n := number(value)) is not None and n > f["value"]):
            return False
        if f["op"] == "is_set" and value is None:
            return False
    return True


def brute_value(m: Metric, events: list[dict], window_us: int | None = None) -> float:
    spec = {"filters": m.filters}
    if m.steps:  # the funnel: each step-1 event as a start, then the earliest next steps
        ordered = sorted(events, key=lambda r: (r["ts"], mask(r)))
        for i, r in enumerate(ordered):
            if not mask(r) & 1:
                continue
            k = 1
            for later in ordered[i + 1 :]:
                if k == len(m.steps) or later["ts"] - r["ts"] > (window_us or 0):
                    break
                if mask(later) >> k & 1:
                    k += 1
            if k == len(m.steps):
                return 1.0
        return 0.0
    hits = [r for r in events if r["event"] == m.event and matches(spec, r)]
    if m.kind == "conversion":
        return 1.0 if hits else 0.0
    if m.kind == "count":
        return float(len(hits))
    return sum(n for r in hits if (n := number(r["properties"].get(m.property))) is not None)


def mask(r: dict) -> int:
    out = 0
    for i, step in enumerate(FUNNEL):
        if r["event"] == step["event"] and matches(step, r):
            out |= 1 << i
    return out


def brute_arms(rows, exp: Experiment, ms: list[Metric], cuped: bool) -> dict[str, list[tuple]]:
    start_us, end_us = us(START), us(END)
    exposed = brute_exposed(rows, start_us, end_us)
    assigned = {p: (f, next(iter(s))) for p, (f, s, _) in exposed.items() if len(s) == 1}
    assigned = {p: fv for p, fv in assigned.items() if fv[1] in VARIANTS}
    by_person: dict[str, list[dict]] = {}
    for r in rows:
        if r["w"] == WS and r["product"] == "web":
            by_person.setdefault(r["distinct_id"], []).append(r)
    out = {}
    for m in ms:
        window = m.window_seconds * US
        arms = []
        for name in VARIANTS:
            n, s, q, ps, pq, sp = 0, 0.0, 0.0, 0.0, 0.0, 0.0
            for person, (f, v) in assigned.items():
                if v != name:
                    continue
                mine = by_person.get(person, [])
                post = [r for r in mine if f <= r["ts"] < f + window and r["ts"] < end_us]
                x = brute_value(m, post, window)
                n, s, q = n + 1, s + x, q + x * x
                if cuped:
                    pre_from = f - CUPED_DAYS * 86_400 * US
                    pre = [r for r in mine if pre_from <= r["ts"] < f]
                    y = brute_value(m, pre, window)
                    ps, pq, sp = ps + y, pq + y * y, sp + x * y
            arms.append((name, n, s, q) + ((ps, pq, sp) if cuped else (None, None, None)))
        out[m.key] = arms
    return out


# -- the engines --------------------------------------------------------------------------


def _engine(kind: str, root, rows: list[dict]):
    if kind == "duckdb":
        engine = DuckEngine(Layout(root / "duck"))
    else:
        pytest.importorskip("chdb")
        from lodestar.analytics.store.clickhouse import ClickHouseEngine
        from tests.analytics.test_clickhouse import chdb_url

        database = f"exp_{uuid.uuid4().hex[:8]}"
        engine = ClickHouseEngine.from_url(chdb_url(database), Layout(root / "ch"))
    for w in {r["w"] for r in rows}:
        con = duckdb.connect()
        con.register("generated", table(rows, w))
        load(engine, w, con, "SELECT * FROM generated")
        con.close()
    return engine


# chDB is slow: it gets a smaller data set.
SIZES = {"duckdb": 400, "clickhouse": 60}


@pytest.fixture(scope="module", params=["duckdb", "clickhouse"])
def store(request, tmp_path_factory):
    rows = generate(SIZES[request.param], seed=11)
    engine = _engine(request.param, tmp_path_factory.mktemp(request.param), rows)
    yield request.param, engine, rows
    if request.param == "clickhouse":
        engine.client.command(f"DROP DATABASE IF EXISTS {engine.client.database}")


def source(engine):
    return engine.source(WS, [], TZ)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# -- tests --------------------------------------------------------------------------------


def test_exposures_match_the_brute_force(store):
    _kind, engine, rows = store
    with source(engine) as src:
        got = queries.exposures(src, experiment())
    exposed = brute_exposed(rows, us(START), us(END))
    single = {p: (f, next(iter(s))) for p, (f, s, _) in exposed.items() if len(s) == 1}
    counts = {v: sum(1 for _, x in single.values() if x == v) for v in VARIANTS}
    unknown: dict[str, int] = {}
    for _, v in single.values():
        if v not in VARIANTS:
            unknown[v] = unknown.get(v, 0) + 1
    assert got.counts == counts
    assert list(got.counts) == VARIANTS
    assert got.mixed == sum(1 for _, s, _ in exposed.values() if len(s) > 1) > 0
    assert got.unknown == unknown and "d" in unknown
    assert got.total == sum(counts.values())
    zero = datetime(1970, 1, 1, tzinfo=UTC)
    assert got.first_at == zero + timedelta(microseconds=min(f for f, _, _ in exposed.values()))
    assert got.last_at == zero + timedelta(microseconds=max(x for _, _, x in exposed.values()))
    daily: dict[date, dict[str, int]] = {}
    for f, v in single.values():
        if v in VARIANTS:
            day = (zero + timedelta(microseconds=f)).astimezone(ZoneInfo(TZ)).date()
            daily.setdefault(day, dict.fromkeys(VARIANTS, 0))[v] += 1
    assert {d: c for d, c in got.daily if any(c.values())} == daily
    days = [d for d, _ in got.daily]
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]
    assert sum(sum(c.values()) for _, c in got.daily) == got.total


def test_metric_arms_match_the_brute_force_with_cuped(store):
    _kind, engine, rows = store
    exp, ms = experiment(), metrics()
    with source(engine) as src:
        got = queries.metric_arms(src, exp, ms)
    want = brute_arms(rows, exp, ms, cuped=True)
    assert list(got) == [m.key for m in ms]
    problems = []
    for key, arms in got.items():
        assert [a.name for a in arms] == VARIANTS
        for arm, expected in zip(arms, want[key], strict=True):
            values = (arm.name, arm.n, arm.sum, arm.sum_squares, arm.pre_sum,
                      arm.pre_sum_squares, arm.sum_products)  # fmt: skip
            if not all(close(a, b) if isinstance(a, float) else a == b
                       for a, b in zip(values, expected, strict=True)):  # fmt: skip
                problems.append(f"{key}: got {values}, expected {expected}")
    assert not problems, "\n".join(problems)
    # The data exercises every metric.
    for key in ("conv", "conv_pro", "views", "views_pricing", "revenue", "big_revenue", "funnel"):
        assert sum(a.sum for a in got[key]) > 0, key
        assert sum(a.pre_sum or 0 for a in got[key]) > 0, key
    assert all(a.sum == 0 for a in got["never"])
    # Binomial: the sum of squares is the sum.
    for key in ("conv", "funnel"):
        assert all(a.sum_squares == a.sum and a.pre_sum_squares == a.pre_sum for a in got[key])


def test_without_cuped_and_exposures_agree(store):
    _kind, engine, rows = store
    exp, ms = experiment(cuped=False), metrics()
    with source(engine) as src:
        got = queries.metric_arms(src, exp, ms)
        plain = queries.metric_arms(src, experiment(), [ms[0]], cuped=False)
        exposed = queries.exposures(src, exp)
        only_funnel = queries.metric_arms(src, exp, [ms[6]])
    want = brute_arms(rows, exp, ms, cuped=False)
    for key, arms in got.items():
        for arm, expected in zip(arms, want[key], strict=True):
            assert arm.pre_sum is None and arm.sum_products is None
            assert (arm.n, arm.sum) == (expected[1], expected[2]), key
            assert close(arm.sum_squares, expected[3])
        assert [a.n for a in arms] == list(exposed.counts.values())
    assert plain["conv"] == got["conv"]
    assert only_funnel["funnel"] == got["funnel"]


def test_range_arguments_narrow_the_exposures(store):
    _kind, engine, rows = store
    start, end = START + timedelta(days=2), START + timedelta(days=5)
    with source(engine) as src:
        got = queries.exposures(src, experiment(), start=start.replace(tzinfo=UTC), end=end)
        arms = queries.metric_arms(src, experiment(), metrics()[:1], start=start, end=end)
    exposed = brute_exposed(rows, us(start), us(end))
    single = [next(iter(s)) for _, s, _ in exposed.values() if len(s) == 1]
    assert got.counts == {v: single.count(v) for v in VARIANTS}
    assert [a.n for a in arms["conv"]] == [single.count(v) for v in VARIANTS]


def test_no_exposures_gives_empty_arms(store):
    _kind, engine, _rows = store
    exp = experiment(flag_key="nobody-saw-this")
    with source(engine) as src:
        got = queries.exposures(src, exp)
        arms = queries.metric_arms(src, exp, metrics())
    assert got.counts == dict.fromkeys(VARIANTS, 0)
    assert (got.mixed, got.unknown, got.first_at, got.last_at, got.daily) == (0, {}, None, None, [])
    for key, values in arms.items():
        assert [(a.n, a.sum, a.sum_squares) for a in values] == [(0, 0.0, 0.0)] * 3, key
        assert all(a.pre_sum == 0 for a in values)


def test_a_draft_experiment_reads_up_to_now(store):
    """No start: every exposure so far counts; no end: up to now."""
    _kind, engine, rows = store
    exp = experiment(started_at=None, stopped_at=None)
    with source(engine) as src:
        got = queries.exposures(src, exp)
    exposed = brute_exposed(rows, 0, us(datetime(2100, 1, 1)))
    assert got.total + got.mixed + sum(got.unknown.values()) == len(exposed)


def test_persons_merged_by_identify_are_one_unit(db, event_store, world):
    """An anonymous exposure and the identified user's purchase are one person, through the
    configured store (the spool and a flush, as capture writes them)."""
    from lodestar.analytics.queries.base import source_for
    from lodestar.analytics.store import get_spool

    workspace = world.workspace
    product = Product.objects.get(workspace=workspace, key="web")
    exp = experiment()
    exp.product = product
    t = us(START) + 3600 * US

    def row(who, event, ts, props, w=workspace.id, p="web"):
        return {"w": w, "p": p, "uuid": str(uuid.uuid4()), "event": event, "distinct_id": who,
                "ts": ts, "properties": props, "received": ts}  # fmt: skip

    flag_called = {"$feature_flag": FLAG, "$feature_flag_response": "control"}
    other = world.other.id
    get_spool().append(
        [
            row("anon-1", "$exposure", t, {"experiment": FLAG, "variant": "b"}),
            row("u1@x.test", "$identify", t + US, {"$anon_distinct_id": "anon-1"}),
            row("u1@x.test", "purchase", t + 2 * US, {"amount": 30}),
            row("anon-2", "$feature_flag_called", t, flag_called),
            row("anon-2", "purchase", t + US, {"amount": 10}, p="app"),  # another product
            row("anon-3", "$exposure", t, {"experiment": FLAG, "variant": "c"}, w=other),
        ]
    )
    event_store.flush()
    with source_for(workspace) as src:
        got = queries.exposures(src, exp)
        arms = queries.metric_arms(src, exp, metrics()[:1] + metrics()[4:5], cuped=False)
    assert got.counts == {"control": 1, "b": 1, "c": 0}
    assert [(a.n, a.sum) for a in arms["conv"]] == [(1, 0.0), (1, 1.0), (0, 0.0)]
    assert [a.sum for a in arms["revenue"]] == [0.0, 30.0, 0.0]
    assert [a.sum_squares for a in arms["revenue"]] == [0.0, 900.0, 0.0]


def test_window_edges_by_hand(tmp_path):
    """Exposed at T: [T, T + window) counts, [T - cuped_days, T) is the CUPED period."""
    t = us(START) + 3600 * US
    w, pre = WINDOW * US, CUPED_DAYS * 86_400 * US
    exposure = {"experiment": FLAG, "variant": "b"}
    rows = [{"w": WS, "product": "web", "event": "$exposure", "distinct_id": "p", "ts": t,
             "properties": exposure}]  # fmt: skip
    for ts, amount in ((t, 1), (t + w - 1, 2), (t + w, 4), (t - 1, 8), (t - pre, 16),
                       (t - pre - 1, 32)):  # fmt: skip
        rows.append({"w": WS, "product": "web", "event": "purchase", "distinct_id": "p",
                     "ts": ts, "properties": {"amount": amount}})  # fmt: skip
    engine = _engine("duckdb", tmp_path, rows)
    ms = [m for m in metrics() if m.key in ("conv", "revenue")]
    ms.append(Metric(key="purchases", kind="count", event="purchase", window_seconds=WINDOW))
    with source(engine) as src:
        got = queries.metric_arms(src, experiment(), ms)
    b = {key: arms[1] for key, arms in got.items()}
    assert (b["purchases"].n, b["purchases"].sum, b["purchases"].pre_sum) == (1, 2.0, 2.0)
    assert (b["revenue"].sum, b["revenue"].pre_sum, b["revenue"].sum_products) == (3, 24, 72)
    assert (b["conv"].sum, b["conv"].pre_sum, b["conv"].sum_products) == (1, 1, 1)
    assert b["revenue"].sum_squares == 9 and b["revenue"].pre_sum_squares == 576
    assert [a.n for a in got["conv"]] == [0, 1, 0]
