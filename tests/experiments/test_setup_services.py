"""Experiment services: every validation message, the life cycle, versioned edits, frozen
metrics, and the activity log."""

from __future__ import annotations

import pytest

from lodestar.activity.models import Entry
from lodestar.analytics.models import Chart
from lodestar.core.errors import Conflict, Invalid
from lodestar.experiments import services
from lodestar.experiments.models import Experiment, ExperimentStatus, Metric
from lodestar.planning.concurrency import EditConflict
from lodestar.planning.models import Feature

pytestmark = pytest.mark.django_db

PRIMARY = {"name": "Signed up", "role": "primary", "event": "signed_up"}


def _create(world, **overrides):
    data = {
        "product": world.product,
        "actor": world["pm"].user,
        "name": "Bigger button",
        "flag_key": "big-button",
        "hypothesis": "A bigger button gets more sign-ups.",
        "metrics": [PRIMARY],
    }
    data.update(overrides)
    return services.experiment_create(**data)


def _fields(excinfo) -> dict[str, list[str]]:
    return excinfo.value.fields


def _message(excinfo, field: str) -> str:
    return " ".join(excinfo.value.fields[field])


def test_create_with_defaults_and_activity(world):
    experiment = _create(world)
    assert experiment.status == ExperimentStatus.DRAFT
    assert experiment.variants == [
        {"name": "control", "split": 0.5},
        {"name": "treatment", "split": 0.5},
    ]
    metric = experiment.metrics.get()
    assert (metric.role, metric.kind, metric.event) == ("primary", "conversion", "signed_up")
    entry = Entry.objects.filter(target_type="experiment", target_key=experiment.key).get()
    assert entry.verb == "created"
    assert "flag_key" in entry.changes and "metrics" in entry.changes


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"name": "  "}, "name", "Give the experiment a name."),
        ({"name": "x" * 201}, "name", "At most 200 characters"),
        ({"hypothesis": ""}, "hypothesis", "State the hypothesis"),
        ({"flag_key": ""}, "flag_key", "Give the flag key"),
        ({"flag_key": "has space"}, "flag_key", "Use only letters, digits, -, _ and ."),
        ({"flag_key": "é"}, "flag_key", "Use only letters"),
        ({"flag_key": "k" * 101}, "flag_key", "At most 100 characters"),
        ({"variants": [{"name": "a", "split": 1}]}, "variants", "2 to 5 variants"),
        (
            {"variants": [{"name": f"v{i}", "split": 1 / 6} for i in range(6)]},
            "variants",
            "2 to 5 variants",
        ),
        ({"variants": "nope"}, "variants", "a list"),
        (
            {"variants": [{"name": "a", "split": 0.5}, {"name": "A", "split": 0.5}]},
            "variants.1.name",
            "Variant names must differ",
        ),
        (
            {"variants": [{"name": "", "split": 0.5}, {"name": "b", "split": 0.5}]},
            "variants.0.name",
            "Name variant 1.",
        ),
        (
            {"variants": [{"name": "a", "split": 0}, {"name": "b", "split": 1}]},
            "variants.0.split",
            "more than 0",
        ),
        (
            {"variants": [{"name": "a", "split": "x"}, {"name": "b", "split": 1}]},
            "variants.0.split",
            "as a number",
        ),
        (
            {"variants": [{"name": "a", "split": 0.5}, {"name": "b", "split": 0.4}]},
            "variants",
            "they must add up to 1",
        ),
        ({"engine": "magic"}, "engine", "frequentist or the Bayesian"),
        ({"correction": "bonferroni"}, "correction", "Holm, Benjamini-Hochberg or none"),
        ({"alpha": 0.5}, "alpha", "from 0.001 to 0.2"),
        ({"alpha": "abc"}, "alpha", "from 0.001 to 0.2"),
        ({"power": 0.3}, "power", "from 0.5 to 0.99"),
        ({"minimum_effect": 0}, "minimum_effect", "from 0.01"),
        ({"cuped_days": 0}, "cuped_days", "1 to 90 days"),
        ({"minimum_sample": 0}, "minimum_sample", "at least 1"),
        ({"prior_mean": 0, "prior_stddev": 0}, "prior_stddev", "more than 0"),
        ({"prior_mean": 0.1}, "prior_stddev", "or neither"),
        ({"prior_mean": "x", "prior_stddev": 0.1}, "prior_mean", "as a number"),
        ({"feature_key": "nosuchkey"}, "feature_key", "No feature with key"),
        (
            {"metrics": [PRIMARY, {**PRIMARY, "name": "Again"}]},
            "metrics",
            "exactly one metric as primary",
        ),
        (
            {"metrics": [{"role": "secondary", "event": "x"}]},
            "metrics",
            "exactly one metric as primary",
        ),
        (
            {"metrics": [{"role": "primary", "kind": "odd", "event": "x"}]},
            "metrics.0.kind",
            "conversion, mean or count",
        ),
        ({"metrics": [{"role": "boss", "event": "x"}]}, "metrics.0.role", "primary or secondary"),
        ({"metrics": [{"role": "primary"}]}, "metrics.0.event", "counts as a conversion"),
        (
            {"metrics": [{"role": "primary", "kind": "count"}]},
            "metrics.0.event",
            "Name the event to count",
        ),
        (
            {"metrics": [{"role": "primary", "kind": "mean"}]},
            "metrics.0.event",
            "carries the value",
        ),
        (
            {"metrics": [{"role": "primary", "kind": "mean", "event": "paid"}]},
            "metrics.0.property",
            "numeric event property",
        ),
        (
            {"metrics": [{**PRIMARY, "window_seconds": 59}]},
            "metrics.0.window_seconds",
            "from 1 minute to 90 days",
        ),
        (
            {"metrics": [{**PRIMARY, "window_seconds": 90 * 86_400 + 1}]},
            "metrics.0.window_seconds",
            "from 1 minute to 90 days",
        ),
        ({"metrics": [{**PRIMARY, "goal": "sideways"}]}, "metrics.0.goal", "higher or lower"),
        (
            {"metrics": [{**PRIMARY, "filters": [{"key": "plan", "op": "almost"}]}]},
            "metrics.0.filters",
            "Filter 1",
        ),
        (
            {"metrics": [{**PRIMARY, "event": "", "steps": [{"event": "a"}]}]},
            "metrics.0.steps",
            "2 to 10 steps",
        ),
        (
            {"metrics": [{**PRIMARY, "event": "", "steps": [{"event": "a"}, {"event": ""}]}]},
            "metrics.0.steps",
            "Step 2 has no event",
        ),
        ({"metrics": [{**PRIMARY, "chart_key": "nochart"}]}, "metrics.0.chart_key", "No saved"),
        ({"metrics": [PRIMARY] * 21}, "metrics", "At most 20 metrics"),
    ],
)
def test_create_validation_messages(world, overrides, field, needle):
    with pytest.raises(Invalid) as excinfo:
        _create(world, **overrides)
    assert field in _fields(excinfo), _fields(excinfo)
    assert needle in _message(excinfo, field)
    assert not Experiment.objects.filter(flag_key="big-button").exists()


def test_flag_key_is_unique_per_product_only(world):
    _create(world)
    with pytest.raises(Invalid) as excinfo:
        _create(world, name="Again")
    assert "already uses the flag key “big-button”" in _message(excinfo, "flag_key")
    other = services.experiment_create(
        product=world.other_product,
        actor=world["outsider"].user,
        name="Same key elsewhere",
        flag_key="big-button",
        hypothesis="Keys are per product.",
    )
    assert other.flag_key == "big-button"


def test_flag_key_allows_letters_digits_dash_underscore_dot(world):
    assert _create(world, flag_key="Exp_2.b-3").flag_key == "Exp_2.b-3"


def test_splits_within_tolerance_are_accepted(world):
    variants = [{"name": n, "split": 1 / 3} for n in ("a", "b", "c")]
    assert len(_create(world, variants=variants).variants) == 3
    with pytest.raises(Invalid):
        _create(
            world,
            flag_key="k2",
            variants=[{"name": "a", "split": 0.5}, {"name": "b", "split": 0.5 + 2e-6}],
        )


def test_feature_of_another_product_is_refused(world):
    from lodestar.workspaces import services as ws_services

    app = ws_services.product_create(
        workspace=world.workspace, actor=world["owner"].user, key="app", name="App"
    )
    feature = Feature.objects.create(workspace=world.workspace, product=app, title="App thing")
    with pytest.raises(Invalid) as excinfo:
        _create(world, feature_key=feature.key)
    assert "is not a feature of Web" in _message(excinfo, "feature_key")


def test_metric_kinds_and_saved_funnel(world):
    funnel = Chart.objects.create(
        workspace=world.workspace,
        product=world.product,
        name="Sign-up funnel",
        kind="funnel",
        query={"step_1": "viewed", "step_2": "signed_up", "window": "1d"},
    )
    experiment = _create(
        world,
        metrics=[
            {"role": "primary", "chart_key": funnel.key},
            {"kind": "mean", "event": "paid", "property": "amount", "goal": "increase"},
            {"kind": "count", "event": "error", "goal": "decrease", "window_seconds": 3600},
        ],
    )
    primary, mean, count = experiment.metrics.order_by("position")
    assert primary.chart == funnel and primary.name == "Sign-up funnel"
    assert [s["event"] for s in primary.steps] == ["viewed", "signed_up"]
    assert primary.event == ""
    assert (mean.property, mean.name) == ("amount", "Mean amount of paid")
    assert (count.goal, count.window_seconds) == ("decrease", 3600)


def test_trends_chart_is_not_a_funnel(world):
    with pytest.raises(Invalid) as excinfo:
        _create(world, metrics=[{"role": "primary", "chart_key": world.chart.key}])
    assert "not a funnel" in _message(excinfo, "metrics.0.chart_key")


def test_update_is_versioned(world):
    experiment = _create(world)
    changes = services.experiment_update(
        experiment=experiment,
        actor=world["pm"].user,
        version=experiment.version,
        name="Biggest button",
        hypothesis=experiment.hypothesis,
        alpha=0.01,
    )
    assert changes["name"] == ["Bigger button", "Biggest button"]
    assert "alpha" in changes
    assert experiment.version == 2
    stale = Experiment.objects.get(pk=experiment.pk)
    with pytest.raises(EditConflict) as excinfo:
        services.experiment_update(
            experiment=stale,
            actor=world["po"].user,
            version=1,
            name="Other name",
            hypothesis=experiment.hypothesis,
        )
    assert excinfo.value.status == 409
    assert excinfo.value.changes[0]["changes"]["name"] == ["Bigger button", "Biggest button"]
    assert Experiment.objects.get(pk=experiment.pk).name == "Biggest button"


def test_changing_how_results_are_read_drops_the_stored_results(world):
    experiment = _create(world)
    stored = {"state": "running", "engine": "frequentist"}
    Experiment.objects.filter(pk=experiment.pk).update(results=stored)
    experiment.refresh_from_db()
    services.experiment_update(
        experiment=experiment,
        actor=world["pm"].user,
        version=experiment.version,
        name="A new name only",
        hypothesis=experiment.hypothesis,
    )
    assert Experiment.objects.get(pk=experiment.pk).results == stored  # a name reads the same
    services.experiment_update(
        experiment=experiment,
        actor=world["pm"].user,
        version=experiment.version,
        name=experiment.name,
        hypothesis=experiment.hypothesis,
        engine="bayesian",
    )
    again = Experiment.objects.get(pk=experiment.pk)
    assert again.engine == "bayesian" and again.results == {} and again.results_at is None


def test_update_without_changes_writes_nothing(world):
    experiment = _create(world)
    before = Entry.objects.count()
    assert (
        services.experiment_update(
            experiment=experiment,
            actor=world["pm"].user,
            version=experiment.version,
            name=experiment.name,
            hypothesis=experiment.hypothesis,
            metrics=[{**PRIMARY, "key": experiment.metrics.get().key}],
        )
        == {}
    )
    assert Entry.objects.count() == before and experiment.version == 1


def test_update_replaces_metrics_by_key(world):
    experiment = _create(world)
    kept = experiment.metrics.get()
    services.experiment_update(
        experiment=experiment,
        actor=world["pm"].user,
        version=None,
        name=experiment.name,
        hypothesis=experiment.hypothesis,
        metrics=[{**PRIMARY, "key": kept.key, "name": "Sign-ups"}, {"event": "invited"}],
    )
    metrics = list(experiment.metrics.order_by("position"))
    assert metrics[0].pk == kept.pk and metrics[0].name == "Sign-ups"
    assert metrics[1].event == "invited" and metrics[1].role == "secondary"
    entry = Entry.objects.filter(target_key=experiment.key).latest("id")
    assert "metrics" in entry.changes


def test_start_requires_a_primary_metric_and_valid_split(world):
    experiment = _create(world, metrics=[])
    with pytest.raises(Invalid) as excinfo:
        services.experiment_start(experiment=experiment, actor=world["pm"].user)
    assert "Add a primary metric first" in excinfo.value.message
    Experiment.objects.filter(pk=experiment.pk).update(
        variants=[{"name": "a", "split": 0.7}, {"name": "b", "split": 0.7}]
    )
    services.metric_create(experiment=experiment, actor=world["pm"].user, **PRIMARY)
    experiment.refresh_from_db()
    with pytest.raises(Invalid) as excinfo:
        services.experiment_start(experiment=experiment, actor=world["pm"].user)
    assert "Fix the variants first" in excinfo.value.message
    assert Experiment.objects.get(pk=experiment.pk).status == "draft"


def test_life_cycle_start_stop_resume(world):
    experiment = _create(world)
    started = services.experiment_start(experiment=experiment, actor=world["pm"].user)
    assert started.status == "running" and started.started_at is not None
    with pytest.raises(Conflict, match="already running"):
        services.experiment_start(experiment=started, actor=world["pm"].user)
    stopped = services.experiment_stop(experiment=started, actor=world["pm"].user)
    assert stopped.status == "stopped" and stopped.stopped_at is not None
    with pytest.raises(Conflict, match="Only a running experiment"):
        services.experiment_stop(experiment=stopped, actor=world["pm"].user)
    resumed = services.experiment_start(experiment=stopped, actor=world["pm"].user)
    assert resumed.started_at == started.started_at and resumed.stopped_at is None
    verbs = list(
        Entry.objects.filter(target_key=experiment.key)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "started", "stopped", "resumed"]


def test_decided_experiment_does_not_start_again(world):
    experiment = _create(world)
    Experiment.objects.filter(pk=experiment.pk).update(
        status="stopped", shipped_variant="treatment"
    )
    experiment.refresh_from_db()
    with pytest.raises(Conflict, match="decision log"):
        services.experiment_start(experiment=experiment, actor=world["pm"].user)


def test_started_experiment_freezes_metrics_variants_and_flag_key(world):
    experiment = _create(world)
    services.experiment_start(experiment=experiment, actor=world["pm"].user)
    experiment.refresh_from_db()
    metric = experiment.metrics.get()
    with pytest.raises(Conflict, match="metrics are frozen"):
        services.metric_create(experiment=experiment, actor=world["pm"].user, event="x")
    with pytest.raises(Conflict, match="metrics are frozen"):
        services.metric_update(metric=metric, actor=world["pm"].user, **PRIMARY)
    with pytest.raises(Conflict, match="metrics are frozen"):
        services.metric_delete(metric=metric, actor=world["pm"].user)
    base = {
        "experiment": experiment,
        "actor": world["pm"].user,
        "version": None,
        "name": experiment.name,
        "hypothesis": experiment.hypothesis,
    }
    with pytest.raises(Conflict, match="metrics are frozen"):
        services.experiment_update(**base, metrics=[{"role": "primary", "event": "other"}])
    with pytest.raises(Conflict, match="flag key and variants are frozen"):
        services.experiment_update(
            **base, variants=[{"name": "a", "split": 0.3}, {"name": "b", "split": 0.7}]
        )
    with pytest.raises(Conflict, match="flag key and variants are frozen"):
        services.experiment_update(**base, flag_key="new-key")
    # The settings and the description still change.
    changes = services.experiment_update(**{**base, "name": "Renamed"}, cuped=False)
    assert set(changes) == {"name", "cuped"}


def test_metric_services(world):
    experiment = _create(world, metrics=[])
    primary = services.metric_create(experiment=experiment, actor=world["pm"].user, **PRIMARY)
    with pytest.raises(Invalid) as excinfo:
        services.metric_create(experiment=experiment, actor=world["pm"].user, **PRIMARY)
    assert "already has a primary metric (“Signed up”)" in _message(excinfo, "role")
    with pytest.raises(Invalid) as excinfo:
        services.metric_create(experiment=experiment, actor=world["pm"].user, kind="count")
    assert "Name the event to count" in _message(excinfo, "event")
    secondary = services.metric_create(
        experiment=experiment, actor=world["pm"].user, event="invited"
    )
    assert secondary.name == "Did invited" and secondary.position == 1
    services.metric_update(
        metric=secondary, actor=world["pm"].user, event="invited", name="Invites", kind="count"
    )
    secondary.refresh_from_db()
    assert (secondary.name, secondary.kind) == ("Invites", "count")
    services.metric_delete(metric=primary, actor=world["pm"].user)
    assert list(Metric.objects.filter(experiment=experiment)) == [secondary]
    experiment.refresh_from_db()
    assert experiment.version == 5  # each metric write makes an open edit form stale


def test_delete_only_drafts_and_stopped(world):
    experiment = _create(world)
    services.experiment_start(experiment=experiment, actor=world["pm"].user)
    with pytest.raises(Conflict, match="Stop the experiment before deleting it"):
        services.experiment_delete(experiment=experiment, actor=world["pm"].user)
    services.experiment_stop(experiment=experiment, actor=world["pm"].user)
    services.experiment_delete(experiment=experiment, actor=world["pm"].user)
    assert not Experiment.objects.filter(pk=experiment.pk).exists()
    assert not Metric.objects.filter(experiment_id=experiment.pk).exists()
    assert Entry.objects.filter(target_key=experiment.key, verb="deleted").exists()


def test_nothing_half_written_when_the_log_fails(world, monkeypatch):
    def boom(**_kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(services, "activity_record", boom)
    with pytest.raises(RuntimeError):
        _create(world)
    assert not Experiment.objects.filter(flag_key="big-button").exists()
    assert not Metric.objects.filter(name="Signed up").exists()
