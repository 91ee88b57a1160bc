"""The experiments API (token auth) and the assignment endpoint (the product's write key):
deterministic, stable, with the planned shares."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from django.test import Client

from lodestar.analytics.capture import keys, limits, ratelimit
from lodestar.experiments import services
from lodestar.experiments.models import Experiment

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme/experiments"


@pytest.fixture(autouse=True)
def _fresh_keys():
    keys.forget()
    ratelimit.reset()
    yield
    keys.forget()
    ratelimit.reset()


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_create_get_list_update_start_stop_delete(world):
    client = world["pm"].api()
    body = {
        "product_key": "web",
        "name": "Bigger button",
        "flag_key": "big-button",
        "hypothesis": "A bigger button gets more sign-ups.",
        "feature_key": world.feature.key,
        "variants": [
            {"name": "control", "split": 0.34},
            {"name": "a", "split": 0.33},
            {"name": "b", "split": 0.33},
        ],
        "metrics": [
            {"role": "primary", "event": "signed_up", "filters": [{"key": "plan", "value": "pro"}]},
            {"kind": "mean", "event": "paid", "property": "amount"},
        ],
        "engine": "bayesian",
        "prior_mean": 0,
        "prior_stddev": 0.1,
    }
    created = _post(client, API, body)
    assert created.status_code == 201, created.content
    data = created.json()
    key = data["key"]
    assert data["status"] == "draft" and data["engine"] == "bayesian"
    assert data["feature_key"] == world.feature.key
    assert [m["role"] for m in data["metrics"]] == ["primary", "secondary"]
    assert data["metrics"][0]["filters"] == [{"key": "plan", "op": "eq", "value": "pro"}]
    assert data["prior_stddev"] == 0.1

    assert client.get(f"{API}/{key}").json()["name"] == "Bigger button"
    listed = client.get(f"{API}?product=web&q=big").json()
    assert [e["key"] for e in listed["items"]] == [key] and listed["count"] == 1
    assert client.get(f"{API}?status=running").json()["count"] == 0
    assert client.get(f"{API}?product=nope").status_code == 400

    patched = _patch(client, f"{API}/{key}", {"name": "Biggest", "version": 1, "alpha": 0.01})
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "Biggest" and patched.json()["alpha"] == 0.01
    assert patched.json()["engine"] == "bayesian"  # not given: kept
    assert patched.json()["feature_key"] == world.feature.key
    stale = _patch(client, f"{API}/{key}", {"name": "Stale", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["changes"][0]["changes"]["name"] == ["Bigger button", "Biggest"]

    started = _post(client, f"{API}/{key}/start")
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert _post(client, f"{API}/{key}/start").status_code == 409
    frozen = _patch(client, f"{API}/{key}", {"metrics": [{"role": "primary", "event": "x"}]})
    assert frozen.status_code == 409 and "frozen" in frozen.json()["error"]["message"]
    assert client.delete(f"{API}/{key}").status_code == 409
    assert _post(client, f"{API}/{key}/stop").json()["status"] == "stopped"
    assert client.delete(f"{API}/{key}").status_code == 204
    assert client.get(f"{API}/{key}").status_code == 404


def test_api_validation_errors_name_the_field(world):
    client = world["pm"].api()
    response = _post(
        client,
        API,
        {
            "product_key": "web",
            "name": "x",
            "flag_key": "bad key",
            "hypothesis": "h",
            "variants": [{"name": "a", "split": 0.6}, {"name": "b", "split": 0.6}],
        },
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "flag_key" in fields and "variants" in fields


def test_api_roles(world):
    response = _post(
        world["stakeholder"].api(),
        API,
        {"product_key": "web", "name": "x", "flag_key": "k", "hypothesis": "h"},
    )
    assert response.status_code == 403
    assert world["stakeholder"].api().get(API).status_code == 200
    other = (
        world["outsider"].api().get(f"/api/v1/workspaces/other/experiments/{world.experiment.key}")
    )
    assert other.status_code == 404


# -- assignment ---------------------------------------------------------------------------


def expected(flag_key: str, distinct_id: str, variants: list[tuple[str, float]]) -> str:
    """The documented formula, written out again here."""
    digest = hashlib.sha256(f"{flag_key}:{distinct_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, split in variants:
        edge += split
        if point < edge:
            return name
    return variants[-1][0]


def _running(world, variants=None, flag_key="checkout-v2") -> Experiment:
    experiment = services.experiment_create(
        product=world.product,
        actor=world["pm"].user,
        name="Checkout v2",
        flag_key=flag_key,
        hypothesis="A shorter checkout sells more.",
        variants=variants,
        metrics=[{"role": "primary", "event": "purchased"}],
    )
    return services.experiment_start(experiment=experiment, actor=world["pm"].user)


def _variant(world, flag_key, distinct_id=None, **headers):
    url = f"/api/v1/experiments/{flag_key}/variant"
    if distinct_id is not None:
        url += f"?distinct_id={distinct_id}"
    if "auth" not in headers:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {world.product.write_key}")
    headers.pop("auth", None)
    return Client().get(url, **headers)


def test_assignment_fixed_ids(world):
    _running(world)
    split = [("control", 0.5), ("treatment", 0.5)]
    # Fixed expectations, computed by hand from the formula (sha256, first 8 bytes, big-endian).
    fixed = {"user-1": expected("checkout-v2", "user-1", split)}
    for distinct_id in ("user-1", "user-2", "alice@example.com", "42", "ünïcode"):
        fixed[distinct_id] = expected("checkout-v2", distinct_id, split)
        response = _variant(world, "checkout-v2", distinct_id)
        assert response.status_code == 200
        assert response.json() == {
            "experiment": "checkout-v2",
            "variant": fixed[distinct_id],
            "running": True,
        }
        # Stable across calls.
        assert _variant(world, "checkout-v2", distinct_id).json()["variant"] == fixed[distinct_id]
    assert set(fixed.values()) <= {"control", "treatment"}


def test_assignment_pinned_values():
    """Pinned outputs of the formula, so a change to it (byte order, separator) is caught."""
    digest = hashlib.sha256(b"checkout-v2:user-1").digest()
    from lodestar.experiments.selectors import assign, bucket

    assert bucket("checkout-v2", "user-1") == int.from_bytes(digest[:8], "big") / 2**64
    split = [{"name": "control", "split": 0.5}, {"name": "treatment", "split": 0.5}]
    pinned = {  # bucket: 0.818174, 0.800965, 0.049071, 0.994114
        "user-1": "treatment",
        "user-2": "treatment",
        "user-3": "control",
        "user-4": "treatment",
    }
    for distinct_id, variant in pinned.items():
        assert assign("checkout-v2", distinct_id, split) == variant
        assert expected("checkout-v2", distinct_id, [("control", 0.5), ("treatment", 0.5)]) == (
            variant
        )
    assert round(bucket("checkout-v2", "user-3"), 6) == 0.049071


def test_assignment_shares_follow_the_split():
    from lodestar.experiments.selectors import assign

    variants = [
        {"name": "control", "split": 0.5},
        {"name": "a", "split": 0.3},
        {"name": "b", "split": 0.2},
    ]
    counts = Counter(assign("pricing", f"person-{i}", variants) for i in range(20_000))
    for variant in variants:
        assert abs(counts[variant["name"]] / 20_000 - variant["split"]) < 0.01


def test_not_running_gives_control_or_shipped(world):
    assert world.experiment.status == "draft"
    response = _variant(world, "board-next-job", "u1")
    assert response.json() == {
        "experiment": "board-next-job",
        "variant": "control",
        "running": False,
    }
    Experiment.objects.filter(pk=world.experiment.pk).update(
        status="stopped", shipped_variant="treatment"
    )
    assert _variant(world, "board-next-job", "u1").json() == {
        "experiment": "board-next-job",
        "variant": "treatment",
        "running": False,
    }


def test_assignment_errors(world):
    _running(world)
    assert _variant(world, "checkout-v2").status_code == 400
    missing = _variant(world, "checkout-v2", "")
    assert missing.status_code == 400 and "distinct_id" in missing.json()["error"]["fields"]
    unknown = _variant(world, "no-such-flag", "u1")
    assert unknown.status_code == 404 and "no-such-flag" in unknown.json()["error"]["message"]
    nokey = _variant(world, "checkout-v2", "u1", auth=None)
    assert nokey.status_code == 401
    assert nokey.json()["error"]["code"] == "not_authenticated"
    bad = _variant(world, "checkout-v2", "u1", HTTP_AUTHORIZATION="Bearer lw_nope")
    assert bad.status_code == 401
    # Another product's key does not see this product's experiment.
    other = Client().get(
        "/api/v1/experiments/checkout-v2/variant?distinct_id=u1",
        HTTP_AUTHORIZATION=f"Bearer {world.other_product.write_key}",
    )
    assert other.status_code == 404


def test_assignment_with_api_key_query_and_cors(world):
    _running(world)
    world.product.allowed_origins = "https://app.acme.test"
    world.product.save()
    keys.forget()
    url = (
        f"/api/v1/experiments/checkout-v2/variant?distinct_id=u1&api_key={world.product.write_key}"
    )
    allowed = Client().get(url, HTTP_ORIGIN="https://app.acme.test")
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == "https://app.acme.test"
    refused = Client().get(url, HTTP_ORIGIN="https://evil.test")
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused
    ask = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
    preflight = Client().options(
        "/api/v1/experiments/checkout-v2/variant", HTTP_ORIGIN="https://app.acme.test", **ask
    )
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert Client().options(url, HTTP_ORIGIN="https://evil.test", **ask).status_code == 403
    # OPTIONS that is no preflight is no method of the API.
    plain = Client().options(url, HTTP_ORIGIN="https://app.acme.test")
    assert plain.status_code == 405 and plain.json()["error"]["code"] == "method_not_allowed"


def test_assignment_shares_the_capture_keys_rate_limit(world, monkeypatch):
    _running(world)
    monkeypatch.setattr(limits, "RATE_BURST_EVENTS", 2)
    monkeypatch.setattr(limits, "RATE_EVENTS_PER_SECOND", 0.01)
    answers = [_variant(world, "checkout-v2", f"u{i}") for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) >= 1
    assert "again in" in answers[2].json()["error"]["message"]


def test_the_list_fetches_metrics_in_one_query_not_one_per_experiment(
    world, django_assert_max_num_queries
):
    for i in range(5):
        services.experiment_create(
            product=world.product,
            actor=world["pm"].user,
            name=f"Test {i}",
            flag_key=f"test-{i}",
            hypothesis="Something changes.",
            metrics=[{"role": "primary", "event": "purchased"}],
        )
    client = world["pm"].api()
    client.get(API)  # warm: sessions, token lookups
    with django_assert_max_num_queries(6):
        response = client.get(API)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 6
    assert all(item["metrics"] for item in response.json()["items"])
