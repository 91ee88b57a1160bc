"""The in-app feedback widget: its script, its endpoint (CORS, key, honeypot, limits, sizes)
and the product settings that configure it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lodestar.core.errors import Invalid
from lodestar.customers.models import Person
from lodestar.feedback.intake import limits
from lodestar.feedback.models import Feedback, Source
from lodestar.workspaces.services import catalog

pytestmark = pytest.mark.django_db

APP = "https://app.northwind.test"
URL = "/widget/v1/feedback"


@pytest.fixture
def product(world):
    return catalog.product_update(
        product=world.product,
        actor=world["owner"].user,
        name="Web",
        description="",
        allowed_origins=f"{APP}\nhttp://localhost:3000",
    )


def send(body, *, origin: str | None = APP, ip: str = "10.0.0.1", content_type="application/json"):
    headers = {"Origin": origin} if origin else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client(headers=headers).post(URL, data=data, content_type=content_type, REMOTE_ADDR=ip)


def post(product, **fields):
    body = {"key": product.write_key, "text": "The map is great.", "url": f"{APP}/board?t=1"}
    return send({**body, **fields.pop("body", {})}, **fields)


def widget_feedback(world):
    return Feedback.objects.filter(workspace=world.workspace, source=Source.WIDGET)


# -- CORS -----------------------------------------------------------------------------------


def test_preflight_from_an_allowed_origin(product):
    response = Client(headers={"Origin": APP, "Access-Control-Request-Method": "POST"}).options(URL)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == APP
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Origin" in response["Vary"]


def test_preflight_from_another_origin_gets_no_cors_headers(product):
    response = Client(headers={"Origin": "https://evil.test"}).options(URL)
    assert response.status_code == 403
    assert not response.has_header("Access-Control-Allow-Origin")


def test_a_post_from_an_allowed_origin_becomes_feedback(world, product):
    response = post(product, body={"email": "Nora@Northwind.test"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "received"
    assert response["Access-Control-Allow-Origin"] == APP
    feedback = widget_feedback(world).get()
    assert feedback.product == world.product
    assert feedback.person == world.person and feedback.company == world.company
    assert feedback.text == f"The map is great.\n\nPage: {APP}/board"  # no query string
    assert feedback.submitted_by is None


def test_a_new_email_becomes_a_person_at_the_company_of_its_domain(world, product):
    body = {"email": "lee@northwind.test", "name": "Lee Park"}
    assert post(product, body=body, origin="http://localhost:3000").status_code == 201
    lee = Person.objects.get(workspace=world.workspace, email="lee@northwind.test")
    assert lee.name == "Lee Park" and lee.company == world.company


def test_anonymous_feedback_is_taken_without_a_person(world, product):
    assert post(product, body={"url": ""}).status_code == 201
    feedback = widget_feedback(world).get()
    assert feedback.person is None and feedback.text == "The map is great."


def test_a_disallowed_origin_gets_403_without_cors_headers(world, product):
    response = post(product, origin="https://evil.test")
    assert response.status_code == 403
    assert not response.has_header("Access-Control-Allow-Origin")
    assert "not an allowed origin" in response.json()["error"]["message"]
    assert not widget_feedback(world).exists()


def test_an_origin_allowed_for_another_product_only_is_refused(world, product):
    other = catalog.product_create(workspace=world.workspace, actor=None, key="mob", name="Mob")
    response = post(other)
    assert response.status_code == 403
    assert not response.has_header("Access-Control-Allow-Origin")


def test_a_post_without_origin_is_refused(world, product):
    response = post(product, origin=None)
    assert response.status_code == 403
    assert "Origin" in response.json()["error"]["message"]


def test_a_wrong_key_gets_401(world, product):
    response = post(product, body={"key": "lw_wrong"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "write key" in response.json()["error"]["message"]
    assert response["Access-Control-Allow-Origin"] == APP  # the widget can show why
    assert post(product, body={"key": None}).status_code == 401


def test_a_key_opens_only_its_own_workspace(world):
    other = catalog.product_update(
        product=world.other_product, actor=None, name="x", description="", allowed_origins=APP
    )
    assert post(other).status_code == 201
    assert not widget_feedback(world).exists()
    assert Feedback.objects.filter(workspace=world.other, source=Source.WIDGET).count() == 1


# -- bad input ------------------------------------------------------------------------------


def test_the_honeypot_pretends_success_and_keeps_nothing(world, product):
    response = post(product, body={"website": "http://spam.test"})
    assert response.status_code == 201
    assert response.json() == post(product).json()
    assert widget_feedback(world).count() == 1  # only the second, human post


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"text": "   "}, 400, "text"),
        ({"text": 42}, 400, "text"),
        ({"text": "x" * 10_001}, 413, "text"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"text": "nul \x00 here"}, 400, "text"),
    ],
)
def test_bad_fields_are_named(world, product, body, status, field):
    response = post(product, body=body)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]
    assert response["Access-Control-Allow-Origin"] == APP
    assert not widget_feedback(world).exists()


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("text=hi", "application/x-www-form-urlencoded", 415),
        ('{"text": "' + "x" * 70_000 + '"}', "application/json", 413),
    ],
)
def test_bad_bodies_get_a_clear_error(world, product, data, content_type, status):
    response = send(data, content_type=content_type)
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert not widget_feedback(world).exists()


def test_other_methods_are_405(product):
    assert Client(headers={"Origin": APP}).get(URL).status_code == 405


# -- floods ---------------------------------------------------------------------------------


def test_a_flood_from_one_ip_gets_429_and_keeps_every_accepted_post(world, product):
    codes = []
    # A fixed window may roll over once during the test: two allowances at most.
    for number in range(2 * limits.WIDGET_PER_IP.limit + 1):
        codes.append(post(product, body={"text": f"Post {number}"}).status_code)
        if codes[-1] == 429:
            break
    assert codes[-1] == 429 and set(codes[:-1]) == {201}
    flooded = post(product, body={"text": "One more"})
    assert flooded.status_code == 429
    assert 0 < int(flooded["Retry-After"]) <= limits.WIDGET_PER_IP.window_seconds
    assert flooded["Access-Control-Allow-Origin"] == APP
    assert "Retry-After" in flooded["Access-Control-Expose-Headers"]
    assert "your text is still in the form" in flooded.json()["error"]["message"]
    stored = set(widget_feedback(world).values_list("text", flat=True))
    accepted = {f"Post {n}\n\nPage: {APP}/board" for n in range(codes.count(201))}
    assert stored == accepted
    assert post(product, ip="10.0.0.2").status_code == 201  # another visitor is not blocked


def test_a_flood_on_one_key_from_many_ips_gets_429(world, product, monkeypatch):
    monkeypatch.setattr(limits, "WIDGET_PER_KEY", limits.Limit("widget-key", 3, 600))
    codes = [post(product, ip=f"10.0.1.{n}").status_code for n in range(8)]
    assert 429 in codes
    assert widget_feedback(world).count() == codes.count(201)


# -- the script -----------------------------------------------------------------------------


def test_the_script_is_small_and_loadable_from_other_origins():
    response = Client().get("/widget/v1/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert len(response.content) < 5 * 1024
    assert b"/widget/v1/feedback" in response.content
    assert Client().post("/widget/v1/widget.js").status_code == 405


# -- product settings -----------------------------------------------------------------------


def test_a_pm_sets_allowed_origins_and_sees_the_snippet(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/products/web/",
        {
            "name": "Web",
            "description": "",
            "allowed_origins": "HTTPS://App.Northwind.test:443/\n\nhttp://localhost:3000\n",
        },
    )
    assert response.status_code == 302
    world.product.refresh_from_db()
    assert world.product.allowed_origins == f"{APP}\nhttp://localhost:3000"
    page = client.get("/w/acme/products/web/").content.decode()
    assert world.product.write_key in page
    assert "http://testserver/widget/v1/widget.js" in page


def test_bad_origins_are_named_and_nothing_is_saved(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/products/web/",
        {"name": "Web", "allowed_origins": f"{APP}\nhttps://x.test/app\nftp://files.test"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "https://x.test/app" in content and "ftp://files.test" in content
    world.product.refresh_from_db()
    assert world.product.allowed_origins == ""


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://a.test", "https://a.test"),
        ("http://a.test:80\nhttp://A.test", "http://a.test"),
        ("http://127.0.0.1:8001/", "http://127.0.0.1:8001"),
        ("https://a.test:8443", "https://a.test:8443"),
        ("", ""),
    ],
)
def test_origins_are_normalized(raw, clean):
    assert catalog.clean_allowed_origins(raw) == clean


@pytest.mark.parametrize(
    "raw",
    ["a.test", "https://a.test/path", "https://*.a.test", "https://a.test?x=1", "javascript:x"],
)
def test_non_origins_are_refused(raw):
    with pytest.raises(Invalid) as caught:
        catalog.clean_allowed_origins(raw)
    assert "allowed_origins" in caught.value.fields


def test_the_api_reads_and_sets_allowed_origins(world):
    api = world["pm"].api()
    url = "/api/v1/workspaces/acme/products/web"
    response = api.patch(
        url,
        data={"allowed_origins": ["HTTPS://App.Northwind.test/", "http://localhost:3000"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["allowed_origins"] == [APP, "http://localhost:3000"]
    assert body["write_key"] == world.product.write_key
    bad = api.patch(
        url, data={"allowed_origins": ["ftp://files.test"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "allowed_origins" in bad.json()["error"]["fields"]
    assert api.get(url).json()["allowed_origins"] == [APP, "http://localhost:3000"]
