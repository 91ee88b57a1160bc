"""The demo's product analytics: a field-service app's events for Acme Dispatch (web).

Fifteen weeks of usage up to the day the demo is built (so "the last 7 days" has data),
from people at the demo's own companies (each event carries `$groups.company` = the
company's domain, so every chart breaks down by company, plan, segment and ARR). Enterprise
and Growth accounts activate better than Starter ones; the two features shipped this autumn
(skills-based routing, branch roles) start being used on their release dates, so their
adoption steps up there; the reports page is slow and its CSV export draws rage clicks. See
lodestar.analytics.synthetic. Then the PM's saved work over it: the shipped features'
adoption definitions, three charts, the "Activation" dashboard, the funnel on an objective.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from lodestar.analytics import store
from lodestar.analytics.adoption import adoption_set
from lodestar.analytics.charts import chart_create, dashboard_add_chart, dashboard_create, embed_add
from lodestar.analytics.synthetic import DISPATCH, generate
from lodestar.customers.models import Company
from lodestar.demo.feedback_themes import THEMES
from lodestar.planning.models import Feature
from lodestar.strategy.models import Objective
from lodestar.workspaces.models import Workspace

PERSONS = {"small": 2_000, "large": 20_000}
DAYS = 105
# Shipped features (theme keys) and the event that shows their use (synthetic.DISPATCH).
ADOPTION = {"route-skills": "skills_routing_used", "office-permissions": "branch_role_assigned"}
ACTIVATION = "signed_up,onboarding_completed,job_created,technician_assigned,invoice_sent"
# How much better (or worse) than the base rates each plan's people activate.
PLAN_FACTOR = {"Enterprise": 1.2, "Growth": 1.05, "Starter": 0.85}


def build_events(
    workspace: Workspace,
    *,
    seed: int,
    size: str,
    today: datetime,
    report: Callable[[str, int, int], None],
    actor=None,
) -> int:
    """Generate and store the demo's events up to `today` (or the real today, when later);
    then the saved charts and adoption definitions. Return how many events were stored."""
    end = max(_midnight(today), _midnight(datetime.now(UTC)))
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
            end=end,
            days=DAYS,
            companies=companies,
            spec=DISPATCH,
        )
        report("events", 1, 3)
        stored = store.load_events(workspace, con, "SELECT * FROM synthetic").events
    finally:
        con.close()
    if actor is not None:
        _saved_work(workspace, actor)
    report("events", 3, 3)
    return stored


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _saved_work(workspace: Workspace, actor) -> None:
    """What a PM would have set up over these events."""
    themes = {t.key: t.title for t in THEMES}
    for theme, event in ADOPTION.items():
        feature = Feature.objects.filter(workspace=workspace, title=themes[theme]).first()
        if feature is not None:
            adoption_set(feature=feature, actor=actor, event=event)
    common = {"workspace": workspace, "actor": actor, "product_key": "web"}
    funnel = chart_create(
        **common,
        name="Activation funnel",
        kind="funnel",
        query={"product": "web", "steps": ACTIVATION, "window": "14d"},
        description="From sign-up to the first invoice sent: where new accounts stall.",
    )
    weekly = chart_create(
        **common,
        name="Weekly active people",
        kind="trends",
        query={
            "product": "web",
            "s0_event": "$pageview",
            "s0_math": "persons",
            "interval": "week",
            "range": "90d",
            "breakdown_by": "plan",
        },
        description="People who opened the app each week, by their company's plan.",
    )
    retention = chart_create(
        **common,
        name="Weekly retention of new sign-ups",
        kind="retention",
        query={"product": "web", "start_event": "signed_up", "period": "week", "periods": "8"},
    )
    dashboard = dashboard_create(
        workspace=workspace,
        actor=actor,
        name="Activation",
        product_key="web",
        description="Are new accounts getting to their first invoice, and do they come back?",
    )
    for chart in (funnel, weekly, retention):
        dashboard_add_chart(dashboard=dashboard, actor=actor, chart_key=chart.key)
    objective = Objective.objects.filter(workspace=workspace).order_by("pk").first()
    if objective is not None:
        embed_add(target=objective, actor=actor, chart_key=funnel.key)
