"""The risk register: risks written, edited and validated; their history; Lodestar's
proposals accepted or dismissed; a risk that occurs becoming an issue; the heatmap and its
cell filter; top risks on the product page; review reminders sent once a day; roles."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from lodestar.activity.models import Entry
from lodestar.core.errors import Conflict, Invalid
from lodestar.delivery import proposals, risk_reminders
from lodestar.delivery import risk_selectors as selectors
from lodestar.delivery import risk_services as services
from lodestar.delivery.models import Issue, Risk, RiskCategory, RiskSource, RiskStatus
from lodestar.planning.release_services import release_create
from lodestar.strategy import services as strategy_services
from lodestar.workspaces import services as workspace_services

pytestmark = pytest.mark.django_db

FUTURE = (timezone.localdate() + timedelta(days=30)).isoformat()


def _url(world, tail: str = "") -> str:
    return f"/w/{world.workspace.slug}/ship/{tail}"


def _form(world, **overrides) -> dict:
    return {
        "title": "Routing vendor raises prices",
        "description": "Their **contract** renews in March.",
        "category": "budget",
        "likelihood": "4",
        "impact": "5",
        "owner_key": world["po"].membership.key,
        "mitigation": "Get a second quote.",
        "contingency": "Switch to the open-source router.",
        "status": "open",
        "review_on": FUTURE,
        "feature_keys": [world.feature.key],
        "release_keys": [world.release.key],
        "objective_keys": [world.objective.key],
    } | overrides


def _risk(world, **kwargs) -> Risk:
    values = {
        "product": world.product,
        "actor": world["pm"].user,
        "title": "A risk",
        "category": "technical",
        "likelihood": 2,
        "impact": 2,
    } | kwargs
    return services.risk_create(**values)


# -- create, edit, validate ---------------------------------------------------------------


def test_a_pm_adds_a_risk_with_its_links_and_exposure(world):
    client = world["pm"].client()
    response = client.post(_url(world, f"risks/new/?product={world.product.key}"), _form(world))
    assert response.status_code == 302
    risk = Risk.objects.get(title="Routing vendor raises prices")
    assert response["Location"] == _url(world, f"risks/{risk.key}/")
    assert (risk.likelihood, risk.impact, risk.exposure) == (4, 5, 20)
    assert risk.owner == world["po"].membership and risk.product == world.product
    assert list(risk.features.all()) == [world.feature]
    assert list(risk.releases.all()) == [world.release]
    assert list(risk.objectives.all()) == [world.objective]
    page = client.get(response["Location"]).content.decode()
    assert "<strong>contract</strong>" in page and "20 · critical" in page
    entry = Entry.objects.get(target_type="risk", target_key=risk.key, verb="created")
    assert entry.changes["likelihood"] == [None, 4]
    assert entry.changes["releases"] == [None, "Spring 2027"]


@pytest.mark.parametrize(("field", "value"), [("likelihood", "0"), ("impact", "6")])
def test_a_rating_off_the_scale_is_a_field_error(world, field, value):
    client = world["pm"].client()
    response = client.post(
        _url(world, f"risks/new/?product={world.product.key}"), _form(world, **{field: value})
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "runs from 1" in form.errors[field][0] and value in form.errors[field][0]
    assert not Risk.objects.filter(title="Routing vendor raises prices").exists()


def test_the_service_checks_the_scale_too(world):
    with pytest.raises(Invalid) as caught:
        _risk(world, likelihood=6, impact=0)
    assert set(caught.value.fields) == {"likelihood", "impact"}


def test_a_review_date_in_the_past_is_refused(world):
    client = world["pm"].client()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        _url(world, f"risks/new/?product={world.product.key}"),
        _form(world, review_on=yesterday),
    )
    assert response.status_code == 400
    assert "in the past" in response.context["form"].errors["review_on"][0]


def test_an_unchanged_past_review_date_does_not_block_an_edit(world):
    risk = world.risk
    Risk.objects.filter(pk=risk.pk).update(review_on=date(2020, 1, 1))
    risk.refresh_from_db()
    changes = services.risk_update(
        risk=risk,
        actor=world["pm"].user,
        version=risk.version,
        title="Renamed",
        category=risk.category,
        likelihood=risk.likelihood,
        impact=risk.impact,
        review_on=date(2020, 1, 1),
    )
    assert changes["title"] == ["Dispatch board rewrite slips past spring", "Renamed"]
    with pytest.raises(Invalid) as caught:
        services.risk_update(
            risk=risk,
            actor=world["pm"].user,
            version=None,
            title="Renamed",
            category=risk.category,
            likelihood=risk.likelihood,
            impact=risk.impact,
            review_on=date(2020, 1, 2),
        )
    assert "review_on" in caught.value.fields


def test_links_to_another_product_or_workspace_are_refused(world):
    owner = world["owner"].user
    workspace_services.product_create(
        workspace=world.workspace, actor=owner, key="mobile", name="Mobile"
    )
    mobile_objective = strategy_services.objective_create(
        workspace=world.workspace,
        actor=owner,
        product_key="mobile",
        title="Offline first",
        period="2026-Q4",
    )
    other_team = world.other_team
    other_release = release_create(
        workspace=world.other,
        actor=world["outsider"].user,
        name="Theirs",
        product_key="other-web",
        team_key=other_team.key,
        start="2027-01-04",
        target="2027-02-26",
    )
    with pytest.raises(Invalid) as caught:
        _risk(world, objective_keys=[mobile_objective.key])
    assert "objective_keys" in caught.value.fields
    with pytest.raises(Invalid) as caught:
        _risk(world, release_keys=[other_release.key])
    assert "release_keys" in caught.value.fields
    # The form offers only the product's own, and refuses the rest.
    response = (
        world["pm"]
        .client()
        .post(
            _url(world, f"risks/new/?product={world.product.key}"),
            _form(world, objective_keys=[mobile_objective.key]),
        )
    )
    assert response.status_code == 400
    assert "objective_keys" in response.context["form"].errors


def test_an_edit_keeps_exposure_and_records_each_change(world):
    risk = world.risk
    client = world["pm"].client()
    response = client.post(
        _url(world, f"risks/{risk.key}/edit/"),
        _form(world, title=risk.title, likelihood="5", impact="4", version=risk.version),
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.exposure, risk.version) == (5, 4, 20, 2)
    entry = Entry.objects.filter(target_key=risk.key, verb="updated").latest("id")
    assert entry.changes["likelihood"] == [3, 5]
    assert entry.changes["exposure"] == [12, 20]
    assert entry.changes["owner"] == ["Pm", "Po"]
    assert entry.changes["category"] == ["Schedule", "Budget"]
    history = client.get(_url(world, f"risks/{risk.key}/")).content.decode()
    assert "Exposure: 12 → 20" in history and "Likelihood: 3 → 5" in history


def test_a_stale_edit_is_a_conflict_naming_the_other_change(world):
    risk = world.risk
    services.risk_update(
        risk=risk,
        actor=world["admin"].user,
        version=risk.version,
        title=risk.title,
        category=risk.category,
        likelihood=1,
        impact=risk.impact,
        review_on=risk.review_on,
        feature_keys=[world.feature.key],
        release_keys=[world.release.key],
        objective_keys=[world.objective.key],
    )
    response = (
        world["pm"]
        .client()
        .post(_url(world, f"risks/{risk.key}/edit/"), _form(world, title=risk.title, version=1))
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved: someone else changed this risk" in page and "Admin" in page
    risk.refresh_from_db()
    assert risk.likelihood == 1 and risk.category == "schedule"


def test_choosing_occurred_leads_to_the_issue_form(world):
    risk = world.risk
    response = (
        world["pm"]
        .client()
        .post(
            _url(world, f"risks/{risk.key}/edit/"),
            _form(world, title=risk.title, status="occurred", version=risk.version),
        )
    )
    assert response["Location"] == _url(world, f"risks/{risk.key}/occurred/")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN  # not until the issue is told


# -- actions and history ------------------------------------------------------------------


def test_mitigation_actions_are_added_done_and_deleted_with_history(world):
    risk = world.risk
    client = world["pm"].client()
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        _url(world, f"risks/{risk.key}/actions/"),
        {
            "action-title": "Call the vendor",
            "action-owner_key": world["po"].membership.key,
            "action-due_on": due,
        },
    )
    assert response.status_code == 302
    action = risk.actions.get(title="Call the vendor")
    assert action.owner == world["po"].membership
    client.post(_url(world, f"risks/{risk.key}/actions/{action.key}/toggle/"))
    action.refresh_from_db()
    assert action.done_at is not None
    assert (
        client.get(_url(world, f"risks/{risk.key}/actions/{action.key}/delete/")).status_code == 200
    )
    client.post(_url(world, f"risks/{risk.key}/actions/{action.key}/delete/"))
    assert not risk.actions.filter(pk=action.pk).exists()
    changes = [e.changes for e in Entry.objects.filter(target_key=risk.key).order_by("id")][-3:]
    assert changes[0]["action added"][1].startswith("Call the vendor (Po, due ")
    assert changes[1] == {"action “Call the vendor”": ["to do", "done"]}
    assert changes[2] == {"action deleted": ["Call the vendor", None]}


def test_an_overdue_action_is_highlighted(world):
    world.risk_action.due_on = timezone.localdate() - timedelta(days=2)
    world.risk_action.save()
    page = world["stakeholder"].client().get(_url(world, f"risks/{world.risk.key}/"))
    assert "(overdue)" in page.content.decode()


def test_a_blank_action_is_not_added(world):
    client = world["pm"].client()
    response = client.post(
        _url(world, f"risks/{world.risk.key}/actions/"), {"action-title": ""}, follow=True
    )
    assert "The action was not added" in response.content.decode()
    assert world.risk.actions.count() == 1


# -- proposals ----------------------------------------------------------------------------


def _proposal(world) -> Risk:
    return proposals.propose(
        release=world.release,
        source=RiskSource.FORECAST,
        title="Spring 2027 may miss May 28",
        description="Chance of finishing by May 28: 41 % (threshold 70 %); 85 % date Jun 18.",
        category=RiskCategory.SCHEDULE,
        likelihood=4,
        impact=3,
        evidence={"p_on_time": 0.41, "threshold": 70, "p85": "2027-06-18"},
        severity=0.59,
    )


def test_a_proposal_shows_above_the_register_with_its_evidence(world):
    risk = _proposal(world)
    page = world["stakeholder"].client().get(_url(world, "risks/")).content.decode()
    assert "Proposed by Lodestar" in page and risk.title in page
    assert "41 %" in page and "70 %" in page and "2027-06-18" in page
    assert "/accept/" not in page  # a stakeholder cannot decide
    page = world["pm"].client().get(_url(world, "risks/")).content.decode()
    assert f"/ship/risks/{risk.key}/accept/" in page


def test_accepting_a_proposal_opens_it_and_a_second_decision_is_a_409(world):
    risk = _proposal(world)
    client = world["pm"].client()
    response = client.post(_url(world, f"risks/{risk.key}/accept/"))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN and risk.decided_by == world["pm"].user
    again = client.post(_url(world, f"risks/{risk.key}/dismiss/"))
    assert again.status_code == 409
    assert "no longer a proposal" in again.content.decode()


def test_dismissing_a_proposal(world):
    risk = _proposal(world)
    response = world["po"].client().post(_url(world, f"risks/{risk.key}/dismiss/"))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == RiskStatus.DISMISSED
    page = world["pm"].client().get(_url(world, "risks/?status=all")).content.decode()
    assert risk.title not in page  # dismissed proposals stay out of the register


# -- occurred -> issue --------------------------------------------------------------------


def test_a_risk_that_occurs_becomes_an_issue(world):
    risk = world.risk
    client = world["pm"].client()
    form = client.get(_url(world, f"risks/{risk.key}/occurred/"))
    assert form.context["form"].initial["title"] == risk.title
    today = timezone.localdate().isoformat()
    response = client.post(
        _url(world, f"risks/{risk.key}/occurred/"),
        {
            "title": risk.title,
            "impact": "Spring slipped two weeks.",
            "severity": "4",
            "occurred_on": today,
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get(risk=risk)
    assert response["Location"] == _url(world, f"issues/{issue.key}/")
    assert (issue.severity, issue.impact, issue.owner) == (
        4,
        "Spring slipped two weeks.",
        risk.owner,
    )
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    entry = Entry.objects.filter(target_key=risk.key).latest("id")
    assert entry.changes["status"] == ["Open", "Occurred"]
    with pytest.raises(Conflict):
        services.risk_occurred(
            risk=risk,
            actor=world["pm"].user,
            title="again",
            impact="x",
            severity=3,
            occurred_on=timezone.localdate(),
        )
    # Off the heatmap (not active), on the issues list.
    assert sum(map(sum, selectors.heatmap(world.product))) == 0
    page = client.get(_url(world, f"issues/?product={world.product.key}")).content.decode()
    assert issue.title in page


def test_an_issue_cannot_have_occurred_in_the_future(world):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = (
        world["pm"]
        .client()
        .post(
            _url(world, f"risks/{world.risk.key}/occurred/"),
            {"title": "x", "impact": "y", "severity": "3", "occurred_on": tomorrow},
        )
    )
    assert response.status_code == 400
    assert "in the future" in response.context["form"].errors["occurred_on"][0]
    assert not Issue.objects.filter(risk=world.risk).exists()


def test_an_issue_is_logged_directly_then_resolved(world):
    client = world["po"].client()
    response = client.post(
        _url(world, f"issues/new/?product={world.product.key}"),
        {
            "title": "Map tiles down",
            "impact": "No maps for an hour.",
            "severity": "2",
            "occurred_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get(title="Map tiles down")
    assert issue.risk is None
    today = timezone.localdate().isoformat()
    resolve = {
        "title": issue.title,
        "impact": issue.impact,
        "severity": "2",
        "occurred_on": "2026-11-01",
        "resolution": "Switched tile provider.",
        "resolved_on": today,
    }
    assert client.post(_url(world, f"issues/{issue.key}/"), resolve).status_code == 302
    issue.refresh_from_db()
    assert issue.resolved_on == timezone.localdate()
    still_open = client.get(_url(world, "issues/")).context["page"].items
    assert [i.title for i in still_open] == ["Board outage on Monday"]
    resolved = client.get(_url(world, "issues/?state=resolved")).context["page"].items
    assert [i.title for i in resolved] == ["Map tiles down"]
    bad = client.post(_url(world, f"issues/{issue.key}/"), resolve | {"resolution": ""})
    assert bad.status_code == 400 and "resolution" in bad.context["form"].errors


# -- heatmap and register -----------------------------------------------------------------


def test_the_heatmap_counts_active_risks_per_cell_and_a_cell_filters_the_list(world):
    _risk(world, title="Four-three a", likelihood=4, impact=3)
    _risk(world, title="Four-three b", likelihood=4, impact=3, status="mitigating")
    _risk(world, title="Four-three closed", likelihood=4, impact=3, status="closed")
    grid = selectors.heatmap(world.product)
    assert grid[3][2] == 2  # [likelihood - 1][impact - 1]
    assert grid[2][3] == 1  # world.risk: 3 x 4
    assert sum(map(sum, grid)) == 3
    client = world["stakeholder"].client()
    page = client.get(_url(world, "risks/")).content.decode()
    assert 'aria-label="2 risks: likelihood 4, impact 3"' in page
    assert 'aria-label="1 risk: likelihood 3, impact 4"' in page
    cell = client.get(_url(world, f"risks/?product={world.product.key}&l=4&i=3"))
    titles = [r.title for r, _band, _next in cell.context["rows"]]
    assert sorted(titles) == ["Four-three a", "Four-three b"]
    assert 'aria-current="true"' in cell.content.decode()


@pytest.mark.parametrize("query", ["l=6&i=3", "l=4", "status=nope", "sort=x", "product=nope"])
def test_bad_register_filters_are_a_400(world, query):
    response = world["pm"].client().get(_url(world, f"risks/?{query}"))
    assert response.status_code == 400


def test_the_register_sorts_filters_and_pages(world):
    soon = timezone.localdate() + timedelta(days=3)
    _risk(world, title="Low one", likelihood=1, impact=1, review_on=soon)
    _risk(world, title="Critical one", likelihood=5, impact=5, category="legal")
    client = world["pm"].client()
    rows = client.get(_url(world, "risks/")).context["rows"]
    assert next(r.title for r, _b, _n in rows) == "Critical one"
    assert [b for r, b, _n in rows if r.title == "Critical one"] == ["critical"]
    by_review = client.get(_url(world, "risks/?sort=review")).context["rows"]
    assert by_review[0][0].title == "Low one"
    legal = client.get(_url(world, "risks/?category=legal")).context["rows"]
    assert [r.title for r, _b, _n in legal] == ["Critical one"]
    found = client.get(_url(world, "risks/?q=low")).context["rows"]
    assert [r.title for r, _b, _n in found] == ["Low one"]
    mine = client.get(_url(world, f"risks/?owner={world['pm'].membership.key}")).context["rows"]
    assert [r.title for r, _b, _n in mine] == [world.risk.title]
    for n in range(55):
        _risk(world, title=f"Bulk {n}")
    first = client.get(_url(world, "risks/?sort=review"))
    assert len(first.context["page"].items) == 50 and first.context["page"].next
    second = client.get(_url(world, f"risks/?sort=review&cursor={first.context['page'].next}"))
    seen = {r.pk for r in first.context["page"].items} | {
        r.pk for r in second.context["page"].items
    }
    assert len(seen) == 58


def test_the_next_action_and_an_overdue_review_show_in_the_register(world):
    Risk.objects.filter(pk=world.risk.pk).update(review_on=date(2020, 1, 1))
    page = world["pm"].client().get(_url(world, "risks/")).content.decode()
    assert "Load test with 100 techs" in page and "overdue" in page


# -- top risks ----------------------------------------------------------------------------


def test_top_risks_on_the_product_page(world):
    for n in range(6):
        _risk(world, title=f"Risk {n}", likelihood=5, impact=n % 5 + 1)
    _risk(world, title="Closed big", likelihood=5, impact=5, status="closed")
    top = selectors.top_risks(world.product)
    assert len(top) == 5 and "Closed big" not in [r.title for r in top]
    assert [r.exposure for r in top] == sorted((r.exposure for r in top), reverse=True)
    page = world["stakeholder"].client().get(f"/w/acme/products/{world.product.key}/")
    text = page.content.decode()
    assert "Top risks" in text and top[0].title in text and "Closed big" not in text


def test_top_risks_empty_state(world):
    Risk.objects.all().delete()
    page = world["pm"].client().get(f"/w/acme/products/{world.product.key}/").content.decode()
    assert "No active risks for Web" in page


# -- reminders ----------------------------------------------------------------------------


def test_review_reminders_go_once_a_day_to_the_owner(world):
    today = date(2099, 1, 4)  # world.risk's review date
    _risk(world, title="Not yet", review_on=date(2099, 2, 1), owner_key=world["po"].membership.key)
    _risk(
        world,
        title="Closed",
        review_on=date(2099, 1, 1),
        status="closed",
        owner_key=world["po"].membership.key,
    )
    _risk(world, title="Nobody's", review_on=date(2099, 1, 1))
    assert risk_reminders.send_review_reminders(today=today) == 1
    (message,) = mail.outbox
    assert message.to == ["pm@acme.test"]
    assert world.risk.title in message.subject and "Web" in message.subject
    assert f"/w/acme/ship/risks/{world.risk.key}/" in message.body
    assert "0 of 1 mitigation action done" in message.body
    world.risk.refresh_from_db()
    assert world.risk.reminded_on == today
    assert risk_reminders.send_review_reminders(today=today) == 0  # not again the same day
    assert risk_reminders.send_review_reminders(today=today + timedelta(days=1)) == 1  # next day
    assert len(mail.outbox) == 2
    assert "1 day past its review date" in mail.outbox[1].subject


def test_the_reminder_command_prints_how_many(world, capsys):
    Risk.objects.filter(pk=world.risk.pk).update(review_on=timezone.localdate())
    call_command("risk_reminders")
    assert "1 review reminder sent." in capsys.readouterr().out
    call_command("risk_reminders")
    assert "0 review reminders sent." in capsys.readouterr().out


# -- roles --------------------------------------------------------------------------------


def test_a_stakeholder_reads_but_cannot_write(world):
    client = world["stakeholder"].client()
    risk = world.risk
    assert client.get(_url(world, "risks/")).status_code == 200
    assert client.get(_url(world, f"risks/{risk.key}/")).status_code == 200
    assert client.get(_url(world, f"issues/{world.issue.key}/")).status_code == 200
    assert client.post(_url(world, "risks/new/"), _form(world)).status_code == 403
    assert client.post(_url(world, f"risks/{risk.key}/edit/"), _form(world)).status_code == 403
    assert client.post(_url(world, f"risks/{risk.key}/actions/"), {}).status_code == 403
    assert client.post(_url(world, f"issues/{world.issue.key}/"), {}).status_code == 403
    page = client.get(_url(world, f"risks/{risk.key}/")).content.decode()
    assert "Add action" not in page and "/edit/" not in page


def test_another_workspace_cannot_see_the_risks(world):
    client = world["outsider"].client()
    assert client.get(_url(world, f"risks/{world.risk.key}/")).status_code == 404
    other = f"/w/{world.other.slug}/ship/risks/{world.risk.key}/"
    assert client.get(other).status_code == 404
    assert client.get(f"/w/{world.other.slug}/ship/issues/{world.issue.key}/").status_code == 404


def test_reminder_links_are_absolute_with_the_site_url(world, settings):
    settings.SITE_URL = "https://lodestar.example.com"
    risk_reminders.send_review_reminders(today=date(2099, 1, 4))  # world.risk's review date
    (message,) = mail.outbox
    assert f"https://lodestar.example.com/w/acme/ship/risks/{world.risk.key}/" in message.body
