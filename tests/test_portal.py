"""The public ideas portal, as a visitor uses it: /p/<slug>/ with its emailed sign-in links,
votes, comments, the abuse guards, and the private and switched-off cases."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lodestar.activity.models import Entry
from lodestar.feedback import portal_visitors
from lodestar.feedback.models import Comment, Idea, Vote
from lodestar.feedback.portal_services import idea_set_hidden, portal_update

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/p/[^\s]+/sign-in/[^\s]+/)")


def _link(mailoutbox, email: str) -> str:
    messages = [m for m in mailoutbox if m.to == [email]]
    assert messages, [m.to for m in mailoutbox]
    match = LINK.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(1)


def _verified(client: Client, mailoutbox, email: str, slug: str = "acme") -> Client:
    client.post(f"/p/{slug}/sign-in/", {"email": email})
    response = client.get(_link(mailoutbox, email))
    assert response.status_code == 302
    return client


def test_the_public_portal_lists_ideas_with_votes(world):
    response = Client().get("/p/acme/")
    assert response.status_code == 200
    assert b"Show the dispatch board on the shop TV" in response.content
    page = Client().get(f"/p/acme/ideas/{world.idea.key}/")
    assert page.status_code == 200
    assert b"We would use it every morning." in page.content
    assert b"<strong>whole crew</strong>" in page.content  # markdown rendered


def test_a_switched_off_portal_is_not_found(world):
    assert Client().get("/p/other/").status_code == 404  # never switched on
    portal_update(workspace=world.workspace, actor=world["owner"].user, enabled=False, public=True)
    for url in ("/p/acme/", f"/p/acme/ideas/{world.idea.key}/", "/p/acme/new/"):
        assert Client().get(url).status_code == 404, url
    response = Client().post(f"/p/acme/ideas/{world.idea.key}/vote/", {"email": "a@b.test"})
    assert response.status_code == 404
    assert Client().get("/p/no-such-portal/").status_code == 404


def test_a_visitor_submits_confirms_by_link_and_the_idea_appears(world, mailoutbox):
    visitor = Client()
    response = visitor.post(
        "/p/acme/new/",
        {
            "title": "Let techs see the gate code offline",
            "body": "Rural sites.",
            "email": "Sam@Farm.test",
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get(title="Let techs see the gate code offline")
    assert idea.author_email == "sam@farm.test" and not idea.confirmed
    assert b"gate code" not in Client().get("/p/acme/").content  # not until confirmed
    assert visitor.get(f"/p/acme/ideas/{idea.key}/").status_code == 404
    [mail] = mailoutbox
    assert mail.to == ["sam@farm.test"] and "Let techs see the gate code offline" in mail.body
    response = visitor.get(_link(mailoutbox, "sam@farm.test"))
    assert response.status_code == 302 and response["Location"] == f"/p/acme/ideas/{idea.key}/"
    idea.refresh_from_db()
    assert idea.confirmed
    assert b"gate code" in Client().get("/p/acme/").content
    page = visitor.get("/p/acme/")
    assert b"Signed in as sam@farm.test" in page.content
    assert Entry.objects.filter(target_type="idea", target_key=idea.key).count() == 2


def test_a_verified_visitor_posts_at_once(world, mailoutbox):
    visitor = _verified(Client(), mailoutbox, "sam@farm.test")
    response = visitor.post("/p/acme/new/", {"title": "Dark mode for the dispatch board"})
    idea = Idea.objects.get(title="Dark mode for the dispatch board")
    assert idea.confirmed and response["Location"] == f"/p/acme/ideas/{idea.key}/"
    assert len(mailoutbox) == 1  # the sign-in link only


def test_an_empty_or_oversized_idea_is_refused_with_the_text_kept(world):
    response = Client().post("/p/acme/new/", {"title": "", "email": "a@b.test"})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    response = Client().post(
        "/p/acme/new/", {"title": "Huge", "body": "x" * 10_001, "email": "a@b.test"}
    )
    assert response.status_code == 400 and b"at most 10000" in response.content
    response = Client().post("/p/acme/new/", {"title": "Good idea", "email": "not-an-email"})
    assert response.status_code == 400 and b"Good idea" in response.content
    assert not Idea.objects.filter(title__in=["Huge", "Good idea"]).exists()


def test_an_unverified_vote_waits_for_the_link_then_counts_once(world, mailoutbox):
    visitor = Client()
    url = f"/p/acme/ideas/{world.idea.key}/vote/"
    response = visitor.post(url, {"email": "pat@fleet.test"}, follow=True)
    assert b"we sent you a link at pat@fleet.test" in response.content
    assert not Vote.objects.filter(email="pat@fleet.test").exists()
    visitor.get(_link(mailoutbox, "pat@fleet.test"))
    world.idea.refresh_from_db()
    assert world.idea.vote_count == 1
    assert Vote.objects.filter(idea=world.idea, email="pat@fleet.test").count() == 1
    # Verified now: a second vote is refused, and the count does not move.
    again = visitor.post(url, {})
    assert again.status_code == 409
    assert b"already voted" in again.content
    world.idea.refresh_from_db()
    assert world.idea.vote_count == 1
    # The same link opened twice does not vote twice either.
    visitor.get(_link(mailoutbox, "pat@fleet.test"))
    assert Vote.objects.filter(idea=world.idea).count() == 1


def test_a_verified_visitor_votes_from_the_list(world, mailoutbox):
    visitor = _verified(Client(), mailoutbox, "pat@fleet.test")
    listing = visitor.get("/p/acme/")
    assert b"Vote for Show the dispatch board" in listing.content
    response = visitor.post(f"/p/acme/ideas/{world.idea.key}/vote/", {"back": "list"})
    assert response.status_code == 302 and response["Location"] == "/p/acme/"
    listing = visitor.get("/p/acme/")
    assert b"Voted" in listing.content
    assert Vote.objects.get(email="pat@fleet.test").proxy is False


def test_a_vote_is_tied_to_the_known_person_and_company(world, mailoutbox):
    visitor = _verified(Client(), mailoutbox, "nora@northwind.test")
    visitor.post(f"/p/acme/ideas/{world.idea.key}/vote/", {})
    vote = Vote.objects.get(email="nora@northwind.test")
    assert vote.person == world.person and vote.company == world.company
    stranger = _verified(Client(), mailoutbox, "new.face@northwind.test")
    stranger.post(f"/p/acme/ideas/{world.idea.key}/vote/", {})
    assert Vote.objects.get(email="new.face@northwind.test").company == world.company


def test_comments_from_unverified_visitors_wait_for_the_link(world, mailoutbox):
    visitor = Client()
    url = f"/p/acme/ideas/{world.idea.key}/"
    response = visitor.post(
        url, {"body": "Yes please, for the *night* shift.", "email": "ann@x.test"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(author_email="ann@x.test")
    assert not comment.confirmed
    assert b"night" not in Client().get(url).content
    visitor.get(_link(mailoutbox, "ann@x.test"))
    comment.refresh_from_db()
    assert comment.confirmed
    assert b"<em>night</em>" in Client().get(url).content
    # Verified: the next one is posted at once.
    visitor.post(url, {"body": "Also weekends."})
    assert Comment.objects.get(body="Also weekends.").confirmed


def test_the_honeypot_stops_bots_on_every_form(world, mailoutbox):
    bot = Client()
    forms = [
        ("/p/acme/new/", {"title": "Buy cheap watches", "email": "bot@spam.test"}),
        (f"/p/acme/ideas/{world.idea.key}/", {"body": "Cheap watches", "email": "bot@spam.test"}),
        (f"/p/acme/ideas/{world.idea.key}/vote/", {"email": "bot@spam.test"}),
        ("/p/acme/sign-in/", {"email": "bot@spam.test"}),
    ]
    for url, data in forms:
        response = bot.post(url, {**data, "homepage": "http://spam.test"})
        assert response.status_code == 400, url
        assert b"looked automated" in response.content
    assert not Idea.objects.filter(title="Buy cheap watches").exists()
    assert not Comment.objects.filter(body="Cheap watches").exists()
    assert mailoutbox == []


def test_sign_in_links_are_rate_limited_per_email_and_per_address(world, mailoutbox):
    for _ in range(3):
        assert Client().post("/p/acme/sign-in/", {"email": "flood@x.test"}).status_code == 302
    response = Client().post("/p/acme/sign-in/", {"email": "flood@x.test"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert len(mailoutbox) == 3
    per_ip = portal_visitors.LIMITS["link"][0].limit
    for i in range(per_ip):
        response = Client(REMOTE_ADDR="203.0.113.9").post(
            "/p/acme/sign-in/", {"email": f"p{i}@x.test"}
        )
        assert response.status_code == 302, i
    response = Client(REMOTE_ADDR="203.0.113.9").post("/p/acme/sign-in/", {"email": "q@x.test"})
    assert response.status_code == 429
    assert Client().post("/p/acme/sign-in/", {"email": "q@x.test"}).status_code == 302


def test_ideas_are_rate_limited_per_email_and_the_text_is_kept(world, mailoutbox):
    limit = portal_visitors.LIMITS["idea"][1].limit
    visitor = _verified(Client(), mailoutbox, "busy@x.test")
    for i in range(limit):
        response = visitor.post("/p/acme/new/", {"title": f"Idea number {i}"})
        assert response.status_code == 302, i
    response = visitor.post("/p/acme/new/", {"title": "One idea too many"})
    assert response.status_code == 429
    assert b"One idea too many" in response.content  # the form keeps what they wrote
    assert not Idea.objects.filter(title="One idea too many").exists()
    other = _verified(Client(), mailoutbox, "calm@x.test")
    assert other.post("/p/acme/new/", {"title": "From someone else"}).status_code == 302


def test_votes_are_rate_limited_per_email(world, mailoutbox):
    limit = portal_visitors.LIMITS["vote"][1].limit
    visitor = _verified(Client(), mailoutbox, "eager@x.test")
    for i in range(limit):
        idea = Idea.objects.create(workspace=world.workspace, title=f"Idea {i}")
        assert visitor.post(f"/p/acme/ideas/{idea.key}/vote/", {}).status_code == 302
    idea = Idea.objects.create(workspace=world.workspace, title="One more")
    assert visitor.post(f"/p/acme/ideas/{idea.key}/vote/", {}).status_code == 429
    assert not Vote.objects.filter(idea=idea).exists()


def test_a_private_portal_shows_nothing_until_a_known_customer_signs_in(world, mailoutbox):
    portal_update(workspace=world.workspace, actor=world["owner"].user, enabled=True, public=False)
    visitor = Client()
    for url in ("/p/acme/", f"/p/acme/ideas/{world.idea.key}/", "/p/acme/new/"):
        response = visitor.get(url)
        assert response.status_code == 302 and "/p/acme/sign-in/" in response["Location"], url
    assert (
        visitor.post(f"/p/acme/ideas/{world.idea.key}/vote/", {"email": "x@y.test"}).status_code
        == 302
    )
    assert not Vote.objects.exists()
    page = visitor.get("/p/acme/sign-in/")
    assert page.status_code == 200 and b"dispatch board" not in page.content
    # A stranger is told the same thing, and gets no email.
    stranger = visitor.post("/p/acme/sign-in/", {"email": "stranger@nowhere.test"}, follow=True)
    assert b"If stranger@nowhere.test may use this portal" in stranger.content
    assert mailoutbox == []
    # A person of a known company does.
    visitor.post("/p/acme/sign-in/", {"email": "nora@northwind.test"})
    visitor.get(_link(mailoutbox, "nora@northwind.test"))
    assert b"Show the dispatch board" in visitor.get("/p/acme/").content


def test_a_member_signed_in_to_lodestar_counts_as_verified(world):
    member = world["contributor"].client()
    assert b"Signed in as contributor@acme.test" in member.get("/p/acme/").content
    member.post(f"/p/acme/ideas/{world.idea.key}/vote/", {})
    assert Vote.objects.filter(email="contributor@acme.test").exists()
    outsider = world["outsider"].client()  # a member elsewhere is an ordinary visitor here
    assert b"Signed in as" not in outsider.get("/p/acme/").content


def test_bad_forged_expired_or_foreign_links_are_refused(world, mailoutbox, monkeypatch):
    assert Client().get("/p/acme/sign-in/nonsense/").status_code == 400
    portal_update(workspace=world.other, actor=world["outsider"].user, enabled=True, public=True)
    token = portal_visitors.link_token(workspace=world.other, email="sam@farm.test")
    response = Client().get(f"/p/acme/sign-in/{token}/")
    assert response.status_code == 400 and b"not valid or has expired" in response.content
    token = portal_visitors.link_token(workspace=world.workspace, email="sam@farm.test")
    monkeypatch.setattr(portal_visitors, "LINK_MAX_AGE", -1)
    assert Client().get(f"/p/acme/sign-in/{token}/").status_code == 400


def test_another_workspaces_idea_key_is_not_found(world, mailoutbox):
    portal_update(workspace=world.other, actor=world["outsider"].user, enabled=True, public=True)
    visitor = _verified(Client(), mailoutbox, "sam@farm.test", slug="other")
    assert visitor.get(f"/p/other/ideas/{world.idea.key}/").status_code == 404
    assert visitor.post(f"/p/other/ideas/{world.idea.key}/vote/", {}).status_code == 404
    assert visitor.post(f"/p/other/ideas/{world.idea.key}/", {"body": "Hi"}).status_code == 404
    assert not Vote.objects.exists()
    # Verified on `other` is not verified on `acme`.
    assert b"Signed in as" not in visitor.get("/p/acme/").content


def test_hidden_ideas_and_comments_leave_the_portal(world, mailoutbox):
    idea_set_hidden(idea=world.idea, actor=world["pm"].user, hidden=True)
    assert b"shop TV" not in Client().get("/p/acme/").content
    assert Client().get(f"/p/acme/ideas/{world.idea.key}/").status_code == 404
    assert Client().post(f"/p/acme/ideas/{world.idea.key}/vote/", {}).status_code == 404
    idea_set_hidden(idea=world.idea, actor=world["pm"].user, hidden=False)
    assert b"shop TV" in Client().get("/p/acme/").content


def test_markdown_is_sanitized(world, mailoutbox):
    visitor = _verified(Client(), mailoutbox, "eve@x.test")
    body = (
        "Hello <script>alert('x')</script> [click](javascript:alert(1)) "
        '<img src=x onerror="alert(2)">\n\n**bold**'
    )
    visitor.post("/p/acme/new/", {"title": "Harmless", "body": body})
    idea = Idea.objects.get(title="Harmless")
    html = Client().get(f"/p/acme/ideas/{idea.key}/").content.decode()
    assert "<script" not in html, html[html.index("<script") - 200 :][:400]
    assert 'href="javascript' not in html and "<img" not in html
    assert "&lt;script&gt;alert" in html and "<strong>bold</strong>" in html
    visitor.post(f"/p/acme/ideas/{idea.key}/", {"body": "<script>alert(3)</script>"})
    assert "<script" not in Client().get(f"/p/acme/ideas/{idea.key}/").content.decode()


def test_search_filter_and_sort(world, mailoutbox):
    for title, votes in (("Offline photo sync", 3), ("Spanish technician app", 1)):
        idea = Idea.objects.create(workspace=world.workspace, title=title)
        for i in range(votes):
            Vote.objects.create(idea=idea, email=f"v{i}@x.test")
        Idea.objects.filter(pk=idea.pk).update(vote_count=votes)
    Idea.objects.filter(title="Spanish technician app").update(status="planned")
    page = Client().get("/p/acme/?q=photo").content.decode()
    assert "Offline photo sync" in page and "Spanish" not in page
    page = Client().get("/p/acme/?status=planned").content.decode()
    assert "Spanish technician app" in page and "Offline photo" not in page
    page = Client().get("/p/acme/?sort=votes").content.decode()
    assert page.index("Offline photo sync") < page.index("Spanish technician app")
    page = Client().get("/p/acme/?sort=newest").content.decode()
    assert page.index("Spanish technician app") < page.index("Offline photo sync")
    assert Client().get("/p/acme/?sort=bogus&status=nope").status_code == 200
    assert Client().get("/p/acme/?cursor=garbage").status_code == 400


def test_signing_out_forgets_the_email(world, mailoutbox):
    visitor = _verified(Client(), mailoutbox, "sam@farm.test")
    assert b"Signed in as sam@farm.test" in visitor.get("/p/acme/").content
    visitor.post("/p/acme/sign-out/")
    assert b"Signed in as" not in visitor.get("/p/acme/").content


def test_a_portal_turned_private_forgets_strangers_signed_in_before(world, mailoutbox):
    stranger = _verified(Client(), mailoutbox, "stranger@nowhere.test")
    customer = _verified(Client(), mailoutbox, "nora@northwind.test")
    portal_update(workspace=world.workspace, actor=world["owner"].user, enabled=True, public=False)
    assert stranger.get("/p/acme/").status_code == 302
    assert customer.get("/p/acme/").status_code == 200
