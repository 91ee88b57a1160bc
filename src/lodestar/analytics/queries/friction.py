"""The friction report: rage, dead and error clicks and slow pages, per page and element, with
the people and companies they hit and the conversions they probably cost.

Inputs are events the browser already classified: `$rageclick`, `$dead_click`, `$error_click`
(Lodestar's snippet; posthog-js sends the first two) and `$web_vitals` (`$lcp`, `$inp`, `$cls`,
or posthog-js's `$web_vitals_LCP_value` ...). Clicks are not re-detected here: the snippet sees
pixels and DOM changes the server never does.

An item is (kind, page, element). The page is the stored URL without scheme, host, query
string and fragment, else the `$pathname` property. A page is *slow* when the 75th percentile of
its LCP > 4000 ms, INP > 500 ms or CLS > 0.25 (web-vitals' "poor" thresholds); its affected
people are those with at least one poor measurement there.

Lost conversions = affected x (conversion of the unaffected - conversion of the affected):
an affected person converted when they did the conversion event at or after their first
friction on the item within the period; an unaffected person when they did it within the
period. The unaffected are the page's other visitors in the period (people who saw the page
and did not meet the item: the fairer comparison, since busy users meet more friction), or,
when everyone on the page met it, the product's other active people. The 95 % interval is
Newcombe's hybrid score interval (his method 10: Wilson intervals for each proportion, z from
scipy.stats.norm) for the difference, times the affected count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from lodestar.analytics.queries.base import Dialect, Source
from lodestar.core.errors import Invalid

KIND = "friction"
LABEL = "Friction"

CLICK_EVENTS = {"$rageclick": "rage", "$dead_click": "dead", "$error_click": "error"}
KIND_LABELS = {
    "rage": "Rage clicks",
    "dead": "Dead clicks",
    "error": "Error clicks",
    "slow": "Slow page",
}
VITALS = "$web_vitals"
# web-vitals' "poor" thresholds (https://web.dev/articles/vitals): at the 75th percentile.
POOR = {"lcp": 4000.0, "inp": 500.0, "cls": 0.25}
VITAL_KEYS = {
    "lcp": ("$lcp", "$web_vitals_LCP_value"),
    "inp": ("$inp", "$web_vitals_INP_value"),
    "cls": ("$cls", "$web_vitals_CLS_value"),
}
PERIODS = (7, 14, 30, 90)
SORTS = {"impact": "Lost conversions (impact)", "arr": "ARR of the companies affected"}
CONFIDENCE = 0.95
MAX_ITEMS = 200


@dataclass(frozen=True)
class Params:
    product: str = ""
    days: int = 30
    conversion: str = ""  # "" = the most frequent custom event in the period
    sort: str = "impact"
    now: datetime | None = None  # the period's end (tests pin it); None = now

    @property
    def end(self) -> datetime:
        return (self.now or datetime.now(UTC)).replace(tzinfo=None)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)


def parse(data: Mapping[str, str]) -> Params:
    errors: dict[str, list[str]] = {}
    raw_days = (data.get("days") or "30").strip()
    days = int(raw_days) if raw_days.isdigit() else 0
    if days not in PERIODS:
        errors["days"] = [f"Choose a period of {', '.join(map(str, PERIODS))} days."]
    sort = (data.get("sort") or "impact").strip()
    if sort not in SORTS:
        errors["sort"] = ["Sort by impact or by ARR."]
    conversion = (data.get("conversion") or "").strip()
    if len(conversion) > 200:
        errors["conversion"] = ["An event name has at most 200 characters."]
    if errors:
        raise Invalid(fields=errors)
    return Params(
        product=(data.get("product") or "").strip(), days=days, conversion=conversion, sort=sort
    )


# -- SQL ---------------------------------------------------------------------------------


def _regexp_replace(d: Dialect, expr: str, pattern: str, repl: str = "") -> str:
    if d.name == "clickhouse":
        return f"replaceRegexpOne({expr}, {d.string(pattern)}, {d.string(repl)})"
    return f"regexp_replace({expr}, {d.string(pattern)}, {d.string(repl)})"


def _p75(d: Dialect, expr: str) -> str:
    # Both interpolate linearly between the closest ranks (numpy's default).
    if d.name == "clickhouse":
        return f"quantileExactInclusive(0.75)({expr})"
    return f"quantile_cont({expr}, 0.75)"


def page_expr(d: Dialect) -> str:
    """The page an event happened on: the stored URL's path, else $pathname. The URL first:
    a regular expression over a column costs a seventh of parsing every event's JSON."""
    path = _regexp_replace(
        d, _regexp_replace(d, "url", "[?#].*$"), "^[A-Za-z][A-Za-z0-9+.-]*://[^/]*"
    )
    pathname = d.json_str("properties", "$pathname")
    return f"coalesce(nullif({path}, ''), nullif({pathname}, ''), '/')"


def _vital(d: Dialect, name: str) -> str:
    return "coalesce(" + ", ".join(d.json_num("properties", k) for k in VITAL_KEYS[name]) + ")"


def _scope(d: Dialect, p: Params) -> str:
    return (
        f"product = {d.literal(p.product)} AND timestamp >= {d.literal(p.start)} "
        f"AND timestamp < {d.literal(p.end)}"
    )


def items_sql(d: Dialect, p: Params, conversion: str) -> str:
    """One row per item: counts, people, converted people, companies and their ARR."""
    kind = (
        "CASE event "
        + " ".join(f"WHEN {d.string(e)} THEN {d.string(k)}" for e, k in CLICK_EVENTS.items())
        + " ELSE 'slow' END"
    )
    poor = " OR ".join(f"{_vital(d, n)} > {POOR[n]!r}" for n in POOR)
    events = d.literal([*CLICK_EVENTS, VITALS])
    element = f"coalesce({d.json_str('properties', '$selector')}, '')"
    text = d.json_str("properties", "$el_text")
    pathname = d.json_str("properties", "$pathname")
    return f"""
WITH f AS (
    SELECT person_id, timestamp, {kind} AS kind, {page_expr(d)} AS page,
           {element} AS element, {text} AS el_text
    FROM events
    WHERE {_scope(d, p)} AND event IN {events}
      AND (event <> {d.string(VITALS)} OR ({poor}))
),
hit AS (
    SELECT kind, page, element, person_id, min(timestamp) AS first_at, count(*) AS n,
           max(el_text) AS el_text
    FROM f GROUP BY kind, page, element, person_id
),
conv AS (
    SELECT person_id, 1 AS did, max(timestamp) AS last_at
    FROM events WHERE {_scope(d, p)} AND event = {d.literal(conversion)}
    GROUP BY person_id
),
who AS (
    SELECT hit.kind AS kind, hit.page AS page, hit.element AS element, hit.n AS n,
           hit.el_text AS el_text, coalesce(conv.did, 0) AS did,
           CASE WHEN coalesce(conv.did, 0) = 1 AND conv.last_at >= hit.first_at
                THEN 1 ELSE 0 END AS after,
           nullif(persons.company_key, '') AS company_key,
           coalesce(persons.company_arr, 0) AS arr
    FROM hit
    LEFT JOIN conv ON conv.person_id = hit.person_id
    LEFT JOIN persons ON persons.person_id = hit.person_id
),
firms AS (
    SELECT kind, page, element, sum(arr) AS arr
    FROM (SELECT DISTINCT kind, page, element, company_key, arr FROM who
          WHERE company_key IS NOT NULL) c
    GROUP BY kind, page, element
),
seen AS (
    SELECT {page_expr(d)} AS page, person_id FROM events
    WHERE {_scope(d, p)}
      AND (url IS NOT NULL OR {pathname} IS NOT NULL OR event IN {events})
    GROUP BY page, person_id
),
audience AS (
    SELECT seen.page AS page, count(*) AS visitors,
           sum(coalesce(conv.did, 0)) AS visitors_converted
    FROM seen LEFT JOIN conv ON conv.person_id = seen.person_id
    GROUP BY seen.page
)
SELECT who.kind AS kind, who.page AS page, who.element AS element,
       sum(who.n) AS events, count(*) AS persons, sum(who.did) AS converted_any,
       sum(who.after) AS converted, count(DISTINCT who.company_key) AS companies,
       max(who.el_text) AS el_text, max(coalesce(firms.arr, 0)) AS arr,
       max(coalesce(audience.visitors, 0)) AS visitors,
       max(coalesce(audience.visitors_converted, 0)) AS visitors_converted
FROM who LEFT JOIN firms
  ON firms.kind = who.kind AND firms.page = who.page AND firms.element = who.element
LEFT JOIN audience ON audience.page = who.page
GROUP BY who.kind, who.page, who.element
"""


def vitals_sql(d: Dialect, p: Params) -> str:
    """Per page: measurements and the 75th percentile of each web vital."""
    return f"""
SELECT page, count(*) AS measurements,
       {_p75(d, "lcp")} AS lcp, {_p75(d, "inp")} AS inp, {_p75(d, "cls")} AS cls
FROM (SELECT {page_expr(d)} AS page, {_vital(d, "lcp")} AS lcp, {_vital(d, "inp")} AS inp,
             {_vital(d, "cls")} AS cls
      FROM events WHERE {_scope(d, p)} AND event = {d.string(VITALS)}) v
GROUP BY page
"""


def totals_sql(d: Dialect, p: Params, conversion: str) -> str:
    return f"""
SELECT count(DISTINCT person_id) AS active,
       count(DISTINCT CASE WHEN event = {d.literal(conversion)} THEN person_id END) AS converted
FROM events WHERE {_scope(d, p)}
"""


def default_conversion_sql(d: Dialect, p: Params) -> str:
    return f"""
SELECT event, count(*) AS n FROM events
WHERE {_scope(d, p)} AND substring(event, 1, 1) <> '$'
GROUP BY event ORDER BY n DESC, event LIMIT 1
"""


# -- statistics --------------------------------------------------------------------------


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return ((centre - spread) / denominator, (centre + spread) / denominator)


@cache
def z_for(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval (1.96 for 95 %)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def newcombe(x1: int, n1: int, x2: int, n2: int, confidence: float = CONFIDENCE):
    """p1 - p2 with Newcombe's hybrid score interval (method 10): (diff, low, high)."""
    z = z_for(confidence)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return diff, low, high


@dataclass
class Item:
    kind: str
    page: str
    element: str
    el_text: str
    events: int
    persons: int
    companies: int
    arr: float
    converted: int | None = None  # affected who converted after the friction
    converted_unaffected: int | None = None
    unaffected: int | None = None
    baseline: str = ""  # "page": its other visitors; "product": other active people
    rate_affected: float | None = None
    rate_unaffected: float | None = None
    lost: float | None = None
    lost_low: float | None = None
    lost_high: float | None = None
    vitals: dict[str, float | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def target(self) -> str:
        """What people struggled with, in words."""
        if self.kind == "slow":
            return self.page
        return self.el_text or self.element or "(unknown element)"

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["label"] = self.label
        return data


def _item(row: dict, conversion: str, active: int, converted_total: int) -> Item:
    item = Item(
        kind=row["kind"],
        page=row["page"],
        element=row["element"] or "",
        el_text=(row["el_text"] or "")[:200],
        events=int(row["events"]),
        persons=int(row["persons"]),
        companies=int(row["companies"]),
        arr=float(row["arr"] or 0),
    )
    if not conversion:
        return item
    affected = item.persons
    item.converted = int(row["converted"])
    item.rate_affected = item.converted / affected
    # The baseline: the page's other visitors; when everyone there met it, the product's
    # other active people.
    visitors, converted_on_page = int(row["visitors"] or 0), int(row["visitors_converted"] or 0)
    if visitors > affected:
        item.baseline = "page"
        item.unaffected = visitors - affected
        item.converted_unaffected = converted_on_page - int(row["converted_any"])
    elif active > affected:
        item.baseline = "product"
        item.unaffected = active - affected
        item.converted_unaffected = converted_total - int(row["converted_any"])
    else:
        return item
    item.rate_unaffected = item.converted_unaffected / item.unaffected
    item.lost = affected * (item.rate_unaffected - item.rate_affected)
    return item


def _interval(item: Item) -> None:
    """The lost conversions' interval: only for the items shown (thousands of items each
    cost ~0.1 ms)."""
    if item.lost is None or item.converted is None or item.converted_unaffected is None:
        return
    affected = item.persons
    assert item.unaffected
    _diff, low, high = newcombe(
        item.converted_unaffected, item.unaffected, item.converted, affected
    )
    item.lost_low, item.lost_high = affected * low, affected * high


def _impact(item: Item) -> tuple:
    return (item.lost if item.lost is not None else float("-inf"), item.persons, item.events)


def run(src: Source, params: Params) -> dict[str, Any]:
    d = src.dialect
    p = params if params.now else replace(params, now=datetime.now(UTC))
    conversion = p.conversion
    default = src.query(default_conversion_sql(d, p)).rows
    suggested = default[0][0] if default else ""
    conversion = conversion or suggested
    vitals = {row["page"]: row for row in src.query(vitals_sql(d, p)).dicts()}
    slow = {
        page: {n: (float(v[n]) if v[n] is not None else None) for n in POOR}
        for page, v in vitals.items()
        if any(v[n] is not None and float(v[n]) > POOR[n] for n in POOR)
    }
    active, converted_total = src.query(totals_sql(d, p, conversion)).rows[0]
    items = []
    for row in src.query(items_sql(d, p, conversion)).dicts():
        if row["kind"] == "slow" and row["page"] not in slow:
            continue
        item = _item(row, conversion, int(active or 0), int(converted_total or 0))
        if item.kind == "slow":
            item.vitals = slow[item.page]
        items.append(item)
    items.sort(key=lambda i: (i.kind, i.page, i.element))  # ties in a stable order
    if p.sort == "arr":
        items.sort(key=lambda i: (i.arr, i.companies, *_impact(i)), reverse=True)
    else:
        items.sort(key=_impact, reverse=True)
    for item in items[:MAX_ITEMS]:
        _interval(item)
    return {
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "days": p.days,
        "sort": p.sort,
        "conversion": conversion,
        "suggested_conversion": suggested,
        "active": int(active or 0),
        "converted": int(converted_total or 0),
        "total_items": len(items),
        "items": [i.as_dict() for i in items[:MAX_ITEMS]],
        "slow_pages": len(slow),
    }


def find(result: dict[str, Any], *, kind: str, page: str, element: str) -> dict | None:
    for item in result["items"]:
        if (item["kind"], item["page"], item["element"]) == (kind, page, element):
            return item
    return None


def figure(result: dict[str, Any], top: int = 10) -> dict[str, Any]:
    """Horizontal bars of the top items: lost conversions (with the interval) when a
    conversion event is known, else people affected."""
    items = result["items"][:top]
    by_lost = bool(result["conversion"]) and any(i["lost"] is not None for i in items)
    names = [f"{i['label']} · {_short(i)}" for i in items][::-1]
    if by_lost:
        values = [round(i["lost"] or 0, 1) for i in items][::-1]
        plus = [round((i["lost_high"] or 0) - (i["lost"] or 0), 1) for i in items][::-1]
        minus = [round((i["lost"] or 0) - (i["lost_low"] or 0), 1) for i in items][::-1]
        title = "Estimated lost conversions (95 % interval)"
        trace: dict[str, Any] = {
            "type": "bar",
            "orientation": "h",
            "x": values,
            "y": names,
            "error_x": {"type": "data", "array": plus, "arrayminus": minus, "visible": True},
            "hovertemplate": "%{y}: %{x} lost<extra></extra>",
        }
    else:
        title = "People affected"
        trace = {
            "type": "bar",
            "orientation": "h",
            "x": [i["persons"] for i in items][::-1],
            "y": names,
            "hovertemplate": "%{y}: %{x} people<extra></extra>",
        }
    return {
        "data": [trace],
        "layout": {
            "title": {"text": title},
            "xaxis": {"title": {"text": title}, "zeroline": True},
            "yaxis": {"automargin": True},
            "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
            "height": 80 + 32 * max(len(items), 1),
        },
        "config": {"displayModeBar": False},
    }


def _short(item: dict) -> str:
    target = item["page"] if item["kind"] == "slow" else (item["el_text"] or item["element"])
    text = f"{target} on {item['page']}" if item["kind"] != "slow" else target
    return text if len(text) <= 48 else text[:47] + "…"
