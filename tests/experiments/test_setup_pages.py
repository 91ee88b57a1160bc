"""Experiment pages: the list, the form (errors re-shown next to their rows), start / stop /
delete with confirmation, the calculator, and role enforcement on the server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lodestar.analytics.store import get_spool
from lodestar.experiments.models import Experiment

pytestmark = pytest.mark.django_db

BASE = "/w/acme/measure/experiments/"


def _form_data(**overrides) -> dict[str, str]:
    data = {
        "product": "web",
        "name": "Bigger button",
        "flag_key": "big-button",
        "hypothesis": "A bigger button gets more sign-ups.",
        "feature_key": "",
        "v0_name": "control",
        "v0_split": "50",
        "v1_name": "treatment",
        "v1_split": "50",
        "m0_name": "Signed up",
        "m0_kind": "conversion",
        "m0_event": "signed_up",
        "m0_window": "14d",
        "m0_goal": "increase",
        "engine": "frequentist",
        "alpha": "0.05",
        "correction": "holm",
        "cuped": "on",
        "cuped_days": "14",
        "minimum_effect": "5",
        "power": "0.8",
        "minimum_sample": "100",
    }
    for i in range(1, 4):
        data.update({f"m{i}_kind": "conversion", f"m{i}_goal": "increase", f"m{i}_window": "14d"})
    data.update(overrides)
    return data


def test_list_shows_experiments_with_status_and_links(world):
    response = world["stakeholder"].client().get(BASE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Next job on the board" in body and "board-next-job" in body
    assert "setup-status-draft" in body
    assert f"{BASE}{world.experiment.key}/" in body
    assert "New experiment" not in body  # a stakeholder cannot create one


def test_list_filters_and_empty_state(world):
    client = world["pm"].client()
    assert "No experiment matches" in client.get(BASE + "?q=zzz").content.decode()
    assert "Next job" in client.get(BASE + "?q=BOARD-next").content.decode()
    assert "Next job" not in client.get(BASE + "?status=running").content.decode()
    assert client.get(BASE + "?status=bogus").status_code == 400
    world.experiment.delete()
    body = client.get(BASE).content.decode()
    assert "No experiments yet" in body and "An experiment (an A/B test)" in body
    assert f'href="{BASE}new/?product=web"' in body


def test_list_paginates(world):
    from lodestar.experiments import services

    for i in range(51):
        services.experiment_create(
            product=world.product,
            actor=world["pm"].user,
            name=f"Exp {i}",
            flag_key=f"exp-{i}",
            hypothesis="h",
        )
    first = world["pm"].client().get(BASE)
    assert "cursor=" in first.content.decode()
    assert first.context["page"].next


def test_create_redirects_to_the_experiment_page(world):
    response = world["pm"].client().post(BASE + "new/?product=web", _form_data())
    assert response.status_code == 302
    experiment = Experiment.objects.get(flag_key="big-button")
    assert response["Location"] == f"{BASE}{experiment.key}/"
    assert experiment.variants == [
        {"name": "control", "split": 0.5},
        {"name": "treatment", "split": 0.5},
    ]
    assert experiment.metrics.get().event == "signed_up"
    assert experiment.cuped is True


def test_form_errors_are_reshown_next_to_their_rows(world):
    data = _form_data(
        flag_key="bad key",
        v1_split="40",
        v2_name="treatment",
        v2_split="10",
        m0_event="",
        m1_kind="mean",
        m1_event="paid",
        m1_window="100d",
    )
    response = world["pm"].client().post(BASE + "new/?product=web", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "Use only letters" in form.errors["flag_key"][0]
    assert "Variant names must differ" in form.errors["v2_name"][0]
    assert "The window can be at most 365 days." not in str(form.errors.get("m1_window"))
    body = response.content.decode()
    assert 'value="bad key"' in body  # the input is kept
    assert not Experiment.objects.filter(name="Bigger button").exists()


def test_service_errors_map_to_metric_rows(world):
    data = _form_data(m1_kind="mean", m1_event="paid", m1_window="91d")
    response = world["pm"].client().post(BASE + "new/?product=web", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "numeric event property" in errors["m1_property"][0]
    assert "from 1 minute to 90 days" in errors["m1_window"][0]


def test_split_errors_and_primary_first(world):
    client = world["pm"].client()
    response = client.post(BASE + "new/?product=web", _form_data(v1_split="40"))
    assert response.status_code == 400
    assert "they must add up to 1 (100 %)" in str(response.context["form"].non_field_errors())
    response = client.post(
        BASE + "new/?product=web", _form_data(m0_name="", m0_event="", m1_event="x")
    )
    assert response.status_code == 400
    assert "primary metric first" in response.context["form"].errors["m0_event"][0]


def test_new_form_renders_with_defaults(world):
    response = world["pm"].client().get(BASE + "new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="v0_name"' in body and 'value="control"' in body
    assert 'name="m3_event"' in body and "Primary metric" in body
    assert world.feature.title in body


def test_edit_with_conflict_shows_the_other_change(world):
    client = world["pm"].client()
    key = world.experiment.key
    form = client.get(f"{BASE}{key}/edit/")
    assert form.status_code == 200
    assert 'value="Next job on the board"' in form.content.decode()
    data = _form_data(
        name="Renamed",
        flag_key="board-next-job",
        feature_key=world.feature.key,
        m0_key=world.experiment.metrics.get().key,
        m0_name="Assigned a job",
        m0_event="job_assigned",
        version="1",
    )
    assert client.post(f"{BASE}{key}/edit/", data).status_code == 302
    world.experiment.refresh_from_db()
    assert world.experiment.name == "Renamed" and world.experiment.version == 2
    stale = client.post(f"{BASE}{key}/edit/", {**data, "name": "Again"})
    assert stale.status_code == 409
    assert "someone else changed this experiment" in stale.content.decode()


def test_started_experiment_form_hides_variants_and_metrics(world):
    from lodestar.experiments import services

    services.experiment_start(experiment=world.experiment, actor=world["pm"].user)
    client = world["pm"].client()
    page = client.get(f"{BASE}{world.experiment.key}/edit/")
    body = page.content.decode()
    assert 'name="v0_name"' not in body and 'name="flag_key"' not in body
    assert "Fixed since the experiment started" in body
    data = {k: v for k, v in _form_data(name="Still editable").items() if k[:1] not in "vm"}
    data = {**data, "version": "2", "minimum_sample": "100", "minimum_effect": "5"}
    response = client.post(f"{BASE}{world.experiment.key}/edit/", data)
    assert response.status_code == 302
    world.experiment.refresh_from_db()
    assert world.experiment.name == "Still editable"
    assert world.experiment.flag_key == "board-next-job"


def test_start_stop_delete_confirm_then_post(world):
    client = world["pm"].client()
    key = world.experiment.key
    confirm = client.get(f"{BASE}{key}/start/")
    assert confirm.status_code == 200 and b"Start the experiment" in confirm.content
    assert client.post(f"{BASE}{key}/start/").status_code == 302
    world.experiment.refresh_from_db()
    assert world.experiment.status == "running"
    assert client.post(f"{BASE}{key}/start/").status_code == 409
    assert b"stop it first" in client.get(f"{BASE}{key}/delete/").content
    assert client.post(f"{BASE}{key}/delete/").status_code == 409
    assert b"Stop the experiment" in client.get(f"{BASE}{key}/stop/").content
    assert client.post(f"{BASE}{key}/stop/").status_code == 302
    response = client.post(f"{BASE}{key}/delete/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}?product=web"
    assert not Experiment.objects.filter(key=key).exists()


def test_start_page_lists_problems(world):
    world.experiment.metrics.all().delete()
    page = world["pm"].client().get(f"{BASE}{world.experiment.key}/start/")
    assert b"Add a primary metric first" in page.content
    assert b"Start the experiment</button>" not in page.content
    assert world["pm"].client().post(f"{BASE}{world.experiment.key}/start/").status_code == 400


@pytest.mark.parametrize(
    "suffix", ["new/", "{key}/edit/", "{key}/start/", "{key}/stop/", "{key}/delete/"]
)
def test_stakeholder_posts_are_refused(world, suffix):
    url = BASE + suffix.format(key=world.experiment.key)
    client = world["stakeholder"].client()
    assert client.post(url, _form_data(name="Sneaky")).status_code == 403
    assert client.get(url).status_code == 403
    assert Experiment.objects.filter(name="Sneaky").count() == 0
    world.experiment.refresh_from_db()
    assert world.experiment.status == "draft"


def test_contributor_may_view_but_not_manage(world):
    client = world["contributor"].client()
    assert client.get(BASE).status_code == 200
    assert client.get(BASE + "calculator/").status_code == 200
    assert client.post(BASE + "new/?product=web", _form_data()).status_code == 403


def test_calculator_computes_sample_and_days(world):
    from lodestar.experiments.stats import power

    query = "metric=binomial&baseline=10&minimum_effect=5&alpha=0.05&power=0.8&arms=2&daily=1000"
    response = world["stakeholder"].client().get(f"{BASE}calculator/?{query}")
    assert response.status_code == 200
    result = response.context["result"]
    per_arm = power.sample_size("binomial", 0.10, None, 0.05, alpha=0.05, power=0.8)
    assert result["per_arm"] == per_arm
    assert result["total"] == 2 * per_arm
    assert result["days"] == power.duration_days(per_arm, 2, 1000.0)


def test_calculator_errors(world):
    client = world["pm"].client()
    response = client.get(
        f"{BASE}calculator/?metric=mean&baseline=10&minimum_effect=0&alpha=0.05&power=1&arms=9"
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "standard deviation" in errors["stddev"][0]
    assert "more than 0 %" in errors["minimum_effect"][0]
    assert "0.5 to 0.99" in errors["power"][0]
    assert "2 to 5" in errors["arms"][0]
    assert client.get(f"{BASE}calculator/").status_code == 200  # a blank form


def test_calculator_prefills_from_the_store(world, event_store):
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for i in range(20):
        rows.append(_row(world, f"p{i}", "pageview", now - timedelta(days=i % 7, hours=1)))
        if i < 5:
            rows.append(_row(world, f"p{i}", "job_assigned", now - timedelta(hours=1)))
    get_spool().append(rows)
    event_store.flush()
    response = world["pm"].client().get(f"{BASE}calculator/?experiment={world.experiment.key}")
    assert response.status_code == 200
    baseline = response.context["baseline"]
    assert baseline.persons == 20
    assert baseline.mean == pytest.approx(0.25)
    form = response.context["form"]
    assert form.initial["baseline"] == pytest.approx(25.0)
    assert form.initial["arms"] == 2
    assert form.initial["daily"] >= 1
    assert b"20 active persons" in response.content


def test_calculator_leaves_a_baseline_nobody_reached_to_the_pm(world, event_store):
    now = datetime.now(UTC).replace(tzinfo=None)
    get_spool().append(
        [_row(world, f"p{i}", "pageview", now - timedelta(hours=i)) for i in range(3)]
    )
    event_store.flush()
    response = world["pm"].client().get(f"{BASE}calculator/?experiment={world.experiment.key}")
    assert "baseline" not in response.context["form"].initial
    assert response.context["form"].initial["daily"] >= 1
    assert b"None of the 3 persons active in the last 14 days did job_assigned" in response.content


def test_calculator_without_events_explains(world):
    response = world["pm"].client().get(f"{BASE}calculator/?experiment={world.experiment.key}")
    assert response.status_code == 200
    assert b"No events of Web in the last 14 days" in response.content


def _row(world, person: str, event: str, at: datetime) -> dict:
    stamp = int((at - datetime(1970, 1, 1)) / timedelta(microseconds=1))
    return {
        "w": world.workspace.id,
        "p": "web",
        "uuid": str(uuid.uuid4()),
        "event": event,
        "distinct_id": person,
        "ts": stamp,
        "properties": {},
        "received": stamp,
    }
