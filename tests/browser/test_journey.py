"""The first-run journey through the UI only: sign up, create a workspace and a product,
invite a member, accept the invitation in a second browser context, see the role's view."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from lodestar.workspaces.models import Role
from tests.browser.a11y import assert_accessible

OWNER_PASSWORD = "correct-horse-battery-owner"
GUEST_PASSWORD = "correct-horse-battery-guest"
INVITE_LINK = re.compile(r"https?://\S+/invite/[^/\s]+/")


def nav(page: Page):
    return page.get_by_role("navigation", name="Workspace")


def sign_up(page: Page, *, name: str, email: str, password: str) -> None:
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome to Lodestar.")).to_be_visible()


def create_workspace(page: Page, *, name: str, slug: str) -> None:
    # A new account has no workspace yet: the list offers to create one.
    expect(page.get_by_role("heading", name="No workspace yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Create a workspace").click()
    expect(page).to_have_url(re.compile(r"/workspaces/new/$"))
    page.get_by_label("Workspace name").fill(name)
    page.get_by_label("Address").fill(slug)
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Create workspace").click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/$"))
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.get_by_text("You are owner · EUR · Europe/Berlin")).to_be_visible()


def add_product(page: Page, *, key: str, name: str) -> None:
    page.get_by_role("link", name="Add your first product").click()
    expect(page.get_by_role("heading", name="Add a product")).to_be_visible()
    page.get_by_label("Key").fill(key)
    page.get_by_label(re.compile(r"^Name")).fill(name)
    page.get_by_label("Description").fill("What customers use every day.")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_text(f"{name} ({key}) was added.")).to_be_visible()
    expect(page.get_by_role("list").get_by_role("link", name=name)).to_be_visible()


def invite(page: Page, *, email: str, role_label: str) -> None:
    nav(page).get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Invite someone")).to_be_visible()
    form = page.locator("section", has=page.get_by_role("heading", name="Invite someone"))
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Role").select_option(label=role_label)
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    pending = page.locator("li.invitation", has_text=email)
    expect(pending).to_contain_text(f"as {role_label.lower()}")
    expect(pending.locator("input.copy")).to_have_value(re.compile(r"/invite/"))


def accept_link(mailoutbox, email: str) -> str:
    messages = [m for m in mailoutbox if m.to == [email]]
    assert len(messages) == 1, [m.to for m in mailoutbox]
    match = INVITE_LINK.search(messages[0].body)
    assert match, messages[0].body
    return match.group(0)


def join(page: Page, link: str, *, workspace: str, email: str, name: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=f"Join {workspace}")).to_be_visible()
    email_field = page.get_by_label("Email")
    expect(email_field).to_have_value(email)
    expect(email_field).to_be_disabled()
    assert_accessible(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(GUEST_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_text(f"Welcome to {workspace}.")).to_be_visible()


def start_workspace_with_invitation(web, mailoutbox, *, role_label: str):
    """Owner signs up, creates `journey` with a product and invites sam; sam joins.
    Returns (owner_page, member_page)."""
    owner = web.page()
    sign_up(owner, name="Nora Owner", email="nora@journey.test", password=OWNER_PASSWORD)
    create_workspace(owner, name="Journey Co", slug="journey")
    add_product(owner, key="app", name="Customer app")
    invite(owner, email="sam@journey.test", role_label=role_label)

    link = accept_link(mailoutbox, "sam@journey.test")
    assert link.startswith(web.base_url + "/invite/"), link
    member = web.page()  # a second browser context: its own cookies, nobody signed in
    join(member, link, workspace="Journey Co", email="sam@journey.test", name="Sam Guest")
    expect(member).to_have_url(re.compile(r"/w/journey/$"))
    return owner, member


def test_sign_up_create_workspace_invite_and_join_as_stakeholder(web, mailoutbox):
    owner, member = start_workspace_with_invitation(web, mailoutbox, role_label="Stakeholder")

    # The stakeholder's view: the overview and products, no people or settings pages.
    expect(member.get_by_text("You are stakeholder")).to_be_visible()
    expect(member.get_by_role("link", name="Customer app")).to_be_visible()
    side = nav(member)
    expect(side.get_by_role("link", name="Overview")).to_be_visible()
    expect(side.get_by_role("link", name="Products")).to_be_visible()
    for hidden in ("Members", "Teams", "Activity", "Settings"):
        expect(side.get_by_role("link", name=hidden)).to_have_count(0)
    expect(member.get_by_role("heading", name="People")).to_have_count(0)

    member.goto("/w/journey/products/")
    expect(member.get_by_role("link", name="Customer app")).to_be_visible()
    expect(member.get_by_role("heading", name="Add a product")).to_have_count(0)

    for page in ("members", "teams", "activity", "settings"):
        response = member.goto(f"/w/journey/{page}/")
        assert response is not None and response.status == 403, page
        expect(member.get_by_role("heading", name="Not allowed")).to_be_visible()

    # Signing out and in again through the forms lands in the same view.
    member.goto("/w/journey/")
    member.locator("summary", has_text="Sam Guest").click()
    member.get_by_role("button", name="Sign out").click()
    expect(member.get_by_text("You are signed out.")).to_be_visible()
    member.locator("#id_email").fill("sam@journey.test")
    member.locator("#id_password").fill(GUEST_PASSWORD)
    member.get_by_role("button", name="Sign in").click()
    expect(member).to_have_url(re.compile(r"/w/journey/$"))
    expect(member.get_by_text("You are stakeholder")).to_be_visible()
    expect(nav(member).get_by_role("link", name="Members")).to_have_count(0)

    # The owner sees the new member with the role, and no pending invitation left.
    owner.reload()
    row = owner.get_by_role("row").filter(has_text="sam@journey.test")
    expect(row).to_contain_text("Sam Guest")
    expect(row.get_by_label("Role of sam@journey.test")).to_have_value(Role.STAKEHOLDER)
    expect(owner.get_by_text("No pending invitations.")).to_be_visible()
    expect(owner.get_by_role("heading", name="Members 2")).to_be_visible()


def test_owner_changes_member_role_and_member_sees_new_view(web, mailoutbox):
    owner, member = start_workspace_with_invitation(web, mailoutbox, role_label="Contributor")

    # As contributor: members and teams are visible, but not settings nor the product form.
    side = nav(member)
    expect(side.get_by_role("link", name="Members")).to_be_visible()
    expect(side.get_by_role("link", name="Settings")).to_have_count(0)
    member.goto("/w/journey/products/")
    expect(member.get_by_role("heading", name="Add a product")).to_have_count(0)
    member.goto("/w/journey/members/")
    expect(member.get_by_role("heading", name="Invite someone")).to_have_count(0)

    owner.reload()
    row = owner.get_by_role("row").filter(has_text="sam@journey.test")
    row.get_by_label("Role of sam@journey.test").select_option(label="Admin")
    row.get_by_role("button", name="Change").click()
    expect(owner.get_by_text("Sam Guest is now Admin.")).to_be_visible()

    member.reload()
    expect(member.get_by_role("heading", name="Invite someone")).to_be_visible()
    expect(nav(member).get_by_role("link", name="Settings")).to_be_visible()
    member.goto("/w/journey/products/")
    expect(member.get_by_role("heading", name="Add a product")).to_be_visible()

    # And down to stakeholder: the member pages close.
    owner.reload()
    row = owner.get_by_role("row").filter(has_text="sam@journey.test")
    row.get_by_label("Role of sam@journey.test").select_option(label="Stakeholder")
    row.get_by_role("button", name="Change").click()
    expect(owner.get_by_text("Sam Guest is now Stakeholder.")).to_be_visible()

    member.goto("/w/journey/")
    expect(member.get_by_text("You are stakeholder")).to_be_visible()
    expect(nav(member).get_by_role("link", name="Members")).to_have_count(0)
    response = member.goto("/w/journey/members/")
    assert response is not None and response.status == 403
    expect(member.get_by_role("heading", name="Not allowed")).to_be_visible()
