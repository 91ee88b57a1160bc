"""The demo's experiments (lodestar.experiments) on Acme Dispatch, and the events they read.

Four experiments, each in a different state (the words are in experiments_text):

- Skills-based routing: DECIDED. Half of the dispatchers got the skills-aware optimizer from
  its release (or once the demo's events have people), for six weeks; repeat visits for a
  missing skill fell by about 30 % (the feature predicted 25 %), so Priya recorded "ship" in
  the decision log and the feature's measured impact was set from the result. PostHog
  `$feature_flag_called` exposures.
- Arrival-window texts: RUNNING for two weeks with Segment "Experiment Viewed" exposures;
  missed appointments are down a little, far from the planned sample: keep running.
- Good/better/best quotes: RUNNING with Lodestar's own `$exposure`; a redirect in the
  variant loses about a third of its exposures (Safari), so the sample-ratio-mismatch
  warning shows.
- Online booking: a DRAFT with a hypothesis and metrics, for the sample-size calculator.

Exposed persons are the demo's own people (lodestar.demo.events): whoever opened the web app
(or its quotes pages) while an experiment ran, exposed on that first page view. Each gets
the metric events of their variant, generated here to hit the story's rates exactly (so the
story holds whatever day the demo is built) and stored through the same bulk load as the
rest of the demo's events. Deterministic for (seed, build day)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

from lodestar.analytics import store
from lodestar.analytics.queries.base import source_for
from lodestar.demo.experiments_text import (
    ARRIVAL,
    BOOKING,
    DECISION_RATIONALE,
    QUOTES,
    ROUTING,
    ExperimentText,
)
from lodestar.demo.feedback_themes import THEMES
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Product, Workspace

US = 1_000_000
HOUR_US = 3_600 * US
DAY_US = 24 * HOUR_US
EPOCH = datetime(1970, 1, 1)
HOST = "https://app.acme-dispatch.example"
# How the exposure is sent: (event, properties for flag and variant).
EXPOSURE_EVENTS: dict[str, Callable[[ExperimentText, str], tuple[str, dict]]] = {
    "posthog": lambda t, v: (
        "$feature_flag_called",
        {"$feature_flag": t.flag_key, "$feature_flag_response": v, "$lib": "web"},
    ),
    "segment": lambda t, v: (
        "Experiment Viewed",
        {
            "experiment_id": t.flag_key,
            "experiment_name": t.name,
            "variation_id": v,
            "variation_name": v,
            "$lib": "analytics.js",
        },
    ),
    "lodestar": lambda t, v: ("$exposure", {"experiment": t.flag_key, "variant": v}),
}
SRM_LOSS = 0.35  # the quotes test: share of variant exposures the redirect loses (Safari)


@dataclass
class Run:
    """One experiment's run: its words, dates and who was exposed (built by _runs)."""

    text: ExperimentText
    start: datetime | None  # None: a draft
    stop: datetime | None  # None: still running
    decided: datetime | None = None
    page: str = ""  # the exposure fires on pages whose path starts with this ("": any)
    # Filled by _expose: the persons, their first exposure (µs) and variant index.
    persons: list[str] = field(default_factory=list)
    at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    arm: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


class _Events:
    """Rows in the store's bulk-load shape (see lodestar.analytics.store.load_events)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, str, str, str | None]] = []

    def add(self, person: str, ts: int, event: str, props: dict, page: str = "") -> None:
        self.rows.append((person, int(ts), event, json.dumps(props), page or None))

    def store(self, workspace: Workspace, seed: int) -> int:
        if not self.rows:
            return 0
        self.rows.sort(key=lambda r: (r[1], r[0], r[2]))
        n = len(self.rows)
        table = pa.table(
            {
                "product": ["web"] * n,
                # Version-4-shaped and disjoint from lodestar.analytics.synthetic's (group 2).
                "uuid": [f"{seed % (1 << 32):08x}-e0e0-4000-8000-{i:012x}" for i in range(n)],
                "event": [r[2] for r in self.rows],
                "distinct_id": [r[0] for r in self.rows],
                "timestamp": pa.array(
                    [EPOCH + timedelta(microseconds=r[1]) for r in self.rows], pa.timestamp("us")
                ),
                "properties": [r[3] for r in self.rows],
                "url": [HOST + r[4] if r[4] else None for r in self.rows],
                "session_id": pa.array([None] * n, pa.string()),
                "received_at": pa.array(
                    [EPOCH + timedelta(microseconds=r[1]) for r in self.rows], pa.timestamp("us")
                ),
            }
        )
        con = duckdb.connect()
        try:
            con.register("experiment_events", table)
            return store.load_events(workspace, con, "SELECT * FROM experiment_events").events
        finally:
            con.close()


def _us(moment: datetime) -> int:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - EPOCH) // timedelta(microseconds=1)


def _at(day, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _features(workspace: Workspace) -> dict[str, Feature]:
    titles = {t.key: t.title for t in THEMES}
    return {
        key: feature
        for key, title in titles.items()
        if (feature := Feature.objects.filter(workspace=workspace, title=title).first())
    }


def _runs(features: dict[str, Feature], now: datetime, first: datetime) -> list[Run]:
    """When each experiment ran: the routing test from its feature's release day, but not in
    the first three weeks of the demo's events (few people had signed up yet), the others in
    the last weeks."""
    oldest = max(now - timedelta(days=95), first + timedelta(days=21))
    routing = features.get(ROUTING.theme)
    released = routing.release.released_on if routing and routing.release else None
    start = max(_at(released, 14), oldest) if released else now - timedelta(days=80)
    start = min(start, now - timedelta(days=60))
    stop = start + timedelta(days=42)
    return [
        Run(ROUTING, start, stop, decided=stop + timedelta(days=1, hours=2)),
        Run(ARRIVAL, now - timedelta(days=16, hours=1), None),
        Run(QUOTES, now - timedelta(days=23, hours=3), None, page="/quotes"),
        Run(BOOKING, None, None),
    ]


def _expose(src, run: Run, start: datetime, end: datetime) -> None:
    """The persons whose first page view (of run.page) fell in the run: exposed then."""
    d = src.dialect
    where = [
        "event = '$pageview'",
        "product = 'web'",
        f"timestamp >= {d.literal(start)}",
        f"timestamp < {d.literal(end)}",
    ]
    if run.page:
        where.append(f"url LIKE {d.literal('%' + run.page + '%')}")
    sql = f"SELECT person_id, min(timestamp) FROM events WHERE {' AND '.join(where)} "  # noqa: S608 (literals by the dialect)
    rows = src.query(sql + "GROUP BY person_id ORDER BY person_id").rows
    run.persons = [r[0] for r in rows]
    run.at = np.array([_us(r[1]) + US for r in rows], dtype=np.int64)


def _assign(rng: np.random.Generator, n: int, split: float = 0.5) -> np.ndarray:
    """Each person's variant, as a flag service hashes them: about `split` in the control."""
    return (rng.random(n) >= split).astype(np.int64)


def _emit_exposures(rng, run: Run, events: _Events, end_us: int, shown: np.ndarray) -> None:
    """The first exposure of everyone `shown`, and a repeat for some (the flag is called on
    every page load; only the first counts)."""
    for i in np.flatnonzero(shown):
        variant = run.text.variants[run.arm[i]]
        name, props = EXPOSURE_EVENTS[run.text.exposure](run.text, variant)
        events.add(run.persons[i], run.at[i], name, props, run.page)
        again = run.at[i] + int(rng.integers(1, 9 * DAY_US))
        if rng.random() < 0.4 and again < end_us:
            events.add(run.persons[i], again, name, props, run.page)


def _times(rng, start: np.ndarray, end_us: int, window_days: int = 14) -> np.ndarray:
    """A moment after each start, within the window and before the end."""
    room = np.minimum(start + window_days * DAY_US, end_us) - start - 2 * US
    return start + US + (rng.random(len(start)) * np.maximum(room, 0)).astype(np.int64)


def _exactly(rng, members: np.ndarray, rate: float) -> np.ndarray:
    """`rate` of `members`, rounded: rates hit exactly, so the story is the same every day."""
    k = round(rate * len(members))
    return np.sort(rng.choice(members, size=k, replace=False)) if k else members[:0]


def _routing(rng, run: Run, events: _Events, end_us: int) -> None:
    everyone = np.arange(len(run.persons))
    _emit_exposures(rng, run, events, end_us, np.ones(len(everyone), bool))
    for arm, repeat_rate, minutes in ((0, 0.44, 24.0), (1, 0.31, 24.7)):
        members = everyone[run.arm == arm]
        hit = _exactly(rng, members, repeat_rate)
        for i, ts in zip(hit, _times(rng, run.at[hit], end_us), strict=True):
            events.add(run.persons[i], ts, "repeat_visit_booked", {"reason": "missing_skill"})
        other = _exactly(rng, members, 0.2)  # repeat visits for other reasons: no change
        reasons = ("customer_not_home", "part_missing")
        for i, ts in zip(other, _times(rng, run.at[other], end_us), strict=True):
            events.add(run.persons[i], ts, "repeat_visit_booked", {"reason": rng.choice(reasons)})
        for i in members:
            for ts in _times(rng, np.full(1 + rng.poisson(2), run.at[i]), end_us):
                drive = round(float(rng.lognormal(np.log(minutes) - 0.08, 0.4)), 1)
                events.add(
                    run.persons[i], ts, "route_optimized", {"drive_minutes": drive},
                    "/dispatch-board",
                )  # fmt: skip


def _arrival(rng, run: Run, events: _Events, end_us: int) -> None:
    everyone = np.arange(len(run.persons))
    _emit_exposures(rng, run, events, end_us, np.ones(len(everyone), bool))
    control_mean = 0.9
    for arm, ratio, wait in ((0, 1.0, 9.0), (1, 0.93, 8.2)):
        members = everyone[run.arm == arm]
        # Accounts differ (gamma), then the arm's total is set exactly to its mean.
        counts = rng.poisson(rng.gamma(2.0, control_mean * ratio / 2.0, len(members)))
        target = round(control_mean * ratio * len(members))
        while counts.sum() != target and len(members):
            j = rng.integers(len(members))
            if counts.sum() < target:
                counts[j] += 1
            elif counts[j]:
                counts[j] -= 1
        for i, c in zip(members, counts, strict=True):
            for ts in _times(rng, np.full(c, run.at[i]), end_us):
                events.add(run.persons[i], ts, "job_no_access", {}, "/jobs")
        for i in members:
            for ts in _times(rng, np.full(1 + rng.poisson(1.5), run.at[i]), end_us):
                minutes = round(float(rng.exponential(wait)), 1)
                events.add(run.persons[i], ts, "job_started", {"wait_minutes": minutes}, "/jobs")


def _quotes(rng, run: Run, events: _Events, end_us: int) -> None:
    everyone = np.arange(len(run.persons))
    # The redirect bug: in Safari the variant's page moves on before the exposure is sent.
    shown = (run.arm == 0) | (rng.random(len(everyone)) >= SRM_LOSS)
    _emit_exposures(rng, run, events, end_us, shown)
    for arm, rate, amount in ((0, 0.16, 1850.0), (1, 0.21, 2150.0)):
        members = everyone[run.arm == arm]
        done = _exactly(rng, members, rate)
        rest = np.setdiff1d(members, done)
        started = _exactly(rng, rest, 0.45)
        finished, approved_only = set(done.tolist()), set(_exactly(rng, started, 0.15).tolist())
        for i in np.concatenate([done, started]):
            sent = int(_times(rng, run.at[i : i + 1], end_us, 7)[0])
            events.add(run.persons[i], sent, "quote_sent", {}, "/quotes/new")
            if i not in finished and i not in approved_only:
                continue
            approved = int(_times(rng, np.array([sent]), end_us, 3)[0])
            value = round(float(rng.lognormal(np.log(amount) - 0.08, 0.4)), 2)
            events.add(run.persons[i], approved, "quote_approved", {"amount": value})
            if i in finished:
                booked = int(_times(rng, np.array([approved]), end_us, 2)[0])
                events.add(run.persons[i], booked, "job_created", {"source": "quote"}, "/jobs")


GENERATORS = {ROUTING.flag_key: _routing, ARRIVAL.flag_key: _arrival, QUOTES.flag_key: _quotes}


def build_experiment_events(workspace: Workspace, *, seed: int, now: datetime) -> list[Run]:
    """Expose the demo's people to the running and past experiments and store the events
    their variants lead to. Returns the runs (who was exposed when, in which variant)."""
    events = _Events()
    with source_for(workspace) as src:
        first = src.query("SELECT min(timestamp) FROM events WHERE product = 'web'").rows[0][0]
        first = first.replace(tzinfo=UTC) if first else now - timedelta(days=105)
        runs = _runs(_features(workspace), now, first)
        for index, run in enumerate(runs):
            if run.start is None:
                continue
            _expose(src, run, run.start, run.stop or now)
            rng = np.random.default_rng([seed, 8, index])
            run.arm = _assign(rng, len(run.persons))
            GENERATORS[run.text.flag_key](rng, run, events, _us(run.stop or now))
    events.store(workspace, seed)
    return runs


def _spec(metric, role: str) -> dict:
    spec = {
        "name": metric.name,
        "role": role,
        "kind": metric.kind,
        "goal": metric.goal,
        "window_seconds": metric.window_days * 86_400,
    }
    if metric.steps:
        spec["steps"] = list(metric.steps)
    else:
        spec["event"] = metric.event
        spec["filters"] = list(metric.filters)
    if metric.property:
        spec["property"] = metric.property
    return spec


def build_experiments(
    workspace: Workspace,
    *,
    seed: int,
    now: datetime,
    actor,
    report: Callable[[str, int, int], None] | None = None,
) -> list:
    """The four experiments with their events, results and (the routing test) outcome.
    Call after the demo's events are stored (lodestar.demo.events.build_events)."""
    from lodestar.experiments import results, services
    from lodestar.experiments.decisions import record_outcome
    from lodestar.experiments.models import Experiment

    report = report or (lambda step, done, total: None)
    runs = build_experiment_events(workspace, seed=seed, now=now)
    features = _features(workspace)
    product = Product.objects.get(workspace=workspace, key="web")
    made = []
    for i, run in enumerate(runs):
        text = run.text
        feature = features.get(text.theme)
        experiment = services.experiment_create(
            product=product,
            actor=actor,
            name=text.name,
            flag_key=text.flag_key,
            hypothesis=text.hypothesis,
            variants=[{"name": v, "split": 0.5} for v in text.variants],
            metrics=[_spec(text.primary, "primary")]
            + [_spec(m, "secondary") for m in text.secondary],
            feature_key=feature.key if feature else "",
            minimum_effect=text.minimum_effect,
            # Their metrics have no history before exposure (new events): nothing for CUPED.
            cuped=run.start is None,
        )
        created = (run.start or now - timedelta(days=2)) - timedelta(days=3)
        Experiment.objects.filter(pk=experiment.pk).update(created_at=created)
        if run.start is not None:
            services.experiment_start(experiment=experiment, actor=actor, now=run.start)
            if run.stop is not None:
                services.experiment_stop(experiment=experiment, actor=actor, now=run.stop)
            experiment.refresh_from_db()
            results.refresh(experiment, now=run.stop or now)
        if run.decided is not None:
            decision = record_outcome(
                experiment,
                actor=actor,
                verdict="ship",
                variant=text.variants[1],
                rationale=DECISION_RATIONALE,
                now=run.decided,
            )
            _date_decision(decision, run.decided)
        experiment.refresh_from_db()
        made.append(experiment)
        report("experiments", i + 1, len(runs))
    return made


def _date_decision(decision, when: datetime) -> None:
    """The decision's row says when it was recorded: the day after the test stopped."""
    from lodestar.strategy.models import Decision

    Decision.objects.filter(pk=decision.pk).update(created_at=when)
