"""Persons: distinct ids merged on identify and alias, properties from $set, and the company.

The store keeps two small tables per workspace, rewritten only in ticks that change them:

    overrides(distinct_id, person_id)   only for ids merged into another person
    persons(person_id, properties, company_key, created_at, updated_at)

An event's person is `coalesce(overrides.person_id, events.distinct_id)`: an id nobody merged
is its own person, so ordinary events never touch these tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from lodestar.analytics.events import ALIAS, IDENTIFY
from lodestar.analytics.store.layout import Layout, Manifest, fsync_file

OVERRIDES_SCHEMA = pa.schema([("distinct_id", pa.string()), ("person_id", pa.string())])
PERSONS_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("properties", pa.string()),
        ("company_key", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("updated_at", pa.timestamp("us")),
    ]
)


@dataclass
class PersonRow:
    properties: dict = field(default_factory=dict)
    company_key: str | None = None
    created_at: Any = None
    updated_at: Any = None


# Identify, alias and property changes, in order: few, and each matters.
CHANGES_SQL = f"""
SELECT distinct_id, event, timestamp,
       json_extract_string(properties, '$."$anon_distinct_id"') AS anon,
       json_extract_string(properties, '$.alias') AS alias,
       json_extract(properties, '$."$set"')::VARCHAR AS set_,
       json_extract(properties, '$."$set_once"')::VARCHAR AS set_once
FROM batch
WHERE event IN ('{IDENTIFY}', '{ALIAS}') OR sets  -- sets: has $set or $set_once
ORDER BY timestamp
"""

# Company links: an SDK sends `$groups` on every event, so only each id's latest counts.
# (`batch.company` is `$groups.company`, taken out at capture or by the compactor.)
GROUPS_SQL = """
SELECT distinct_id, arg_max(company, timestamp), max(timestamp)
FROM batch
WHERE company IS NOT NULL
GROUP BY distinct_id
"""


def _new_links(con, directory, files, merging: list[str]) -> list[tuple]:
    """The batch's company links that change something: most events repeat the company their
    person already has, and are dropped here in SQL rather than loaded into Python. Ids being
    merged in this batch are always kept (their person may change)."""
    if not files.persons:
        return con.execute(GROUPS_SQL).fetchall()
    overrides = (
        f"SELECT * FROM read_parquet('{directory / files.overrides}')"
        if files.overrides
        else "SELECT NULL::VARCHAR AS distinct_id, NULL::VARCHAR AS person_id WHERE false"
    )
    return con.execute(
        f"""
        SELECT l.* FROM ({GROUPS_SQL}) l(distinct_id, company, ts)
        LEFT JOIN ({overrides}) o ON o.distinct_id = l.distinct_id
        LEFT JOIN read_parquet('{directory / files.persons}') p
               ON p.person_id = coalesce(o.person_id, l.distinct_id)
        WHERE p.company_key IS DISTINCT FROM l.company
           OR l.distinct_id IN (SELECT unnest(?::VARCHAR[]))
        """,
        [merging],
    ).fetchall()


def _object(text: str | None) -> dict:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def apply(con: duckdb.DuckDBPyConnection, engine, layout: Layout, manifest: Manifest, ws: int):
    changes = con.execute(CHANGES_SQL).fetchall()
    files = manifest.workspace(ws)
    directory = layout.workspace_dir(ws)
    involved: set[str] = set()
    for distinct_id, _event, _ts, anon, alias, *_ in changes:
        involved.update(x for x in (distinct_id, anon, alias) if x)
    links = _new_links(con, directory, files, sorted(involved))
    if not changes and not links:
        return
    involved.update(distinct_id for distinct_id, _company, _ts in links)
    ids = sorted(involved)
    overrides: dict[str, str] = {}
    original_overrides: dict[str, str] = {}
    if files.overrides:
        rows = con.execute(
            """
            WITH o AS (SELECT * FROM read_parquet(?))
            SELECT distinct_id, person_id FROM o
            WHERE distinct_id IN (SELECT unnest(?::VARCHAR[]))
               OR person_id IN (SELECT unnest(?::VARCHAR[]))
               OR person_id IN (SELECT person_id FROM o
                                WHERE distinct_id IN (SELECT unnest(?::VARCHAR[])))
            """,
            [str(directory / files.overrides), ids, ids, ids],
        ).fetchall()
        overrides = dict(rows)
    original_overrides = dict(overrides)
    touched_overrides = set(overrides)

    def resolve(distinct_id: str) -> str:
        return overrides.get(distinct_id, distinct_id)

    people: dict[str, PersonRow] = {}
    wanted = sorted({resolve(i) for i in involved} | set(overrides.values()))
    if files.persons:
        for person_id, props, company, created, updated in con.execute(
            "SELECT * FROM read_parquet(?) WHERE person_id IN (SELECT unnest(?::VARCHAR[]))",
            [str(directory / files.persons), wanted],
        ).fetchall():
            people[person_id] = PersonRow(_object(props), company, created, updated)
    removed: set[str] = set()

    def person(person_id: str, ts) -> PersonRow:
        row = people.get(person_id)
        if row is None:
            row = people[person_id] = PersonRow(created_at=ts, updated_at=ts)
        return row

    before = {pid: (dict(p.properties), p.company_key) for pid, p in people.items()}
    for distinct_id, event, ts, anon, alias, set_, set_once in changes:
        other = anon if event == IDENTIFY else alias if event == ALIAS else None
        target = resolve(distinct_id)
        if other and resolve(other) != target:
            merged = resolve(other)
            for d, p in list(overrides.items()):
                if p == merged:
                    overrides[d] = target
            overrides[merged] = target
            overrides[other] = target
            touched_overrides.update({merged, other})
            if merged in people:
                old = people.pop(merged)
                removed.add(merged)
                into = person(target, ts)
                into.properties = {**old.properties, **into.properties}
                into.company_key = into.company_key or old.company_key
                into.created_at = min(x for x in (old.created_at, into.created_at, ts) if x)
        row = person(target, ts)
        row.properties.update(_object(set_))
        for key, value in _object(set_once).items():
            row.properties.setdefault(key, value)
        row.updated_at = ts
    for distinct_id, company, ts in links:
        row = person(resolve(distinct_id), ts)
        if row.company_key != company:
            row.company_key = company
            row.updated_at = ts
    # Never point an id at itself: it is its own person without a row.
    overrides = {d: p for d, p in overrides.items() if d != p}
    touched_overrides |= set(overrides)
    changed = {pid for pid, p in people.items() if before.get(pid) != (p.properties, p.company_key)}
    if not changed and not removed and overrides == original_overrides:
        return  # e.g. every event carried the company its person already had
    _rewrite(
        con,
        engine,
        layout,
        manifest,
        ws,
        overrides=overrides,
        override_keys=touched_overrides,
        people={pid: people[pid] for pid in changed},
        person_keys=changed | removed,
    )


def _rewrite(con, engine, layout, manifest, ws, *, overrides, override_keys, people, person_keys):
    files = manifest.workspace(ws)
    directory = layout.workspace_dir(ws)
    new_overrides = pa.table(
        {"distinct_id": list(overrides), "person_id": list(overrides.values())},
        schema=OVERRIDES_SCHEMA,
    )
    new_people = pa.table(
        {
            "person_id": list(people),
            "properties": [json.dumps(p.properties, sort_keys=True) for p in people.values()],
            "company_key": [p.company_key for p in people.values()],
            "created_at": [p.created_at for p in people.values()],
            "updated_at": [p.updated_at for p in people.values()],
        },
        schema=PERSONS_SCHEMA,
    )
    con.register("new_overrides", new_overrides)
    con.register("new_people", new_people)
    keys = sorted(override_keys)
    old = (
        f"SELECT * FROM read_parquet('{directory / files.overrides}') "
        "WHERE distinct_id NOT IN (SELECT unnest(?::VARCHAR[]))"
        if files.overrides
        else "SELECT * FROM new_overrides WHERE false AND ?::VARCHAR[] IS NOT NULL"
    )
    name = manifest.next_name("overrides")
    con.execute(
        f"COPY ({old} UNION ALL SELECT * FROM new_overrides ORDER BY distinct_id) "
        f"TO '{directory / name}' (FORMAT parquet, COMPRESSION zstd)",
        [keys],
    )
    fsync_file(directory / name)
    _replace(manifest, ws, "overrides", name, layout)
    keys = sorted(person_keys)
    old = (
        f"SELECT * FROM read_parquet('{directory / files.persons}') "
        "WHERE person_id NOT IN (SELECT unnest(?::VARCHAR[]))"
        if files.persons
        else "SELECT * FROM new_people WHERE false AND ?::VARCHAR[] IS NOT NULL"
    )
    name = manifest.next_name("persons")
    con.execute(
        f"COPY ({old} UNION ALL SELECT * FROM new_people ORDER BY person_id) "
        f"TO '{directory / name}' (FORMAT parquet, COMPRESSION zstd)",
        [keys],
    )
    fsync_file(directory / name)
    _replace(manifest, ws, "persons", name, layout)
    con.unregister("new_overrides")
    con.unregister("new_people")
    engine.persons_changed(con, layout, manifest, ws)


def _replace(manifest: Manifest, ws: int, attr: str, name: str, layout: Layout) -> None:
    import time

    files = manifest.workspace(ws)
    old = getattr(files, attr)
    if old:
        manifest.retired.append((f"ws-{ws}/{old}", time.time()))
    setattr(files, attr, name)
