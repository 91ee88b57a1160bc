"""The demo's Ship story (lodestar.demo.delivery) and its clock (lodestar.demo.clock): a risk
register over every category and many cells of the grid, actions (one overdue), a review
due today, the issue of the risk that occurred, budgets with cost lines (one release ~20 %
over plan), the changelog; and a demo built "today": the teams' latest done stories in
the build day's week or the one before, some releases on track and one or two at risk."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from lodestar.activity.models import Entry
from lodestar.delivery import budget_selectors, forecast_services
from lodestar.delivery.models import (
    ChangelogEntry,
    CostLine,
    Issue,
    ReleaseBudget,
    ReportStatus,
    Risk,
    RiskAction,
    RiskCategory,
    RiskSource,
    RiskStatus,
    StatusReport,
)
from lodestar.demo.build import SLUG, build_demo
from lodestar.demo.clock import Clock, add_months, demo_now
from lodestar.planning.backlog_selectors import team_throughput, week_start
from lodestar.planning.models import Release, UserStory
from lodestar.workspaces.models import Team, Workspace

DAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.django_db
def test_the_demo_tells_a_ship_story():
    build_demo(seed=7, size="small", today=DAY)
    workspace = Workspace.objects.get(slug=SLUG)
    everything = Risk.objects.filter(workspace=workspace).select_related("owner__user")
    risks = [r for r in everything if r.source == RiskSource.MANUAL]
    assert 12 <= len(risks) <= 18
    # What Lodestar computed once the story was in: proposals from today's numbers...
    proposed = [r for r in everything if r.status == RiskStatus.PROPOSED]
    assert {r.source for r in proposed} == {RiskSource.FORECAST, RiskSource.BUDGET}
    assert all(r.evidence and r.source_release_id for r in proposed)
    # ... and each product's status reports: last week's sent, this week's a draft.
    reports = StatusReport.objects.filter(workspace=workspace).order_by("product_id", "week_start")
    assert [(r.product.key, r.status) for r in reports] == [
        ("web", ReportStatus.SENT),
        ("web", ReportStatus.DRAFT),
        ("mobile", ReportStatus.SENT),
        ("mobile", ReportStatus.DRAFT),
    ]
    assert all("## " in r.body for r in reports)
    assert {r.category for r in risks} == set(RiskCategory.values)
    assert {r.product.key for r in risks} == {"web", "mobile"}
    active = [r for r in risks if r.status in ("open", "mitigating")]
    assert len({(r.likelihood, r.impact) for r in active}) >= 6  # spread over the grid
    assert all(r.exposure == r.likelihood * r.impact for r in risks)
    assert {r.owner.user.email.split("@")[0] for r in risks} <= {"priya", "tomas"}
    assert all(r.mitigation for r in risks)
    assert sum(r.review_on == DAY for r in active) == 1  # the review reminder
    assert all(r.review_on is None or r.review_on >= DAY for r in active)
    assert all(r.features.exists() or r.releases.exists() for r in risks)
    assert any(r.objectives.exists() for r in risks)
    # Actions: 1-3 a risk, some done, one overdue.
    actions = list(RiskAction.objects.filter(risk__workspace=workspace))
    per_risk = Counter(a.risk_id for a in actions)
    assert all(1 <= per_risk[r.pk] <= 3 for r in risks)
    assert any(a.done_at for a in actions)
    assert [a.title for a in actions if a.done_at is None and a.due_on < DAY] == [
        "Pair a second engineer on every sync change"
    ]
    # The risk that occurred, and its issue.
    issue = Issue.objects.get(workspace=workspace)
    assert issue.risk.status == "occurred" and issue.resolution and issue.impact
    assert issue.occurred_on < issue.resolved_on < DAY
    # History: every risk's creation and later edits, back-dated, in the log's order.
    history = Entry.objects.filter(workspace=workspace, target_type="risk")
    assert {e.target_key for e in history.filter(verb="created")} == {r.key for r in risks}
    assert history.filter(verb="updated").count() > len(risks)
    log = list(Entry.objects.filter(workspace=workspace).order_by("id"))
    assert all(a.created_at <= b.created_at for a, b in pairwise(log))
    # Budgets: cost lines over the past weeks in every category; one release ~20 % over.
    assert ReleaseBudget.objects.filter(release__workspace=workspace).count() >= 10
    assert ReleaseBudget.objects.filter(planned_override__isnull=False).count() >= 2
    lines = CostLine.objects.filter(workspace=workspace)
    assert lines.count() >= 40
    assert set(lines.values_list("category", flat=True)) >= {
        "people", "contractors", "infrastructure", "licenses"
    }  # fmt: skip
    assert not lines.filter(spent_on__gte=DAY).exists()
    over = []
    for release in Release.objects.filter(workspace=workspace, status="in_progress"):
        budget = budget_selectors.release_budget(release)
        if budget.over_by is not None and budget.over_by > 0.1:
            over.append((release.name, round(budget.over_by, 2)))
    assert over == [("2026.12 — Dispatch board for large fleets", 0.2)]
    # The changelog: published notes of shipped features, one draft.
    entries = list(ChangelogEntry.objects.filter(workspace=workspace))
    published = [e for e in entries if e.published_at]
    assert 3 <= len(published) <= 5 and len(entries) == len(published) + 1
    assert all(e.published_at < demo_now(DAY) for e in published)
    linked = [f for e in entries for f in e.features.all()]
    assert linked and all(f.status == "shipped" for f in linked)
    assert len(linked) == len({f.pk for f in linked})  # a feature is announced once


@pytest.mark.django_db
@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2027, 3, 11)])
def test_the_demo_is_built_as_of_its_day(day):
    build_demo(seed=7, size="small", today=day)
    workspace = Workspace.objects.get(slug=SLUG)
    latest = UserStory.objects.filter(workspace=workspace, status="done").latest("done_at")
    assert latest.done_at is not None and latest.done_at < demo_now(day)
    assert week_start(latest.done_at.date()) >= week_start(day) - timedelta(weeks=1)
    for team in Team.objects.filter(workspace=workspace):
        weeks = team_throughput(team=team, weeks=13, today=day)[:-1]  # the complete weeks
        assert all(count >= 1 for _monday, count, _points in weeks), team.name
    # The story's releases moved with the day: shipped ones behind, open ones ahead.
    releases = Release.objects.filter(workspace=workspace)
    assert all(r.released_on < day for r in releases.filter(status="released"))
    assert all(r.target >= day for r in releases.filter(status__in=["planned", "in_progress"]))
    # The forecast's story: most open releases comfortably on track, one or two at risk.
    rows = [
        row
        for product in workspace.products.all()
        for row in forecast_services.refresh_product(product, today=day)
    ]
    at_risk = [r.release.name for r in rows if r.at_risk]
    assert 1 <= len(at_risk) <= 2, at_risk
    assert sum(r.p_on_time is not None and r.p_on_time >= 0.9 for r in rows) >= 8


def test_the_clock_moves_the_story_to_the_build_day():
    clock = Clock.of(date(2027, 3, 11))
    assert clock.now == demo_now(date(2027, 3, 11))
    assert (clock.now.hour, clock.now.tzinfo is not None) == (15, True)
    assert clock.weeks == 18 and clock.quarters == 1
    assert clock.day("2026-11-27") == date(2027, 4, 2)  # a Friday stays a Friday
    assert clock.day(None) is None
    assert clock.period("2026-Q4") == "2027-Q1" and clock.period("2026-Q3") == "2026-Q4"
    assert clock.quarter_day("2026-12-31") == date(2027, 3, 31)
    assert clock.release_name("2026.11 — Arrival texts", date(2027, 4, 2)) == (
        "2027.04 — Arrival texts"
    )
    assert clock.release_name("Tech 5.4 — Photos", date(2027, 4, 2)) == "Tech 5.4 — Photos"
    assert add_months(date(2026, 9, 30), 3) == date(2026, 12, 31)
    assert add_months(date(2026, 12, 15), 3) == date(2027, 3, 15)
    assert Clock.of(date(2026, 11, 2)).weeks == 0  # the story's own day: nothing moves
    assert demo_now() <= datetime.now(UTC) < demo_now() + timedelta(days=1)  # never ahead
