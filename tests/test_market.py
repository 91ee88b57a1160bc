"""Competitors, the capability matrix, research notes and their highlights: services, pages,
API, roles, and the demo's market."""

import json
import random

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, NotFound
from lodestar.customers import market_services, research_services
from lodestar.customers.market_models import Capability, Competitor, Highlight, ResearchNote
from lodestar.feedback.models import Feedback, Source
from lodestar.planning.services import feature_create

pytestmark = pytest.mark.django_db


def _note(world, body, **extra):
    return research_services.note_create(
        workspace=world.workspace,
        actor=world["pm"].user,
        title=extra.pop("title", "A note"),
        date=extra.pop("date", "2026-11-01"),
        body=body,
        **extra,
    )


# -- competitors and the matrix -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "routewise"}, "name"),  # taken, in any case
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://files.example"}, "website"),
        ({"website": "not a url"}, "website"),
        ({"notes": "a\x00b"}, "notes"),
    ],
)
def test_bad_competitor_fields_are_named(world, data, field):
    with pytest.raises(Invalid) as caught:
        market_services.competitor_create(
            workspace=world.workspace, actor=world["pm"].user, **{"name": "Crewlane", **data}
        )
    assert field in caught.value.fields
    assert Competitor.objects.filter(workspace=world.workspace).count() == 1


def test_the_same_name_is_fine_in_another_workspace(world):
    other = market_services.competitor_create(
        workspace=world.other, actor=world["outsider"].user, name="Routewise"
    )
    assert other.workspace == world.other


def test_capability_cells_are_set_changed_and_cleared_with_the_log(world):
    pm = world["pm"].user
    cell = market_services.capability_set(
        competitor=world.competitor,
        feature=world.feature,
        actor=pm,
        level="has",
        note="Board rebuilt this fall",
        source_url="https://routewise.test/release-notes",
    )
    assert (cell.level, cell.updated_by) == ("has", pm)
    assert Capability.objects.filter(competitor=world.competitor).count() == 1  # one per pair
    entry = Entry.objects.filter(target_type="capability").latest("pk")
    assert entry.verb == "rated" and entry.changes["level"] == ["partial", "has"]
    cleared = market_services.capability_set(
        competitor=world.competitor, feature=world.feature, actor=pm, level=""
    )
    assert cleared is None and not Capability.objects.filter(competitor=world.competitor).exists()
    assert Entry.objects.filter(target_type="capability").latest("pk").verb == "cleared"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source_url": "javascript:alert(document.cookie)"}, "source_url"),
        ({"source_url": "JAVASCRIPT:alert(1)"}, "source_url"),
        ({"source_url": "data:text/html,<script>alert(1)</script>"}, "source_url"),
        ({"source_url": "file:///etc/passwd"}, "source_url"),
        ({"level": "sometimes"}, "level"),
        ({"note": "n" * 501}, "note"),
    ],
)
def test_a_cell_refuses_bad_input(world, data, field):
    with pytest.raises(Invalid) as caught:
        market_services.capability_set(
            competitor=world.competitor,
            feature=world.feature,
            actor=world["pm"].user,
            **{"level": "has", **data},
        )
    assert field in caught.value.fields
    assert Capability.objects.get(competitor=world.competitor).level == "partial"  # unchanged


def test_a_cell_needs_a_feature_of_the_same_workspace(world):
    theirs = feature_create(workspace=world.other, actor=world["outsider"].user, title="Theirs")
    with pytest.raises(NotFound):
        market_services.capability_set(
            competitor=world.competitor, feature=theirs, actor=world["pm"].user, level="has"
        )


def test_matrix_page_shows_features_against_competitors(world):
    page = world["contributor"].client().get("/w/acme/competitors/matrix/").content.decode()
    assert "Fast dispatch board for large fleets" in page and "Routewise" in page
    assert "Partly" in page
    assert "hx-get" not in page  # contributors read the matrix; they do not edit it


def test_matrix_filters_by_lead_and_lag(world):
    pm = world["pm"].user
    shipped = feature_create(workspace=world.workspace, actor=pm, title="Offline mode")
    shipped.status = "shipped"
    shipped.save()
    market_services.capability_set(
        competitor=world.competitor, feature=shipped, actor=pm, level="none"
    )
    market_services.capability_set(
        competitor=world.competitor, feature=world.feature, actor=pm, level="has"
    )
    client = world["pm"].client()
    leading = client.get("/w/acme/competitors/matrix/?show=leading").content.decode()
    lagging = client.get("/w/acme/competitors/matrix/?show=lagging").content.decode()
    assert "Offline mode" in leading and "Fast dispatch board" not in leading
    assert "Fast dispatch board" in lagging and "Offline mode" not in lagging
    # A bad filter value is dropped, not a 500.
    assert client.get("/w/acme/competitors/matrix/?show=nonsense&status=zzz").status_code == 200


def test_a_cell_is_edited_in_place_with_htmx(world):
    client = world["pm"].client()
    url = f"/w/acme/competitors/{world.competitor.key}/features/{world.feature.key}/"
    htmx = {"HX-Request": "true"}
    form = client.get(url, headers=htmx).content.decode()
    assert "<form" in form and "autofocus" in form and "<html" not in form
    bad = client.post(url, {"level": "has", "source_url": "javascript:alert(1)"}, headers=htmx)
    assert bad.status_code == 200  # htmx swaps only 2xx: the form comes back with the error
    assert "not a web address" in bad.content.decode()
    saved = client.post(
        url,
        {"level": "has", "note": "Instant board", "source_url": "https://r.test/x"},
        headers=htmx,
    )
    cell = saved.content.decode()
    assert "Has it" in cell and "Instant board" in cell and 'href="https://r.test/x"' in cell
    assert Capability.objects.get(competitor=world.competitor).note == "Instant board"


def test_a_cell_without_javascript_is_a_small_page(world):
    client = world["pm"].client()
    url = f"/w/acme/competitors/{world.competitor.key}/features/{world.feature.key}/"
    assert "Routewise: Fast dispatch board" in client.get(url).content.decode()
    bad = client.post(url, {"level": "has", "source_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "not a web address" in bad.content.decode()
    done = client.post(url, {"level": "none", "back": "show=all&cursor=abc"})
    assert done.status_code == 302 and done["Location"].endswith("?show=all&cursor=abc")
    # Only a query string survives as the way back.
    done = client.post(url, {"level": "none", "back": "https://evil.test/"})
    assert done["Location"].startswith("/w/acme/competitors/matrix/")


def test_only_market_managers_edit(world):
    url = f"/w/acme/competitors/{world.competitor.key}/features/{world.feature.key}/"
    for name in ("po", "contributor"):
        assert world[name].client().post(url, {"level": "none"}).status_code == 403
    assert world["stakeholder"].client().get("/w/acme/competitors/matrix/").status_code == 403
    assert Capability.objects.get(competitor=world.competitor).level == "partial"


def test_competitor_pages_create_edit_delete(world):
    client = world["admin"].client()
    made = client.post(
        "/w/acme/competitors/",
        {"name": "Crewlane", "website": "https://crewlane.test", "notes": "Cheap. **SMB**."},
    )
    competitor = Competitor.objects.get(name="Crewlane")
    assert made["Location"] == f"/w/acme/competitors/{competitor.key}/"
    page = client.get(made["Location"]).content.decode()
    assert "<strong>SMB</strong>" in page
    bad = client.post(made["Location"], {"name": "Crewlane", "website": "javascript:x"})
    assert bad.status_code == 400
    client.post(made["Location"], {"name": "Crewlane Pro", "website": ""})
    competitor.refresh_from_db()
    assert competitor.name == "Crewlane Pro"
    confirm = client.get(f"/w/acme/competitors/{competitor.key}/delete/")
    assert "Delete Crewlane Pro?" in confirm.content.decode()
    client.post(f"/w/acme/competitors/{competitor.key}/delete/")
    assert not Competitor.objects.filter(pk=competitor.pk).exists()
    verbs = set(
        Entry.objects.filter(target_type="competitor", target_key=competitor.key).values_list(
            "verb", flat=True
        )
    )
    assert verbs == {"created", "updated", "deleted"}


def test_another_workspaces_keys_are_404(world):
    outsider = world["outsider"].client()
    for path in (
        f"/w/other/competitors/{world.competitor.key}/",
        f"/w/other/competitors/{world.competitor.key}/features/{world.feature.key}/",
        f"/w/other/research/{world.note.key}/",
        f"/w/other/research/{world.note.key}/edit/",
    ):
        assert outsider.get(path).status_code == 404, path
    quote = {"quote": "The board freezes every Monday morning"}
    assert (
        outsider.post(f"/w/other/research/{world.note.key}/highlights/", quote).status_code == 404
    )
    api = world["outsider"].api()
    assert api.get(f"/api/v1/workspaces/other/research-notes/{world.note.key}").status_code == 404
    assert not Highlight.objects.exists()


# -- research notes and highlights ----------------------------------------------------------


def test_markdown_is_rendered_and_sanitized(world):
    note = _note(
        world,
        "# Call\n\n<script>alert('x')</script>\n\n**Bold** and [bad](javascript:alert(1)) and "
        '<img src=x onerror="alert(2)"> and [good](https://acme.test/page).',
    )
    page = world["contributor"].client().get(f"/w/acme/research/{note.key}/").content.decode()
    body = page.split("data-note-body", 1)[1].split("</article>", 1)[0]
    assert "<strong>Bold</strong>" in body and "<h1>Call</h1>" in body
    assert "<script" not in body and "<img" not in body  # shown as text, escaped
    assert 'href="javascript' not in body.lower()  # the link stays text, not a link
    assert 'href="https://acme.test/page"' in body and "nofollow" in body
    api = world["pm"].api().get(f"/api/v1/workspaces/acme/research-notes/{note.key}").json()
    assert "<script" not in api["body_html"] and "<strong>Bold</strong>" in api["body_html"]


def test_notes_link_people_companies_and_colleagues(world):
    note = _note(
        world,
        "Body",
        person_email="NORA@northwind.test",
        member_emails="po@acme.test, contributor@acme.test",
    )
    assert note.person == world.person and note.company == world.company  # from the person
    assert {m.user.email for m in note.members.all()} == {"po@acme.test", "contributor@acme.test"}
    with pytest.raises(Invalid) as caught:
        _note(world, "Body", person_email="nobody@x.test", member_emails="outsider@other.test")
    assert {"person_email", "member_emails"} <= set(caught.value.fields)
    with pytest.raises(Invalid) as caught:
        _note(world, "", title="", date="yesterday", kind="gossip")
    assert {"body", "title", "date", "kind"} <= set(caught.value.fields)


def test_a_highlight_becomes_feedback_from_the_notes_person(world):
    client = world["contributor"].client()
    url = f"/w/acme/research/{world.note.key}/highlights/"
    # Selected in the page, the words come without the markdown: "*looking at*" reads plain.
    response = client.post(url, {"quote": "They are looking at   Routewise.", "tags": "churn-risk"})
    assert response.status_code == 302
    highlight = Highlight.objects.get(note=world.note)
    feedback = highlight.feedback
    assert feedback.text == "They are looking at Routewise."
    assert feedback.source == Source.RESEARCH
    assert (feedback.person, feedback.company) == (world.person, world.company)
    assert [t.name for t in feedback.tags.all()] == ["churn-risk"]
    inbox = client.get("/w/acme/feedback/").content.decode()
    assert "They are looking at Routewise." in inbox
    note_page = client.get(f"/w/acme/research/{world.note.key}/").content.decode()
    assert f"/w/acme/feedback/{feedback.key}/" in note_page
    assert Entry.objects.filter(target_key=world.note.key, verb__startswith="turned").exists()


@pytest.mark.parametrize("quote", ["", "Words nobody said in this note.", "x" * 10_001])
def test_a_highlight_must_be_words_of_the_note(world, quote):
    before = Feedback.objects.count()
    response = (
        world["pm"]
        .client()
        .post(f"/w/acme/research/{world.note.key}/highlights/", {"quote": quote})
    )
    assert response.status_code == 400
    assert Feedback.objects.count() == before and not Highlight.objects.exists()


def test_the_feedback_outlives_its_note(world):
    highlight = research_services.highlight_create(
        note=world.note, actor=world["pm"].user, quote="Nora runs dispatch for 60 techs."
    )
    client = world["contributor"].client()
    assert (
        "1 highlight" in client.get(f"/w/acme/research/{world.note.key}/delete/").content.decode()
    )
    client.post(f"/w/acme/research/{world.note.key}/delete/")
    assert not ResearchNote.objects.filter(pk=world.note.pk).exists()
    assert Feedback.objects.get(pk=highlight.feedback.pk).text == "Nora runs dispatch for 60 techs."


def test_note_pages_write_edit_search_and_filter(world):
    client = world["contributor"].client()
    made = client.post(
        "/w/acme/research/new/",
        {
            "kind": "market",
            "title": "Pricing scan",
            "date": "2026-09-01",
            "company_domain": "",
            "body": "Crewlane is **cheap**.",
        },
    )
    note = ResearchNote.objects.get(title="Pricing scan")
    assert made["Location"] == f"/w/acme/research/{note.key}/"
    edit = f"/w/acme/research/{note.key}/edit/"
    assert (
        client.post(edit, {"kind": "market", "title": "", "date": "x", "body": ""}).status_code
        == 400
    )
    client.post(edit, {"kind": "market", "title": "Pricing scan Q3", "date": "2026-09-02",
                       "body": "Crewlane is **cheap**."})  # fmt: skip
    note.refresh_from_db()
    assert note.title == "Pricing scan Q3" and str(note.date) == "2026-09-02"
    listed = client.get("/w/acme/research/?kind=market").content.decode()
    assert "Pricing scan Q3" in listed and "Interview with Nora" not in listed
    found = client.get("/w/acme/research/?q=freezes").content.decode()
    assert "Interview with Nora" in found and "Pricing scan" not in found
    by_company = client.get(f"/w/acme/research/?company={world.company.key}").content.decode()
    assert "Interview with Nora" in by_company and "Pricing scan" not in by_company
    assert world["stakeholder"].client().get("/w/acme/research/").status_code == 403


def test_company_page_lists_its_research_notes(world):
    page = world["pm"].client().get(f"/w/acme/customers/companies/{world.company.key}/")
    assert "Interview with Nora at Northwind" in page.content.decode()


# -- API ------------------------------------------------------------------------------------


def test_api_competitors_and_cells(world):
    api = world["pm"].api()
    base = "/api/v1/workspaces/acme/competitors"
    made = api.post(
        base, json.dumps({"name": "Crewlane", "website": "https://crewlane.test"}),
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201
    key = made.json()["key"]
    listed = api.get(base).json()
    assert [c["name"] for c in listed["items"]] == ["Crewlane", "Routewise"]
    cell = f"{base}/{key}/capabilities/{world.feature.key}"
    bad = api.put(
        cell, json.dumps({"level": "has", "source_url": "javascript:alert(1)"}),
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "source_url" in bad.json()["error"]["fields"]
    good = api.put(cell, json.dumps({"level": "has"}), content_type="application/json")
    assert good.json()["level"] == "has"
    detail = api.get(f"{base}/{key}").json()
    assert detail["capabilities"][0]["feature_key"] == world.feature.key
    cleared = api.put(cell, json.dumps({"level": None}), content_type="application/json")
    assert cleared.status_code == 204
    refused = (
        world["contributor"]
        .api()
        .post(base, json.dumps({"name": "Tallyvan"}), content_type="application/json")
    )
    assert refused.status_code == 403


def test_api_research_notes_and_highlights(world):
    api = world["contributor"].api()
    base = "/api/v1/workspaces/acme/research-notes"
    for day in ("2026-01-05", "2026-03-01", "2026-02-10"):
        made = api.post(
            base,
            json.dumps({"title": f"Note {day}", "date": day, "body": f"Heard on {day}."}),
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
    first = api.get(f"{base}?limit=2").json()
    second = api.get(f"{base}?limit=2&cursor={first['next']}").json()
    dates = [n["date"] for n in first["items"] + second["items"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4 and second["next"] is None
    assert [n["title"] for n in api.get(f"{base}?q=freezes").json()["items"]] == [world.note.title]
    highlight = api.post(
        f"{base}/{world.note.key}/highlights",
        json.dumps({"quote": "when all the jobs land at once"}),
        content_type="application/json",
    )
    assert highlight.status_code == 201
    feedback = Feedback.objects.get(key=highlight.json()["feedback_key"])
    assert feedback.source == Source.RESEARCH and feedback.person == world.person
    missing = api.post(
        f"{base}/{world.note.key}/highlights", json.dumps({"quote": "never said"}),
        content_type="application/json",
    )  # fmt: skip
    assert missing.status_code == 400 and "quote" in missing.json()["error"]["fields"]


# -- the demo -------------------------------------------------------------------------------


def test_demo_market_tells_a_story(world):
    from lodestar.demo.customers import build_customers
    from lodestar.demo.feedback_themes import THEMES
    from lodestar.demo.market import build_market
    from lodestar.planning.models import Feature

    def noop(*args):
        return None

    build_customers(random.Random(3), world.other, world["outsider"].user, [], 40, noop)
    Feature.objects.bulk_create(
        [Feature(workspace=world.other, title=t.title) for t in THEMES]
        + [Feature(workspace=world.other, title=f"Shipped {i}", status="shipped") for i in range(6)]
    )
    build_market(random.Random(7), world.other, [], noop, extra_notes=5, rated_tail=6)
    competitors = Competitor.objects.filter(workspace=world.other)
    notes = ResearchNote.objects.filter(workspace=world.other)
    assert 5 <= competitors.count() <= 7 and 20 <= notes.count() <= 40
    assert all(c.website.endswith(".example") for c in competitors)
    highlights = Highlight.objects.filter(note__workspace=world.other).select_related("feedback")
    assert len(highlights) >= 4
    for h in highlights:
        assert h.feedback.source == Source.RESEARCH and h.quote in research_services.note_text(
            h.note.body
        )
    interviews = notes.filter(kind="interview")
    assert all(n.company_id and n.person_id for n in interviews)
    assert not any("{" in n.body or "{" in n.title for n in notes)  # every placeholder filled
    from lodestar.customers.market_selectors import matrix_features

    assert matrix_features(workspace=world.other, show="lagging").exists()
    assert matrix_features(workspace=world.other, show="leading").exists()


def test_workspace_search_finds_competitors_and_notes(world):
    page = world["contributor"].client().get("/w/acme/search/?q=routewise").content.decode()
    assert f"/w/acme/competitors/{world.competitor.key}/" in page
    assert f"/w/acme/research/{world.note.key}/" in page  # the note names Routewise
    hidden = world["stakeholder"].client().get("/w/acme/search/?q=routewise").content.decode()
    assert "/competitors/" not in hidden
