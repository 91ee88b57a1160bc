"""Exposures and per-arm metric sums of an experiment, read from the event store.

    exposures(src, experiment, *, start=None, end=None) -> Exposures
    metric_arms(src, experiment, metrics, *, start=None, end=None, cuped=None)
        -> {metric.key: [Arm per variant, in experiment.variants order]}

An exposure is any of these events of the experiment's product (events.product):

    $feature_flag_called   (PostHog)  $feature_flag = flag_key, variant $feature_flag_response
    Experiment Viewed      (Segment)  experiment_id or experiment_name = flag_key, variant
                                      variation_name or variation_id (whichever names one of
                                      the experiment's variants; else variation_name)
    $exposure              (Lodestar) experiment = flag_key, variant `variant`

between `start` (default: the experiment's start; none for a draft) and `end` (default:
its stop, else now); one without a variant value is ignored. The unit is the person
(events.person_id, so identified and anonymous ids of one person are one unit). A person's
variant is the one of their first exposure; a person exposed to two different values is
"mixed" and left out of everything, and a person whose variant the experiment does not have
is only reported in `unknown`.

A metric's value per exposed person is read over their events in [first exposure, first
exposure + metric.window_seconds), cut at `end`:

    conversion  1 when an event (metric.event with metric.filters) happened, else 0; with
                metric.steps, 1 when the funnel was finished in order within the window
                (analytics/queries/funnels.py semantics: the numpy walk, step 1 at or after
                the exposure)
    count       the number of matching events
    mean        the sum of the numeric property metric.property over the matching events
                (non-numeric or missing values count nothing)

Exposed persons without any event count 0. CUPED reads the same value over the
`cuped_days` before the person's first exposure ([exposure - cuped_days, exposure)),
funnels included (the funnel finished within that period, its steps within the window).

How it is computed: all non-funnel metrics of an experiment in one statement — exposed
persons (a GROUP BY of the exposure events) joined to the events that can match any metric,
one conditional aggregate per metric and period per person, then summed per variant in
SQL, so only one row per variant comes back. A funnel metric needs each person's ordered
events: one query per funnel metric fetches them sorted and the funnel walk runs in numpy.
Every SQL piece comes from the source's dialect, so DuckDB and ClickHouse give the same
numbers. Persons are grouped and joined by a 64-bit hash of person_id (as funnels are): two
of a million persons share one with odds of about 3 in 100 million.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from lodestar.analytics.queries.base import Dialect
from lodestar.analytics.queries.filters import Filter, parse_filters, where
from lodestar.analytics.queries.funnel_walk import walk
from lodestar.analytics.queries.funnels import fetch_columns
from lodestar.experiments.stats.arms import Arm

FLAG_CALLED = "$feature_flag_called"
SEGMENT_VIEWED = "Experiment Viewed"
EXPOSURE = "$exposure"
EXPOSURE_EVENTS = (FLAG_CALLED, SEGMENT_VIEWED, EXPOSURE)
EPOCH = datetime(1970, 1, 1)
US = 1_000_000


@dataclass
class Exposures:
    counts: dict[str, int]  # variant name -> persons (experiment.variants order, zeros kept)
    mixed: int  # persons exposed to more than one variant (left out everywhere)
    unknown: dict[str, int]  # variant names the experiment does not have -> persons
    first_at: datetime | None  # first and last exposure (UTC)
    last_at: datetime | None
    daily: list[tuple[date, dict[str, int]]] = field(default_factory=list)  # newly exposed

    @property
    def total(self) -> int:
        """Persons counted in an arm (mixed and unknown left out)."""
        return sum(self.counts.values())


# -- the time range -----------------------------------------------------------------------


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _us(value: datetime) -> int:
    return (_naive_utc(value) - EPOCH) // timedelta(microseconds=1)


def _range(experiment, start, end, now=None) -> tuple[datetime | None, datetime]:
    """[start, end) as naive UTC datetimes; start None = from the first event."""
    start = start if start is not None else experiment.started_at
    end = end if end is not None else experiment.stopped_at
    if end is None:
        end = now or datetime.now(UTC)
    return (_naive_utc(start) if start is not None else None), _naive_utc(end)


# -- exposures ----------------------------------------------------------------------------


def _exposure_sql(d: Dialect, experiment, start: datetime | None, end: datetime) -> str:
    """One row per exposure event: pk (the person's 64-bit hash), xt (timestamp), ts (µs),
    v (variant text)."""
    flag = d.literal(experiment.flag_key)
    variants = d.literal(list(experiment.variant_names))
    p = "e.properties"
    name, vid = d.json_str(p, "variation_name"), d.json_str(p, "variation_id")
    variant = (
        f"CASE WHEN e.event = {d.literal(FLAG_CALLED)} "
        f"THEN {d.json_str(p, '$feature_flag_response')} "
        f"WHEN e.event = {d.literal(EXPOSURE)} THEN {d.json_str(p, 'variant')} "
        f"WHEN {name} IN {variants} THEN {name} "
        f"WHEN {vid} IN {variants} THEN {vid} "
        f"ELSE coalesce({name}, {vid}) END"
    )
    which = (
        f"((e.event = {d.literal(FLAG_CALLED)} AND {d.json_str(p, '$feature_flag')} = {flag})"
        f" OR (e.event = {d.literal(EXPOSURE)} AND {d.json_str(p, 'experiment')} = {flag})"
        f" OR (e.event = {d.literal(SEGMENT_VIEWED)} AND "
        f"({d.json_str(p, 'experiment_id')} = {flag} "
        f"OR {d.json_str(p, 'experiment_name')} = {flag})))"
    )
    conditions = [
        f"e.event IN {d.literal(list(EXPOSURE_EVENTS))}",
        f"e.product = {d.literal(experiment.product.key)}",
        f"e.timestamp < {d.literal(end)}",
        which,
    ]
    if start is not None:
        conditions.insert(2, f"e.timestamp >= {d.literal(start)}")
    return (
        f"SELECT * FROM (SELECT {d.hash64('e.person_id')} AS pk, e.timestamp AS xt, "
        f"{d.epoch_us('e.timestamp')} AS ts, {variant} AS v "
        f"FROM events e WHERE {' AND '.join(conditions)}) xe0 WHERE v IS NOT NULL"
    )


def _persons_sql(d: Dialect, experiment, start, end) -> str:
    """One row per exposed person: first exposure (at, µs), last (µs), lowest and highest
    variant seen (equal unless mixed)."""
    return (
        f"SELECT pk, min(xt) AS first_at, min(ts) AS f, max(ts) AS l, "
        f"min(v) AS vmin, max(v) AS vmax FROM ({_exposure_sql(d, experiment, start, end)}) xe "
        "GROUP BY pk"
    )


def _assigned_sql(d: Dialect, experiment, start, end) -> str:
    """The persons counted in an arm: pk, f (first exposure µs), a (variant index)."""
    names = list(experiment.variant_names)
    index = " ".join(f"WHEN {d.literal(n)} THEN {i}" for i, n in enumerate(names))
    return (
        f"SELECT pk, f, CASE vmin {index} END AS a "
        f"FROM ({_persons_sql(d, experiment, start, end)}) xp "
        f"WHERE vmin = vmax AND vmin IN {d.literal(names)}"
    )


def exposures(src, experiment, *, start=None, end=None, now=None) -> Exposures:
    """Who saw which variant: persons per variant, mixed and unknown ones, the first and
    last exposure, and newly exposed persons per day in the workspace's time zone."""
    d = src.dialect
    lo, hi = _range(experiment, start, end, now)
    day = d.trunc("day", d.local("first_at", src.tz))
    sql = (
        f"SELECT CASE WHEN vmin = vmax THEN vmin END AS variant, {day} AS day, "
        f"count(*) AS persons, min(f) AS f, max(l) AS l "
        f"FROM ({_persons_sql(d, experiment, lo, hi)}) xq GROUP BY variant, day"
    )
    names = list(experiment.variant_names)
    counts = dict.fromkeys(names, 0)
    unknown: dict[str, int] = {}
    mixed = 0
    first = last = None
    by_day: dict[date, dict[str, int]] = {}
    for variant, at, persons, f, to in src.query(sql).rows:
        persons = int(persons)
        first = f if first is None else min(first, f)
        last = to if last is None else max(last, to)
        if variant is None:
            mixed += persons
        elif variant in counts:
            counts[variant] += persons
            key = at.date() if isinstance(at, datetime) else at
            by_day.setdefault(key, dict.fromkeys(names, 0))[variant] += persons
        else:
            unknown[variant] = unknown.get(variant, 0) + persons
    daily: list[tuple[date, dict[str, int]]] = []
    if by_day:
        day_, stop = min(by_day), max(by_day)
        while day_ <= stop:
            daily.append((day_, by_day.get(day_, dict.fromkeys(names, 0))))
            day_ += timedelta(days=1)
    return Exposures(
        counts=counts,
        mixed=mixed,
        unknown=dict(sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
        first_at=_at(first),
        last_at=_at(last),
        daily=daily,
    )


def _at(us: int | None) -> datetime | None:
    if us is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))


# -- metrics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Metric:
    key: str
    kind: str
    event: str
    filters: tuple[Filter, ...]
    steps: tuple[tuple[str, tuple[Filter, ...]], ...]
    prop: str  # the numeric property of a mean
    window_us: int

    @property
    def binomial(self) -> bool:
        return self.kind == "conversion"

    @property
    def events(self) -> set[str]:
        if self.steps:
            return {s for s, _ in self.steps}
        return {self.event} if self.event else set()


def _prepare(metric) -> _Metric:
    steps = tuple(
        (str(s.get("event") or ""), tuple(parse_filters(s.get("filters"))))
        for s in (metric.steps or [])
    )
    return _Metric(
        key=metric.key,
        kind=metric.kind,
        event=metric.event or "",
        filters=tuple(parse_filters(metric.filters)),
        steps=steps if metric.kind == "conversion" else (),
        prop=metric.property or "",
        window_us=int(metric.window_seconds) * US,
    )


def _isfinite(d: Dialect, expr: str) -> str:
    return f"isFinite({expr})" if d.name == "clickhouse" else f"isfinite({expr})"


def _hit(d: Dialect, m: _Metric, properties: str) -> str:
    """Per event row: what it adds to metric `m` (1 for a matching event, the property's
    number for a mean; 0 otherwise). `properties` holds the property as a number already
    extracted, for a mean."""
    if not m.event or (m.kind == "mean" and not m.prop):
        return "0"
    match = f"event = {d.literal(m.event)}"
    if m.filters:
        match += " AND " + where(d, m.filters, "properties")
    if m.kind != "mean":
        return f"CASE WHEN {match} THEN 1 ELSE 0 END"
    return f"CASE WHEN {match} AND {_isfinite(d, properties)} THEN {properties} ELSE 0 END"


def _sums_sql(
    d: Dialect, experiment, metrics: Sequence[_Metric], lo, hi, pre_us: int | None
) -> str:
    """Per variant: n, and for each metric i sum s{i}, squares q{i}[, pre sums].

    Three levels: each candidate event row once, with what it adds to every metric (its
    JSON read once per property and filter, however many metrics and periods use it);
    joined to the exposed persons, each joined row flagged 0/1 per window (and the CUPED
    period) by integer time comparisons; per person, each metric is the sum (or max) of
    value x flag; summed per variant."""
    end_us = _us(hi)
    events = sorted(set().union(*(m.events for m in metrics)))
    conditions = [
        f"e.product = {d.literal(experiment.product.key)}",
        f"e.event IN {d.literal(events)}",
        f"e.timestamp < {d.literal(hi)}",
    ]
    if lo is not None:
        earliest = lo - timedelta(microseconds=pre_us or 0)
        conditions.append(f"e.timestamp >= {d.literal(earliest)}")
    # The numeric properties of mean metrics, read only on the events that use them.
    numbers: dict[str, str] = {}
    for m in metrics:
        if m.kind == "mean" and m.prop and m.event and m.prop not in numbers:
            users = sorted({x.event for x in metrics if x.prop == m.prop})
            numbers[m.prop] = (
                f"CASE WHEN e.event IN {d.literal(users)} "
                f"THEN {d.json_num('e.properties', m.prop)} END AS n{len(numbers)}"
            )
    column = {prop: f"n{i}" for i, prop in enumerate(numbers)}
    hits: dict[str, str] = {}  # expression -> column, shared by metrics that read the same
    windows: dict[int, str] = {}  # window length -> its flag column
    per: list[str] = []
    sums: list[str] = []
    for i, m in enumerate(metrics):
        h = hits.setdefault(_hit(d, m, column.get(m.prop, "NULL")), f"h{len(hits)}")
        inside = windows.setdefault(m.window_us, f"in{len(windows)}")
        fold = "max" if m.kind == "conversion" else "sum"
        # A flag (0 or 1) times the row's value: no branch per metric and row.
        per.append(f"coalesce({fold}(j.{h} * j.{inside}), 0) AS v{i}")
        sums += [f"sum(v{i}) AS s{i}", f"sum(v{i} * v{i}) AS q{i}"]
        if pre_us is not None:
            per.append(f"coalesce({fold}(j.{h} * j.pre), 0) AS w{i}")
            sums += [
                f"sum(w{i}) AS ps{i}",
                f"sum(w{i} * w{i}) AS pq{i}",
                f"sum(v{i} * w{i}) AS sp{i}",
            ]
    flags = [
        f"CASE WHEN me.ts >= x.f AND me.ts < x.f + {w} AND me.ts < {end_us} "
        f"THEN 1 ELSE 0 END AS {name}"
        for w, name in windows.items()
    ]
    if pre_us is not None:
        flags.append(f"CASE WHEN me.ts >= x.f - {pre_us} AND me.ts < x.f THEN 1 ELSE 0 END AS pre")
    read = ", ".join(["e.person_id AS person_id", "e.timestamp AS timestamp", "e.event AS event",
                      "e.properties AS properties", *numbers.values()])  # fmt: skip
    rows = ", ".join(f"{expr} AS {h}" for expr, h in hits.items())
    return (
        f"SELECT a, count(*) AS n, {', '.join(sums)} FROM ("
        f"SELECT min(j.a) AS a, {', '.join(per)} FROM ("
        f"SELECT x.pk AS pk, x.a AS a, {', '.join(f'me.{h} AS {h}' for h in hits.values())}, "
        f"{', '.join(flags)} "
        f"FROM ({_assigned_sql(d, experiment, lo, hi)}) x "
        f"LEFT JOIN (SELECT {d.hash64('person_id')} AS pk, {d.epoch_us('timestamp')} AS ts, "
        f"{rows} "
        f"FROM (SELECT {read} FROM events e WHERE {' AND '.join(conditions)}) e0) me "
        f"ON me.pk = x.pk) j GROUP BY j.pk) pv GROUP BY a"
    )


def _funnel_sql(d: Dialect, experiment, m: _Metric, lo, hi, pre_us: int | None) -> str:
    """The funnel's step events of exposed persons in their window (period 0) and, for
    CUPED, before their exposure (period 1), sorted for the walk."""
    masks = " + ".join(
        f"(CASE WHEN me.event = {d.literal(event)}"
        + (f" AND {where(d, filters, 'me.properties')}" if filters else "")
        + f" THEN {1 << i} ELSE 0 END)"
        for i, (event, filters) in enumerate(m.steps)
    )
    end_us = _us(hi)
    conditions = [
        f"e.product = {d.literal(experiment.product.key)}",
        f"e.event IN {d.literal(sorted(m.events))}",
        f"e.timestamp < {d.literal(hi)}",
    ]
    if lo is not None:
        earliest = lo - timedelta(microseconds=pre_us or 0)
        conditions.append(f"e.timestamp >= {d.literal(earliest)}")
    post = f"me.ts >= x.f AND me.ts < x.f + {m.window_us} AND me.ts < {end_us}"
    period = f"CASE WHEN {post} THEN 0 ELSE 1 END"
    within = f"({post})"
    if pre_us is not None:
        within = f"({post} OR (me.ts >= x.f - {pre_us} AND me.ts < x.f))"
    return (
        f"SELECT * FROM (SELECT x.pk AS h, {period} AS p, "
        f"me.ts AS ts, {masks} AS m, x.a AS a "
        f"FROM ({_assigned_sql(d, experiment, lo, hi)}) x "
        f"INNER JOIN (SELECT {d.hash64('e.person_id')} AS pk, "
        f"{d.epoch_us('e.timestamp')} AS ts, e.event AS event, e.properties AS properties "
        f"FROM events e WHERE {' AND '.join(conditions)}) me ON me.pk = x.pk "
        f"WHERE {within}) fe WHERE m > 0 ORDER BY h, p, ts, m"
    )


def _funnel_sums(src, experiment, m: _Metric, lo, hi, pre_us: int | None) -> dict[int, list]:
    """Per variant index: [conversions, pre conversions, both] (the funnel walk)."""
    data = fetch_columns(src, _funnel_sql(src.dialect, experiment, m, lo, hi, pre_us))
    out: dict[int, list] = {}
    if not len(data["ts"]):
        return out
    h = data["h"]
    p = data["p"].astype(np.int64)
    group = np.empty(len(h), dtype=bool)
    group[0] = True
    group[1:] = (h[1:] != h[:-1]) | (p[1:] != p[:-1])
    ids = np.cumsum(group)
    result = walk(ids, data["ts"], data["m"], len(m.steps), m.window_us)
    done = result.depth == len(m.steps)
    first = result.first_row
    person, period, arm = h[first], p[first], data["a"][first].astype(np.int64)
    post = done & (period == 0)
    pre = done & (period == 1)
    both = np.isin(person[post], person[pre])
    for a in np.unique(arm):
        out[int(a)] = [
            int((post & (arm == a)).sum()),
            int((pre & (arm == a)).sum()),
            int(both[arm[post] == a].sum()),
        ]
    return out


def metric_arms(
    src,
    experiment,
    metrics,
    *,
    start=None,
    end=None,
    cuped: bool | None = None,
    now: datetime | None = None,
) -> dict[str, list[Arm]]:
    """For each metric (by key), one Arm per variant in the experiment's order: exposed
    persons, the sum and sum of squares of their values and, with CUPED (default: the
    experiment's setting), the pre-exposure sums."""
    d = src.dialect
    lo, hi = _range(experiment, start, end, now)
    use_cuped = experiment.cuped if cuped is None else cuped
    pre_us = int(experiment.cuped_days) * 86_400 * US if use_cuped else None
    names = list(experiment.variant_names)
    prepared = [_prepare(m) for m in metrics]
    if not names or not prepared:
        return {m.key: [] for m in prepared}
    plain = [m for m in prepared if not m.steps]
    funnels = [m for m in prepared if m.steps]
    n = [0] * len(names)
    rows: dict[int, dict[str, Any]] = {}
    if plain:
        result = src.query(_sums_sql(d, experiment, plain, lo, hi, pre_us))
        for row in result.dicts():
            rows[int(row["a"])] = row
            n[int(row["a"])] = int(row["n"])
    else:
        sql = f"SELECT a, count(*) AS n FROM ({_assigned_sql(d, experiment, lo, hi)}) x GROUP BY a"
        for a, count in src.query(sql).rows:
            n[int(a)] = int(count)
    out: dict[str, list[Arm]] = {}
    for i, m in enumerate(plain):
        arms = []
        for a, name in enumerate(names):
            row = rows.get(a, {})
            s = _num(row.get(f"s{i}"))
            q = s if m.binomial else _num(row.get(f"q{i}"))
            pre: dict[str, float | None] = {}
            if pre_us is not None:
                ps = _num(row.get(f"ps{i}"))
                pre = {
                    "pre_sum": ps,
                    "pre_sum_squares": ps if m.binomial else _num(row.get(f"pq{i}")),
                    "sum_products": _num(row.get(f"sp{i}")),
                }
            arms.append(Arm(name, n[a], s, q, **pre))
        out[m.key] = arms
    for m in funnels:
        sums = _funnel_sums(src, experiment, m, lo, hi, pre_us)
        arms = []
        for a, name in enumerate(names):
            post, pre_done, both = sums.get(a, [0, 0, 0])
            extra: dict[str, float | None] = {}
            if pre_us is not None:
                extra = {
                    "pre_sum": float(pre_done),
                    "pre_sum_squares": float(pre_done),
                    "sum_products": float(both),
                }
            arms.append(Arm(name, n[a], float(post), float(post), **extra))
        out[m.key] = arms
    return {m.key: out[m.key] for m in prepared}


def _num(value: Any) -> float:
    if value is None:
        return 0.0
    number = float(value)
    return number if math.isfinite(number) else 0.0
