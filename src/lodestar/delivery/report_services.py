"""Writes for weekly status reports: generate (or refresh) a product's report for a week,
edit its markdown before sending, send it to the product's stakeholders.

A report is generated from the data (report_selectors.report_data, kept in `data`) into
markdown (`body`, from the template delivery/report_body.md). Until it is sent it is a
draft: generating again refreshes it (an edited body is replaced), and edits are versioned.
A sent report never changes again."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core import mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid
from lodestar.delivery import report_selectors as selectors
from lodestar.delivery.models import ReportStatus, StatusReport
from lodestar.planning.concurrency import save_versioned
from lodestar.workspaces.models import Product

MAX_BODY = StatusReport._meta.get_field("body").max_length or 100_000
MITIGATION_CHARS = 300
NAMED = 10  # releases named in the on-track and not-forecast lines (the rest counted)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


# -- markdown from the data -----------------------------------------------------------------


def md_escape(text: str) -> str:
    """`text` as literal markdown inline text: one line, markdown's specials escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _safe(value: Any) -> Any:
    """The data with every string made literal markdown (recursively)."""
    if isinstance(value, str):
        return md_escape(value)
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe(v) for v in value]
    return value


def _dates(row: dict, *names: str) -> dict:
    return {**row, **{n: parse_date(row[n]) if row.get(n) else None for n in names}}


def _signed(text: str | None) -> str | None:
    if text is None or text.startswith("-"):
        return text
    return f"+{text}"


def report_title(product: Product, week_start: date) -> str:
    return f"Status: {product.name}, week of {week_start:%B} {week_start.day}, {week_start.year}"


def _context(data: dict, title: str) -> dict:
    """The template's context: the stored data made literal markdown, dates as dates, and the
    forecast rows split into at risk, on track and not forecastable."""
    raw = data
    data = _safe(data)
    forecasts = []
    for row in data["forecasts"]["releases"]:
        row = _dates(row, "target", "p50", "p85", "p95")
        p = row["p_on_time"]
        row["percent"] = round(p * 100) if p is not None else None
        forecasts.append(row)
    on_track = [r for r in forecasts if not r["at_risk"] and r["percent"] is not None]
    unforecast = [r for r in forecasts if r["percent"] is None]
    risks = data["risks"]
    for risk in risks["risks"]:
        mitigation = risk["mitigation"]
        if len(mitigation) > MITIGATION_CHARS:
            risk["mitigation"] = mitigation[: MITIGATION_CHARS - 1].rstrip("\\") + "…"
        risk["actions"] = [_dates(a, "due_on") for a in risk["actions"]]
    metrics = data["metrics"]
    for m in metrics["metrics"]:
        m["change"] = _signed(m["change"])
    shipped = data["shipped"]
    return {
        "title": md_escape(title),
        "product": md_escape(raw["product"]["name"]),
        "week_start": parse_date(raw["week_start"]),
        "week_end": parse_date(raw["week_end"]),
        "time_zone": raw["time_zone"],
        "generated_at": timezone.localtime(parse_datetime(raw["generated_at"])),
        "shipped": {
            **shipped,
            "features": [_dates(f, "on") for f in shipped["features"]],
            "releases": [_dates(r, "released_on") for r in shipped["releases"]],
        },
        "in_progress": {
            **data["in_progress"],
            "features": [_dates(f, "target") for f in data["in_progress"]["features"]],
        },
        "forecasts": data["forecasts"],
        "at_risk": [r for r in forecasts if r["at_risk"] and r["percent"] is not None],
        "on_track": on_track[:NAMED],
        "on_track_more": len(on_track) - NAMED if len(on_track) > NAMED else 0,
        "unforecast": unforecast[:NAMED],
        "unforecast_more": len(unforecast) - NAMED if len(unforecast) > NAMED else 0,
        "risks": risks,
        "objectives": data["objectives"],
        "feedback": data["feedback"],
        "metrics": metrics,
    }


def render_body(data: dict, title: str) -> str:
    """The report's markdown for `data` (as report_data returns it)."""
    text = str(render_to_string("delivery/report_body.md", _context(data, title)))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


# -- generate, edit, send -------------------------------------------------------------------


def report_generate(
    *, product: Product, actor, week_start: date | None = None, refresh_forecasts: bool = True
) -> StatusReport:
    """The product's report for the week starting `week_start` (any day of it will do;
    default: this week), generated from the data. A draft for that week is refreshed (its
    edits replaced); a sent one is never touched: Conflict (409)."""
    workspace = product.workspace
    week = selectors.monday(week_start or selectors.current_week(workspace))
    if week > selectors.current_week(workspace):
        raise Invalid(
            fields={"week": [f"The week of {week.isoformat()} has not started yet."]},
        )
    existing = selectors.report_for_week(product=product, week_start=week)
    if existing is not None and existing.status == ReportStatus.SENT:
        raise sent_conflict(existing)
    data = selectors.report_data(
        product=product, week_start=week, refresh_forecasts=refresh_forecasts
    )
    title = report_title(product, week)
    body = render_body(data, title)
    try:
        with transaction.atomic():
            report = (
                StatusReport.objects.select_for_update()
                .filter(product=product, week_start=week)
                .first()
            )
            if report is not None and report.status == ReportStatus.SENT:
                raise sent_conflict(report)
            verb = "regenerated" if report is not None else "generated"
            if report is None:
                report = StatusReport(
                    workspace=workspace, product=product, week_start=week, created_by=actor
                )
            else:
                report.version += 1
            report.title, report.body, report.data = title, body, data
            report.generated_at = timezone.now()
            report.save()
            activity_record(
                workspace=workspace,
                actor=actor,
                verb=verb,
                target_type="status report",
                target_key=report.key,
                target_label=title,
            )
    except IntegrityError:  # someone generated the same week at the same moment
        raise Conflict(
            "This week's report was generated by someone else just now: open it instead."
        ) from None
    return report


def sent_conflict(report: StatusReport) -> Conflict:
    when = timezone.localtime(report.sent_at) if report.sent_at else None
    on = f" on {when:%B} {when.day}, {when.year}" if when else ""
    return Conflict(
        f"The report for the week of {report.week_start.isoformat()} was already sent{on}; "
        "a sent report is not changed. Its page and downloads stay as they were sent."
    )


def report_update(
    *, report: StatusReport, actor, body: str, version: int | None = None
) -> StatusReport:
    """Replace a draft's markdown. `version`: the version the editor was shown; a stale one
    raises EditConflict (409). A sent report raises Conflict."""
    if report.status == ReportStatus.SENT:
        raise sent_conflict(report)
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise Invalid(fields={"body": ["The report is empty: write something, or generate it."]})
    if len(body) > MAX_BODY:
        raise Invalid(
            fields={"body": [f"The report is {len(body):,} characters; at most {MAX_BODY:,}."]}
        )
    if body == report.body:
        return report
    before = len(report.body)
    report.body, report.updated_at = body, timezone.now()
    with transaction.atomic():
        save_versioned(
            report, version=version, fields=["body", "updated_at"], target_type="status report"
        )
        activity_record(
            workspace=report.workspace,
            actor=actor,
            verb="updated",
            target_type="status report",
            target_key=report.key,
            target_label=report.title,
            # The whole text twice would bloat the log: its size, before and after.
            changes={"body": [f"{before:,} characters", f"{len(body):,} characters"]},
        )
    return report


def report_filename(report: StatusReport, extension: str) -> str:
    """The download name: status-<product key>-<week>.md / .pdf."""
    return f"status-{report.product.key}-{report.week_start.isoformat()}.{extension}"


def report_send(*, report: StatusReport, actor) -> list[str]:
    """Email the report to the product's stakeholders (report_selectors.recipients), one
    message each: the markdown as the text, the PDF attached. Records who sent it, when and
    to whom; returns the addresses. No recipients: Invalid, nothing sent."""
    from lodestar.delivery.report_pdf import report_pdf

    if report.status == ReportStatus.SENT:
        raise sent_conflict(report)
    to = selectors.recipients(report.product)
    if not to:
        raise Invalid(
            f"Nobody to send {report.product.name}'s report to: the workspace has no "
            "stakeholders and the product's delivery settings list no report recipients. "
            "Nothing was sent."
        )
    pdf = report_pdf(report)
    messages = []
    for email in to:
        message = mail.EmailMessage(subject=report.title, body=report.body, to=[email])
        message.attach(report_filename(report, "pdf"), pdf, "application/pdf")
        messages.append(message)
    # Claim the send first (a conditional update: of two clicks, one wins), so the database
    # is not held while the mail server talks; a failure to send gives the claim back.
    now = timezone.now()
    with transaction.atomic():
        claimed = StatusReport.objects.filter(
            pk=report.pk, status=ReportStatus.DRAFT, version=report.version
        ).update(status=ReportStatus.SENT, sent_at=now, sent_by=actor, sent_to=to, updated_at=now)
        if not claimed:
            report.refresh_from_db()
            if report.status == ReportStatus.SENT:
                raise sent_conflict(report)
            raise Conflict(
                "The report was changed after you opened it: read it again, then send it."
            )
        entry = activity_record(
            workspace=report.workspace,
            actor=actor,
            verb="sent",
            target_type="status report",
            target_key=report.key,
            target_label=report.title,
            changes={"sent_to": [None, ", ".join(to)[:500]]},
        )
    try:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    except Exception:
        with transaction.atomic():
            StatusReport.objects.filter(pk=report.pk).update(
                status=ReportStatus.DRAFT, sent_at=None, sent_by=None, sent_to=[]
            )
            entry.delete()
        raise
    report.refresh_from_db()
    return to
