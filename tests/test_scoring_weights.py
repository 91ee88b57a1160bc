"""Named weights on scoring models, and the data drivers votes and objective_weight."""

import pytest

from lodestar.core.errors import Invalid
from lodestar.planning.models import ScoreRecord
from lodestar.planning.scoring_selectors import driver_values, rank
from lodestar.planning.scoring_services import (
    driver_values_set,
    scoring_model_create,
    scoring_model_update,
    weights_parse,
)
from lodestar.planning.services import feature_create


def test_weights_parse_reads_lines_and_semicolons():
    text = "# how much each part counts\nw_revenue = 1.5\n\nw_votes=2; w_fit = -0.25"
    assert weights_parse(text) == {"w_revenue": 1.5, "w_votes": 2.0, "w_fit": -0.25}
    assert weights_parse("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("w_a = 1\nw_b 2", "Line 2: write name = value"),
        ("w_a = lots", "Line 1: w_a: use a number"),
        ("w_a = nan", "w_a: use a number"),
        ("Revenue = 1", "'Revenue': a weight's name uses lower-case letters"),
        ("demand_arr = 2", "'demand_arr' is a data driver or function"),
        ("sqrt = 2", "'sqrt' is a data driver or function"),
        ("\n".join(f"w{i} = 1" for i in range(21)), "At most 20 weights."),
    ],
)
def test_bad_weights_name_the_line(text, message):
    with pytest.raises(Invalid) as caught:
        weights_parse(text)
    assert any(message in problem for problem in caught.value.fields["weights"])


def _two_features(world):
    pm = world["pm"].user
    made = []
    for title, reach, fit in [("Route optimizer", 2000, 1), ("Geofence alerts", 200, 5)]:
        f = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web", effort="2"
        )
        driver_values_set(feature=f, actor=pm, values={"reach": reach, "strategic_fit": fit})
        made.append(f)
    return made


def _weighted_model(world):
    return scoring_model_create(
        workspace=world.workspace,
        product=world.product,
        actor=world["pm"].user,
        name="Reach and fit",
        kind="custom",
        formula="(w_reach * reach + w_fit * strategic_fit) / effort",
        weights="w_reach = 0.01\nw_fit = 1",
    )


def test_weights_enter_the_score_and_its_explanation(world):
    _two_features(world)
    model = _weighted_model(world)
    assert model.weights == {"w_reach": 0.01, "w_fit": 1.0}
    ranking = rank(product=world.product, formula=model.formula, weights=model.weights)
    top = ranking.scored[0]
    # (0.01 * 2000 + 1 * 1) / 2 = 10.5 ; (0.01 * 200 + 1 * 5) / 2 = 3.5
    assert (top.feature.title, top.value) == ("Route optimizer", pytest.approx(10.5))
    assert ranking.scored[1].value == pytest.approx(3.5)
    assert top.result.drivers["w_reach"] == 0.01
    # Fit weighed up: the geofence alerts (fit 5) pass the optimizer (fit 1).
    heavier = rank(
        product=world.product, formula=model.formula, weights={"w_reach": 0.01, "w_fit": 10}
    )
    assert heavier.scored[0].feature.title == "Geofence alerts"


def test_a_model_without_its_weight_explains_the_missing_name(world):
    _two_features(world)
    ranking = rank(product=world.product, formula="w_reach * reach / effort", weights={})
    assert all("unknown driver “w_reach”" in r.error.message for r in ranking.rows)


def test_what_if_on_a_weight_moves_the_ranking_and_saves(world):
    _two_features(world)
    model = _weighted_model(world)
    client = world["pm"].client()
    url = "/w/acme/features/ranking/"
    page = client.get(url, {"model": model.key}).content.decode()
    assert 'name="weight_w_fit" value="1"' in page
    assert page.index("Route optimizer") < page.index("Geofence alerts")
    what = client.get(url, {"model": model.key, "weight_w_fit": "10"}).content.decode()
    assert "What-if: the ranking" in what and "with weights w_fit = 10, w_reach = 0.01" in what
    assert what.index("Geofence alerts") < what.index("Route optimizer")
    assert "Save these weights to Reach and fit" in what
    model.refresh_from_db()
    assert model.weights["w_fit"] == 1.0  # a what-if saves nothing
    # The save button posts the weights to the model page.
    saved = client.post(
        f"/w/acme/features/scoring/{model.key}/",
        {
            "name": model.name,
            "kind": model.kind,
            "formula": model.formula,
            "weights": "w_reach = 0.01; w_fit = 10",
        },
    )
    assert saved.status_code == 302
    model.refresh_from_db()
    assert model.weights == {"w_reach": 0.01, "w_fit": 10.0}
    latest = ScoreRecord.objects.filter(model=model).order_by("-pk").first()
    assert latest.formula.endswith("with w_fit = 10, w_reach = 0.01")
    # Not a number: the page still answers, with the saved weight.
    ignored = client.get(url, {"model": model.key, "weight_w_fit": "x"}).content.decode()
    assert "w_fit: use a number; the saved 10 is used." in ignored
    assert "What-if: the ranking" not in ignored


def test_bad_weights_in_the_form_are_shown(world):
    model = _weighted_model(world)
    response = (
        world["pm"]
        .client()
        .post(
            f"/w/acme/features/scoring/{model.key}/",
            {"name": model.name, "kind": "custom", "formula": model.formula, "weights": "w = x"},
        )
    )
    assert response.status_code == 400
    assert "Line 1: w: use a number" in response.content.decode()
    with pytest.raises(Invalid):
        scoring_model_update(model=model, actor=world["pm"].user, weights={"effort": 2})


def test_votes_and_objective_weight_are_data_drivers(world):
    from lodestar.feedback.portal_services import idea_link_feature, vote_cast
    from lodestar.strategy.services import objective_create, objective_feature_link

    feature, pm = world.feature, world["pm"].user
    before = driver_values(features=[feature])[feature.pk]
    assert before["votes"] == 0 and before["objective_weight"] == 0
    idea = world.idea
    idea_link_feature(idea=idea, actor=pm, feature_title=feature.title)
    vote_cast(idea=idea, email="ops@northwind.test")
    idea.refresh_from_db()
    assert idea.vote_count >= 1
    objective_feature_link(objective=world.objective, actor=pm, feature_title=feature.title)
    heavy = objective_create(
        workspace=world.workspace, actor=pm, product_key="web",
        title="Win mid-market fleets", period="2026-Q4", weight="3",
    )  # fmt: skip
    objective_feature_link(objective=heavy, actor=pm, feature_title=feature.title)
    dropped = objective_create(
        workspace=world.workspace, actor=pm, product_key="web",
        title="Old bet", period="2026-Q3", weight="5", status="dropped",
    )  # fmt: skip
    objective_feature_link(objective=dropped, actor=pm, feature_title=feature.title)
    after = driver_values(features=[feature])[feature.pk]
    assert after["votes"] == idea.vote_count
    assert after["objective_weight"] == world.objective.weight + 3  # the dropped one is out
    ranking = rank(product=world.product, formula="votes + 10 * objective_weight")
    assert ranking.scored[0].value == pytest.approx(idea.vote_count + 10 * (1 + 3))


def test_driver_values_queries_do_not_grow(world, django_assert_max_num_queries):
    pm = world["pm"].user
    few = [world.feature]
    many = few + [
        feature_create(workspace=world.workspace, actor=pm, title=f"F{i}", product_key="web")
        for i in range(25)
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        driver_values(features=few)
    with django_assert_max_num_queries(len(small.captured_queries)):
        driver_values(features=many)


def test_choosing_another_model_drops_the_old_models_what_if(world):
    _two_features(world)
    weighted = _weighted_model(world)
    rice = world.scoring_model
    client = world["pm"].client()
    page = client.get(
        "/w/acme/features/ranking/",
        {"model": weighted.key, "for_model": rice.key, "formula": rice.formula},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "What-if: the ranking" not in text
    assert f'name="formula" value="{weighted.formula}"' in text


def test_the_ranking_filters_by_horizon_and_team(world):
    from lodestar.planning.services import feature_update

    made = _two_features(world)
    pm = world["pm"].user
    feature_update(feature=made[0], actor=pm, horizon="now", team_key=world.team.key)
    client = world["stakeholder"].client()
    url = "/w/acme/features/ranking/"
    model = _weighted_model(world)
    now = client.get(url, {"model": model.key, "horizon": "now"}).content.decode()
    assert "Route optimizer" in now and "Geofence alerts" not in now
    unplanned = client.get(url, {"model": model.key, "horizon": "none"}).content.decode()
    assert "Geofence alerts" in unplanned and "Route optimizer" not in unplanned
    team = client.get(url, {"model": model.key, "team": world.team.key}).content.decode()
    assert "Route optimizer" in team and "Geofence alerts" not in team
    # An unknown team or horizon is ignored, not an error.
    every = client.get(url, {"model": model.key, "team": "nope", "horizon": "soon"})
    assert every.status_code == 200 and "Geofence alerts" in every.content.decode()
