"""Share links: the planners' page that creates and revokes them, and the public read-only
roadmap at /s/<token>/ as someone without an account opens it (scope, hidden fields, bad
links, guessing, feeds)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lodestar.activity.models import Entry
from lodestar.core.errors import Invalid, NotFound
from lodestar.planning import share_services as services
from lodestar.planning.release_services import release_create, release_feature_add
from lodestar.planning.roadmap_models import ShareLink
from lodestar.planning.services import feature_create
from lodestar.workspaces import services as workspace_services

pytestmark = pytest.mark.django_db

COMPANY = b"Northwind"  # asks for world.feature; shown on member pages
ARR = b"120,000"  # Northwind's ARR, as the features page shows it
DEMAND = b'class="board-card-demand"'  # a board card's line of companies, ARR and score
SCORE = re.compile(rb'class="board-card-demand">[^<]*score')


def _link(world, **kwargs) -> ShareLink:
    values = {
        "label": "Board meeting",
        "product_keys": [world.product.key],
        "views": ["timeline", "horizons", "status", "releases"],
    } | kwargs
    return services.share_link_create(workspace=world.workspace, actor=world["pm"].user, **values)


@pytest.fixture
def roadmap(world):
    """world.feature in acme's release; a second acme product and another workspace with
    releases of their own, which a link to `web` must never show."""
    owner = world["owner"]
    release_feature_add(
        release=world.release,
        actor=owner.user,
        membership=owner.membership,
        title=world.feature.title,
    )
    mobile = workspace_services.product_create(
        workspace=world.workspace, actor=owner.user, key="mobile", name="Mobile app"
    )
    release_create(
        workspace=world.workspace,
        actor=owner.user,
        name="Mobile beta",
        product_key="mobile",
        team_key=world.team.key,
        start="2027-01-04",
        target="2027-02-26",
        goal="Secret **mobile** plans",
    )
    release_create(
        workspace=world.other,
        actor=world["outsider"].user,
        name="Other co launch",
        product_key=world.other_product.key,
        team_key=world.other_team.key,
        start="2027-01-04",
        target="2027-02-26",
    )
    world.release.goal = "Dispatch **large** fleets"
    world.release.save(update_fields=["goal"])
    return mobile


# -- services -----------------------------------------------------------------------------


def test_a_link_gets_a_long_random_token_and_defaults(world):
    link = _link(world, views=["releases"])
    assert len(link.token) >= 43 and link.token != link.key
    assert list(link.products.all()) == [world.product]
    assert link.views == ["releases"]
    assert not (link.show_customers or link.show_arr or link.show_scores or link.show_comments)
    today = services.local_today(world.workspace)
    assert services.expires_on(link) == today + timedelta(days=30)
    entry = Entry.objects.get(target_type="share link", target_key=link.key, verb="created")
    assert link.token not in str(entry.changes)  # the log never holds the secret
    assert entry.changes["views"] == [None, "releases"]


def test_tokens_are_unique_even_when_a_draw_repeats(world, monkeypatch):
    first = _link(world)
    before = ShareLink.objects.count()
    draws = iter([first.token, "fresh-token-" + "x" * 30])
    monkeypatch.setattr(services.secrets, "token_urlsafe", lambda n: next(draws))
    second = _link(world, label="Investors")
    assert second.token == "fresh-token-" + "x" * 30
    assert ShareLink.objects.count() == before + 1


def test_expiry_bounds(world):
    today = services.local_today(world.workspace)
    with pytest.raises(Invalid) as past:
        _link(world, expires_on=today - timedelta(days=1))
    assert "in the past" in past.value.fields["expires_on"][0]
    with pytest.raises(Invalid) as far:
        _link(world, expires_on=today + timedelta(days=366))
    assert "At most a year" in far.value.fields["expires_on"][0]
    assert services.expires_on(_link(world, expires_on=today)) == today
    year = _link(world, expires_on=today + timedelta(days=365))
    assert services.expires_on(year) == today + timedelta(days=365)


def test_scope_must_name_products_and_views_of_this_workspace(world):
    with pytest.raises(Invalid) as error:
        _link(world, label=" ", product_keys=[world.other_product.key], views=["gantt"])
    assert set(error.value.fields) == {"label", "product_keys", "views"}
    with pytest.raises(Invalid) as empty:
        _link(world, product_keys=[], views=[])
    assert set(empty.value.fields) == {"product_keys", "views"}


def test_revoke_is_recorded_once_and_stays(world):
    link = _link(world)
    services.share_link_revoke(link=link, actor=world["pm"].user)
    first = link.revoked_at
    services.share_link_revoke(link=link, actor=world["owner"].user)
    link.refresh_from_db()
    assert link.revoked_at == first
    assert Entry.objects.filter(target_key=link.key, verb="revoked").count() == 1
    assert services.revoked_by(link) == world["pm"].user.display_name


def test_using_a_link_notes_it_at_most_once_a_minute(world):
    link = _link(world)
    now = timezone.now()
    services.share_link_use(token=link.token, ip="10.0.0.1", now=now)
    link.refresh_from_db()
    assert link.last_used_at == now
    services.share_link_use(token=link.token, ip="10.0.0.1", now=now + timedelta(seconds=30))
    link.refresh_from_db()
    assert link.last_used_at == now
    later = now + timedelta(seconds=61)
    services.share_link_use(token=link.token, ip="10.0.0.1", now=later)
    link.refresh_from_db()
    assert link.last_used_at == later
    with pytest.raises(NotFound):
        services.share_link_use(token="x" * 43, ip="10.0.0.1")


# -- the management page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("owner", True),
        ("admin", True),
        ("pm", True),
        ("po", False),
        ("contributor", False),
        ("stakeholder", False),
    ],
)
def test_only_planners_see_and_manage_share_links(world, persona, allowed):
    link = _link(world)
    client = world[persona].client()
    page = client.get("/w/acme/share-links/")
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        assert link.token.encode() in page.content  # the address is listed
    post = client.post("/w/acme/share-links/", {"label": "X"})
    assert post.status_code == (400 if allowed else 403)
    revoke = client.post(f"/w/acme/share-links/{link.key}/revoke/")
    assert revoke.status_code == (302 if allowed else 403)


def test_a_pm_creates_a_link_and_sees_its_address(world):
    client = world["pm"].client()
    response = client.post(
        "/w/acme/share-links/",
        {
            "label": "Investor update",
            "product_keys": [world.product.key],
            "views": ["timeline", "releases"],
            "show": ["arr"],
        },
        follow=True,
    )
    assert response.redirect_chain == [("/w/acme/share-links/", 302)]
    assert response.status_code == 200
    link = ShareLink.objects.get(label="Investor update")
    assert link.show_arr and not link.show_customers
    url = f"http://testserver/s/{link.token}/"
    assert response.content.count(url.encode()) >= 2  # shown once up top, and in the list
    assert b"Your new link" in response.content
    again = client.get("/w/acme/share-links/")
    assert url.encode() in again.content and b"Your new link" not in again.content
    assert b"Also shows ARR" in again.content


def test_bad_input_is_shown_next_to_the_fields(world):
    yesterday = services.local_today(world.workspace) - timedelta(days=1)
    pm = world["pm"].client()
    response = pm.post(
        "/w/acme/share-links/",
        {
            "label": "Late",
            "product_keys": [world.product.key],
            "views": ["timeline"],
            "expires_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 400
    assert b"is in the past" in response.content
    assert b'aria-invalid="true"' in response.content
    assert not ShareLink.objects.filter(label="Late").exists()
    other = pm.post(
        "/w/acme/share-links/",
        {"label": "Sneaky", "product_keys": [world.other_product.key], "views": ["timeline"]},
    )
    assert other.status_code == 400
    assert not ShareLink.objects.filter(label="Sneaky").exists()


def test_revoking_asks_first_then_lists_the_link_as_revoked(world):
    link = _link(world)
    expired = _link(world, label="Old one")
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=2))
    client = world["pm"].client()
    confirm = client.get(f"/w/acme/share-links/{link.key}/revoke/")
    assert confirm.status_code == 200 and b"cannot be undone" in confirm.content
    link.refresh_from_db()
    assert link.revoked_at is None  # a GET changes nothing
    assert client.post(f"/w/acme/share-links/{link.key}/revoke/").status_code == 302
    page = client.get("/w/acme/share-links/")
    assert b"Revoked " in page.content and b"Expired" in page.content
    # Neither dead link offers its address for copying any more.
    assert link.token.encode() not in page.content
    assert expired.token.encode() not in page.content


def test_a_link_of_another_workspace_cannot_be_revoked(world):
    theirs = services.share_link_create(
        workspace=world.other,
        actor=world["outsider"].user,
        label="Theirs",
        product_keys=[world.other_product.key],
        views=["timeline"],
    )
    response = world["owner"].client().post(f"/w/acme/share-links/{theirs.key}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# -- the public pages ---------------------------------------------------------------------


def test_the_public_page_opens_without_signing_in(world, roadmap):
    link = _link(world)
    response = Client().get(f"/s/{link.token}/")
    assert response.status_code == 200
    assert b"Spring 2027" in response.content  # the timeline, the first view
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert b'name="robots" content="noindex' in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b'class="sidenav"' not in response.content  # no workspace navigation
    world.feature.horizon = "now"
    world.feature.save(update_fields=["horizon"])
    for view in ("timeline", "horizons", "status", "releases"):
        page = Client().get(f"/s/{link.token}/{view}/")
        assert page.status_code == 200, view
        assert b"Fast dispatch board for large fleets" in page.content, view
        assert f"/w/{world.workspace.slug}/".encode() not in page.content, view  # no member links


def test_the_releases_tab_shows_dates_status_goal_and_features(world, roadmap):
    link = _link(world, views=["releases"])
    page = Client().get(f"/s/{link.token}/releases/")
    assert page.status_code == 200
    assert b"Spring 2027" in page.content and b"May 28, 2027" in page.content
    assert b"<strong>large</strong>" in page.content  # the goal as markdown
    assert b"Fast dispatch board for large fleets" in page.content


def test_only_the_links_products_and_views_are_shown(world, roadmap):
    link = _link(world, views=["timeline", "releases"])
    for view in ("", "timeline/", "releases/"):
        page = Client().get(f"/s/{link.token}/{view}")
        assert page.status_code == 200
        assert b"Mobile beta" not in page.content and b"Secret" not in page.content, view
        assert b"Other co launch" not in page.content, view
    assert Client().get(f"/s/{link.token}/horizons/").status_code == 404
    assert Client().get(f"/s/{link.token}/status/").status_code == 404
    outside = Client().get(f"/s/{link.token}/releases/?product={roadmap.key}")
    assert outside.status_code == 404
    other = Client().get(f"/s/{link.token}/releases/?product={world.other_product.key}")
    assert other.status_code == 404


def test_a_link_to_two_products_can_show_one_at_a_time(world, roadmap):
    link = _link(world, product_keys=[world.product.key, roadmap.key], views=["releases"])
    both = Client().get(f"/s/{link.token}/releases/")
    assert b"Mobile beta" in both.content and b"Spring 2027" in both.content
    one = Client().get(f"/s/{link.token}/releases/?product={roadmap.key}")
    assert b"Mobile beta" in one.content and b"Spring 2027" not in one.content


# How each view writes Northwind's ARR: the releases table in full, the boards compactly.
ARR_SHOWN = {"releases": ARR, "horizons": b"120k", "status": b"120k"}


@pytest.mark.parametrize("view", ["horizons", "status", "releases"])
def test_customers_and_arr_are_hidden_unless_turned_on(world, roadmap, view):
    world.feature.horizon = "now"
    world.feature.save(update_fields=["horizon"])
    # The member pages do show them (so the strings below are the real ones).
    company_page = world["pm"].client().get(f"/w/acme/customers/companies/{world.company.key}/")
    assert COMPANY in company_page.content
    assert ARR in world["pm"].client().get("/w/acme/features/").content
    hidden = _link(world, label="Nothing extra")
    page = Client().get(f"/s/{hidden.token}/{view}/")
    assert page.status_code == 200
    assert b"Fast dispatch board for large fleets" in page.content
    for secret in (COMPANY, ARR, b"120k", b"1 company", DEMAND):
        assert secret not in page.content, secret
    customers = _link(world, label="Customers", show_customers=True)
    page = Client().get(f"/s/{customers.token}/{view}/")
    # The releases table names the companies; the boards count them.
    assert (COMPANY if view == "releases" else b"1 company") in page.content
    assert ARR_SHOWN[view] not in page.content
    arr = _link(world, label="ARR", show_arr=True)
    page = Client().get(f"/s/{arr.token}/{view}/")
    assert ARR_SHOWN[view] in page.content
    assert COMPANY not in page.content and b"1 company" not in page.content
    if view != "releases":
        scores = _link(world, label="Scores", show_scores=True)
        page = Client().get(f"/s/{scores.token}/{view}/")
        assert SCORE.search(page.content)
        assert ARR_SHOWN[view] not in page.content


# -- bad links ----------------------------------------------------------------------------


def test_a_revoked_link_says_who_revoked_it_and_when(world):
    link = _link(world)
    services.share_link_revoke(
        link=link, actor=world["pm"].user, now=datetime(2026, 11, 20, 12, tzinfo=UTC)
    )
    for path in ("", "releases/", "releases.ics", "shipped.atom"):
        response = Client().get(f"/s/{link.token}/{path}")
        assert response.status_code == 410, path
    response = Client().get(f"/s/{link.token}/")
    name = world["pm"].user.display_name
    assert f"This link was revoked by {name} on Nov 20, 2026.".encode() in response.content
    assert "no-store" in response["Cache-Control"]


def test_an_expired_link_says_when_it_expired(world):
    today = services.local_today(world.workspace)
    link = _link(world, expires_on=today)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    link.refresh_from_db()
    response = Client().get(f"/s/{link.token}/")
    assert response.status_code == 410
    day = services.expires_on(link)
    assert f"This link expired on {services.show_day(day)}.".encode() in response.content


def test_an_unknown_token_is_not_found(world):
    assert Client().get("/s/" + "n" * 43 + "/").status_code == 404
    assert Client().get("/s/short/").status_code == 404
    assert Client().get("/s/" + "n" * 43 + "/releases.ics").status_code == 404


def test_guessing_tokens_is_rate_limited_per_address(world):
    link = _link(world)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(services.MISSES_PER_IP.limit):
        assert guesser.get(f"/s/guess-{i:040d}/").status_code == 404
    blocked = guesser.get("/s/guess-again-0000000000000000000000000/")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # Even a real token waits: guessing cannot go on by mixing in a known one.
    assert guesser.get(f"/s/{link.token}/").status_code == 429
    # Another address is not affected.
    assert Client(REMOTE_ADDR="198.51.100.7").get(f"/s/{link.token}/").status_code == 200


def test_public_pages_only_answer_reads(world):
    link = _link(world)
    assert Client().post(f"/s/{link.token}/").status_code == 405


# -- feeds --------------------------------------------------------------------------------


def test_the_ical_feed_lists_the_links_releases(world, roadmap):
    link = _link(world)
    response = Client().get(f"/s/{link.token}/releases.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = [str(event.get("summary")) for event in calendar.walk("VEVENT")]
    assert any("Spring 2027" in s for s in summaries)
    assert not any("Mobile beta" in s or "Other co" in s for s in summaries)
    assert COMPANY not in response.content and ARR not in response.content


def test_the_atom_feed_lists_shipped_features(world, roadmap):
    world.feature.status = "shipped"
    world.feature.product = world.product
    world.feature.save(update_fields=["status", "product"])
    link = _link(world)
    response = Client().get(f"/s/{link.token}/shipped.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert "Fast dispatch board for large fleets" in titles
    assert COMPANY not in response.content


def test_dates_render_in_the_workspace_time_zone(world):
    assert services.show_day(date(2026, 1, 5)) == "Jan 5, 2026"


# -- a stakeholder member and a share link see the same ----------------------------------

CARD_TITLE = re.compile(rb'<h3 class="board-card-title">(?:<a [^>]*>)?([^<]+)')


@pytest.mark.parametrize("view", ["horizons", "status"])
def test_a_stakeholder_and_a_bare_link_see_the_same_board(world, roadmap, view):
    world.feature.horizon = "now"
    world.feature.save(update_fields=["horizon"])
    stakeholder = world["stakeholder"].client()
    member = stakeholder.get(f"/w/acme/roadmap/board/?view={view}&product={world.product.key}")
    link = _link(world, label="Bare")
    shared = Client().get(f"/s/{link.token}/{view}/")
    assert member.status_code == shared.status_code == 200
    for page in (member.content, shared.content):
        for secret in (COMPANY, ARR, b"120k", b"1 company", DEMAND):
            assert secret not in page, secret
    cards = CARD_TITLE.findall(member.content)
    assert b"Fast dispatch board for large fleets" in cards
    assert CARD_TITLE.findall(shared.content) == cards
    # A PM sees the internal fields on the same board (so the check above means something).
    pm = world["pm"].client().get(f"/w/acme/roadmap/board/?view={view}")
    assert b"1 company" in pm.content


def test_a_stakeholder_and_a_bare_link_see_the_same_timeline(world, roadmap):
    member = world["stakeholder"].client().get(f"/w/acme/roadmap/?product={world.product.key}")
    link = _link(world, label="Bare")
    shared = Client().get(f"/s/{link.token}/timeline/")
    assert member.status_code == shared.status_code == 200
    for page in (member.content, shared.content):
        assert b"Spring 2027" in page
        for secret in (COMPANY, ARR, b"120k"):
            assert secret not in page, secret


@pytest.mark.parametrize("view", ["timeline", "horizons", "status", "releases"])
def test_public_pages_read_a_fixed_number_of_queries(world, roadmap, view):
    link = _link(world)
    url = f"/s/{link.token}/{view}/"
    Client().get(url)  # notes the use: later requests in this minute do not write

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured)

    before = queries()
    owner = world["owner"]
    for i in range(4):
        release = release_create(
            workspace=world.workspace,
            actor=owner.user,
            name=f"Release {i}",
            product_key=world.product.key,
            team_key=world.team.key,
            start="2027-06-01",
            target="2027-07-01",
        )
        feature = feature_create(
            workspace=world.workspace,
            actor=owner.user,
            title=f"Feature {i}",
            product_key=world.product.key,
            horizon="next",
        )
        release_feature_add(
            release=release, actor=owner.user, membership=owner.membership, title=feature.title
        )
    assert queries() == before


def test_comments_show_only_when_turned_on(world, roadmap):
    from lodestar.feedback.portal_services import idea_link_feature

    # world.comment ("We would use it every morning.") is on world.idea: link it to the
    # feature in the shared release.
    idea_link_feature(idea=world.idea, actor=world["pm"].user, feature_title=world.feature.title)
    said = b"We would use it every morning."
    quiet = _link(world, label="No comments", views=["releases"])
    assert said not in Client().get(f"/s/{quiet.token}/releases/").content
    loud = _link(world, label="Comments", views=["releases"], show_comments=True)
    page = Client().get(f"/s/{loud.token}/releases/")
    assert page.status_code == 200 and said in page.content
