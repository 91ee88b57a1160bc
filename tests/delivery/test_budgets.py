"""Release budgets: the plan computed from effort x team cost (a case worked by hand), the
override, cost lines and their validation, burn numbers, the over-budget proposal, roles."""

from datetime import timedelta
from decimal import Decimal

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.delivery import budget_selectors as selectors
from lodestar.delivery import budget_services as services
from lodestar.delivery import proposals
from lodestar.delivery.models import (
    CostLine,
    DeliverySettings,
    ReleaseBudget,
    Risk,
    RiskCategory,
    RiskSource,
    RiskStatus,
)
from lodestar.planning.models import Feature
from lodestar.planning.release_services import release_create
from lodestar.workspaces import services as ws_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(world):
    return selectors.workspace_today(world.workspace)


@pytest.fixture
def release(world, today):
    """Build 2: 30 days in, 30 to go, by a team costing 10,000 a week (20 points a week),
    with features of 3 weeks, 10 points (half a week) and one not estimated."""
    owner = world["owner"].user
    team = ws_services.team_create(
        workspace=world.workspace,
        actor=owner,
        name="Builders",
        capacity_points=20,
        cost_per_week="10000",
    )
    release = release_create(
        workspace=world.workspace,
        actor=owner,
        name="Build 2",
        product_key="web",
        team_key=team.key,
        start=(today - timedelta(days=30)).isoformat(),
        target=(today + timedelta(days=30)).isoformat(),
    )
    for title, effort, unit in (
        ("Three weeks of work", Decimal("3"), "weeks"),
        ("Ten points of work", Decimal("10"), "points"),
        ("Not estimated yet", None, "points"),
    ):
        Feature.objects.create(
            workspace=world.workspace,
            product=world.product,
            title=title,
            effort=effort,
            effort_unit=unit,
            release=release,
        )
    return release


def _line(release, world, amount, days_ago=1, **kwargs):
    today = selectors.workspace_today(world.workspace)
    return services.cost_line_create(
        release=release,
        actor=world["pm"].user,
        description=kwargs.pop("description", f"Spend of {amount}"),
        amount=amount,
        spent_on=today - timedelta(days=days_ago),
        **kwargs,
    )


# -- the plan --------------------------------------------------------------------------------


def test_planned_cost_is_effort_times_the_team_cost_per_week(release):
    budget = selectors.release_budget(release)
    # 3 weeks + 10 points / 20 points a week = 3.5 weeks; x 10,000 = 35,000.
    assert budget.weeks == Decimal("3.50")
    assert budget.planned_computed == Decimal("35000.00")
    assert budget.planned == Decimal("35000.00")
    assert budget.planned_override is None
    assert budget.missing == ["1 feature without an effort estimate is not counted"]
    costs = {fc.feature.title: fc.cost for fc in budget.features}
    assert costs == {
        "Three weeks of work": Decimal("30000.00"),
        "Ten points of work": Decimal("5000.00"),
        "Not estimated yet": None,
    }


def test_no_estimates_no_cost_rate_no_features_are_explained(world):
    release = world.release  # team Delivery: no cost per week, no features
    budget = selectors.release_budget(release)
    assert budget.planned is None and budget.spent_share is None and budget.status == "no_plan"
    assert budget.missing == ["the release has no features"]
    Feature.objects.create(workspace=world.workspace, title="Vague", release=release)
    assert selectors.release_budget(release).missing == [
        "none of its features has an effort estimate"
    ]
    Feature.objects.create(
        workspace=world.workspace, title="Sized", release=release, effort=2, effort_unit="weeks"
    )
    budget = selectors.release_budget(release)
    assert budget.planned_computed is None
    assert "its team (Delivery) has no cost per week" in budget.missing


def test_the_override_wins_and_both_figures_are_shown(release, world):
    services.budget_plan_set(
        release=release, actor=world["pm"].user, planned_override="50,000", note="Approved"
    )
    budget = selectors.release_budget(release)
    assert budget.planned == Decimal("50000.00")
    assert budget.planned_computed == Decimal("35000.00")
    assert (budget.planned_override, budget.note) == (Decimal("50000.00"), "Approved")
    entry = Entry.objects.get(target_type="release budget")
    assert entry.target_key == release.key and entry.changes["planned_override"][1] == "50000.00"
    # A blank override goes back to the computed plan.
    services.budget_plan_set(release=release, actor=world["pm"].user, planned_override="")
    assert selectors.release_budget(release).planned == Decimal("35000.00")
    assert ReleaseBudget.objects.get(release=release).planned_override is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [("0", "above 0"), ("-5", "negative"), ("12.345", "2 decimals"), ("lots", "not an amount")],
)
def test_a_bad_override_is_refused(release, world, raw, message):
    with pytest.raises(Invalid) as caught:
        services.budget_plan_set(release=release, actor=world["pm"].user, planned_override=raw)
    assert message in caught.value.fields["planned_override"][0]


# -- cost lines ------------------------------------------------------------------------------


def test_a_cost_line_is_recorded_and_logged(release, world):
    line = _line(
        release, world, "1,250.50", description="Contractor, March", category="contractors"
    )
    assert line.amount == Decimal("1250.50") and line.workspace == world.workspace
    assert selectors.release_budget(release).actual == Decimal("1250.50")
    entry = Entry.objects.get(target_type="cost line", verb="created")
    assert entry.target_key == line.key and "Contractor, March" in entry.target_label
    services.cost_line_update(
        line=line,
        actor=world["pm"].user,
        description="Contractor, March",
        amount="1300",
        spent_on=line.spent_on,
        category="contractors",
    )
    assert Entry.objects.get(target_type="cost line", verb="updated").changes["amount"] == [
        "1250.50",
        "1300.00",
    ]
    services.cost_line_delete(line=line, actor=world["pm"].user)
    assert not CostLine.objects.filter(release=release).exists()
    assert Entry.objects.filter(target_type="cost line", verb="deleted").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-10", "cannot be negative"),
        ("amount", "10.505", "at most 2 decimals"),
        ("amount", "1000000000000", "too large"),
        ("amount", "9" * 40, "too large"),
        ("amount", "1e5", "not an amount"),
        ("amount", "NaN", "not an amount"),
        ("amount", "1,5", "not an amount"),
        ("amount", "", "Enter the amount"),
        ("description", "   ", "Say what"),
        ("category", "snacks", "Choose a category"),
        ("spent_on", None, "Enter the date"),
    ],
)
def test_cost_line_validation(release, world, today, field, value, message):
    values = {
        "description": "Cloud bill",
        "amount": "100",
        "spent_on": today,
        "category": "infrastructure",
    } | {field: value}
    with pytest.raises(Invalid) as caught:
        services.cost_line_create(release=release, actor=world["pm"].user, **values)
    assert message in caught.value.fields[field][0]
    assert not CostLine.objects.filter(release=release).exists()


def test_a_future_date_is_refused_today_is_fine(release, world, today):
    with pytest.raises(Invalid) as caught:
        _line(release, world, "10", days_ago=-1)
    assert "in the future" in caught.value.fields["spent_on"][0]
    assert _line(release, world, "10", days_ago=0).spent_on == today


def test_amounts_in_shorthand(release, world):
    assert _line(release, world, "12.5k").amount == Decimal("12500.00")
    assert _line(release, world, "$ 1 000").amount == Decimal("1000.00")
    assert _line(release, world, "0").amount == Decimal("0.00")


# -- burn ------------------------------------------------------------------------------------


def test_burn_numbers(release, world):
    _line(release, world, "7000", days_ago=20)
    _line(release, world, "7000", days_ago=5)
    budget = selectors.release_budget(release)
    assert budget.actual == Decimal("14000.00")
    assert budget.spent_share == pytest.approx(0.4)  # 14,000 of 35,000
    assert budget.over_by == pytest.approx(-0.6)
    assert budget.time_share == pytest.approx(0.5)  # 30 of 60 days
    assert budget.planned_to_date == Decimal("17500.00")
    assert budget.remaining == Decimal("21000.00")
    assert budget.status == "on_plan"
    figure = selectors.burn_figure(budget)
    assert figure is not None
    plan, limit, actual = figure["data"]
    assert plan["y"] == [0, 35000.0] and limit["y"] == [38500.0, 38500.0]
    assert actual["y"] == [0.0, 7000.0, 14000.0]
    assert [
        b.release.pk
        for b in selectors.budget_list(
            workspace=world.workspace, product=world.product, sort="-burn"
        )
    ] == [release.pk, world.release.pk]  # no plan: last


def test_without_a_start_the_plan_runs_from_the_first_cost_line(world, today):
    release = world.release
    release.start = None
    release.save()
    _line(release, world, "100", days_ago=10)
    budget = selectors.release_budget(release)
    assert budget.plan_start == world.cost_line.spent_on  # the first line (Oct 1, 2026)
    assert budget.time_share is not None


# -- over budget -----------------------------------------------------------------------------


def _proposal(release):
    return Risk.objects.filter(source_release=release, source=RiskSource.BUDGET).first()


def test_over_budget_proposes_a_draft_risk_with_the_numbers(release, world):
    _line(release, world, "38500")  # exactly the threshold (10 %): not over it
    assert _proposal(release) is None
    settings = DeliverySettings.objects.get(product=world.product)
    assert settings.over_budget_threshold == 10  # created with its defaults
    _line(release, world, "3500")  # 42,000 of 35,000: 20 % over
    risk = _proposal(release)
    assert risk.status == RiskStatus.PROPOSED and risk.category == RiskCategory.BUDGET
    assert risk.title == "Build 2 is over budget"
    assert (risk.likelihood, risk.impact) == (5, 2)
    assert risk.evidence["planned"] == "35000.00" and risk.evidence["actual"] == "42000.00"
    assert risk.evidence["overrun"] == pytest.approx(0.2)
    assert risk.evidence["threshold"] == 10
    assert risk.evidence["severity"] == pytest.approx(0.2)
    assert "$42,000" in risk.description and "$35,000" in risk.description
    # Refreshed, not duplicated, as it gets worse.
    _line(release, world, "28000")  # 70,000: 100 % over
    risk = Risk.objects.get(source_release=release, source=RiskSource.BUDGET)
    assert risk.impact == 5 and risk.evidence["overrun"] == pytest.approx(1.0)


def test_back_under_plan_withdraws_the_proposal(release, world):
    line = _line(release, world, "50000")
    assert _proposal(release) is not None
    services.budget_plan_set(release=release, actor=world["pm"].user, planned_override="60000")
    assert _proposal(release) is None
    services.budget_plan_set(release=release, actor=world["pm"].user, planned_override="")
    assert _proposal(release) is not None
    services.cost_line_delete(line=line, actor=world["pm"].user)
    assert _proposal(release) is None


def test_not_proposed_again_after_dismiss_unless_worse(release, world):
    _line(release, world, "42000")  # 20 % over
    proposals.dismiss(_proposal(release), actor=world["pm"].user)
    _line(release, world, "1000")  # 22.9 %: not 10 points worse
    assert not Risk.objects.filter(status=RiskStatus.PROPOSED).exists()
    assert services.check_budget(release) is None
    _line(release, world, "4000")  # 34.3 %: worse by more than 10 points
    assert Risk.objects.filter(source_release=release, status=RiskStatus.PROPOSED).count() == 1


def test_the_threshold_is_the_products(release, world):
    DeliverySettings.objects.create(
        workspace=world.workspace, product=world.product, over_budget_threshold=50
    )
    _line(release, world, "42000")
    assert _proposal(release) is None


def test_check_all_budgets(release, world):
    _line(release, world, "42000")
    Risk.objects.all().delete()
    assert services.check_all_budgets() == 1
    assert _proposal(release).status == RiskStatus.PROPOSED
    release.status = "cancelled"
    release.save()
    assert services.check_all_budgets() == 0
    assert _proposal(release) is None


def test_impact_by_overrun():
    assert [services.impact_of(x) for x in (0.05, 0.1, 0.3, 0.6, 1.0, 3.0)] == [1, 2, 3, 4, 5, 5]


# -- pages and roles -------------------------------------------------------------------------


def _url(world, release, suffix=""):
    return f"/w/{world.workspace.slug}/ship/budgets/{release.key}/{suffix}"


def test_the_list_and_the_release_page(release, world):
    _line(release, world, "42000", description="Cloud bill")
    client = world["stakeholder"].client()
    page = client.get("/w/acme/ship/budgets/?product=web&sort=-actual")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Build 2" in text and "$42,000" in text and "Over by 20 %" in text
    page = client.get(_url(world, release))
    text = page.content.decode()
    assert page.status_code == 200 and "Cloud bill" in text and 'data-chart="budget-figure"' in text
    assert "Add cost line" not in text  # a stakeholder reads only
    assert "Record money spent" in world["po"].client().get(_url(world, release)).content.decode()
    # The release page shows the summary.
    text = client.get(f"/w/acme/releases/{release.key}/").content.decode()
    assert "Budget and cost lines" in text and "$42,000 spent of $35,000 planned" in text


def test_forms_show_errors_and_save(release, world, today):
    client = world["po"].client()
    response = client.post(
        _url(world, release, "lines/"),
        {"description": "Laptops", "category": "other", "amount": "10.999", "spent_on": today},
    )
    assert response.status_code == 400
    assert "at most 2 decimals" in response.content.decode()
    response = client.post(
        _url(world, release, "lines/"),
        {"description": "Laptops", "category": "other", "amount": "10.99", "spent_on": today},
    )
    assert response.status_code == 302
    line = CostLine.objects.get(release=release)
    response = client.post(_url(world, release), {"planned_override": "-1", "note": ""})
    assert response.status_code == 400 and "negative" in response.content.decode()
    assert client.get(_url(world, release, f"lines/{line.key}/")).status_code == 200
    response = client.post(
        _url(world, release, f"lines/{line.key}/"),
        {"description": "Laptops", "category": "other", "amount": "11", "spent_on": today},
    )
    assert response.status_code == 302
    assert CostLine.objects.get(release=release).amount == Decimal("11.00")
    assert client.get(_url(world, release, f"lines/{line.key}/delete/")).status_code == 200
    assert client.post(_url(world, release, f"lines/{line.key}/delete/")).status_code == 302
    assert not CostLine.objects.filter(release=release).exists()


@pytest.mark.parametrize("persona", ["contributor", "stakeholder"])
def test_readers_cannot_write(release, world, today, persona):
    client = world[persona].client()
    assert client.get(_url(world, release)).status_code == 200
    response = client.post(
        _url(world, release, "lines/"),
        {"description": "Laptops", "category": "other", "amount": "10", "spent_on": today},
    )
    assert response.status_code == 403
    assert client.post(_url(world, release), {"planned_override": "1"}).status_code == 403
    assert not CostLine.objects.filter(release=release).exists()


def test_another_workspaces_release_is_404(release, world, today):
    line = _line(release, world, "10")
    client = world["outsider"].client()
    assert client.get(f"/w/other/ship/budgets/{release.key}/").status_code == 404
    assert client.get(f"/w/other/ship/budgets/{release.key}/lines/{line.key}/").status_code == 404
    # A line key under another release of the same workspace is not found either.
    pm = world["pm"].client()
    assert pm.get(_url(world, world.release, f"lines/{line.key}/")).status_code == 404
