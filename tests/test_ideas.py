"""The team's side of the ideas portal: proxy votes, moderation (status with emails, feature
link, merge, hide), portal settings, and ideas on the company and feature pages."""

from __future__ import annotations

import pytest
from django.test import Client

from lodestar.activity.models import Entry
from lodestar.feedback.models import Comment, Idea, Vote
from lodestar.feedback.portal_services import idea_submit, vote_cast

pytestmark = pytest.mark.django_db


def _idea(world, title: str, *voters: str, author: str = "") -> Idea:
    idea = idea_submit(
        workspace=world.workspace, title=title, email=author or "author@x.test", confirmed=True
    )
    for email in voters:
        vote_cast(idea=idea, email=email)
    idea.refresh_from_db()
    return idea


def test_the_team_list_shows_ideas_with_votes(world):
    _idea(world, "Offline photo sync", "a@x.test", "b@x.test")
    page = world["contributor"].client().get("/w/acme/ideas/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Offline photo sync" in html and "Show the dispatch board on the shop TV" in html
    assert html.index("Offline photo sync") < html.index("shop TV")  # most votes first
    assert world["stakeholder"].client().get("/w/acme/ideas/").status_code == 403


def test_a_member_adds_an_idea_for_a_customer(world):
    client = world["contributor"].client()
    response = client.post(
        "/w/acme/ideas/",
        {"title": "Route around low bridges", "customer_email": "nora@northwind.test"},
    )
    idea = Idea.objects.get(title="Route around low bridges")
    assert response["Location"] == f"/w/acme/ideas/{idea.key}/"
    assert idea.person == world.person and idea.company == world.company
    assert idea.submitted_by == world["contributor"].membership and idea.confirmed
    bad = client.post("/w/acme/ideas/", {"title": "", "customer_email": "nope"})
    assert bad.status_code == 400


def test_proxy_votes_name_the_customer_and_count_once(world):
    client = world["contributor"].client()
    url = f"/w/acme/ideas/{world.idea.key}/vote/"
    assert client.post(url, {"person_email": "nora@northwind.test"}).status_code == 302
    vote = Vote.objects.get(idea=world.idea)
    assert vote.proxy and vote.proxy_by == world["contributor"].membership
    assert vote.person == world.person and vote.company == world.company
    again = client.post(url, {"person_email": "nora@northwind.test"})
    assert again.status_code == 409 and b"already voted" in again.content
    # A company without a named person, once.
    assert client.post(url, {"company_domain": "northwind.test"}).status_code == 302
    assert client.post(url, {"company_domain": "northwind.test"}).status_code == 409
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"company_domain": "nowhere.test"}).status_code == 400
    world.idea.refresh_from_db()
    assert world.idea.vote_count == 2
    # The visitor herself then votes: refused, she is counted already.
    with pytest.raises(Exception, match="already voted"):
        vote_cast(idea=world.idea, email="nora@northwind.test")
    assert Entry.objects.filter(verb="voted on behalf of a customer for").count() == 2


def test_merging_moves_votes_without_double_counting(world):
    duplicate = _idea(world, "Photos vanish offline", "a@x.test", "b@x.test", author="d@x.test")
    original = _idea(world, "Offline photo sync", "b@x.test", "c@x.test")
    Comment.objects.create(idea=duplicate, body="Same here", author_email="a@x.test")
    pm = world["pm"].client()
    response = pm.post(f"/w/acme/ideas/{duplicate.key}/merge/", {"into": original.key})
    assert response["Location"] == f"/w/acme/ideas/{original.key}/"
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == original and duplicate.vote_count == 0
    assert original.vote_count == 3
    assert sorted(Vote.objects.filter(idea=original).values_list("email", flat=True)) == [
        "a@x.test",
        "b@x.test",
        "c@x.test",
    ]
    assert Comment.objects.get(body="Same here").idea == original
    # The portal sends the duplicate's visitors to the original; lists show it once.
    assert (
        Client()
        .get(f"/p/acme/ideas/{duplicate.key}/")["Location"]
        .endswith(f"/p/acme/ideas/{original.key}/")
    )
    assert b"Photos vanish offline" not in Client().get("/p/acme/").content
    assert Entry.objects.filter(verb="merged", target_key=duplicate.key).exists()


def test_merge_by_title_and_its_refusals(world):
    first = _idea(world, "Dark mode")
    second = _idea(world, "Night theme")
    pm = world["pm"].client()
    assert pm.post(f"/w/acme/ideas/{second.key}/merge/", {"into": "dark MODE"}).status_code == 302
    refused = pm.post(f"/w/acme/ideas/{first.key}/merge/", {"into": first.key})
    assert refused.status_code == 400 and b"cannot be merged into itself" in refused.content
    assert pm.post(f"/w/acme/ideas/{first.key}/merge/", {"into": "Nothing"}).status_code == 400
    # Into an idea that was merged away: refused, no chains.
    assert pm.post(f"/w/acme/ideas/{first.key}/merge/", {"into": second.key}).status_code == 400
    assert (
        world["contributor"]
        .client()
        .post(f"/w/acme/ideas/{first.key}/merge/", {"into": "Night theme"})
        .status_code
        == 403
    )


def test_a_status_change_emails_everyone_who_asked_once(world, mailoutbox):
    idea = _idea(
        world, "Offline photo sync", "a@x.test", "B@x.test", "author@x.test", author="author@x.test"
    )
    duplicate = _idea(world, "Photos vanish", "a@x.test", author="dup@x.test")
    pm = world["pm"].client()
    pm.post(f"/w/acme/ideas/{duplicate.key}/merge/", {"into": idea.key})
    mailoutbox.clear()
    response = pm.post(f"/w/acme/ideas/{idea.key}/status/", {"status": "planned"}, follow=True)
    assert b"4 customers emailed" in response.content
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@x.test",
        "author@x.test",
        "b@x.test",
        "dup@x.test",
    ]
    mail = mailoutbox[0]
    assert "is now planned" in mail.subject and "Offline photo sync" in mail.body
    assert f"http://testserver/p/acme/ideas/{idea.key}/" in mail.body
    # The same status again: nothing changes, nobody is emailed twice.
    mailoutbox.clear()
    pm.post(f"/w/acme/ideas/{idea.key}/status/", {"status": "planned"})
    assert mailoutbox == []


def test_declining_needs_a_reason_that_customers_read(world, mailoutbox):
    idea = _idea(world, "Fax invoices", "a@x.test")
    pm = world["pm"].client()
    url = f"/w/acme/ideas/{idea.key}/status/"
    refused = pm.post(url, {"status": "declined"})
    assert refused.status_code == 400 and b"Say why it was declined" in refused.content
    assert mailoutbox == []
    pm.post(url, {"status": "declined", "declined_reason": "Email invoices reach 99% of them."})
    idea.refresh_from_db()
    assert idea.status == "declined" and idea.declined_reason.startswith("Email invoices")
    assert all("Email invoices reach 99%" in m.body for m in mailoutbox) and len(mailoutbox) == 2
    assert b"Why we declined it" in Client().get(f"/p/acme/ideas/{idea.key}/").content
    entry = Entry.objects.filter(target_key=idea.key, verb="updated").latest("pk")
    assert entry.changes["status"] == ["open", "declined"]
    assert world["contributor"].client().post(url, {"status": "shipped"}).status_code == 403


def test_link_an_idea_to_a_feature(world):
    pm = world["pm"].client()
    url = f"/w/acme/ideas/{world.idea.key}/feature/"
    assert pm.post(url, {"feature_title": world.feature.title.upper()}).status_code == 302
    world.idea.refresh_from_db()
    assert world.idea.feature == world.feature
    vote_cast(idea=world.idea, email="fan@x.test")
    feature_page = pm.get(f"/w/acme/features/{world.feature.key}/").content.decode()
    assert "Portal ideas" in feature_page and "shop TV" in feature_page
    assert pm.post(url, {"feature_title": "No such feature"}).status_code == 400
    assert pm.post(url, {"feature_title": ""}).status_code == 302
    world.idea.refresh_from_db()
    assert world.idea.feature is None


def test_hide_and_unhide_ideas_and_comments(world):
    pm = world["pm"].client()
    pm.post(f"/w/acme/ideas/{world.idea.key}/hide/", {"hidden": "1"})
    world.idea.refresh_from_db()
    assert world.idea.hidden
    assert Client().get(f"/p/acme/ideas/{world.idea.key}/").status_code == 404
    assert b"shop TV" in pm.get("/w/acme/ideas/").content  # moderators still see it
    assert b"shop TV" not in world["contributor"].client().get("/w/acme/ideas/").content
    assert world["contributor"].client().get(f"/w/acme/ideas/{world.idea.key}/").status_code == 404
    pm.post(f"/w/acme/ideas/{world.idea.key}/hide/", {"hidden": "0"})
    assert Client().get(f"/p/acme/ideas/{world.idea.key}/").status_code == 200
    assert pm.post(f"/w/acme/ideas/{world.idea.key}/hide/", {"hidden": "maybe"}).status_code == 400
    pm.post(f"/w/acme/idea-comments/{world.comment.key}/hide/", {"hidden": "1"})
    assert b"every morning" not in Client().get(f"/p/acme/ideas/{world.idea.key}/").content
    assert b"every morning" in pm.get(f"/w/acme/ideas/{world.idea.key}/").content
    pm.post(f"/w/acme/idea-comments/{world.comment.key}/hide/", {"hidden": "0"})
    assert b"every morning" in Client().get(f"/p/acme/ideas/{world.idea.key}/").content
    verbs = set(Entry.objects.filter(target_key=world.idea.key).values_list("verb", flat=True))
    assert {"updated", "hid a comment on", "unhid a comment on"} <= verbs


def test_a_member_comments_as_the_team(world):
    client = world["po"].client()
    client.post(f"/w/acme/ideas/{world.idea.key}/", {"body": "On the roadmap for **Q3**."})
    page = Client().get(f"/p/acme/ideas/{world.idea.key}/").content.decode()
    assert "<strong>Q3</strong>" in page and "Acme team" in page


def test_portal_settings_switch_it_on_off_and_private(world):
    pm = world["pm"].client()
    assert pm.get("/w/acme/ideas/portal/").status_code == 200
    assert world["po"].client().get("/w/acme/ideas/portal/").status_code == 403
    pm.post("/w/acme/ideas/portal/", {"visibility": "public", "welcome": "Hi"})  # off
    assert Client().get("/p/acme/").status_code == 404
    pm.post("/w/acme/ideas/portal/", {"enabled": "on", "visibility": "private", "welcome": "Hi"})
    assert Client().get("/p/acme/").status_code == 302
    pm.post(
        "/w/acme/ideas/portal/",
        {"enabled": "on", "visibility": "public", "welcome": "Tell us what **you** need."},
    )
    assert b"<strong>you</strong>" in Client().get("/p/acme/").content
    assert pm.post("/w/acme/ideas/portal/", {"visibility": "secret"}).status_code == 400
    entry = Entry.objects.filter(target_type="portal").latest("pk")
    assert entry.changes["public"] == [False, True]


def test_the_company_page_shows_its_ideas_and_votes(world):
    vote_cast(idea=world.idea, email="nora@northwind.test")
    page = world["pm"].client().get(f"/w/acme/customers/companies/{world.company.key}/")
    html = page.content.decode()
    assert "Ideas and votes" in html and "Ideas they posted" in html
    assert "Ideas they voted for" in html and "shop TV" in html
