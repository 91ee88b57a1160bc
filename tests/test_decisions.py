"""The decision log: record, supersede, evidence links, search (same folding on every
database), pages, roles and isolation."""

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.strategy import selectors, services
from lodestar.strategy.models import Decision, DecisionStatus

pytestmark = pytest.mark.django_db


def _decide(world, **data):
    return services.decision_create(
        workspace=world.workspace, actor=world["pm"].user, **{"title": "A decision", **data}
    )


def test_a_decision_carries_its_evidence_and_deciders(world):
    decision = _decide(
        world,
        title="Ship offline mode before route optimisation",
        context="Techs lose signal in **basements**.",
        options="1. Offline first\n2. Routes first",
        outcome="Offline first.",
        rationale="42 insights, 1.2M ARR asking.",
        decided_on="2026-10-01",
        status="accepted",
        decider_keys=[world["pm"].membership.key, world["owner"].membership.key],
        feature_titles=world.feature.title,
        objective_keys=[world.objective.key],
        insight_keys=world.insight.key,
        product_key="web",
    )
    assert decision.status == DecisionStatus.ACCEPTED
    assert set(decision.deciders.all()) == {world["pm"].membership, world["owner"].membership}
    assert list(decision.features.all()) == [world.feature]
    assert list(decision.objectives.all()) == [world.objective]
    assert list(decision.insights.all()) == [world.insight]
    assert decision in selectors.feature_decisions(feature=world.feature)
    assert Entry.objects.filter(target_key=decision.key, verb="created").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"status": "maybe"}, "status"),
        ({"decided_on": "yesterday"}, "decided_on"),
        ({"product_key": "nope"}, "product_key"),
        ({"decider_keys": ["nobody"]}, "decider_keys"),
        ({"feature_titles": "No such feature"}, "feature_titles"),
        ({"objective_keys": ["nokey"]}, "objective_keys"),
        ({"insight_keys": "nokey"}, "insight_keys"),
        ({"superseded_by_key": "nokey"}, "superseded_by_key"),
        ({"status": "superseded", "superseded_by_key": ""}, "superseded_by_key"),
        ({"rationale": "a\x00b"}, "rationale"),
    ],
)
def test_bad_decision_fields_are_named(world, data, field):
    with pytest.raises(Invalid) as caught:
        _decide(world, **data)
    assert field in caught.value.fields
    assert Decision.objects.filter(workspace=world.workspace).count() == 1


def test_evidence_from_another_workspace_is_refused(world):
    outsider_member = world.other.memberships.get()
    with pytest.raises(Invalid) as caught:
        _decide(world, decider_keys=[outsider_member.key])
    assert "decider_keys" in caught.value.fields


def test_superseding_marks_the_status(world):
    newer = _decide(world, title="Build on the new map provider", status="accepted")
    old = world.decision
    services.decision_update(decision=old, actor=world["pm"].user, superseded_by_key=newer.key)
    old.refresh_from_db()
    assert old.status == DecisionStatus.SUPERSEDED and old.superseded_by == newer
    with pytest.raises(Invalid) as caught:
        services.decision_update(
            decision=newer, actor=world["pm"].user, superseded_by_key=newer.key
        )
    assert "superseded_by_key" in caught.value.fields
    with pytest.raises(Invalid) as caught:  # newer is superseded by old, which it supersedes
        services.decision_update(decision=newer, actor=world["pm"].user, superseded_by_key=old.key)
    assert "loop" in caught.value.fields["superseded_by_key"][0]
    entry = Entry.objects.get(target_key=old.key, verb="updated")
    assert entry.changes["status"] == ["proposed", "superseded"]


def test_search_folds_case_and_accents(world):
    _decide(world, title="Café-style dispatch board", rationale="Dispatchers asked for it")
    _decide(world, title="Drop the fax integration")

    def titles(q):
        return sorted(d.title for d in selectors.decision_list(workspace=world.workspace, q=q))

    assert titles("CAFE") == ["Café-style dispatch board"]
    assert titles("dispatch") == [
        "Café-style dispatch board",
        "Rebuild the dispatch board on a virtualized list",
    ]
    assert titles("dispatchers asked") == ["Café-style dispatch board"]
    assert titles("nothing like it") == []
    assert len(titles("")) == 3


# -- pages ----------------------------------------------------------------------------------


def test_pm_records_a_decision_through_the_pages(world):
    client = world["pm"].client()
    response = client.get(f"/w/acme/decisions/new/?feature={world.feature.title}")
    assert response.status_code == 200 and world.feature.title in response.content.decode()
    response = client.post(
        "/w/acme/decisions/new/",
        {
            "title": "Virtualize the board",
            "status": "accepted",
            "decided_on": "2026-11-02",
            "outcome": "Render only **visible** rows.",
            "decider_keys": [world["pm"].membership.key],
            "objective_keys": [world.objective.key],
            "feature_titles": world.feature.title,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(title="Virtualize the board")
    page = client.get(response["Location"]).content.decode()
    assert "<strong>visible</strong>" in page and world.objective.title in page
    listing = client.get("/w/acme/decisions/?q=virtualize").content.decode()
    assert decision.title in listing
    feature_page = client.get(f"/w/acme/features/{world.feature.key}/").content.decode()
    assert "Virtualize the board" in feature_page


def test_a_bad_form_is_shown_again_with_its_errors(world):
    client = world["pm"].client()
    response = client.post(
        f"/w/acme/decisions/{world.decision.key}/",
        {"title": "Still here", "status": "superseded", "feature_titles": "Nope"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say which decision supersedes this one." in body and "No feature is called" in body


def test_stakeholder_reads_the_log_but_cannot_write(world):
    client = world["stakeholder"].client()
    assert client.get("/w/acme/decisions/").status_code == 200
    page = client.get(f"/w/acme/decisions/{world.decision.key}/")
    assert page.status_code == 200 and b"Record a decision" not in page.content
    assert client.get("/w/acme/decisions/new/").status_code == 403
    assert (
        client.post(f"/w/acme/decisions/{world.decision.key}/", {"title": "x"}).status_code == 403
    )


def test_another_workspaces_decision_is_not_found(world):
    client = world["outsider"].client()
    assert client.get(f"/w/other/decisions/{world.decision.key}/").status_code == 404
    assert client.get("/w/other/decisions/").status_code == 200


def test_insights_on_the_decisions_features_are_offered_as_evidence(world):
    client = world["pm"].client()
    page = f"/w/acme/decisions/{world.decision.key}/"
    assert f'value="{world.insight.key}"' in client.get(page).content.decode()
    response = client.post(
        page,
        {
            "title": world.decision.title,
            "status": "accepted",
            "feature_titles": world.feature.title,
            "insight_keys": [world.insight.key],
        },
    )
    assert response.status_code == 302
    assert list(world.decision.insights.all()) == [world.insight]
    assert "gets slow when we have more than 50 techs" in client.get(page).content.decode()
    new = client.get(f"/w/acme/decisions/new/?feature={world.feature.title}").content.decode()
    assert f'value="{world.insight.key}"' in new


def test_deleting_a_superseding_decision_accepts_the_old_one_again(world):
    newer = _decide(world, title="Newer", status="accepted")
    services.decision_update(
        decision=world.decision, actor=world["pm"].user, superseded_by_key=newer.key
    )
    client = world["pm"].client()
    assert world["po"].client().post(f"/w/acme/decisions/{newer.key}/delete/").status_code == 403
    assert client.post(f"/w/acme/decisions/{newer.key}/delete/").status_code == 302
    world.decision.refresh_from_db()
    assert world.decision.status == "accepted" and world.decision.superseded_by is None
    assert Entry.objects.filter(verb="deleted", target_key=newer.key).exists()
