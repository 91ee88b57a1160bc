"""The demo's product analytics: a field-service app's events for Acme Dispatch (web).

Ten weeks of usage ending at the demo's "today", from people at the demo's own companies
(each event carries `$groups.company` = the company's domain, so every chart breaks down by
company, plan, segment and ARR). Enterprise and Growth accounts activate better than
Starter ones; the three features shipped this autumn (skills-based routing, branch roles,
Xero sync) start being used on their release dates, so their adoption steps up there; the
reports page is slow and its CSV export draws rage clicks. See lodestar.analytics.synthetic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import duckdb

from lodestar.analytics import store
from lodestar.analytics.synthetic import DISPATCH, generate
from lodestar.customers.models import Company
from lodestar.workspaces.models import Workspace

PERSONS = {"small": 2_000, "large": 20_000}
DAYS = 70
# How much better (or worse) than the base rates each plan's people activate.
PLAN_FACTOR = {"Enterprise": 1.2, "Growth": 1.05, "Starter": 0.85}


def build_events(
    workspace: Workspace,
    *,
    seed: int,
    size: str,
    today: datetime,
    report: Callable[[str, int, int], None],
) -> int:
    """Generate and store the demo's events; return how many were stored."""
    companies = [
        (c.domain, PLAN_FACTOR.get(c.plan, 1.0))
        for c in Company.objects.filter(workspace=workspace).exclude(domain="").order_by("pk")
    ]
    report("events", 0, 3)
    con = duckdb.connect()
    try:
        generate(
            con,
            seed=seed,
            persons=PERSONS[size],
            end=today,
            days=DAYS,
            companies=companies,
            spec=DISPATCH,
        )
        report("events", 1, 3)
        stored = store.load_events(workspace, con, "SELECT * FROM synthetic").events
        report("events", 3, 3)
    finally:
        con.close()
    return stored
