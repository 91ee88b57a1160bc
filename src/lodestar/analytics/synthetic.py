"""A seeded, vectorized generator of a field-service SaaS product's event stream.

It feeds the demo workspace, the engine parity tests and the benchmarks, so it is fast
(numpy draws the numbers, DuckDB builds the strings: 10 M events in well under a minute) and
deterministic: the same arguments give the same events, uuids included.

    con = duckdb.connect()
    generate(con, seed=7, persons=20_000, end=datetime(2026, 11, 2), days=70,
             companies=[("ridgewayhvac.example", 1.2), ...])
    store.load_events(workspace, con, "SELECT * FROM synthetic")

The table `synthetic` has the store's columns (product, uuid, event, distinct_id, timestamp,
properties, url, session_id, received_at). What it contains, per person:

- an anonymous visit (`anon-…`) and a sign-up, then `$identify` merging the anonymous id
  into the user id, with `$set` (email, role) and `$groups` linking the company;
- the activation funnel `signed_up -> onboarding_completed -> job_created ->
  technician_assigned -> invoice_sent`, each step reached with the spec's probability times
  the company's factor, hours to days apart;
- sessions on later days with a weekly retention that decays; each session is pageviews over
  the app's pages, habit events, and `$web_vitals` (the reports page is slow: p75 LCP > 4 s);
- feature events that start on their release date (adoption steps up there);
- friction: rage clicks on the slow CSV export, dead clicks on the job title heading,
  error clicks on the flaky invoice save, abandoned billing forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Feature:
    event: str
    page: str
    released: date | None  # None: available all along
    daily_use: float  # chance an active session uses it once it is out


@dataclass(frozen=True)
class Spec:
    product: str = "web"
    host: str = "https://app.acme-dispatch.example"
    pages: tuple[str, ...] = (
        "/schedule",
        "/dispatch-board",
        "/jobs",
        "/jobs/new",
        "/customers",
        "/quotes",
        "/quotes/new",
        "/invoices",
        "/reports",
        "/technicians",
        "/settings/billing",
        "/integrations/quickbooks",
    )
    page_weights: tuple[float, ...] = (18, 16, 14, 6, 8, 5, 3, 9, 7, 6, 2, 2)
    # (event, chance of reaching it from the previous step, mean hours after it)
    funnel: tuple[tuple[str, float, float], ...] = (
        ("signed_up", 1.0, 0.0),
        ("onboarding_completed", 0.72, 2.0),
        ("job_created", 0.64, 20.0),
        ("technician_assigned", 0.78, 6.0),
        ("invoice_sent", 0.55, 60.0),
    )
    # (event, page, chance per session)
    habits: tuple[tuple[str, str, float], ...] = (
        ("job_created", "/jobs/new", 0.45),
        ("technician_assigned", "/dispatch-board", 0.5),
        ("quote_sent", "/quotes/new", 0.18),
        ("invoice_sent", "/invoices", 0.3),
        ("report_viewed", "/reports", 0.22),
        ("report_exported", "/reports", 0.06),
    )
    features: tuple[Feature, ...] = ()
    weekly_retention: float = 0.78  # chance a person is still active a week later
    sessions_per_active_week: float = 3.0
    pageviews_per_session: float = 4.0


DISPATCH = Spec(
    features=(
        Feature("skills_routing_used", "/dispatch-board", date(2026, 8, 14), 0.35),
        Feature("branch_role_assigned", "/settings/team", date(2026, 10, 2), 0.05),
    )
)

SELECTORS = {
    "rage": "button#export-csv",
    "dead": "h2.job-title",
    "error": "button#save-invoice",
    "form": "form#billing-details",
}


@dataclass
class _Columns:
    person: list[np.ndarray] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    event: list[np.ndarray] = field(default_factory=list)  # index into names
    page: list[np.ndarray] = field(default_factory=list)  # index into pages, -1 none
    session: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)  # LCP ms for $web_vitals, else 0
    anon: list[np.ndarray] = field(default_factory=list)  # sent with the anonymous id

    def add(self, person, ts, event, page, session, value=None, anon=False) -> None:
        n = len(person)
        self.person.append(np.asarray(person, dtype=np.int64))
        self.ts.append(np.asarray(ts, dtype=np.int64))
        self.event.append(np.broadcast_to(np.asarray(event, dtype=np.int32), (n,)).copy())
        self.page.append(np.broadcast_to(np.asarray(page, dtype=np.int32), (n,)).copy())
        self.session.append(np.asarray(session, dtype=np.int64))
        zeros = np.zeros(n, dtype=np.float64)
        self.value.append(zeros if value is None else np.asarray(value, dtype=np.float64))
        self.anon.append(np.full(n, anon, dtype=np.bool_))

    def table(self) -> pa.Table:
        return pa.table(
            {
                "person": np.concatenate(self.person),
                "ts": np.concatenate(self.ts),
                "event": np.concatenate(self.event),
                "page": np.concatenate(self.page),
                "session": np.concatenate(self.session),
                "value": np.concatenate(self.value),
                "anon": np.concatenate(self.anon),
            }
        )


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int,
    persons: int,
    end: datetime,
    days: int,
    companies: Sequence[tuple[str, float]] = (),
    spec: Spec = DISPATCH,
    table: str = "synthetic",
) -> int:
    """Create the table `table` in `con` with the generated events; return how many."""
    rng = np.random.default_rng(seed)
    end_us = _micros(end)
    start_us = end_us - days * DAY_US
    names = _event_names(spec)
    code = {name: i for i, name in enumerate(names)}
    pages = list(spec.pages) + sorted({f.page for f in spec.features} - set(spec.pages))
    page_code = {p: i for i, p in enumerate(pages)}
    cols = _Columns()

    # Who: a company per person (factor scales their funnel), a sign-up time.
    if companies:
        company = rng.integers(0, len(companies), persons)
        factor = np.array([f for _, f in companies])[company]
    else:
        company = np.full(persons, -1)
        factor = np.ones(persons)
    # More sign-ups lately: the product is growing.
    signup = start_us + (np.sqrt(rng.random(persons)) * (days - 1) * DAY_US).astype(np.int64)
    everyone = np.arange(persons)
    issued = [0]

    def sessions_for(n: int) -> np.ndarray:
        first = issued[0]
        issued[0] += n
        return np.arange(first, first + n, dtype=np.int64)

    # The anonymous first visit: a pageview of the sign-up page a few minutes before.
    first_session = sessions_for(persons)
    cols.add(everyone, signup - rng.integers(60, 900, persons) * 1_000_000, code["$pageview"],
             page_code["/schedule"], first_session, anon=True)  # fmt: skip

    # The activation funnel.
    reached = np.ones(persons, dtype=bool)
    at = signup.copy()
    for step, (event, chance, mean_hours) in enumerate(spec.funnel):
        if step:
            reached &= rng.random(persons) < np.minimum(chance * factor, 0.98)
            at = at + (rng.exponential(mean_hours, persons) * HOUR_US).astype(np.int64) + 1
        keep = reached & (at < end_us)
        cols.add(everyone[keep], at[keep], code[event], -1, first_session[keep])
        if step == 0:
            cols.add(everyone[keep], at[keep] + 1, code["$identify"], -1, first_session[keep])

    # Later sessions: weeks active decay geometrically; a few sessions in each active week.
    weeks_left = np.maximum((end_us - signup) // (7 * DAY_US), 0)
    active_weeks = np.minimum(rng.geometric(1 - spec.weekly_retention, persons), weeks_left)
    per_week = rng.poisson(spec.sessions_per_active_week, int(active_weeks.sum()))
    owner = np.repeat(everyone, active_weeks)
    week_no = np.concatenate([np.arange(w) for w in active_weeks]) if len(owner) else owner
    s_owner = np.repeat(owner, per_week)
    s_week = np.repeat(week_no, per_week)
    s_start = (
        signup[s_owner]
        + (s_week + 1) * 7 * DAY_US
        - rng.integers(0, 7 * DAY_US, len(s_owner))
        + _working_hours(rng, len(s_owner))
    )
    s_keep = (s_start < end_us) & (s_start > signup[s_owner])
    s_owner, s_start = s_owner[s_keep], s_start[s_keep]
    s_id = sessions_for(len(s_owner))

    # Pageviews: a few per session, a minute or two apart.
    views = np.maximum(rng.poisson(spec.pageviews_per_session, len(s_owner)), 1)
    v_session = np.repeat(np.arange(len(s_owner)), views)
    offsets = np.concatenate([np.arange(v) for v in views]) if len(views) else views
    v_ts = s_start[v_session] + offsets * rng.integers(20, 180, len(v_session)) * 1_000_000
    weights = np.array(spec.page_weights + (1,) * (len(pages) - len(spec.page_weights)), float)
    v_page = rng.choice(len(pages), len(v_session), p=weights / weights.sum())
    v_keep = v_ts < end_us
    cols.add(s_owner[v_session][v_keep], v_ts[v_keep], code["$pageview"], v_page[v_keep],
             s_id[v_session][v_keep])  # fmt: skip

    # Web vitals once per pageview; the reports page is slow.
    lcp = rng.lognormal(np.log(1900), 0.45, len(v_session))
    slow = v_page == page_code["/reports"]
    lcp[slow] = rng.lognormal(np.log(3600), 0.5, int(slow.sum()))
    cols.add(s_owner[v_session][v_keep], v_ts[v_keep] + 2_000_000, code["$web_vitals"],
             v_page[v_keep], s_id[v_session][v_keep], lcp[v_keep])  # fmt: skip

    # Habits and shipped features.
    for event, page, chance in spec.habits:
        hit = rng.random(len(s_owner)) < chance
        ts = s_start[hit] + rng.integers(30, 1200, int(hit.sum())) * 1_000_000
        cols.add(s_owner[hit], ts, code[event], page_code[page], s_id[hit])
    for feature in spec.features:
        out = 0 if feature.released is None else _micros(feature.released)
        hit = (s_start >= out) & (rng.random(len(s_owner)) < feature.daily_use)
        ts = s_start[hit] + rng.integers(30, 1200, int(hit.sum())) * 1_000_000
        cols.add(s_owner[hit], ts, code[feature.event], page_code[feature.page], s_id[hit])

    # Friction.
    on_reports = v_page == page_code["/reports"]
    rage = on_reports & (rng.random(len(v_session)) < 0.12)
    for k in range(3):  # three clicks, 300 ms apart
        cols.add(s_owner[v_session][rage], v_ts[rage] + 5_000_000 + k * 300_000,
                 code["$autocapture"], page_code["/reports"], s_id[v_session][rage])  # fmt: skip
    cols.add(s_owner[v_session][rage], v_ts[rage] + 5_700_000, code["$rageclick"],
             page_code["/reports"], s_id[v_session][rage])  # fmt: skip
    on_jobs = v_page == page_code["/jobs"]
    dead = on_jobs & (rng.random(len(v_session)) < 0.08)
    cols.add(s_owner[v_session][dead], v_ts[dead] + 4_000_000, code["$dead_click"],
             page_code["/jobs"], s_id[v_session][dead])  # fmt: skip
    on_invoices = v_page == page_code["/invoices"]
    error = on_invoices & (rng.random(len(v_session)) < 0.05)
    cols.add(s_owner[v_session][error], v_ts[error] + 6_000_000, code["$error_click"],
             page_code["/invoices"], s_id[v_session][error])  # fmt: skip
    cols.add(s_owner[v_session][error], v_ts[error] + 6_400_000, code["$exception"],
             page_code["/invoices"], s_id[v_session][error])  # fmt: skip
    on_billing = v_page == page_code["/settings/billing"]
    abandon = on_billing & (rng.random(len(v_session)) < 0.3)
    cols.add(s_owner[v_session][abandon], v_ts[abandon] + 30_000_000, code["$form_abandon"],
             page_code["/settings/billing"], s_id[v_session][abandon])  # fmt: skip

    raw = cols.table()
    con.register("synthetic_raw", raw)
    con.register("synthetic_names", pa.table({"code": np.arange(len(names)), "name": names}))
    con.register("synthetic_pages", pa.table({"code": np.arange(len(pages)), "path": pages}))
    con.register(
        "synthetic_people",
        pa.table(
            {
                "person": everyone,
                "company": pa.array(
                    [companies[c][0] if c >= 0 else None for c in company.tolist()],
                    type=pa.string(),
                ),
            }
        ),
    )
    host = spec.host.replace("'", "")
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(
        f"""
        CREATE TABLE {table} AS
        SELECT
            '{spec.product}' AS product,
            printf('%08x-%04x-4%03x-8000-%012x', {seed % (1 << 32)}, 0, 0, r.rid) AS uuid,
            n.name AS event,
            CASE WHEN r.anon THEN printf('anon-%d-%07d', {seed}, r.person)
                 ELSE printf('user-%d-%07d', {seed}, r.person) END AS distinct_id,
            make_timestamp(r.ts) AS timestamp,
            -- Built as text: every value here is generated (no quotes to escape), and
            -- absent properties are left out rather than sent as null.
            '{{"$lib":"synthetic","$session_id":"' || printf('s-%d-%d', {seed}, r.session) || '"'
            || CASE WHEN p.path IS NOT NULL THEN ',"$current_url":"{host}' || p.path
                    || '","$pathname":"' || p.path || '"' ELSE '' END
            || CASE WHEN pe.company IS NOT NULL AND NOT r.anon
                    THEN ',"$groups":{{"company":"' || pe.company || '"}}' ELSE '' END
            || CASE WHEN n.name = '$identify' THEN
                    ',"$anon_distinct_id":"' || printf('anon-%d-%07d', {seed}, r.person)
                    || '","$set":{{"email":"' || printf('user%d@customer.example', r.person)
                    || '","role":"' || ['owner', 'dispatcher', 'office manager',
                                        'technician'][1 + r.person % 4] || '"}}'
                    ELSE '' END
            || CASE WHEN n.name = '$web_vitals'
                    THEN ',"$lcp":' || round(r.value)::BIGINT ELSE '' END
            || CASE n.name
                    WHEN '$rageclick' THEN ',"$selector":"{SELECTORS["rage"]}"'
                    WHEN '$autocapture' THEN ',"$selector":"{SELECTORS["rage"]}",'
                                             || '"$event_type":"click","$el_text":"Export CSV"'
                    WHEN '$dead_click' THEN ',"$selector":"{SELECTORS["dead"]}"'
                    WHEN '$error_click' THEN ',"$selector":"{SELECTORS["error"]}"'
                    WHEN '$form_abandon' THEN ',"$selector":"{SELECTORS["form"]}"'
                    ELSE '' END
            || '}}' AS properties,
            CASE WHEN p.path IS NOT NULL THEN '{host}' || p.path END AS url,
            printf('s-%d-%d', {seed}, r.session) AS session_id,
            make_timestamp(r.ts) AS received_at
        FROM (SELECT *, row_number() OVER () AS rid FROM synthetic_raw) r
        JOIN synthetic_names n ON n.code = r.event
        LEFT JOIN synthetic_pages p ON p.code = r.page
        JOIN synthetic_people pe ON pe.person = r.person
        WHERE r.ts < {end_us}
        """
    )
    for name in ("synthetic_raw", "synthetic_names", "synthetic_pages", "synthetic_people"):
        con.unregister(name)
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _event_names(spec: Spec) -> list[str]:
    names = [
        "$pageview",
        "$identify",
        "$web_vitals",
        "$autocapture",
        "$rageclick",
        "$dead_click",
        "$error_click",
        "$exception",
        "$form_abandon",
    ]
    for event, *_ in spec.funnel:
        names.append(event)
    for event, *_ in spec.habits:
        names.append(event)
    names += [f.event for f in spec.features]
    return list(dict.fromkeys(names))


def _working_hours(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sessions mostly in office hours (US Central), a few in the evening."""
    hours = np.clip(rng.normal(15.5, 3.0, n), 0, 23.9)  # 15:30 UTC = 9:30 in Chicago
    return (hours * HOUR_US).astype(np.int64) - 12 * HOUR_US


def _micros(moment: date | datetime) -> int:
    """Microseconds since the epoch; a date is its UTC midnight, a naive datetime is UTC."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)
