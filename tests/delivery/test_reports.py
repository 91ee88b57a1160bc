"""Weekly status reports: each section from hand-built data, the empty states, regenerating
a draft vs a sent report, editing with a stale version, the Markdown and PDF downloads,
sending, and who may read what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from lodestar.analytics.models import KeyResultMetric
from lodestar.delivery import report_selectors as selectors
from lodestar.delivery.models import (
    DeliverySettings,
    ReleaseForecast,
    ReportStatus,
    Risk,
    RiskAction,
    StatusReport,
)
from lodestar.delivery.report_pdf import latin1, report_pdf
from lodestar.delivery.report_services import (
    md_escape,
    render_body,
    report_generate,
    report_send,
    report_update,
)
from lodestar.feedback.services import feedback_create
from lodestar.planning.concurrency import EditConflict
from lodestar.planning.models import FeatureStatus
from lodestar.planning.roadmap_models import RoadmapChange
from lodestar.planning.services import feature_create, feature_update
from lodestar.strategy.models import KeyResultCheckin
from lodestar.workspaces import services as workspace_services
from lodestar.workspaces.models import Role

pytestmark = pytest.mark.django_db

EMPTY_STATES = [
    "Nothing shipped this week.",
    "No features are in progress.",
    "No data yet for release forecasts: Quiet has no open release.",
    "No open risks in the register.",
    "No objectives for",
    "No new feedback this week.",
    "No data yet for key metrics",
]


def _url(world, *parts: str) -> str:
    return "/".join([f"/w/{world.workspace.slug}/ship/reports", *parts]) + "/"


def _draft(world, **kwargs) -> StatusReport:
    return report_generate(
        product=world.product, actor=world["pm"].user, refresh_forecasts=False, **kwargs
    )


def test_an_empty_product_gets_every_sections_empty_state(world):
    quiet = workspace_services.product_create(
        workspace=world.workspace, actor=world["owner"].user, key="quiet", name="Quiet"
    )
    report = report_generate(product=quiet, actor=world["pm"].user)
    for text in EMPTY_STATES:
        assert text in report.body, text
    week = selectors.current_week(world.workspace)
    assert report.week_start == week and week.weekday() == 0
    assert report.title == f"Status: Quiet, week of {week:%B} {week.day}, {week.year}"
    assert report.body.startswith(f"# {report.title}\n")
    assert report.data["in_progress"] == {"count": 0, "features": []}
    assert report.data["risks"] == {"active": 0, "risks": []}
    assert report.data["feedback"]["new"] == 0
    # Nothing made up: no percentage anywhere in a report with no numbers.
    assert "%" not in report.body
    page = world["pm"].client().get(_url(world, report.key))
    assert page.status_code == 200
    assert b"No open risks in the register." in page.content


def test_each_section_comes_from_the_data(world):
    pm = world["pm"].user
    week = selectors.current_week(world.workspace)
    start, _end = selectors.week_bounds(world.workspace, week)
    # 1. shipped this week (the roadmap's history), 2. in progress with its release
    feature_update(feature=world.feature, actor=pm, status=FeatureStatus.SHIPPED)
    busy = feature_create(
        workspace=world.workspace, actor=pm, title="Route | optimizer *v2*", product_key="web"
    )
    busy = feature_update(
        feature=busy, actor=pm, status=FeatureStatus.IN_PROGRESS, release_key=world.release.key
    )
    old = feature_create(
        workspace=world.workspace, actor=pm, title="Shipped long ago", product_key="web"
    )
    feature_update(feature=old, actor=pm, status=FeatureStatus.SHIPPED)
    RoadmapChange.objects.filter(target_key=old.key).update(at=start - timedelta(days=3))
    # 3. a forecast below the threshold
    ReleaseForecast.objects.create(
        release=world.release,
        day=week,
        remaining=30,
        done=10,
        history_weeks=8,
        trials=10_000,
        p_on_time=0.42,
        p85=world.release.target + timedelta(days=20),
        threshold=70,
        at_risk=True,
    )
    # 4. risks by exposure, with their mitigation actions
    low = Risk.objects.create(
        workspace=world.workspace,
        product=world.product,
        title="Minor churn",
        category="market",
        likelihood=2,
        impact=2,
    )
    top = Risk.objects.create(
        workspace=world.workspace,
        product=world.product,
        title="Map vendor late",
        category="schedule",
        likelihood=4,
        impact=5,
        mitigation="Second vendor on standby.",
        owner=world["pm"].membership,
    )
    RiskAction.objects.create(risk=top, title="Call the second vendor", due_on=week)
    Risk.objects.create(
        workspace=world.workspace,
        product=world.product,
        title="Closed one",
        category="technical",
        likelihood=5,
        impact=5,
        status="closed",
    )
    # 6. feedback: enough for themes, all received this week
    for n in range(8):
        feedback_create(
            workspace=world.workspace,
            actor=pm,
            text=f"The dispatch board is slow with many technicians, case {n}",
            product_key="web",
        )
    # 7. a key result fed by a chart: 10 before the week, 14 during it
    KeyResultMetric.objects.create(key_result=world.key_result, chart=world.chart)
    KeyResultCheckin.objects.filter(key_result=world.key_result).delete()
    KeyResultCheckin.objects.create(
        key_result=world.key_result, value=Decimal(10), at=start - timedelta(days=2)
    )
    KeyResultCheckin.objects.create(
        key_result=world.key_result, value=Decimal(14), at=start + timedelta(hours=1)
    )

    report = _draft(world)
    data, body = report.data, report.body

    assert [f["title"] for f in data["shipped"]["features"]] == [world.feature.title]
    assert f"- **{world.feature.title}**" in body
    assert "Shipped long ago" not in body
    assert data["in_progress"]["features"][0]["release"] == world.release.name
    assert f"| Route \\| optimizer \\*v2\\* | {world.release.name} |" in body

    (forecast,) = data["forecasts"]["releases"]
    assert forecast["p_on_time"] == 0.42 and forecast["at_risk"]
    assert f"| {world.release.name} |" in body and "| 42 % (threshold 70 %) |" in body
    assert "No releases are at risk." not in body

    titles = [r["title"] for r in data["risks"]["risks"]]
    assert titles[0] == "Map vendor late" and "Minor churn" in titles
    assert "Closed one" not in titles
    active = Risk.objects.filter(product=world.product, status__in=("open", "mitigating"))
    assert data["risks"]["active"] == active.count()
    assert "1. **Map vendor late**: Schedule, likelihood 4 \u00d7 impact 5 = exposure 20" in body
    assert "Mitigation: Second vendor on standby." in body
    assert "    - Call the second vendor" in body
    assert low.exposure == 4

    (objective,) = data["objectives"]["objectives"]
    assert objective["title"] == world.objective.title
    assert objective["key_results"][0]["metric"] == world.key_result.metric

    assert data["feedback"]["new"] == 9  # the world's feedback and these eight
    assert data["feedback"]["themes"], data["feedback"]
    assert "new pieces of feedback this week, in these themes" in body

    (metric,) = data["metrics"]["metrics"]
    assert (metric["previous"], metric["current"], metric["change"]) == ("10", "14", "4")
    assert f"| {world.key_result.metric} | {world.chart.name} | 10" in body
    assert "| +4" in body


def test_regenerating_refreshes_a_draft_but_never_a_sent_report(world):
    report = _draft(world)
    report_update(report=report, actor=world["pm"].user, body="# Edited\n", version=1)
    again = _draft(world)
    assert again.pk == report.pk and again.version == 3
    assert again.body.startswith("# Status: Web")  # the edit is replaced by the data
    StatusReport.objects.filter(pk=report.pk).update(status=ReportStatus.SENT)
    response = (
        world["pm"]
        .client()
        .post(_url(world, "generate"), {"product": "web", "week": report.week_start})
    )
    assert response.status_code == 409
    assert b"already sent" in response.content
    assert StatusReport.objects.get(pk=report.pk).body == again.body


def test_generate_through_the_page_and_bad_input(world):
    client = world["po"].client()
    response = client.post(_url(world, "generate"), {"product": "web", "week": ""})
    report = StatusReport.objects.get(product=world.product, status=ReportStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == _url(world, report.key)
    future = selectors.current_week(world.workspace) + timedelta(days=14)
    response = client.post(_url(world, "generate"), {"product": "web", "week": future})
    assert response.status_code == 400 and b"has not started yet" in response.content
    response = client.post(_url(world, "generate"), {"product": "nope", "week": "x"})
    assert response.status_code == 400
    listing = client.get(_url(world) + "?product=web")
    assert listing.status_code == 200 and report.title.encode() in listing.content


def test_editing_with_a_stale_version_is_a_conflict(world):
    report = _draft(world)
    client = world["pm"].client()
    url = _url(world, report.key, "edit")
    preview = client.post(url, {"body": "# Draft\n\n**bold**", "version": 1, "action": "preview"})
    assert preview.status_code == 200 and b"<strong>bold</strong>" in preview.content
    assert StatusReport.objects.get(pk=report.pk).version == 1  # a preview saves nothing
    saved = client.post(url, {"body": "# Mine\n", "version": 1, "action": "save"})
    assert saved.status_code == 302
    stale = client.post(url, {"body": "# Theirs\n", "version": 1, "action": "save"})
    assert stale.status_code == 409 and b"someone else changed this report" in stale.content
    assert StatusReport.objects.get(pk=report.pk).body == "# Mine\n"
    with pytest.raises(EditConflict):
        report_update(report=report, actor=world["pm"].user, body="# x\n", version=1)
    empty = client.post(url, {"body": "  ", "version": 2, "action": "save"})
    assert empty.status_code == 400


def test_a_sent_report_is_read_only(world):
    client = world["pm"].client()
    url = _url(world, world.report.key, "edit")
    assert client.get(url).status_code == 409
    response = client.post(url, {"body": "# Changed\n", "version": 1})
    assert response.status_code == 409
    world.report.refresh_from_db()
    assert world.report.body.startswith("# Status: Web, week of November 2")
    assert client.post(_url(world, world.report.key, "send")).status_code == 409


def test_markdown_and_pdf_downloads(world):
    report = _draft(world)
    client = world["stakeholder"].client()
    # A stakeholder does not see a draft.
    assert client.get(_url(world, report.key)).status_code == 404
    assert client.get(_url(world, report.key) + "report.md").status_code == 404
    client = world["pm"].client()
    md = client.get(_url(world, report.key) + "report.md")
    assert md.status_code == 200
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    week = report.week_start.isoformat()
    assert md["Content-Disposition"] == f'attachment; filename="status-web-{week}.md"'
    assert md.content.decode() == report.body
    pdf = client.get(_url(world, report.key) + "report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="status-web-{week}.pdf"'
    plain = report_pdf(report, compress=False)
    assert plain.startswith(b"%PDF")
    assert report.title.encode("latin-1") in plain
    assert b"What shipped this week" in plain


def test_pdf_survives_text_outside_latin1(world):
    report = _draft(world)
    report.body = (
        "# \u03a9mega \u2013 \u201cquoted\u201d \u2026 \u65e5\u672c\n\n"
        "| a | b |\n|---|---|\n| 1 | \u20ac 2 |\n"
    )
    plain = report_pdf(report, compress=False)
    assert plain.startswith(b"%PDF") and b'?mega - "quoted" ... ??' in plain
    assert latin1("\u2192 \u2265 \u00d7") == "-> >= \u00d7"


def test_sending_emails_each_stakeholder_with_the_pdf(world):
    DeliverySettings.objects.create(
        workspace=world.workspace,
        product=world.product,
        report_recipients="board@acme.test\n\nSTAKEHOLDER@acme.test\n",
    )
    report = _draft(world)
    client = world["pm"].client()
    confirm = client.get(_url(world, report.key, "send"))
    assert confirm.status_code == 200 and b"board@acme.test" in confirm.content
    response = client.post(_url(world, report.key, "send"))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["board@acme.test", "stakeholder@acme.test"]
    message = mail.outbox[0]
    assert message.subject == report.title and message.body == report.body
    ((name, content, mimetype),) = message.attachments
    assert name.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT and report.sent_by == world["pm"].user
    assert report.sent_to == ["stakeholder@acme.test", "board@acme.test"]
    assert report.sent_at is not None
    # Sent once: a second send is refused and sends nothing more.
    assert client.post(_url(world, report.key, "send")).status_code == 409
    assert len(mail.outbox) == 2
    # Now the stakeholder reads it.
    assert world["stakeholder"].client().get(_url(world, report.key)).status_code == 200


def test_no_recipients_sends_nothing(world):
    world["stakeholder"].membership.delete()
    report = _draft(world)
    response = world["pm"].client().post(_url(world, report.key, "send"))
    assert response.status_code == 400 and b"Nothing was sent" in response.content
    assert mail.outbox == []
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(Exception, match="Nobody to send"):
        report_send(report=report, actor=world["pm"].user)


def test_a_mail_failure_leaves_the_report_a_draft(world, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    report = _draft(world)
    with pytest.raises(ConnectionRefusedError):
        report_send(report=report, actor=world["pm"].user)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.sent_at is None
    assert report.sent_to == []


def test_a_report_edited_since_it_was_opened_is_not_sent(world):
    report = _draft(world)
    stale = StatusReport.objects.get(pk=report.pk)
    report_update(report=report, actor=world["po"].user, body="# Newer\n", version=1)
    with pytest.raises(Exception, match="changed after you opened it"):
        report_send(report=stale, actor=world["pm"].user)
    assert mail.outbox == []


def test_stakeholders_list_sent_reports_only(world):
    draft = _draft(world)
    for name, sees_draft in (("stakeholder", False), ("contributor", False), ("po", True)):
        page = world[name].client().get(_url(world) + "?product=web")
        assert page.status_code == 200
        assert world.report.title.encode() in page.content
        assert (draft.title.encode() in page.content) is sees_draft, name
    assert world["stakeholder"].membership.role == Role.STAKEHOLDER
    assert world["stakeholder"].client().get(_url(world, draft.key, "edit")).status_code == 403


def test_another_workspaces_report_is_not_found(world):
    client = world["outsider"].client()
    url = f"/w/{world.other.slug}/ship/reports/{world.report.key}/"
    assert client.get(url).status_code == 404
    assert client.get(url + "report.pdf").status_code == 404
    assert client.get(f"/w/{world.workspace.slug}/ship/reports/").status_code == 404


def test_fresh_forecasts_are_not_run_again(world, monkeypatch):
    from lodestar.delivery import forecast_services

    runs = []
    monkeypatch.setattr(forecast_services, "refresh_product", lambda product: runs.append(1))
    week = selectors.current_week(world.workspace)
    selectors.report_data(product=world.product, week_start=week)
    assert runs == [1]  # the open release has no forecast yet
    ReleaseForecast.objects.create(release=world.release, day=week, remaining=5)
    selectors.report_data(product=world.product, week_start=week)
    assert runs == [1]  # computed just now: fresh enough


def test_long_release_lists_are_cut(world):
    report = _draft(world)
    data = report.data
    rows = [
        {"key": f"k{n}", "name": f"R{n}", "target": "2027-01-01", "day": "2026-11-23",
         "p_on_time": None if n % 2 else 0.9, "p50": None, "p85": None, "p95": None,
         "threshold": 70, "at_risk": False, "reason": "No history"}
        for n in range(30)
    ]  # fmt: skip
    data["forecasts"] = {"open_releases": 30, "forecast": 30, "releases": rows}
    body = render_body(data, report.title)
    assert "No releases are at risk." in body
    assert "R8 (90 %), R10 (90 %)" in body and "and 5 more." in body
    assert "R1 (No history); R3" in body and "; and 5 more." in body


def test_md_escape_keeps_user_text_literal():
    assert md_escape("a | b *c* [d](e)\nnext") == "a \\| b \\*c\\* \\[d\\](e) next"
