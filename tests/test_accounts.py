"""Sign-up, sign-in (with throttling), sign-out, password reset, session and CSRF."""

import re

import pytest
from django.test import Client

from lodestar.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"name": "Ada Park", "email": "Ada@Example.com", "password": "a-long-passphrase-9"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada Park" and user.password.startswith("md5$")  # test hasher
    assert client.get("/workspaces/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "taken@example.com", "password": "a-long-passphrase-9"}, "email", "exists"),
        ({"email": "new@example.com", "password": "short"}, "password", "too short"),
        ({"email": "new@example.com", "password": "password123"}, "password", "too common"),
        ({"email": "new@example.com", "password": "1234567890123"}, "password", "numeric"),
        ({"email": "not-an-email", "password": "a-long-passphrase-9"}, "email", "valid email"),
    ],
)
def test_sign_up_refuses_bad_input_and_creates_nothing(client, data, field, message):
    UserFactory(email="taken@example.com")
    before = User.objects.count()
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]).lower()
    assert User.objects.count() == before


def test_sign_in_and_out():
    user = UserFactory(email="sam@example.com")
    client = Client()
    response = client.post("/accounts/login/", {"email": "SAM@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/accounts/logout/").status_code == 405  # sign-out is a POST
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_so_without_saying_which_part(client):
    UserFactory(email="sam@example.com")
    response = client.post("/accounts/login/", {"email": "sam@example.com", "password": "nope"})
    assert response.status_code == 400
    assert b"do not match an account" in response.content


def test_repeated_failed_sign_ins_are_throttled(client):
    UserFactory(email="sam@example.com")
    for _ in range(10):
        client.post("/accounts/login/", {"email": "sam@example.com", "password": "wrong"})
    # Now even the right password is refused until the window passes.
    response = client.post("/accounts/login/", {"email": "sam@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    # Another account from another address is unaffected.
    UserFactory(email="kim@example.com")
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post(
            "/accounts/login/", {"email": "kim@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_next_parameter_cannot_redirect_off_site(client):
    UserFactory(email="sam@example.com")
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"email": "sam@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_reset_by_email(client, mailoutbox):
    UserFactory(email="sam@example.com")
    response = client.post("/accounts/password-reset/", {"email": "sam@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sam@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase-7", "new_password2": "brand-new-passphrase-7"},
    )
    assert done.status_code == 302
    assert Client().login(email="sam@example.com", password="brand-new-passphrase-7")
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_password_reset_for_unknown_email_reveals_nothing(client, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "ghost@example.com"})
    assert response.status_code == 302 and mailoutbox == []


def test_session_cookie_flags(client):
    UserFactory(email="sam@example.com")
    response = client.post("/accounts/login/", {"email": "sam@example.com", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # plain http on 127.0.0.1
    tls = Client().post(
        "/accounts/login/", {"email": "sam@example.com", "password": PASSWORD}, secure=True
    )
    assert tls.cookies["sessionid"]["secure"]


def test_forms_require_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/signup/", {"email": "x@example.com", "password": "p" * 12})
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.com").exists()


def test_password_reset_requests_are_rate_limited(client, mailoutbox):
    UserFactory(email="sam@example.com")
    for _ in range(3):
        assert (
            client.post("/accounts/password-reset/", {"email": "sam@example.com"}).status_code
            == 302
        )
    flood = client.post("/accounts/password-reset/", {"email": "sam@example.com"})
    assert flood.status_code == 429 and b"Too many attempts" in flood.content
    assert len(mailoutbox) == 3
