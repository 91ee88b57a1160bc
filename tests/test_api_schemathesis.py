"""Schemathesis against /api/v1/openapi.json: no 5xx for any generated request, and every
response matches the schema the API publishes. Plus explicit bad-input cases.

The schema is loaded in-process from the WSGI app (no server). Each generated case is sent
as the workspace owner (token auth, the most permissions) and again without credentials.
Path parameters are sometimes swapped for keys of real objects of the `world` fixture, so
that requests get past the 404 and reach the handlers.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lodestar.workspaces import services

API = "/api/v1"

schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

FUZZ_SETTINGS = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

# Keys of real objects, refreshed by the `real_keys` fixture for each test (keys are random).
REAL: dict[str, str] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """As generated, with the real workspace, or with every parameter pointing at real data."""
    generated = dict(path_parameters or {})
    real_slug = {**generated, "slug": REAL["slug"]} if "slug" in generated else generated
    all_real = {**generated, **{name: REAL[name] for name in generated if name in REAL}}
    return st.sampled_from([all_real, real_slug, generated])


@pytest.fixture
def real_keys(world):
    invitation, _ = services.invitation_create(
        workspace=world.workspace,
        actor_membership=world["owner"].membership,
        email="invitee@acme.test",
        role="contributor",
    )
    REAL.clear()
    REAL.update(
        slug=world.workspace.slug,
        product_key=world.product.key,
        team_key=world.team.key,
        member_key=world["contributor"].membership.key,
        invitation_key=invitation.key,
    )
    yield REAL
    REAL.clear()


def _assert_error_shape(response, status: int | None = None) -> dict:
    """The one error shape, from a Django test response or a schemathesis response."""
    content = response.content
    if status is not None:
        assert response.status_code == status, content
    content_type = response.headers.get("content-type")  # schemathesis: lists, lowercase keys
    if isinstance(content_type, list):
        content_type = content_type[0]
    assert (content_type or "").startswith("application/json"), (content_type, content)
    body = json.loads(content)
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["code"], str)
    assert isinstance(body["error"]["message"], str)
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


# -- fuzzing ------------------------------------------------------------------------------


def _declared(case) -> bool:
    """Whether the case uses a method the schema declares for its path (schemathesis also
    sends undeclared methods, which get 405)."""
    return case.method.lower() in schema.raw_schema["paths"][case.path]


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_owner(case, world, real_keys):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world['owner'].token}"}, checks=CHECKS
    )
    if response.status_code >= 400:
        _assert_error_shape(response)
    if not _declared(case):
        assert response.status_code == 405


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_anonymous(case, world, real_keys):
    if case.headers:
        case.headers.pop("Authorization", None)
    response = case.call_and_validate(checks=CHECKS)
    error = _assert_error_shape(response, 401 if _declared(case) else 405)
    assert error["code"] == ("not_authenticated" if _declared(case) else "method_not_allowed")
