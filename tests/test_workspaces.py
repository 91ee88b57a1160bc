"""Workspaces, members and roles, invitations, products, teams, tokens, activity."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.activity.models import Entry
from lodestar.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from lodestar.workspaces import services
from lodestar.workspaces.models import Invitation, Membership, Product, Role, Team, Workspace
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# -- workspaces ---------------------------------------------------------------------------


def test_create_workspace_makes_the_creator_owner_and_logs_it():
    user = UserFactory()
    workspace = services.workspace_create(
        user=user, name="Northwind", slug="northwind", currency="eur", time_zone="Europe/Berlin"
    )
    assert workspace.currency == "EUR"
    assert Membership.objects.get(workspace=workspace, user=user).role == Role.OWNER
    entry = Entry.objects.get(workspace=workspace)
    assert (entry.actor, entry.verb, entry.target_type) == (user, "created", "workspace")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"slug": "No Spaces"}, "slug"),
        ({"slug": "-edge"}, "slug"),
        ({"slug": "ab"}, "slug"),
        ({"currency": "XXX"}, "currency"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": ""}, "name"),
    ],
)
def test_create_workspace_validates(kwargs, field):
    data = {"name": "Northwind", "slug": "northwind", "currency": "USD", "time_zone": "UTC"}
    with pytest.raises(Invalid) as caught:
        services.workspace_create(user=UserFactory(), **(data | kwargs))
    assert field in caught.value.fields
    assert not Workspace.objects.exists()


def test_slug_must_be_free(world):
    with pytest.raises(Invalid) as caught:
        services.workspace_create(user=UserFactory(), name="Acme 2", slug="acme")
    assert "taken" in caught.value.fields["slug"][0]


def test_create_and_switch_workspaces_in_the_ui(world):
    client = world["pm"].client()
    response = client.post(
        "/workspaces/new/",
        {"name": "Side project", "slug": "side", "currency": "GBP", "time_zone": "Europe/London"},
    )
    assert response.status_code == 302 and response["Location"] == "/w/side/"
    listing = client.get("/workspaces/").content.decode()
    assert "Acme" in listing and "Side project" in listing
    page = client.get("/w/side/").content.decode()
    assert "Side project" in page and 'href="/w/acme/"' in page  # the switcher lists both


def test_rename_in_settings_records_what_changed(world):
    client = world["admin"].client()
    response = client.post("/w/acme/settings/", {"name": "Acme Corp", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    world.workspace.refresh_from_db()
    assert (world.workspace.name, world.workspace.time_zone) == ("Acme Corp", "Asia/Tokyo")
    entry = Entry.objects.filter(workspace=world.workspace, verb="updated").latest("pk")
    assert entry.changes == {"name": ["Acme", "Acme Corp"], "time_zone": ["UTC", "Asia/Tokyo"]}
    assert entry.actor == world["admin"].user


def test_settings_form_shows_field_errors(world):
    response = world["owner"].client().post("/w/acme/settings/", {"name": "", "time_zone": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "time_zone"}


def test_pages_show_times_in_the_workspace_time_zone(world):
    world.workspace.time_zone = "Asia/Kolkata"
    world.workspace.save()
    Entry.objects.filter(workspace=world.workspace).update(
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    )
    page = world["owner"].client().get("/w/acme/activity/").content.decode()
    assert "Mar 1, 17:30" in page  # UTC+5:30


# -- invitations --------------------------------------------------------------------------


def _invite(world, email="newbie@acme.test", role=Role.CONTRIBUTOR, mailoutbox=None):
    client = world["owner"].client()
    response = client.post("/w/acme/members/", {"email": email, "role": role})
    assert response.status_code == 302, response.content
    return Invitation.objects.get(email=email, accepted_at=None, revoked_at=None)


def _link(mailoutbox) -> str:
    return re.search(r"http://testserver(/invite/\S+/)", mailoutbox[-1].body).group(1)


def test_invitation_email_and_acceptance_by_a_new_person(world, mailoutbox):
    _invite(world, role=Role.STAKEHOLDER)
    assert mailoutbox[-1].to == ["newbie@acme.test"]
    assert "Acme" in mailoutbox[-1].subject
    link = _link(mailoutbox)
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and b"newbie@acme.test" in page.content
    response = visitor.post(link, {"name": "New Bie", "password": "a-long-passphrase-9"})
    assert response.status_code == 302 and response["Location"] == "/w/acme/"
    membership = Membership.objects.get(user__email="newbie@acme.test")
    assert membership.role == Role.STAKEHOLDER
    # Single use: the same link now answers 409 and creates nothing.
    again = Client().get(link)
    assert again.status_code == 409 and b"already been used" in again.content


def test_existing_user_accepts_with_one_click(world, mailoutbox):
    existing = UserFactory(email="known@acme.test")
    _invite(world, email="known@acme.test")
    client = Client()
    client.force_login(existing)
    assert client.post(_link(mailoutbox)).status_code == 302
    assert Membership.objects.filter(user=existing, workspace=world.workspace).exists()


def test_invitation_for_someone_else_is_refused(world, mailoutbox):
    _invite(world)
    intruder = Client()
    intruder.force_login(UserFactory(email="intruder@evil.test"))
    response = intruder.post(_link(mailoutbox))
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="intruder@evil.test").exists()


def test_expired_revoked_and_forged_invitations(world, mailoutbox):
    invitation = _invite(world)
    link = _link(mailoutbox)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    assert Client().get(link).status_code == 409
    assert b"expired" in Client().get(link).content
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(1), revoked_at=timezone.now()
    )
    assert b"withdrawn" in Client().get(link).content
    forged = link[:-3] + "xx/"
    assert Client().get(forged).status_code == 404


def test_invitation_accept_with_weak_password_creates_nothing(world, mailoutbox):
    _invite(world)
    response = Client().post(_link(mailoutbox), {"name": "N", "password": "123"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="newbie@acme.test").exists()
    assert Invitation.objects.get(email="newbie@acme.test").accepted_at is None


def test_invite_validation(world):
    owner = world["owner"].membership
    with pytest.raises(Invalid) as caught:
        services.invitation_create(
            workspace=world.workspace, actor_membership=owner, email="pm@acme.test", role="admin"
        )
    assert "already a member" in caught.value.fields["email"][0]
    with pytest.raises(Invalid) as caught:
        services.invitation_create(
            workspace=world.workspace, actor_membership=owner, email="x@y.test", role="boss"
        )
    assert "Unknown role" in caught.value.fields["role"][0]


def test_reinviting_replaces_the_pending_invitation(world):
    owner = world["owner"].membership
    first, _ = services.invitation_create(
        workspace=world.workspace, actor_membership=owner, email="x@y.test", role="contributor"
    )
    second, _ = services.invitation_create(
        workspace=world.workspace, actor_membership=owner, email="x@y.test", role="admin"
    )
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_pending


# -- roles and removal --------------------------------------------------------------------


def test_admin_cannot_grant_or_take_the_owner_role(world):
    admin = world["admin"].membership
    with pytest.raises(PermissionDenied):
        services.membership_set_role(
            membership=world["pm"].membership, actor_membership=admin, role=Role.OWNER
        )
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=world["owner"].membership, actor_membership=admin)
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            workspace=world.workspace, actor_membership=admin, email="o@x.test", role="owner"
        )


def test_the_last_owner_stays(world):
    owner = world["owner"].membership
    with pytest.raises(Conflict):
        services.membership_set_role(membership=owner, actor_membership=owner, role=Role.ADMIN)
    with pytest.raises(Conflict):
        services.membership_remove(membership=owner, actor_membership=owner)
    # With a second owner, the first may step down.
    services.membership_set_role(
        membership=world["admin"].membership, actor_membership=owner, role=Role.OWNER
    )
    services.membership_set_role(membership=owner, actor_membership=owner, role=Role.ADMIN)
    assert Membership.objects.get(pk=owner.pk).role == Role.ADMIN


def test_last_owner_conflict_is_shown_in_the_ui(world):
    client = world["owner"].client()
    key = world["owner"].membership.key
    response = client.post(f"/w/acme/members/{key}/role/", {"role": "admin"}, follow=True)
    assert b"at least one owner" in response.content
    assert Membership.objects.get(key=key).role == Role.OWNER


def test_change_role_in_the_ui(world):
    key = world["contributor"].membership.key
    world["admin"].client().post(f"/w/acme/members/{key}/role/", {"role": "product_owner"})
    assert Membership.objects.get(key=key).role == Role.PRODUCT_OWNER
    entry = Entry.objects.filter(verb="changed role").latest("pk")
    assert entry.changes == {"role": ["contributor", "product_owner"]}


def test_removed_member_loses_access_and_tokens(world):
    contributor = world["contributor"]
    api = contributor.api()
    assert api.get("/api/v1/workspaces/acme").status_code == 200
    response = world["owner"].client().post(f"/w/acme/members/{contributor.membership.key}/remove/")
    assert response.status_code == 302
    assert contributor.client().get("/w/acme/").status_code == 404
    assert api.get("/api/v1/workspaces/acme").status_code == 401
    assert Team.objects.get(pk=world.team.pk).members.count() == 0


# -- products and teams -------------------------------------------------------------------


def test_product_lifecycle(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/products/", {"key": "mobile", "name": "Mobile", "description": "iOS + Android"}
    )
    assert response.status_code == 302
    duplicate = client.post("/w/acme/products/", {"key": "mobile", "name": "Again"})
    assert duplicate.status_code == 400 and "key" in duplicate.context["form"].errors
    client.post("/w/acme/products/mobile/", {"name": "Mobile apps", "description": ""})
    assert Product.objects.get(workspace=world.workspace, key="mobile").name == "Mobile apps"
    wrong = client.post("/w/acme/products/mobile/delete/", {"confirm_key": "web"})
    assert wrong.status_code == 400
    assert Product.objects.filter(key="mobile").exists()
    client.post("/w/acme/products/mobile/delete/", {"confirm_key": "mobile"})
    assert not Product.objects.filter(key="mobile").exists()
    verbs = list(
        Entry.objects.filter(target_type="product", target_key="mobile")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "deleted"]


def test_product_keys_are_per_workspace(world):
    product = services.product_create(
        workspace=world.other, actor=world["outsider"].user, key="web", name="Their web"
    )
    assert product.key == world.product.key
    page = world["owner"].client().get("/w/acme/products/web/").content.decode()
    assert "Their web" not in page and world.product.name in page


def test_team_lifecycle_and_validation(world):
    client = world["po"].client()
    response = client.post(
        "/w/acme/teams/", {"name": "Growth", "capacity_points": "21", "cost_per_week": "14000.50"}
    )
    team = Team.objects.get(workspace=world.workspace, name="Growth")
    assert response["Location"] == f"/w/acme/teams/{team.key}/"
    assert team.capacity_points == 21 and str(team.cost_per_week) == "14000.50"
    for persona in ("contributor", "pm"):
        added = client.post(f"/w/acme/teams/{team.key}/members/", {"email": f"{persona}@acme.test"})
        assert added.status_code == 302
    assert {m.user.email for m in team.members.all()} == {"contributor@acme.test", "pm@acme.test"}
    bad = client.post("/w/acme/teams/", {"name": "Growth", "capacity_points": "-1"})
    assert bad.status_code == 400
    assert "capacity_points" in bad.context["form"].errors
    page = client.get(f"/w/acme/teams/{team.key}/").content.decode()
    assert "14,000.50 USD" in page
    # Saving the team's fields leaves its members alone.
    client.post(
        f"/w/acme/teams/{team.key}/",
        {"name": "Growth", "capacity_points": "24", "cost_per_week": "15000"},
    )
    team.refresh_from_db()
    assert team.capacity_points == 24 and team.members.count() == 2
    pm_key = world["pm"].membership.key
    client.post(f"/w/acme/teams/{team.key}/members/{pm_key}/remove/")
    assert [m.user.email for m in team.members.all()] == ["contributor@acme.test"]
    verbs = Entry.objects.filter(target_key=team.key).values_list("verb", flat=True)
    assert {"created", "added a member to", "updated", "removed a member from"} <= set(verbs)


def test_adding_a_team_member_needs_a_member_of_this_workspace(world):
    client = world["owner"].client()
    url = f"/w/acme/teams/{world.team.key}/members/"
    stranger = client.post(url, {"email": "outsider@other.test"})
    assert stranger.status_code == 400
    assert "not a member of this workspace" in stranger.context["member_form"].errors["email"][0]
    twice = client.post(url, {"email": "contributor@acme.test"})
    assert "already in the team" in twice.context["member_form"].errors["email"][0]
    assert world.team.members.count() == 1


def test_team_members_must_belong_to_the_workspace(world):
    stranger = Membership.objects.get(workspace=world.other)
    with pytest.raises(Invalid):
        services.team_create(
            workspace=world.workspace,
            actor=world["owner"].user,
            name="Mixed",
            member_keys=[stranger.key],
        )
    assert not Team.objects.filter(name="Mixed").exists()


def test_selectors_never_cross_workspaces(world):
    from lodestar.workspaces import selectors

    with pytest.raises(NotFound):
        selectors.team_get(workspace=world.workspace, key=world.other_team.key)
    with pytest.raises(NotFound):
        selectors.product_get(workspace=world.other, key=world.product.key)
    with pytest.raises(NotFound):
        selectors.member_get(workspace=world.other, key=world["contributor"].membership.key)


# -- tokens and activity ------------------------------------------------------------------


def test_token_is_shown_once_stored_hashed_and_revocable(world):
    client = world["stakeholder"].client()
    response = client.post("/w/acme/tokens/", {"name": "Board deck export"})
    secret = response.context["secret"]
    assert secret.startswith("lds_") and secret.encode() in response.content
    token = world["stakeholder"].user.api_tokens.get(name="Board deck export")
    assert secret not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/workspaces/acme").status_code == 200
    assert secret.encode() not in client.get("/w/acme/tokens/").content  # shown once
    client.post(f"/w/acme/tokens/{token.key}/revoke/")
    assert api.get("/api/v1/workspaces/acme").status_code == 401


def test_a_token_opens_only_its_workspace(world):
    outsider = world["outsider"]
    services.invitation_accept(
        token=services.invitation_create(
            workspace=world.workspace,
            actor_membership=world["owner"].membership,
            email=outsider.user.email,
            role="contributor",
        )[1],
        user=outsider.user,
    )
    # Now a member of both, but the token was made in `other`.
    assert outsider.api().get("/api/v1/workspaces/other").status_code == 200
    assert outsider.api().get("/api/v1/workspaces/acme").status_code == 404
    me = outsider.api().get("/api/v1/me").json()
    assert [w["slug"] for w in me["workspaces"]] == ["other"]


def test_activity_page_paginates_newest_first(world):
    for i in range(60):
        services.product_create(
            workspace=world.workspace, actor=world["pm"].user, key=f"p{i}", name=f"P {i}"
        )
    client = world["contributor"].client()
    first = client.get("/w/acme/activity/")
    entries = first.context["page"].items
    assert len(entries) == 50 and entries[0].target_label == "P 59"
    second = client.get(f"/w/acme/activity/?cursor={first.context['page'].next}")
    older = second.context["page"].items
    assert older[0].pk < entries[-1].pk
    assert client.get("/w/acme/activity/?cursor=!!!").status_code == 400


def test_stakeholder_sees_a_read_only_shell(world):
    page = world["stakeholder"].client().get("/w/acme/").content.decode()
    assert "/w/acme/members/" not in page and "/w/acme/settings/" not in page
    assert "Add your first product" not in page
    assert world["stakeholder"].client().get("/w/acme/members/").status_code == 403


# -- search -------------------------------------------------------------------------------


def test_search_finds_products_teams_and_people_in_this_workspace_only(world):
    services.product_create(
        workspace=world.other, actor=world["outsider"].user, key="platform-x", name="Platform X"
    )
    page = world["owner"].client().get("/w/acme/search/?q=plat")
    titles = [title for title, _hits in page.context["results"]]
    assert titles == ["Teams"]  # acme's team "Platform"; other's product is not acme's
    people = world["owner"].client().get("/w/acme/search/?q=stakeholder@")
    assert [h.label for _t, hits in people.context["results"] for h in hits] == ["Stakeholder"]


def test_search_respects_the_role_and_needs_two_characters(world):
    stakeholder = world["stakeholder"].client()
    assert stakeholder.get("/w/acme/search/?q=platform").context["results"] == []  # no teams
    assert stakeholder.get("/w/acme/search/?q=web").context["results"][0][0] == "Products"
    short = world["owner"].client().get("/w/acme/search/?q=w")
    assert short.context["results"] == [] and b"at least 2 characters" in short.content


def test_a_team_with_releases_cannot_be_deleted_but_its_workspace_can(world):
    from lodestar.planning.models import Release
    from lodestar.workspaces.models import Team, Workspace

    team = world.release.team
    response = world["owner"].client().post(f"/w/acme/teams/{team.key}/delete/")
    assert response.status_code == 409
    assert "delivers 1 release: give them to another team first." in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
    Workspace.objects.filter(pk=world.workspace.pk).delete()
    assert not Release.objects.filter(pk=world.release.pk).exists()
