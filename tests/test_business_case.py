"""The business case of a feature (revenue at stake, cost, ROI, payback) and its predicted
impact: the calculation by hand-worked examples, the form, the page and the API."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.customers.services import company_create, person_create
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.planning import business
from lodestar.planning.business import business_case, business_cases
from lodestar.planning.models import Feature
from lodestar.planning.selectors import Demand, feature_demand
from lodestar.planning.services import feature_create, feature_update
from lodestar.workspaces.models import Team

pytestmark = pytest.mark.django_db

D = Decimal


def _ask(world, feature, name, arr, importance):
    """`name` (a company with `arr`) asks for `feature` with `importance` (1..3)."""
    domain = f"{name.lower()}.test"
    pm = world["pm"].user
    company_create(workspace=world.workspace, actor=pm, name=name, domain=domain, arr=arr)
    person_create(workspace=world.workspace, actor=pm, email=f"ops@{domain}", company_domain=domain)
    feedback = feedback_create(
        workspace=world.workspace, actor=pm, text="We need this.", person_email=f"ops@{domain}"
    )
    insight_link(
        feedback=feedback, actor=pm, snippet="", importance=importance, feature_key=feature.key
    )


def _six_weeks_medium(world, **extra):
    """world.feature (Northwind, 120k, critical) plus 60k important and 30k nice to have,
    6 weeks of a team costing 10,000 a week, medium confidence."""
    feature = world.feature
    _ask(world, feature, "Midco", "60k", 2)
    _ask(world, feature, "Smallco", "30k", 1)
    world.team.cost_per_week = D("10000")
    world.team.save()
    feature_update(
        feature=feature, actor=world["pm"].user, team_key=world.team.key, effort="6",
        effort_unit="weeks", effort_confidence="medium", **extra,
    )  # fmt: skip
    return Feature.objects.get(pk=feature.pk)


def _case(feature):
    return business_cases(features=[feature])[feature.pk]


def test_worked_example(world):
    case = _case(_six_weeks_medium(world))
    # Revenue: low = critical only; expected = 120k x 3/3 + 60k x 2/3 + 30k x 1/3; high = all.
    assert case.revenue == business.Range(D("120000"), D("170000"), D("210000"))
    # Cost: 6 weeks x 10,000 = 60,000; medium confidence x0.8 / x1.5.
    assert case.cost == business.Range(D("48000"), D("60000"), D("90000"))
    # ROI: (120,000 - 90,000) / 90,000 = 0.3333; (170,000 - 60,000) / 60,000 = 1.8333;
    # (210,000 - 48,000) / 48,000 = 3.375.
    assert case.roi == business.Range(D("0.3333"), D("1.8333"), D("3.375"))
    # Payback: 90,000 / (120,000 / 12) = 9 months; 60,000 / (170,000 / 12) = 4.235... -> 4.2;
    # 48,000 / (210,000 / 12) = 2.742... -> 2.7.
    months = case.payback_months
    assert months is not None
    assert (months.low, months.expected, months.high) == (D("9.0"), D("4.2"), D("2.7"))
    assert case.missing == []
    assert (case.weeks, case.cost_per_week, case.team_name) == (D("6"), D("10000"), "Platform")
    assert case.spread_text == "\u221220 % / +50 %"


def test_new_revenue_adds_to_each_case(world):
    feature = _six_weeks_medium(
        world, new_revenue_low="10000", new_revenue="30000", new_revenue_high="80000"
    )
    assert _case(feature).revenue == business.Range(D("130000"), D("200000"), D("290000"))
    # A lone expected figure is its own low and high.
    feature_update(feature=feature, actor=world["pm"].user, new_revenue_low="", new_revenue_high="")
    feature = Feature.objects.get(pk=feature.pk)
    assert _case(feature).revenue == business.Range(D("150000"), D("200000"), D("240000"))


def test_critical_arr_is_counted_once_per_company_by_its_highest_importance(world):
    feature = world.feature  # Northwind 120k said critical
    _ask(world, feature, "Midco", "60k", 2)
    demand = feature_demand(features=[feature])[feature.pk]
    assert (demand.arr, demand.weighted_arr, demand.critical_arr) == (
        D("180000"),
        D("160000"),
        D("120000"),
    )


def test_points_become_weeks_through_the_teams_capacity(world):
    # Platform delivers 30 points a week and costs 25,000 a week.
    feature_update(
        feature=world.feature, actor=world["pm"].user, team_key=world.team.key, effort="45",
        effort_unit="points", effort_confidence="high",
    )  # fmt: skip
    case = _case(Feature.objects.get(pk=world.feature.pk))
    assert case.weeks == D("1.5")
    # 1.5 weeks x 25,000 = 37,500; high confidence x0.9 / x1.2.
    assert case.cost == business.Range(D("33750"), D("37500"), D("45000"))


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({"effort": ""}, [business.NO_EFFORT]),
        ({"team_key": ""}, [business.NO_TEAM]),
        ({"effort": "", "team_key": ""}, [business.NO_EFFORT, business.NO_TEAM]),
        ({"team_cost": "0"}, [business.NO_COST_RATE]),
        ({"effort_unit": "points", "team_capacity": 0}, [business.NO_CAPACITY]),
    ],
)
def test_missing_reasons(world, change, reasons):
    feature = _six_weeks_medium(world)
    if "team_cost" in change:
        Team.objects.filter(pk=world.team.pk).update(cost_per_week=D(change.pop("team_cost")))
    if "team_capacity" in change:
        Team.objects.filter(pk=world.team.pk).update(capacity_points=change.pop("team_capacity"))
    if change:
        feature_update(feature=feature, actor=world["pm"].user, **change)
    case = _case(Feature.objects.get(pk=feature.pk))
    assert case.missing == reasons
    assert case.cost is None and case.roi is None and case.payback_months is None
    assert case.revenue.expected == D("170000")  # the revenue is known regardless


def test_zero_effort_costs_nothing_and_has_no_roi(world):
    feature = _six_weeks_medium(world)
    feature_update(feature=feature, actor=world["pm"].user, effort="0")
    case = _case(Feature.objects.get(pk=feature.pk))
    assert case.cost == business.Range(D(0), D(0), D(0))
    assert case.roi is None and case.missing == [business.ZERO_COST]
    assert case.payback_months == business.Months(D(0), D(0), D(0))


def test_no_revenue_never_pays_back(world):
    pm = world["pm"].user
    feature = feature_create(
        workspace=world.workspace, actor=pm, title="Nobody asked", team_key=world.team.key,
        effort="2", effort_unit="weeks",
    )  # fmt: skip
    case = _case(feature)
    assert case.revenue == business.Range(D(0), D(0), D(0))
    assert case.payback_months is None and case.never
    # 50,000 expected cost, nothing back: -100 %.
    assert case.roi == business.Range(D(-1), D(-1), D(-1))
    # Only the pessimistic case lacks revenue: that case never pays back.
    feature_update(feature=feature, actor=pm, new_revenue="12000", new_revenue_low="0")
    months = _case(Feature.objects.get(pk=feature.pk)).payback_months
    assert months is not None and months.low is None
    assert months.expected == D("50.0")  # 50,000 / (12,000 / 12)


def test_the_calculation_is_pure(world):
    feature = Feature(effort=D(4), effort_unit="weeks", effort_confidence="low")
    team = Team(name="T", cost_per_week=D(1000), capacity_points=10)
    demand = Demand(arr=D(100), weighted_arr=D(50), critical_arr=D(0))
    with CaptureQueriesContext(connection) as queries:
        case = business_case(feature, demand, team)
    assert len(queries) == 0
    # 4 weeks x 1,000; low confidence x0.7 / x2.0.
    assert case.cost == business.Range(D(2800), D(4000), D(8000))


def test_business_cases_runs_a_fixed_number_of_queries(world):
    pm = world["pm"].user
    teams = [world.team] + [
        Team.objects.create(workspace=world.workspace, name=f"Team {i}", cost_per_week=D(5000))
        for i in range(3)
    ]

    def make(n, prefix):
        return [
            feature_create(
                workspace=world.workspace,
                actor=pm,
                title=f"{prefix} {i}",
                team_key=teams[i % len(teams)].key,
                effort="3",
                effort_unit="weeks",
            )
            for i in range(n)
        ]

    def count(features):
        fresh = list(Feature.objects.filter(pk__in=[f.pk for f in features]))
        with CaptureQueriesContext(connection) as queries:
            cases = business_cases(features=fresh)
        assert len(cases) == len(features)
        assert all(c.cost is not None for c in cases.values())
        return len(queries)

    assert count(make(3, "Few")) == count(make(30, "Many")) == 3
    assert business_cases(features=[]) == {}


def test_feature_form_saves_business_fields_and_logs_them(world):
    client = world["pm"].client()
    url = f"/w/acme/features/{world.feature.key}/"
    response = client.post(
        url,
        {
            "title": world.feature.title,
            "status": "planned",
            "team_key": world.team.key,
            "effort": "4",
            "effort_unit": "weeks",
            "effort_confidence": "medium",
            "new_revenue_low": "20000",
            "new_revenue": "50,000",
            "new_revenue_high": "90000",
            "impact_metric": "Weekly active dispatchers",
            "impact_change": "15",
            "impact_unit": "percent",
        },
    )
    assert response.status_code == 302
    feature = Feature.objects.get(pk=world.feature.pk)
    assert (feature.new_revenue_low, feature.new_revenue, feature.new_revenue_high) == (
        D("20000"),
        D("50000"),
        D("90000"),
    )
    entry = Entry.objects.filter(target_key=feature.key, verb="updated").latest("pk")
    assert {"new_revenue", "impact_metric", "impact_change"} <= set(entry.changes)
    page = client.get(url).content.decode()
    assert "Business case" in page
    assert "Expected to move <strong>Weekly active dispatchers</strong> by <strong>+15 %" in page
    # 4 weeks x $25,000 = $100k expected; revenue 120k weighted + 50k new = $170k.
    assert "$100k" in page and "$170k" in page
    assert "4 weeks \u00d7 $25,000 a week (Platform), medium confidence" in page


def test_form_refuses_a_range_out_of_order(world):
    client = world["pm"].client()
    url = f"/w/acme/features/{world.feature.key}/"
    base = {"title": world.feature.title, "status": "new", "effort_unit": "weeks",
            "effort_confidence": "medium"}  # fmt: skip
    bad = client.post(url, {**base, "new_revenue_low": "90000", "new_revenue": "50000"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert errors["new_revenue_low"] == [
        "The low estimate (90,000) is above the expected new revenue (50,000)."
    ]
    bad = client.post(url, {**base, "new_revenue": "50000", "new_revenue_high": "100"})
    assert "new_revenue_high" in bad.context["form"].errors
    bad = client.post(url, {**base, "new_revenue": "-5"})
    assert bad.context["form"].errors["new_revenue"][0].startswith("Use an amount from 0")
    assert Feature.objects.get(pk=world.feature.pk).new_revenue is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"new_revenue": "-1"}, "new_revenue"),
        ({"new_revenue": "1e12"}, "new_revenue"),
        ({"new_revenue": "lots"}, "new_revenue"),
        ({"new_revenue_high": "5"}, "new_revenue"),  # a high needs an expected value
        ({"new_revenue": "10", "new_revenue_high": "5"}, "new_revenue_high"),
        ({"impact_change": "5"}, "impact_metric"),  # a change needs its metric
        ({"impact_metric": "x" * 121}, "impact_metric"),
        ({"impact_metric": "Jobs", "impact_change": "NaN"}, "impact_change"),
        ({"impact_unit": "furlongs"}, "impact_unit"),
    ],
)
def test_bad_business_values_are_refused(world, values, field):
    with pytest.raises(Invalid) as caught:
        feature_update(feature=world.feature, actor=world["pm"].user, **values)
    assert field in caught.value.fields


def test_a_patch_checks_the_range_against_the_stored_values(world):
    pm = world["pm"].user
    feature_update(feature=world.feature, actor=pm, new_revenue="50000")
    with pytest.raises(Invalid) as caught:
        feature_update(feature=world.feature, actor=pm, new_revenue_low="60000")
    assert "new_revenue_low" in caught.value.fields


def test_missing_inputs_are_explained_with_links_for_who_can_fix_them(world):
    Team.objects.filter(pk=world.team.pk).update(cost_per_week=0)
    feature_update(
        feature=world.feature, actor=world["pm"].user, team_key=world.team.key, effort="3",
        effort_unit="weeks",
    )  # fmt: skip
    url = f"/w/acme/features/{world.feature.key}/"
    pm_page = world["pm"].client().get(url)
    assert pm_page.context["case_missing"] == [
        ("The team has no cost per week.", f"/w/acme/teams/{world.team.key}/", "Edit Platform")
    ]
    stakeholder = world["stakeholder"].client().get(url)
    assert stakeholder.context["case_missing"] == [("The team has no cost per week.", "", "")]
    assert "No predicted impact recorded." in stakeholder.content.decode()


def test_api_returns_the_business_case_and_the_impact(world):
    feature = _six_weeks_medium(
        world, impact_metric="Dispatch time per job", impact_change="-20", impact_unit="percent"
    )
    response = world["stakeholder"].api().get(f"/api/v1/workspaces/acme/features/{feature.key}")
    assert response.status_code == 200
    body = response.json()
    case = body["business_case"]
    assert case["revenue"] == {"low": "120000.00", "expected": "170000.00", "high": "210000.00"}
    assert case["cost"]["high"] == "90000.00"
    assert case["roi"]["expected"] == pytest.approx(1.8333)
    assert case["payback_months"]["low"] == 9.0
    assert case["missing"] == [] and case["inputs"]["team"] == "Platform"
    assert body["predicted_impact"]["text"] == "\u221220 %"
    assert body["currency"] == "USD"


def test_another_workspace_cannot_see_the_business_case(world):
    url = f"/api/v1/workspaces/acme/features/{world.feature.key}"
    assert world["outsider"].api().get(url).status_code in (403, 404)
    other = f"/api/v1/workspaces/other/features/{world.feature.key}"
    assert world["outsider"].api().get(other).status_code == 404
    assert world["outsider"].client().get(f"/w/acme/features/{world.feature.key}/").status_code in (
        403,
        404,
    )


def test_business_cases_reuses_demand_and_selected_teams(world):
    features = list(Feature.objects.filter(pk=world.feature.pk).select_related("team"))
    demand = feature_demand(features=features)
    with CaptureQueriesContext(connection) as queries:
        cases = business_cases(features=features, demand=demand)
    assert len(queries) == 0 and cases[world.feature.pk].critical_arr == D("120000")


def test_the_ranking_shows_the_business_case_columns_when_asked(world):
    from lodestar.planning.scoring_services import scoring_model_create

    feature = _six_weeks_medium(world)
    model = scoring_model_create(
        workspace=world.workspace, product=world.product, actor=world["pm"].user,
        name="Revenue", kind="custom", formula="demand_arr / effort",
    )  # fmt: skip
    client = world["stakeholder"].client()
    url = "/w/acme/features/ranking/"
    plain = client.get(url, {"model": model.key}).content.decode()
    assert "Revenue at stake" not in plain and feature.title in plain
    page = client.get(url, {"model": model.key, "business": "1"}).content.decode()
    assert "Revenue at stake" in page and "Payback" in page
    # The worked example: 170k expected (120k - 210k), cost 60k (48k - 90k), ROI +183 %.
    assert "$170k" in page and "$120k \u2013 $210k" in page
    assert "$60k" in page and "$48k \u2013 $90k" in page
    assert "+183 %" in page and "4.2 months" in page
