"""The feedback inbox: taking feedback in, triage, bulk actions, filters, API."""

import json

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid
from lodestar.customers.models import Person
from lodestar.feedback import services
from lodestar.feedback.models import Feedback, Status

pytestmark = pytest.mark.django_db


def _add(world, text, **kwargs):
    return services.feedback_create(
        workspace=world.workspace, actor=world["contributor"].user, text=text, **kwargs
    )


def test_contributor_adds_feedback_from_a_known_person(world):
    client = world["contributor"].client()
    response = client.post(
        "/w/acme/feedback/",
        {"text": "  We need arrival-window texts.  ", "person_email": "NORA@northwind.test",
         "source": "sales", "product_key": "web", "tags": "Notifications, quick-win"},
    )  # fmt: skip
    assert response.status_code == 302
    feedback = Feedback.objects.filter(workspace=world.workspace).latest("pk")
    assert feedback.text == "We need arrival-window texts."
    assert feedback.person == world.person and feedback.company == world.company
    assert feedback.status == Status.INBOX and feedback.submitted_by == world["contributor"].user
    assert sorted(t.name for t in feedback.tags.all()) == ["notifications", "quick-win"]
    assert Entry.objects.filter(target_type="feedback", target_key=feedback.key).exists()


def test_a_new_email_becomes_a_person_at_the_matching_company(world):
    feedback = _add(world, "Invoices duplicate in QuickBooks.", person_email="ola@northwind.test")
    person = Person.objects.get(email="ola@northwind.test")
    assert feedback.person == person and person.company == world.company


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "ok", "person_email": "not-an-email"}, "person_email"),
        ({"text": "ok", "company_domain": "unknown.test"}, "company_domain"),
        ({"text": "ok", "product_key": "nope"}, "product_key"),
        ({"text": "ok", "tags": "fine, $$$"}, "tags"),
        ({"text": "ok", "source": "carrier pigeon"}, "source"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_written(world, kwargs, field):
    before = (Feedback.objects.count(), Person.objects.count())
    with pytest.raises(Invalid) as caught:
        services.feedback_create(workspace=world.workspace, actor=world["pm"].user, **kwargs)
    assert field in caught.value.fields
    assert (Feedback.objects.count(), Person.objects.count()) == before


def test_empty_feedback_form_is_shown_again_with_the_error(world):
    response = world["contributor"].client().post("/w/acme/feedback/", {"text": ""})
    assert response.status_code == 400 and "text" in response.context["form"].errors


def test_inbox_tabs_filters_and_counts(world):
    _add(world, "Offline mode lost my photos", tags="mobile, bug")
    done = _add(world, "Route optimizer ignores skills")
    services.feedback_triage(feedback=done, actor=world["pm"].user, status="processed")
    client = world["po"].client()
    inbox = client.get("/w/acme/feedback/")
    texts = [f.text for f in inbox.context["page"].items]
    assert (
        texts[0] == "Offline mode lost my photos" and "Route optimizer ignores skills" not in texts
    )
    # The world's own feedback was processed when it was linked to a feature.
    assert inbox.context["counts"] == {"inbox": 1, "processed": 2, "archived": 0}
    processed = client.get("/w/acme/feedback/?status=processed").context["page"].items
    assert processed[0].text == "Route optimizer ignores skills"
    tagged = client.get("/w/acme/feedback/?tag=bug").context["page"].items
    assert [f.text for f in tagged] == ["Offline mode lost my photos"]
    found = client.get("/w/acme/feedback/?status=processed&q=northwind").context["page"].items
    assert [f.key for f in found] == [world.feedback.key]  # matches the company name


def test_triage_sets_status_assignee_and_tags(world):
    client = world["pm"].client()
    url = f"/w/acme/feedback/{world.feedback.key}/"
    response = client.post(
        url,
        {"status": "archived", "assignee_email": "po@acme.test", "tags": "performance, dispatch"},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(pk=world.feedback.pk)
    assert feedback.status == "archived" and feedback.assignee == world["po"].membership
    assert sorted(t.name for t in feedback.tags.all()) == ["dispatch", "performance"]
    entry = Entry.objects.filter(verb="triaged").latest("pk")
    assert entry.changes["status"] == ["processed", "archived"]  # linking had processed it
    bad = client.post(url, {"status": "archived", "assignee_email": "outsider@other.test"})
    assert bad.status_code == 400 and "assignee_email" in bad.context["form"].errors
    mine = client.get("/w/acme/feedback/?status=archived&who=me").context["page"].items
    assert mine == []  # assigned to the PO, not the PM


def test_bulk_actions_touch_only_this_workspace(world):
    ours = [_add(world, f"Ask {i}") for i in range(3)]
    theirs = services.feedback_create(
        workspace=world.other, actor=world["outsider"].user, text="Their feedback"
    )
    client = world["owner"].client()
    response = client.post(
        "/w/acme/feedback/bulk/",
        {"action": "archive", "keys": [f.key for f in ours] + [theirs.key], "back": "status=inbox"},
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/feedback/?status=inbox"
    assert set(
        Feedback.objects.filter(pk__in=[f.pk for f in ours]).values_list("status", flat=True)
    ) == {"archived"}
    assert Feedback.objects.get(pk=theirs.pk).status == "inbox"
    nothing = client.post("/w/acme/feedback/bulk/", {"action": "archive"}, follow=True)
    assert b"Select at least one" in nothing.content


def test_contributors_add_but_do_not_triage(world):
    client = world["contributor"].client()
    assert (
        client.post(f"/w/acme/feedback/{world.feedback.key}/", {"status": "archived"}).status_code
        == 403
    )
    assert client.post("/w/acme/feedback/bulk/", {"action": "archive"}).status_code == 403
    page = client.get("/w/acme/feedback/").content.decode()
    assert "Mark processed" not in page and "Add feedback" in page


def test_company_page_lists_its_feedback(world):
    page = world["pm"].client().get(f"/w/acme/customers/companies/{world.company.key}/")
    assert "dispatch board gets slow" in page.content.decode()


def test_api_feedback(world):
    api = world["contributor"].api()
    created = api.post(
        "/api/v1/workspaces/acme/feedback",
        data=json.dumps({"text": "Spanish for the tech app, please", "tags": ["mobile"],
                         "person_email": "nora@northwind.test"}),
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert (
        body["source"] == "api"
        and body["company_name"] == "Northwind"
        and body["tags"] == ["mobile"]
    )
    listed = api.get("/api/v1/workspaces/acme/feedback?tag=mobile").json()
    assert [f["key"] for f in listed["items"]] == [body["key"]]
    assert (
        api.patch(
            f"/api/v1/workspaces/acme/feedback/{body['key']}",
            data=json.dumps({"status": "archived"}),
            content_type="application/json",
        ).status_code
        == 403
    )  # contributors cannot triage
    triaged = (
        world["pm"]
        .api()
        .patch(
            f"/api/v1/workspaces/acme/feedback/{body['key']}",
            data=json.dumps({"status": "processed", "tags": []}),
            content_type="application/json",
        )
        .json()
    )
    assert triaged["status"] == "processed" and triaged["tags"] == []
