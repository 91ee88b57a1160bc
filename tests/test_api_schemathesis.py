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
    real_slug = {**generated, "slug": REAL["slug"]} if "slug" in REAL else generated
    all_real = {**generated, **{name: REAL[name] for name in generated if name in REAL}}
    if "slug" not in generated:  # /me
        return st.just(generated)
    return st.sampled_from([all_real, real_slug, generated])


@schema.hook
def flatmap_body(context, body):
    """Random strings are never valid time zones or e-mail addresses: sometimes fix those, so
    workspace updates and invitations also get past validation."""
    if not isinstance(body, dict):
        return st.just(body)
    fixed = dict(body)
    if "time_zone" in fixed:
        fixed["time_zone"] = "Europe/Berlin"
    if "email" in fixed:
        fixed["email"] = "new-person@acme.test"
    return st.sampled_from([fixed, body]) if fixed != body else st.just(body)


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
        company_key=world.company.key,
        person_key=world.person.key,
        feedback_key=world.feedback.key,
        feature_key=world.feature.key,
        competitor_key=world.competitor.key,
        note_key=world.note.key,
        story_key=world.story.key,
        iteration_key=world.iteration.key,
        release_key=world.release.key,
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


def _nul_in_query(query: dict) -> bool:
    """A NUL anywhere in the query string: in a name, a value, or one of a list's values."""
    for name, value in query.items():
        values = value if isinstance(value, list | tuple) else [value]
        if any("\x00" in str(part) for part in [name, *values]):
            return True
    return False


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_anonymous(case, world, real_keys):
    if case.headers:
        case.headers.pop("Authorization", None)
    response = case.call_and_validate(checks=CHECKS)
    if not _declared(case):
        expected = 405, "method_not_allowed"
    elif any("\x00" in str(value) for value in (case.path_parameters or {}).values()):
        expected = 404, "not_found"  # names nothing, like any unknown address
    elif _nul_in_query(case.query or {}):
        expected = 400, "invalid"  # refused before anything reads it, signed in or not
    else:
        expected = 401, "not_authenticated"
    error = _assert_error_shape(response, expected[0])
    assert error["code"] == expected[1]


# -- explicit bad input -------------------------------------------------------------------

LISTS = ["members", "invitations", "products", "teams", "activity"]


def _post(client, path, body: str | bytes, content_type="application/json"):
    return client.generic("POST", f"{API}{path}", data=body, content_type=content_type)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{bad", '{"key": "x",}', "\xff\xfe{", "[" * 50_000])
def test_malformed_json_is_400(world, body):
    response = _post(world["owner"].api(), "/workspaces/acme/products", body.encode("latin-1"))
    error = _assert_error_shape(response, 400)
    assert error["code"] == "invalid"
    assert "body" in error["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"key": "app", "name": "App"}'),
        ("application/x-www-form-urlencoded", "key=app&name=App"),
        ("multipart/form-data; boundary=xyz", "--xyz--"),
        ("", '{"key": "app", "name": "App"}'),
    ],
)
def test_wrong_content_type_is_415(world, content_type, body):
    response = _post(world["owner"].api(), "/workspaces/acme/products", body, content_type)
    error = _assert_error_shape(response, 415)
    assert error["code"] == "unsupported_media_type"
    assert not world.workspace.products.filter(key="app").exists()


@pytest.mark.django_db
def test_json_content_type_with_charset_is_accepted(world):
    response = _post(
        world["owner"].api(),
        "/workspaces/acme/products",
        '{"key": "app", "name": "App"}',
        "application/json; charset=utf-8",
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_oversized_body_is_413(world, settings):
    body = b'{"key": "app", "name": "' + b"x" * settings.MAX_BODY_BYTES + b'"}'
    assert len(body) > settings.MAX_BODY_BYTES
    response = _post(world["owner"].api(), "/workspaces/acme/products", body)
    assert _assert_error_shape(response, 413)["code"] == "too_large"


@pytest.mark.django_db
def test_unknown_role_in_invitation_is_400_naming_the_field(world):
    body = json.dumps({"email": "new@acme.test", "role": "emperor"})
    response = _post(world["owner"].api(), "/workspaces/acme/invitations", body)
    error = _assert_error_shape(response, 400)
    assert list(error["fields"]) == ["role"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("limit", ["0", "-1", "201", "1000", "ten"])
def test_list_limit_out_of_range_is_400(world, name, limit):
    response = world["owner"].api().get(f"{API}/workspaces/acme/{name}", {"limit": limit})
    error = _assert_error_shape(response, 400)
    assert "query.limit" in error["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["%%%", "not-base64!", "Zm9v", "A" * 5000])
def test_bad_cursor_is_400(world, cursor):
    response = world["owner"].api().get(f"{API}/workspaces/acme/products", {"cursor": cursor})
    error = _assert_error_shape(response, 400)
    assert "cursor" in error["fields"]


@pytest.mark.django_db
def test_cursor_round_trip(world):
    client = world["owner"].api()
    first = client.get(f"{API}/workspaces/acme/members", {"limit": 2}).json()
    assert first["next"]
    second = client.get(f"{API}/workspaces/acme/members", {"limit": 2, "cursor": first["next"]})
    assert second.status_code == 200
    keys = [m["key"] for m in first["items"] + second.json()["items"]]
    assert len(keys) == len(set(keys)) == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", [f"{API}/nope", f"{API}/workspaces/acme/nope", f"{API}/workspaces/acme/teams/a/b"]
)
@pytest.mark.parametrize("persona", ["owner", "anonymous"])
def test_unknown_api_path_is_404_json(world, path, persona):
    response = world[persona].api().get(path)
    assert _assert_error_shape(response, 404)["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "anonymous"])
def test_undeclared_method_is_405_json_with_allow(world, persona):
    response = world[persona].api().put(f"{API}/workspaces/acme/products")
    assert _assert_error_shape(response, 405)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/workspaces/acme/teams", '{"name": "a\\u0000b"}', "name"),
        ("POST", "/workspaces/acme/teams", '{"name": "a", "members": ["\\u0000"]}', "members.0"),
        ("POST", "/workspaces/acme/teams", '{"name": "a", "\\u0000": 1}', "body"),
        ("PATCH", "/workspaces/acme", '{"name": "\\u0000", "time_zone": "UTC"}', "name"),
    ],
)
def test_nul_characters_in_the_body_are_400(world, method, url, body, field):
    """PostgreSQL cannot store NUL in text: without this check these were 500s there."""
    response = world["owner"].api().generic(method, f"{API}{url}", body, "application/json")
    error = _assert_error_shape(response, 400)
    assert error["fields"] == {field: ["Null characters are not allowed."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/workspaces/acme%00/teams", "/workspaces/acme/teams/x%00", "/me%00"]
)
@pytest.mark.parametrize("persona", ["owner", "anonymous"])
def test_nul_characters_in_the_path_are_404(world, url, persona):
    """A NUL names nothing; on PostgreSQL looking it up was a 500."""
    response = world[persona].api().get(f"{API}{url}")
    assert _assert_error_shape(response, 404)["code"] == "not_found"


@pytest.mark.django_db
def test_nul_character_in_the_cursor_is_400(world):
    response = world["owner"].api().get(f"{API}/workspaces/acme/teams", {"cursor": "\x00"})
    assert "cursor" in _assert_error_shape(response, 400)["fields"]


@pytest.mark.django_db
def test_anonymous_write_is_401_not_a_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    response = _post(client, "/workspaces/acme/products", '{"key": "app", "name": "App"}')
    assert _assert_error_shape(response, 401)["code"] == "not_authenticated"


@pytest.mark.django_db
def test_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["owner"].user)
    body = '{"key": "app", "name": "App"}'
    response = _post(client, "/workspaces/acme/products", body)
    error = _assert_error_shape(response, 403)
    assert "CSRF" in error["message"]
    client.get("/accounts/login/")  # any page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.generic(
        "POST",
        f"{API}/workspaces/acme/products",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_team_cost_is_echoed_as_stored(world):
    body = json.dumps({"name": "Growth", "cost_per_week": "1e3"})
    response = _post(world["owner"].api(), "/workspaces/acme/teams", body)
    assert response.status_code == 201, response.content
    assert response.json()["cost_per_week"] == "1000.00"
