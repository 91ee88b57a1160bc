"""The one error shape, security headers, health, logs."""

import json
import logging
import os
import subprocess
import sys

import pytest

from lodestar.core import errors

pytestmark = pytest.mark.django_db


def test_json_error_shape_is_pinned(client):
    response = client.get("/api/v1/workspaces/nope", HTTP_AUTHORIZATION="Bearer lds_wrong")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Sign in or send a valid API token.",
            "fields": {},
        }
    }


def test_field_errors_use_the_same_shape(world):
    response = (
        world["owner"]
        .api()
        .post(
            "/api/v1/workspaces/acme/products",
            data=json.dumps({"key": "Bad Key!", "name": ""}),
            content_type="application/json",
        )
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "invalid"
    assert "key" in body["error"]["fields"] and "name" in body["error"]["fields"]


def test_every_error_class_maps_to_its_status():
    statuses = {
        cls.code: cls.status
        for cls in (
            errors.Invalid,
            errors.NotAuthenticated,
            errors.PermissionDenied,
            errors.NotFound,
            errors.MethodNotAllowed,
            errors.Conflict,
            errors.TooLarge,
            errors.UnsupportedMediaType,
            errors.RateLimited,
        )
    }
    assert statuses == {
        "invalid": 400,
        "not_authenticated": 401,
        "permission_denied": 403,
        "not_found": 404,
        "method_not_allowed": 405,
        "conflict": 409,
        "too_large": 413,
        "unsupported_media_type": 415,
        "rate_limited": 429,
    }


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Not found" in response.content and response["Content-Type"].startswith("text/html")


def test_oversized_body_is_413_before_it_is_read(client, settings):
    big = b"x" * (settings.MAX_BODY_BYTES + 1)
    response = client.post("/accounts/login/", data=big, content_type="text/plain")
    assert response.status_code == 413
    api = client.post("/api/v1/workspaces/acme/products", data=big, content_type="application/json")
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"


def test_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8


def test_request_id_is_taken_from_the_caller_when_sane(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-trace")["X-Request-ID"] == (
        "abc12345-trace"
    )
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_access_log_is_json_with_the_request_id(client, caplog):
    from lodestar.core.logs import JsonFormatter, RequestIdFilter

    with caplog.at_level(logging.INFO, logger="lodestar.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="req-0000001")
    record = next(r for r in caplog.records if r.name == "lodestar.request")
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == response.status_code
    assert line["level"] == "info" and "duration_ms" in line


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "events": "ok"}}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    """A real unreachable database (a SQLite file in a folder that does not exist)."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "LODESTAR_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        "DJANGO_SETTINGS_MODULE": "lodestar.settings",
        "LODESTAR_LOG_LEVEL": "ERROR",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503", result.stderr
    assert json.loads(body)["checks"]["database"].startswith("error")


def test_a_malformed_session_cookie_is_no_session_not_an_error(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/healthz").status_code == 200
    assert client.get("/w/acme/").status_code == 302  # treated as signed out


@pytest.mark.parametrize("path", ["/w/acme/products/web%00/", "/w/acme/customers/people/x%00/"])
def test_a_null_character_in_a_page_address_is_404(world, path):
    response = world["owner"].client().get(path)
    assert response.status_code == 404


def test_a_null_character_in_a_query_is_400_naming_the_parameter(world):
    response = (
        world["owner"].client().get("/w/acme/search/?q=a%00b", HTTP_ACCEPT="application/json")
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"q": ["Null characters are not allowed."]}
    assert world["owner"].client().get("/w/acme/feedback/?q=%00").status_code == 400
