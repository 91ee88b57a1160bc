"""The changelog: entries drafted from shipped features, publishing (emails to everyone who
asked, once), the portal's list, entry pages and Atom feed, and who may do what."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from lodestar.activity.models import Entry as ActivityEntry
from lodestar.core.errors import Invalid
from lodestar.customers.services import person_create
from lodestar.delivery import changelog_selectors as selectors
from lodestar.delivery import changelog_services as services
from lodestar.delivery.models import ChangelogEntry
from lodestar.feedback.portal_services import (
    idea_link_feature,
    idea_submit,
    portal_update,
    vote_cast,
)
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.planning.services import feature_create, feature_update

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _feature(world, title, *, shipped=True, description="", product_key="web"):
    pm = world["pm"].user
    feature = feature_create(
        workspace=world.workspace,
        actor=pm,
        title=title,
        description=description,
        product_key=product_key,
    )
    if shipped:
        feature_update(feature=feature, actor=pm, status="shipped")
    return feature


def _base(world) -> str:
    return f"/w/{world.workspace.slug}/ship/changelog/"


@pytest.fixture
def asked(world):
    """A shipped feature that people asked for: a portal idea (author nora, voters ann and
    bob, a duplicate by cy merged into it) and feedback from Nora and Dee via insights."""
    from lodestar.feedback.portal_services import idea_merge

    pm = world["pm"].user
    feature = _feature(
        world,
        "Route export",
        description="Export a day's routes to CSV. It opens in any spreadsheet.",
    )
    idea = world.idea  # posted for nora@northwind.test
    idea_link_feature(idea=idea, actor=pm, feature_title=feature.title)
    for email in ("ann@example.test", "bob@example.test", "NORA@northwind.test"):
        vote_cast(idea=idea, email=email)
    duplicate = idea_submit(
        workspace=world.workspace,
        title="CSV of routes",
        email="cy@example.test",
        confirmed=True,
    )
    idea_merge(idea=duplicate, actor=pm, into=idea)
    # An unconfirmed idea: its author never proved the address, so is not emailed.
    ghost = idea_submit(
        workspace=world.workspace, title="Routes out", email="ghost@example.test", confirmed=False
    )
    ghost.feature = feature
    ghost.save()
    person_create(workspace=world.workspace, actor=pm, name="Dee", email="dee@example.test")
    for email, text in (
        ("dee@example.test", "We need to export routes for the drivers."),
        ("nora@northwind.test", "Please let us export routes."),
    ):
        fb = feedback_create(
            workspace=world.workspace, actor=pm, text=text, person_email=email, product_key="web"
        )
        insight_link(feedback=fb, actor=pm, snippet="export routes", feature_key=feature.key)
    return feature


# -- drafting --------------------------------------------------------------------------------


def test_first_sentence():
    assert services.first_sentence("Fast. Really fast.") == "Fast."
    assert services.first_sentence("## Heading line\n\nBody. More.") == "Body."
    assert services.first_sentence("# Only a heading") == ""
    assert services.first_sentence("- one item! then more") == "one item!"
    assert services.first_sentence("") == ""
    assert services.first_sentence("v1.2 is out and 3.5x faster") == "v1.2 is out and 3.5x faster"
    assert len(services.first_sentence("word " * 200)) == services.SENTENCE_LIMIT


def test_candidates_are_shipped_features_in_no_entry(world):
    shipped = _feature(world, "Night mode")
    _feature(world, "Offline maps", shipped=False)
    in_entry = _feature(world, "Route export")
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[in_entry.key]
    )
    rows = selectors.candidates(workspace=world.workspace)
    assert [c.feature.title for c in rows] == ["Night mode"]
    assert rows[0].suggested and rows[0].feature == shipped
    everything = selectors.candidates(workspace=world.workspace, include_used=True)
    assert {c.feature.title for c in everything} == {"Night mode", "Route export"}
    assert [c.feature.title for c in everything if c.in_entry] == ["Route export"]
    assert entry.features.get() == in_entry


def test_only_features_shipped_since_the_last_published_entry_are_ticked(world):
    old = _feature(world, "Night mode")
    # It shipped before the last entry was published (and is in no entry: not suggested).
    ActivityEntry.objects.filter(target_key=old.key, changes__status__1="shipped").update(
        created_at=timezone.now() - timedelta(days=10)
    )
    world.changelog.published_at = timezone.now() - timedelta(days=5)
    world.changelog.save()
    new = _feature(world, "Route export")
    rows = {c.feature.key: c for c in selectors.candidates(workspace=world.workspace)}
    assert rows[new.key].suggested
    assert not rows[old.key].suggested
    response = world["pm"].client().get(_base(world) + "new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{new.key}"' in html and f'value="{old.key}"' in html
    assert html.count("checked") == 1


def test_draft_from_shipped_features_is_grouped_by_product(world):
    from lodestar.workspaces.services import product_create

    product_create(workspace=world.workspace, actor=world["owner"].user, key="app", name="App")
    a = _feature(world, "Route export", description="Export routes to CSV. More text here.")
    b = _feature(world, "Night mode", description="A *dark* theme!", product_key="app")
    c = _feature(world, "Bulk edit")
    client = world["pm"].client()
    response = client.post(_base(world) + "new/", {"feature_keys": [a.key, b.key, c.key]})
    assert response.status_code == 302
    entry = ChangelogEntry.objects.exclude(pk=world.changelog.pk).get()
    assert response["Location"] == _base(world) + f"{entry.key}/"
    assert entry.published_at is None and entry.product is None  # two products
    assert entry.title.startswith("What's new in Acme: ")
    assert entry.body == (
        "### App\n\n- **Night mode**: A *dark* theme!\n\n"
        "### Web\n\n- **Bulk edit**\n- **Route export**: Export routes to CSV.\n"
    )
    assert set(entry.features.all()) == {a, b, c}
    assert ActivityEntry.objects.filter(target_type="changelog", verb="drafted").count() == 1


def test_draft_of_one_feature_takes_its_title_and_product(world):
    a = _feature(world, "Route export")
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[a.key]
    )
    assert entry.title == "Route export" and entry.product == world.product


@pytest.mark.parametrize(
    ("keys", "message"),
    [([], "at least one"), (["nokey"], "Select a valid choice"), ("unshipped", "valid choice")],
)
def test_draft_refuses_bad_features(world, keys, message):
    if keys == "unshipped":
        keys = [_feature(world, "Offline maps", shipped=False).key]
    response = world["pm"].client().post(_base(world) + "new/", {"feature_keys": keys})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ChangelogEntry.objects.count() == 1


def test_draft_service_refuses_unknown_and_unshipped_features(world):
    offline = _feature(world, "Offline maps", shipped=False)
    pm = world["pm"].user
    with pytest.raises(Invalid) as caught:
        services.changelog_draft(workspace=world.workspace, actor=pm, feature_keys=[offline.key])
    assert "has not shipped" in caught.value.fields["feature_keys"][0]
    with pytest.raises(Invalid) as caught:
        services.changelog_draft(workspace=world.workspace, actor=pm, feature_keys=["nokey"])
    assert "No feature with key 'nokey'" in caught.value.fields["feature_keys"][0]
    other = feature_create(workspace=world.other, actor=world["outsider"].user, title="Theirs")
    with pytest.raises(Invalid):
        services.changelog_draft(workspace=world.workspace, actor=pm, feature_keys=[other.key])


# -- editing -------------------------------------------------------------------------------


def test_edit_preview_and_save(world):
    a = _feature(world, "Route export")
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[a.key]
    )
    client = world["pm"].client()
    url = _base(world) + f"{entry.key}/"
    data = {"title": "Routes, exported", "body": "Now **in CSV**.", "feature_keys": [a.key]}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    assert "<strong>in CSV</strong>" in preview.content.decode()
    entry.refresh_from_db()
    assert entry.title == "Route export"  # a preview saves nothing
    saved = client.post(url, {**data, "action": "save", "product_key": "web"})
    assert saved.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.product) == (
        "Routes, exported",
        "Now **in CSV**.",
        world.product,
    )
    empty = client.post(url, {"title": "", "body": "", "action": "save"})
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()


def test_delete_drafts_only(world):
    a = _feature(world, "Route export")
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[a.key]
    )
    client = world["pm"].client()
    assert client.get(_base(world) + f"{entry.key}/delete/").status_code == 200
    assert client.post(_base(world) + f"{entry.key}/delete/").status_code == 302
    assert not ChangelogEntry.objects.filter(pk=entry.pk).exists()
    published = _base(world) + f"{world.changelog.key}/delete/"
    assert client.get(published).status_code == 302  # sent back: unpublish it first
    assert client.post(published).status_code == 409
    assert ChangelogEntry.objects.filter(pk=world.changelog.pk).exists()


# -- publishing ------------------------------------------------------------------------------


def test_publish_emails_each_voter_and_requester_once(world, asked):
    other = _feature(world, "Night mode")
    idea_link_feature(
        idea=idea_submit(
            workspace=world.workspace, title="Dark", email="ann@example.test", confirmed=True
        ),
        actor=world["pm"].user,
        feature_title=other.title,
    )
    entry = services.changelog_draft(
        workspace=world.workspace,
        actor=world["pm"].user,
        feature_keys=[asked.key, other.key],
    )
    client = world["pm"].client()
    confirm = client.get(_base(world) + f"{entry.key}/publish/")
    assert "5 people who asked" in confirm.content.decode()
    response = client.post(_base(world) + f"{entry.key}/publish/", follow=True)
    assert "5 people were emailed" in response.content.decode()
    to = sorted(m.to[0] for m in mail.outbox)
    # nora: the idea's author, a voter and a requester (feedback): told once. ghost: never
    # confirmed. cy: the merged duplicate's author. dee: feedback only. ann: two ideas.
    assert to == [
        "ann@example.test",
        "bob@example.test",
        "cy@example.test",
        "dee@example.test",
        "nora@northwind.test",
    ]
    entry.refresh_from_db()
    assert entry.published_at is not None and entry.notified == len(mail.outbox)
    message = mail.outbox[0]
    assert message.subject == f"Acme: {entry.title}"
    assert entry.body.splitlines()[0] in message.body
    assert f"http://testserver/p/acme/changelog/{entry.key}/" in message.body

    mail.outbox.clear()
    again = client.post(_base(world) + f"{entry.key}/publish/")  # a second click
    assert again.status_code == 302 and mail.outbox == []
    client.post(_base(world) + f"{entry.key}/unpublish/")
    entry.refresh_from_db()
    assert entry.published_at is None
    assert (
        "nobody is emailed again"
        in client.get(_base(world) + f"{entry.key}/publish/").content.decode()
    )
    client.post(_base(world) + f"{entry.key}/publish/")
    entry.refresh_from_db()
    assert entry.published_at is not None and mail.outbox == []
    assert entry.notified == 5


def test_publish_without_anyone_asking_emails_nobody(world):
    a = _feature(world, "Night mode")
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[a.key]
    )
    done = services.changelog_publish(entry=entry, actor=world["pm"].user, entry_url="")
    assert done.first and done.emailed == 0 and mail.outbox == []


def test_a_mail_server_failure_still_publishes(world, asked, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(services, "_notify", refuse)
    entry = services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[asked.key]
    )
    done = services.changelog_publish(entry=entry, actor=world["pm"].user, entry_url="")
    assert done.failed and entry.published_at is not None


# -- the portal ----------------------------------------------------------------------------


def _draft(world):
    a = _feature(world, "Secret feature")
    return services.changelog_draft(
        workspace=world.workspace, actor=world["pm"].user, feature_keys=[a.key]
    )


def test_portal_lists_published_entries_only(world, client):
    draft = _draft(world)
    response = client.get("/p/acme/changelog/")
    html = response.content.decode()
    assert response.status_code == 200
    assert world.changelog.title in html and draft.title not in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/p/acme/changelog/feed.atom"' in html
    assert client.get(f"/p/acme/changelog/{world.changelog.key}/").status_code == 200
    assert client.get(f"/p/acme/changelog/{draft.key}/").status_code == 404
    assert client.get("/p/acme/changelog/nokey/").status_code == 404
    # Members see drafts on their side only.
    assert world["pm"].client().get(f"/p/acme/changelog/{draft.key}/").status_code == 404


def test_portal_list_pages(world, client):
    now = timezone.now()
    for i in range(25):
        ChangelogEntry.objects.create(
            workspace=world.workspace,
            title=f"Entry {i:02}",
            body="x",
            published_at=now - timedelta(hours=i + 1),
        )
    first = client.get("/p/acme/changelog/")
    html = first.content.decode()
    assert html.index(world.changelog.title) < html.index("Entry 00") < html.index("Entry 18")
    assert "Entry 19" not in html
    cursor = first.context["page"].next
    second = client.get(f"/p/acme/changelog/?cursor={cursor}").content.decode()
    assert "Entry 19" in second and "Entry 24" in second and "Entry 18" not in second


def test_feed_is_atom_with_the_published_entries(world, client):
    draft = _draft(world)
    older = ChangelogEntry.objects.create(
        workspace=world.workspace,
        title="Older <news>",
        body="Some **bold** news.",
        published_at=timezone.now() - timedelta(days=3),
    )
    response = client.get("/p/acme/changelog/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Acme changelog"
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://testserver/p/acme/changelog/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        world.changelog.title,
        "Older <news>",
    ]
    assert draft.title not in response.content.decode()
    second = entries[1]
    assert (
        second.find(f"{ATOM}link").get("href") == f"http://testserver/p/acme/changelog/{older.key}/"
    )
    assert second.find(f"{ATOM}updated").text
    assert second.find(f"{ATOM}published").text.startswith(older.published_at.date().isoformat())
    content = second.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == "<p>Some <strong>bold</strong> news.</p>\n"
    assert second.find(f"{ATOM}summary").text == "Some bold news."


def test_feed_keeps_the_latest_twenty(world, client):
    now = timezone.now()
    ChangelogEntry.objects.bulk_create(
        ChangelogEntry(
            workspace=world.workspace,
            title=f"Entry {i}",
            body="x",
            published_at=now - timedelta(days=i + 1),
        )
        for i in range(25)
    )
    root = ET.fromstring(client.get("/p/acme/changelog/feed.atom").content)
    assert len(root.findall(f"{ATOM}entry")) == 20


def test_private_portal_rules(world, client):
    portal_update(workspace=world.workspace, actor=world["owner"].user, enabled=True, public=False)
    for url in (
        "/p/acme/changelog/",
        f"/p/acme/changelog/{world.changelog.key}/",
        "/p/acme/changelog/feed.atom",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/p/acme/sign-in/"
        assert world["stakeholder"].client().get(url).status_code == 200  # a member
    session = client.session
    session["portal_visitor"] = {str(world.workspace.pk): "stranger@example.test"}
    session.save()
    assert client.get("/p/acme/changelog/").status_code == 302  # unknown to the workspace
    session["portal_visitor"] = {str(world.workspace.pk): "nora@northwind.test"}
    session.save()
    assert client.get("/p/acme/changelog/").status_code == 200  # a known person


def test_portal_off_is_404(world, client):
    portal_update(workspace=world.workspace, actor=world["owner"].user, enabled=False, public=True)
    assert client.get("/p/acme/changelog/").status_code == 404
    assert client.get("/p/acme/changelog/feed.atom").status_code == 404


def test_another_workspaces_portal_does_not_show_acme_entries(world, client):
    portal_update(workspace=world.other, actor=world["outsider"].user, enabled=True, public=True)
    assert client.get(f"/p/other/changelog/{world.changelog.key}/").status_code == 404
    assert world.changelog.title not in client.get("/p/other/changelog/").content.decode()
    feed = client.get("/p/other/changelog/feed.atom").content.decode()
    assert world.changelog.title not in feed


# -- who may do what -------------------------------------------------------------------------


def test_roles(world):
    draft = _draft(world)
    url = _base(world) + f"{draft.key}/"
    stakeholder = world["stakeholder"].client()
    assert stakeholder.get(_base(world)).status_code == 200
    page = stakeholder.get(url)
    assert page.status_code == 200 and "Publish…" not in page.content.decode()
    assert stakeholder.post(url, {"title": "x", "body": "y"}).status_code == 403
    assert stakeholder.get(_base(world) + "new/").status_code == 403
    assert stakeholder.post(url + "publish/").status_code == 403
    pm_page = world["pm"].client().get(_base(world))
    assert pm_page.status_code == 200 and draft.title in pm_page.content.decode()
    assert "New entry from shipped features" in pm_page.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None


def test_other_workspace_is_404(world):
    outsider = world["outsider"].client()
    for suffix in ("", "publish/", "unpublish/", "delete/"):
        url = f"/w/other/ship/changelog/{world.changelog.key}/{suffix}"
        assert outsider.get(url).status_code == 404
        assert outsider.post(url).status_code == 404
    assert outsider.get(f"/w/acme/ship/changelog/{world.changelog.key}/").status_code == 404
