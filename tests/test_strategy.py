"""Strategy: visions, objectives by quarter, key results and their check-ins, objective ↔
feature links, the tree and the feature's "why" card — services, pages, roles, isolation."""

from decimal import Decimal

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.planning.services import feature_create
from lodestar.strategy import services
from lodestar.strategy.models import KeyResultCheckin, Objective, ObjectiveFeature, progress

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("baseline", "target", "current", "expected"),
    [
        ("0", "100", "25", 0.25),
        ("4000", "800", "2400", 0.5),  # a metric that should go down
        ("0", "100", "150", 1.0),  # clamped
        ("10", "20", "5", 0.0),
        ("5", "5", "5", 1.0),
    ],
)
def test_progress_is_the_share_of_the_way_clamped(baseline, target, current, expected):
    assert progress(Decimal(baseline), Decimal(target), Decimal(current)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"period": "Q4 2026"}, "period"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": ""}, "period"),
        ({"product_key": "nope"}, "product_key"),
        ({"weight": 0}, "weight"),
        ({"owner_key": "nobody"}, "owner_key"),
        ({"status": "great"}, "status"),
        ({"description": "a\x00b"}, "description"),
    ],
)
def test_bad_objective_fields_are_named(world, data, field):
    with pytest.raises(Invalid) as caught:
        services.objective_create(
            workspace=world.workspace,
            actor=world["pm"].user,
            **{"title": "Win enterprise fleets", "period": "2026-Q4", "product_key": "web", **data},
        )
    assert field in caught.value.fields
    assert Objective.objects.filter(workspace=world.workspace).count() == 1


def test_period_is_normalized(world):
    objective = services.objective_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        title="Win enterprise fleets",
        period=" 2027-q1 ",
        product_key="web",
    )
    assert objective.period == "2027-Q1"


def test_a_member_of_another_workspace_cannot_own_an_objective(world):
    with pytest.raises(Invalid) as caught:
        services.objective_update(
            objective=world.objective,
            actor=world["pm"].user,
            owner_key=world.other.memberships.get().key,
        )
    assert "owner_key" in caught.value.fields


def test_each_change_of_current_is_a_checkin_in_the_log(world):
    kr = world.key_result
    pm = world["pm"].user
    services.key_result_update(key_result=kr, actor=pm, current="3000")
    services.key_result_update(key_result=kr, actor=pm, current="3000")  # no change
    services.key_result_update(key_result=kr, actor=pm, current="2400", unit="ms")
    values = list(
        KeyResultCheckin.objects.filter(key_result=kr)
        .order_by("pk")
        .values_list("value", flat=True)
    )
    assert values == [Decimal(4000), Decimal(3000), Decimal(2400)]
    kr.refresh_from_db()
    assert kr.percent == 50
    verbs = Entry.objects.filter(target_key=kr.key).values_list("verb", flat=True)
    assert sorted(verbs) == ["checked in", "checked in", "created"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"metric": ""}, "metric"),
        ({"target": "lots"}, "target"),
        ({"target": ""}, "target"),
        ({"target": "0", "baseline": "0"}, "target"),
        ({"baseline": "1e30"}, "baseline"),
        ({"due_date": "31/12/2026"}, "due_date"),
    ],
)
def test_bad_key_result_fields_are_named(world, data, field):
    with pytest.raises(Invalid) as caught:
        services.key_result_create(
            objective=world.objective,
            actor=world["pm"].user,
            **{"metric": "Active dispatchers", "target": "500", **data},
        )
    assert field in caught.value.fields


def test_features_link_once_by_title_and_unlink(world):
    pm = world["pm"].user
    link = services.objective_feature_link(
        objective=world.objective, actor=pm, feature_title="  fast DISPATCH board for large fleets "
    )
    assert link.feature == world.feature
    with pytest.raises(Invalid) as caught:
        services.objective_feature_link(
            objective=world.objective, actor=pm, feature_title=world.feature.title
        )
    assert "already linked" in caught.value.fields["feature_title"][0]
    with pytest.raises(Invalid):
        services.objective_feature_link(objective=world.objective, actor=pm, feature_title="Nope")
    services.objective_feature_unlink(
        objective=world.objective, actor=pm, feature_key=world.feature.key
    )
    assert not ObjectiveFeature.objects.exists()


def test_another_workspaces_feature_cannot_be_linked(world):
    feature_create(workspace=world.other, actor=world["outsider"].user, title="Secret feature")
    with pytest.raises(Invalid):
        services.objective_feature_link(
            objective=world.objective, actor=world["pm"].user, feature_title="Secret feature"
        )


# -- pages ----------------------------------------------------------------------------------


def test_pm_builds_the_strategy_through_the_pages(world):
    client = world["pm"].client()
    base = "/w/acme/strategy/"
    response = client.post(
        base,
        {"title": "Keep field techs on the road", "product_key": "web", "period": "2027-Q1",
         "weight": 3, "status": "on_track"},
    )  # fmt: skip
    assert response.status_code == 302
    objective = Objective.objects.get(title="Keep field techs on the road")
    page = f"{base}objectives/{objective.key}/"
    response = client.post(
        page, {"form": "kr", "metric": "Jobs per tech per day", "baseline": "4", "target": "6"}
    )
    assert response.status_code == 302
    kr = objective.key_results.get()
    response = client.post(page, {"form": "link", "feature_title": world.feature.title})
    assert response.status_code == 302
    edit = {"metric": kr.metric, "baseline": "4", "target": "6", "current": "5"}
    response = client.post(f"{base}key-results/{kr.key}/", edit)
    assert response.status_code == 302
    response = client.get(f"{base}key-results/{kr.key}/")
    assert b"<polyline" in response.content and b'value="50"' in response.content
    response = client.post(f"{base}tree/web/", {"statement": "Every job **on time**."})
    assert response.status_code == 302
    tree = client.get(f"{base}tree/web/").content.decode()
    assert "<strong>on time</strong>" in tree
    assert "Keep field techs on the road" in tree and "Jobs per tech per day" in tree
    assert world.feature.title in tree
    listing = client.get(base).content.decode()
    assert listing.index("2027-Q1") < listing.index("2026-Q4")  # latest quarter first
    why = client.get(f"/w/acme/features/{world.feature.key}/").content.decode()
    assert "Why are we building this" in why and "Keep field techs on the road" in why


def test_field_errors_are_shown_next_to_the_fields(world):
    client = world["pm"].client()
    data = {"title": "X", "product_key": "web", "period": "next quarter", "weight": 1}
    response = client.post("/w/acme/strategy/", {**data, "status": "on_track"})
    assert response.status_code == 400
    assert "YYYY-Qn" in response.content.decode()
    page = f"/w/acme/strategy/objectives/{world.objective.key}/"
    response = client.post(page, {"form": "kr", "metric": "M", "target": "a lot"})
    assert response.status_code == 400 and "is not a number" in response.content.decode()
    response = client.post(page, {"form": "link", "feature_title": "No such thing"})
    assert response.status_code == 400 and "No feature is called" in response.content.decode()


def test_stakeholder_reads_but_cannot_write(world):
    client = world["stakeholder"].client()
    assert client.get("/w/acme/strategy/").status_code == 200
    page = f"/w/acme/strategy/objectives/{world.objective.key}/"
    response = client.get(page)
    assert response.status_code == 200 and b"Add a key result" not in response.content
    assert (
        client.post(page, {"form": "link", "feature_title": world.feature.title}).status_code == 403
    )
    assert client.post("/w/acme/strategy/tree/web/", {"statement": "x"}).status_code == 403


def test_another_workspaces_keys_are_not_found(world):
    client = world["outsider"].client()
    other_product = world.other_product.key
    assert client.get(f"/w/other/strategy/tree/{other_product}/").status_code == 200
    assert client.get(f"/w/other/strategy/objectives/{world.objective.key}/").status_code == 404
    assert client.get(f"/w/other/strategy/key-results/{world.key_result.key}/").status_code == 404
    assert client.get("/w/other/strategy/tree/web/").status_code == 404


# -- the demo -------------------------------------------------------------------------------


def _demo_strategy(seed=7):
    import random
    from datetime import UTC, datetime

    from lodestar.demo.feedback_themes import THEMES
    from lodestar.demo.strategy import build_strategy
    from lodestar.planning.models import Feature
    from lodestar.workspaces import services as workspace_services
    from lodestar.workspaces.models import Membership, Role
    from tests.factories import UserFactory

    owner = UserFactory(email="dana@acme.example")
    workspace = workspace_services.workspace_create(user=owner, name="Acme FS", slug="acme-fs")
    for key in ("web", "mobile"):
        workspace_services.product_create(workspace=workspace, actor=owner, key=key, name=key)
    for local, role in (("priya", Role.PRODUCT_MANAGER), ("tomas", Role.PRODUCT_OWNER)):
        user = UserFactory(email=f"{local}@acme.example")
        Membership.objects.create(workspace=workspace, user=user, role=role)
    Feature.objects.bulk_create([Feature(workspace=workspace, title=t.title) for t in THEMES])
    members = list(Membership.objects.filter(workspace=workspace).select_related("user"))
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    build_strategy(random.Random(seed), workspace, members, now, lambda *a: None)
    return workspace


def test_the_demo_strategy_tells_a_story_over_two_quarters(world):
    from lodestar.strategy.models import Decision, DecisionStatus, KeyResult, Vision

    workspace = _demo_strategy()
    objectives = Objective.objects.filter(workspace=workspace)
    assert 4 <= objectives.count() <= 6
    assert set(objectives.values_list("period", flat=True)) == {"2026-Q3", "2026-Q4"}
    assert Vision.objects.filter(workspace=workspace).count() == 2
    assert ObjectiveFeature.objects.filter(objective__workspace=workspace).count() >= 10
    for kr in KeyResult.objects.filter(objective__workspace=workspace):
        history = list(kr.checkins.order_by("at"))
        assert len(history) >= 2 and history[-1].value == kr.current
        assert 0 < kr.progress <= 1
    decisions = Decision.objects.filter(workspace=workspace)
    assert 5 <= decisions.count() <= 8
    old = decisions.get(status=DecisionStatus.SUPERSEDED)
    assert old.superseded_by is not None and old.superseded_by.status == "accepted"
    assert all(d.features.exists() and d.objectives.exists() for d in decisions)


def test_the_workspace_search_finds_objectives_and_decisions(world):
    page = world["stakeholder"].client().get("/w/acme/search/?q=dispatch").content.decode()
    assert world.objective.title in page and world.decision.title in page


def test_deleting_an_objective_takes_its_key_results_and_is_logged(world):
    from lodestar.strategy.models import KeyResult

    client = world["pm"].client()
    services.objective_feature_link(
        objective=world.objective, actor=world["pm"].user, feature_title=world.feature.title
    )
    kr_page = f"/w/acme/strategy/key-results/{world.key_result.key}/delete/"
    assert world["stakeholder"].client().post(kr_page).status_code == 403
    assert client.get(kr_page).status_code == 200
    assert client.post(kr_page).status_code == 302
    assert not KeyResult.objects.exists()
    page = f"/w/acme/strategy/objectives/{world.objective.key}/delete/"
    assert client.post(page).status_code == 302
    assert not Objective.objects.filter(workspace=world.workspace).exists()
    assert not ObjectiveFeature.objects.exists()
    assert world.decision.__class__.objects.filter(pk=world.decision.pk).exists()
    assert Entry.objects.filter(verb="deleted", target_type="objective").count() == 1


def test_the_decide_stage_and_the_nav_list_strategy_and_decisions(world):
    page = world["stakeholder"].client().get("/w/acme/loop/decide/").content.decode()
    assert 'href="/w/acme/strategy/"' in page and 'href="/w/acme/decisions/"' in page
    assert "The decision log" in page
