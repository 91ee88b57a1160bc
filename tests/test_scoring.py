"""Feature fields (parent, status, horizon, owner, team, effort, tags) and scoring models:
ranked lists with every score explained, bad formulas, missing values, zero effort."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.planning.services import feature_create, feature_update

pytestmark = pytest.mark.django_db


def test_the_status_migration_maps_old_values():
    migration = import_module("lodestar.planning.migrations.0002_feature_fields_scoring")
    assert migration.STATUS_MAP == {"idea": "new", "declined": "wont_do"}
    assert set(FeatureStatus.values) == {
        "new", "under_consideration", "planned", "in_progress", "shipped", "wont_do"
    }  # fmt: skip


def test_status_migration_moves_rows(world):
    migration = import_module("lodestar.planning.migrations.0002_feature_fields_scoring")
    Feature.objects.filter(pk=world.feature.pk).update(status="idea")
    other = feature_create(workspace=world.workspace, actor=world["pm"].user, title="Old one")
    Feature.objects.filter(pk=other.pk).update(status="declined")
    migration.forwards(django_apps, None)
    assert Feature.objects.get(pk=world.feature.pk).status == "new"
    assert Feature.objects.get(pk=other.pk).status == "wont_do"


def test_feature_fields_are_saved_and_logged(world):
    pm = world["pm"]
    initiative = feature_create(workspace=world.workspace, actor=pm.user, title="Big fleets")
    feature_update(
        feature=world.feature,
        actor=pm.user,
        parent_key=initiative.key,
        status="under_consideration",
        horizon="next",
        owner_key=pm.membership.key,
        team_key=world.team.key,
        effort="8",
        effort_unit="weeks",
        effort_confidence="low",
        tags="performance, dispatch,  performance , ",
    )
    feature = Feature.objects.get(pk=world.feature.pk)
    assert feature.parent == initiative
    assert feature.horizon == "next" and feature.status == "under_consideration"
    assert feature.owner == pm.membership and feature.team == world.team
    assert feature.effort == Decimal("8.00") and feature.effort_unit == "weeks"
    assert feature.tag_list == ["performance", "dispatch"]
    entry = Entry.objects.filter(target_key=feature.key, verb="updated").latest("pk")
    assert "horizon" in entry.changes


def test_parent_cannot_make_a_cycle(world):
    pm = world["pm"].user
    a = feature_create(workspace=world.workspace, actor=pm, title="A")
    b = feature_create(workspace=world.workspace, actor=pm, title="B", parent_key=a.key)
    with pytest.raises(Invalid) as caught:
        feature_update(feature=a, actor=pm, parent_key=b.key)
    assert "parent_key" in caught.value.fields
    with pytest.raises(Invalid):
        feature_update(feature=a, actor=pm, parent_key=a.key)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("horizon", "someday"),
        ("status", "idea"),
        ("effort", "-1"),
        ("effort", "lots"),
        ("effort_unit", "days"),
        ("effort_confidence", "sure"),
        ("owner_key", "nobody"),
        ("team_key", "nope"),
        ("parent_key", "nope"),
        ("tags", "x" * 400),
    ],
)
def test_bad_feature_values_are_refused(world, field, value):
    with pytest.raises(Invalid) as caught:
        feature_update(feature=world.feature, actor=world["pm"].user, **{field: value})
    assert field in caught.value.fields


def test_other_workspaces_team_and_owner_are_refused(world):
    with pytest.raises(Invalid):
        feature_update(feature=world.feature, actor=world["pm"].user, team_key=world.other_team.key)


def test_edit_form_and_markdown_description(world):
    client = world["pm"].client()
    url = f"/w/acme/features/{world.feature.key}/"
    response = client.post(
        url,
        {
            "title": world.feature.title,
            "description": "Boards **freeze** <script>alert(1)</script>",
            "status": "planned",
            "product_key": "web",
            "horizon": "now",
            "team_key": world.team.key,
            "owner_key": world["po"].membership.key,
            "effort": "13",
            "effort_unit": "points",
            "effort_confidence": "high",
            "tags": "performance",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<strong>freeze</strong>" in page and "<script>alert" not in page
    assert "Platform" in page and "13 points" in page
    bad = client.post(url, {"title": world.feature.title, "status": "planned", "effort": "-3",
                            "effort_unit": "points", "effort_confidence": "high"})  # fmt: skip
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()


def test_features_list_filters(world):
    pm = world["pm"].user
    feature_update(feature=world.feature, actor=pm, horizon="now", team_key=world.team.key)
    feature_create(workspace=world.workspace, actor=pm, title="Later thing", horizon="later")
    client = world["pm"].client()
    first, later = f">{world.feature.title}</a>", ">Later thing</a>"
    page = client.get("/w/acme/features/?horizon=now").content.decode()
    assert first in page and later not in page
    page = client.get(f"/w/acme/features/?team={world.team.key}").content.decode()
    assert first in page and later not in page
    page = client.get("/w/acme/features/?horizon=later&status=new").content.decode()
    assert later in page and first not in page


# --- scoring models and the ranking ----------------------------------------------


def _rice(world, **data):
    """The world's RICE model (web's default), or another model with `data`."""
    from lodestar.planning.scoring_services import scoring_model_create

    if not data:
        return world.scoring_model

    return scoring_model_create(
        workspace=world.workspace, product=world.product, actor=world["pm"].user,
        name=data.pop("name", "RICE"), kind=data.pop("kind", "rice"), **data,
    )  # fmt: skip


def _features(world):
    from lodestar.planning.scoring_services import driver_values_set

    pm = world["pm"].user
    made = {}
    for title, reach, impact, confidence, effort in [
        ("Route optimizer", 2000, 2, 0.8, "4"),
        ("Driver app dark mode", 500, 1, 1, "1"),
        ("Fuel card import", 300, 3, 0.5, "0"),  # zero effort
        ("Tachograph sync", 100, 2, None, "2"),  # missing confidence
    ]:
        f = feature_create(
            workspace=world.workspace, actor=pm, title=title, product_key="web", effort=effort
        )
        driver_values_set(
            feature=f, actor=pm,
            values={"reach": reach, "impact": impact, "confidence": confidence},
        )  # fmt: skip
        made[title] = f
    return made


def test_a_product_model_gets_the_standard_formula_and_is_default(world):
    model = _rice(world)
    assert model.formula == "(reach * impact * confidence) / effort"
    assert model.is_default
    second = _rice(world, name="Value", kind="value_effort")
    assert second.formula == "value / effort" and not second.is_default
    assert Entry.objects.filter(target_key=model.key, verb="created").exists()


def test_ranking_explains_scores_and_reasons(world):
    from lodestar.planning.scoring_selectors import rank

    made = _features(world)
    model = _rice(world)
    ranking = rank(product=world.product, formula=model.formula)
    titles = [r.feature.title for r in ranking.scored]
    # 2000*2*.8/4 = 800 ; 500*1*1/1 = 500
    assert titles == ["Route optimizer", "Driver app dark mode"]
    top = ranking.scored[0]
    assert top.rank == 1 and top.value == pytest.approx(800)
    assert top.result.drivers["effort"] == 4
    reasons = {r.feature.title: r.error.message for r in ranking.unscored}
    assert reasons["Fuel card import"] == "division by zero: “effort” is 0"
    assert reasons["Tachograph sync"] == "missing value for “confidence”"
    # The world's feature has no effort estimate nor drivers.
    assert world.feature.title in reasons
    assert made  # all features of the product are listed
    assert len(ranking.rows) == 5


def test_unknown_driver_and_data_drivers(world):
    from lodestar.planning.scoring_selectors import rank

    ranking = rank(product=world.product, formula="demand_arr / 1000 + strategic_fit")
    (row,) = ranking.rows
    assert "unknown driver “strategic_fit”" in row.error.message
    ranking = rank(product=world.product, formula="demand_arr / 1000 + 3 * demand_companies")
    (row,) = ranking.rows
    assert row.value == pytest.approx(120 + 3)  # Northwind: 120k ARR, one company
    assert [t.contribution for t in row.result.terms] == [120, 3]


def test_bad_formula_shows_position_in_the_form(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/features/scoring/",
        {"product_key": "web", "name": "Mine", "kind": "custom", "formula": "reach * (impact +"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Syntax error" in page and "at character" in page
    response = client.post(
        "/w/acme/features/scoring/",
        {"product_key": "web", "name": "Mine", "kind": "custom", "formula": "__import__('os')"},
    )
    assert response.status_code == 400


def test_ranking_page_and_what_if(world):
    _features(world)
    model = _rice(world)
    client = world["stakeholder"].client()
    page = client.get(f"/w/acme/features/ranking/?model={model.key}").content.decode()
    assert "Route optimizer" in page and "division by zero" in page
    assert "reach = 2,000" in page or "reach = 2000" in page
    # What-if: weigh reach down; the dark mode (reach 500, effort 1) moves to the top.
    what = client.get(
        "/w/acme/features/ranking/",
        {"model": model.key, "formula": "sqrt(reach) * impact * confidence / effort"},
    )
    assert what.status_code == 200
    text = what.content.decode()
    assert "What-if" in text and text.index("Driver app dark mode") < text.index("Route optimizer")
    model.refresh_from_db()
    assert model.formula == "(reach * impact * confidence) / effort"  # nothing saved
    bad = client.get("/w/acme/features/ranking/", {"model": model.key, "formula": "reach +* 2"})
    assert bad.status_code == 400 and "at character 8" in bad.content.decode()
    # What-if on one driver value
    f = Feature.objects.get(title="Driver app dark mode")
    moved = client.get(
        "/w/acme/features/ranking/",
        {"model": model.key, "what_feature": f.key, "what_driver": "reach", "what_value": "9000"},
    ).content.decode()
    assert moved.index("Driver app dark mode") < moved.index("Route optimizer")


def test_saving_a_model_is_for_planners(world):
    model = _rice(world)
    url = f"/w/acme/features/scoring/{model.key}/"
    data = {"name": "RICE", "kind": "custom", "formula": "reach / effort", "is_default": "on"}
    assert world["stakeholder"].client().post(url, data).status_code == 403
    assert world["contributor"].client().post(url, data).status_code == 403
    assert world["pm"].client().post(url, data).status_code == 302
    model.refresh_from_db()
    assert model.formula == "reach / effort"
    entry = Entry.objects.filter(target_key=model.key, verb="updated").latest("pk")
    assert entry.changes["formula"][1] == "reach / effort"


def test_driver_values_on_the_feature_page(world):
    model = _rice(world)
    feature_update(feature=world.feature, actor=world["pm"].user, effort="2")
    client = world["pm"].client()
    url = f"/w/acme/features/{world.feature.key}/drivers/"
    bad = client.post(url, {"driver-reach": "lots", "driver-impact": "2", "driver-confidence": ""})
    assert bad.status_code == 400 and "use a number" in bad.content.decode()
    good = {"driver-reach": "100", "driver-impact": "2", "driver-confidence": "0.5"}
    assert client.post(url, good).status_code == 302
    page = client.get(f"/w/acme/features/{world.feature.key}/").content.decode()
    assert ">50</strong>" in page  # 100*2*0.5/2
    assert model.name in page
    assert Entry.objects.filter(target_key=world.feature.key, verb="scored").exists()
    assert world["stakeholder"].client().post(url, {"driver-reach": "1"}).status_code == 403


def test_another_workspaces_model_is_not_found(world):
    from lodestar.planning.scoring_services import scoring_model_create

    theirs = scoring_model_create(
        workspace=world.other, product=world.other_product, actor=world["outsider"].user,
        name="Theirs",
    )  # fmt: skip
    client = world["pm"].client()
    assert client.get(f"/w/acme/features/scoring/{theirs.key}/").status_code == 404
    assert client.get(f"/w/acme/features/ranking/?model={theirs.key}").status_code == 404


def test_deleting_the_default_hands_it_on(world):
    from lodestar.planning.scoring_services import scoring_model_delete

    first = _rice(world)
    second = _rice(world, name="ICE", kind="ice")
    scoring_model_delete(model=first, actor=world["pm"].user)
    second.refresh_from_db()
    assert second.is_default


# --- API and CLI ------------------------------------------------------------------


def test_ranking_in_the_api(world):
    _features(world)
    api = world["stakeholder"].api()
    url = "/api/v1/workspaces/acme/products/web/ranking"
    body = api.get(url).json()
    assert body["model_key"] == world.scoring_model.key
    top = body["items"][0]
    assert top["title"] == "Route optimizer" and top["rank"] == 1
    assert top["score"] == pytest.approx(800)
    assert top["drivers"]["reach"] == 2000
    assert [t["text"] for t in top["terms"]] == ["reach", "impact", "confidence", "effort"]
    zero = next(i for i in body["items"] if i["title"] == "Fuel card import")
    assert zero["rank"] is None and zero["error"]["driver"] == "effort"
    bad = api.get(url, {"formula": "reach +* 2"})
    assert bad.status_code == 400
    assert "character 8" in bad.json()["error"]["fields"]["formula"][0]
    assert api.get(url, {"model": "nosuchmodel"}).status_code == 404
    assert api.get("/api/v1/workspaces/acme/products/nope/ranking").status_code == 404
    assert world["outsider"].api().get(url).status_code in (403, 404)


def test_score_command(world):
    import io
    import json

    from django.core.management import CommandError, call_command

    _features(world)

    def run(*args):
        out = io.StringIO()
        call_command("score", "--workspace", "acme", "--product", "web", *args, stdout=out)
        return out.getvalue()

    table = run()
    assert "Route optimizer" in table and "division by zero" in table
    data = json.loads(run("--format", "json"))
    assert data["items"][0]["title"] == "Route optimizer"
    lines = run("--format", "csv").splitlines()
    assert lines[0].startswith("rank,feature_key,title")
    assert lines[1].startswith("1,") and "Route optimizer" in lines[1]
    with pytest.raises(CommandError, match="No product"):
        call_command("score", "--workspace", "acme", "--product", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No scoring model"):
        run("--model", "nosuch")


def test_score_history(world):
    from lodestar.planning.models import ScoreRecord
    from lodestar.planning.scoring_services import driver_values_set, scoring_model_update

    pm = world["pm"].user
    model = world.scoring_model
    history = ScoreRecord.objects.filter(feature=world.feature, model=model)
    assert [(r.value, r.reason) for r in history] == [
        (None, "unknown driver “reach”: no feature of this product has a value")
    ]
    feature_update(feature=world.feature, actor=pm, effort="2")
    driver_values_set(
        feature=world.feature, actor=pm, values={"reach": 100, "impact": 1, "confidence": 1}
    )
    assert history.latest("pk").value == 50
    driver_values_set(feature=world.feature, actor=pm, values={"reach": 100})  # no change
    assert history.all().count() == 2  # not scored, then 50: an unchanged score adds nothing
    scoring_model_update(model=model, actor=pm, formula="reach * impact")
    assert history.latest("pk").value == 100 and history.latest("pk").formula == "reach * impact"
    page = world["stakeholder"].client().get(f"/w/acme/features/{world.feature.key}/")
    assert "Score history" in page.content.decode()


def test_ranking_query_count_does_not_grow_with_features(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world["pm"].client()
    url = f"/w/acme/features/ranking/?model={world.scoring_model.key}"
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _features(world)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
