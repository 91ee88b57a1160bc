"""Reads for weekly status reports: which reports a member may see, and the numbers a
report is generated from (`report_data`), each section from the data or empty.

A week runs Monday 00:00 to the next Monday 00:00 in the workspace's time zone. Everything
in `report_data` is plain JSON (dates as ISO text, decimals as text), so it can be stored
in StatusReport.data as it is and the body rebuilt from it."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from lodestar.core.errors import NotFound
from lodestar.delivery.models import (
    ACTIVE_RISK,
    DeliverySettings,
    ReleaseForecast,
    ReportStatus,
    Risk,
    RiskAction,
    StatusReport,
)
from lodestar.feedback.models import Feedback, Status
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.planning.roadmap_models import Release, ReleaseStatus, RoadmapChange
from lodestar.strategy.models import KeyResult, KeyResultCheckin, Objective, ObjectiveStatus
from lodestar.workspaces.models import Membership, Product, Role, Workspace
from lodestar.workspaces.permissions import role_can

LIST_LIMIT = 50  # rows per section kept in a report (the count says how many there were)
TOP_RISKS = 5
TOP_THEMES = 5
FORECAST_FRESH = timedelta(hours=1)  # a forecast younger than this is not run again


# -- weeks ----------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def current_week(workspace: Workspace) -> date:
    """The Monday of this week, in the workspace's time zone."""
    now = timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone))
    return monday(now.date())


def week_bounds(workspace: Workspace, week_start: date) -> tuple[datetime, datetime]:
    """[start, end) of the week as aware datetimes (workspace time zone)."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    start = datetime.combine(week_start, time.min, tzinfo=zone)
    return start, datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=zone)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# -- reports a member may see ---------------------------------------------------------------


def product_for(*, workspace: Workspace, key: str | None) -> Product | None:
    """The product `?product=KEY` names (NotFound when none has that key), else the
    workspace's first by name; None when the workspace has no product."""
    products = Product.objects.filter(workspace=workspace)
    if key:
        product = products.filter(key=key).first()
        if product is None:
            raise NotFound(f"No product with key {key!r}.")
        return product
    return products.order_by("name", "pk").first()


def can_manage(membership: Membership) -> bool:
    return role_can(membership.role, "report.manage")


def report_list(*, product: Product, membership: Membership) -> QuerySet[StatusReport]:
    """The product's reports; drafts only for those who may manage reports."""
    rows = StatusReport.objects.filter(workspace_id=membership.workspace_id, product=product)
    if not can_manage(membership):
        rows = rows.filter(status=ReportStatus.SENT)
    return rows.select_related("sent_by")


def report_get(*, workspace: Workspace, key: str, membership: Membership) -> StatusReport:
    """A report of the workspace; a draft is not found for those who may not manage it."""
    report = (
        StatusReport.objects.filter(workspace=workspace, key=key)
        .select_related("product", "workspace", "sent_by")
        .first()
    )
    if report is None or (report.status == ReportStatus.DRAFT and not can_manage(membership)):
        raise NotFound("No such status report.")
    return report


def report_for_week(*, product: Product, week_start: date) -> StatusReport | None:
    return StatusReport.objects.filter(product=product, week_start=week_start).first()


def recipients(product: Product) -> list[str]:
    """Who a product's report goes to: the workspace's stakeholders, then the product's
    extra recipients (DeliverySettings.report_recipients, one per line); lower-cased, once."""
    emails = list(
        Membership.objects.filter(workspace_id=product.workspace_id, role=Role.STAKEHOLDER)
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    extra = (
        DeliverySettings.objects.filter(product=product)
        .values_list("report_recipients", flat=True)
        .first()
    )
    emails += (extra or "").splitlines()
    seen: dict[str, None] = {}
    for email in emails:
        email = email.strip().lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


# -- the numbers ----------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> str | None:
    """A decimal as people write it: no trailing zeros ("12.5", "40")."""
    if value is None:
        return None
    text = f"{value.normalize():f}"
    return text


def _shipped(product: Product, week_start: date, start: datetime, end: datetime) -> dict:
    """Features whose status became shipped in the week (the roadmap's history), and the
    features of releases released in the week (released_on)."""
    changed = RoadmapChange.objects.filter(
        workspace_id=product.workspace_id,
        product=product,
        target_type="feature",
        field="status",
        new=FeatureStatus.SHIPPED.label,
        at__gte=start,
        at__lt=end,
    ).values_list("target_key", "at")
    when: dict[str, date] = {}
    for key, at in changed:
        when[key] = timezone.localtime(at, start.tzinfo).date()
    releases = list(
        Release.objects.filter(
            product=product,
            status=ReleaseStatus.RELEASED,
            released_on__gte=week_start,
            released_on__lt=week_start + timedelta(days=7),
        ).order_by("released_on", "name")
    )
    features = Feature.objects.filter(workspace_id=product.workspace_id, product=product).filter(
        status=FeatureStatus.SHIPPED
    )
    rows = list(
        (features.filter(key__in=list(when)) | features.filter(release__in=releases))
        .select_related("release")
        .order_by("title")[: LIST_LIMIT + 1]
    )
    return {
        "features": [
            {
                "key": f.key,
                "title": f.title,
                "release": f.release.name if f.release else None,
                "on": _iso(when.get(f.key) or (f.release.released_on if f.release else None)),
            }
            for f in rows[:LIST_LIMIT]
        ],
        "more": len(rows) > LIST_LIMIT,
        "releases": [
            {"key": r.key, "name": r.name, "released_on": _iso(r.released_on)} for r in releases
        ],
    }


def _in_progress(product: Product) -> dict:
    rows = Feature.objects.filter(
        workspace_id=product.workspace_id, product=product, status=FeatureStatus.IN_PROGRESS
    ).select_related("release", "team")
    count = rows.count()
    shown = rows.order_by("release__target", "title")[:LIST_LIMIT]
    return {
        "count": count,
        "features": [
            {
                "key": f.key,
                "title": f.title,
                "release": f.release.name if f.release else None,
                "target": _iso(f.release.target) if f.release else None,
                "team": f.team.name if f.team else None,
            }
            for f in shown
        ],
    }


def _forecasts(product: Product, *, refresh: bool) -> dict:
    """The latest forecast of each open release of the product. With `refresh`, the
    product's forecasts are run first unless every open release has one computed within
    FORECAST_FRESH (the hourly delivery job keeps them so; a run is ~15 ms a release)."""
    open_releases = Release.objects.filter(
        product=product, status__in=(ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)
    )
    if refresh:
        fresh = ReleaseForecast.objects.filter(
            release__in=open_releases, computed_at__gte=timezone.now() - FORECAST_FRESH
        )
        if fresh.values("release").distinct().count() < open_releases.count():
            from lodestar.delivery.forecast_services import refresh_product

            refresh_product(product)
    latest: dict[int, ReleaseForecast] = {}
    for row in (
        ReleaseForecast.objects.filter(release__in=open_releases)
        .select_related("release")
        .order_by("release_id", "-day", "-pk")
    ):
        latest.setdefault(row.release_id, row)
    rows = sorted(latest.values(), key=lambda f: (f.release.target, f.release.name))
    return {
        "open_releases": open_releases.count(),
        "forecast": len(rows),
        "releases": [
            {
                "key": f.release.key,
                "name": f.release.name,
                "target": _iso(f.release.target),
                "day": _iso(f.day),
                "p_on_time": f.p_on_time,
                "p50": _iso(f.p50),
                "p85": _iso(f.p85),
                "p95": _iso(f.p95),
                "threshold": f.threshold,
                "at_risk": f.at_risk,
                "reason": f.reason,
            }
            for f in rows
        ],
    }


def _risks(product: Product) -> dict:
    """The top risks as the product's home page shows them (risk_selectors.top_risks)."""
    from lodestar.delivery.risk_selectors import top_risks

    active = Risk.objects.filter(product=product, status__in=ACTIVE_RISK)
    rows = top_risks(product, limit=TOP_RISKS)
    prefetch_related_objects(
        rows, Prefetch("actions", queryset=RiskAction.objects.select_related("owner__user"))
    )
    return {
        "active": active.count(),
        "risks": [
            {
                "key": r.key,
                "title": r.title,
                "category": r.get_category_display(),
                "likelihood": r.likelihood,
                "impact": r.impact,
                "exposure": r.exposure,
                "status": r.get_status_display(),
                "owner": str(r.owner.user) if r.owner else None,
                "mitigation": r.mitigation,
                "actions": [
                    {
                        "title": a.title,
                        "owner": str(a.owner.user) if a.owner else None,
                        "due_on": _iso(a.due_on),
                        "done": a.done_at is not None,
                    }
                    for a in sorted(r.actions.all(), key=lambda a: (a.position, a.pk))
                ],
            }
            for r in rows
        ],
    }


def _objectives(product: Product, week_start: date) -> dict:
    """The objectives of the week's quarter (or, when it has none, of the latest quarter
    before it that has some), with each key result's progress."""
    period = quarter_of(week_start)
    objectives = Objective.objects.filter(product=product).exclude(status=ObjectiveStatus.DROPPED)
    shown = period
    if not objectives.filter(period=period).exists():
        earlier = (
            objectives.filter(period__lt=period).order_by("-period").values_list("period").first()
        )
        shown = earlier[0] if earlier else period
    rows = (
        objectives.filter(period=shown)
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("pk")))
        .order_by("-weight", "title", "pk")
    )
    out = []
    for o in rows:
        krs = list(o.key_results.all())
        out.append(
            {
                "key": o.key,
                "title": o.title,
                "status": o.get_status_display(),
                "progress": round(sum(kr.progress for kr in krs) / len(krs) * 100) if krs else None,
                "key_results": [
                    {
                        "metric": kr.metric,
                        "unit": kr.unit,
                        "baseline": _number(kr.baseline),
                        "target": _number(kr.target),
                        "current": _number(kr.current),
                        "percent": kr.percent,
                    }
                    for kr in krs
                ],
            }
        )
    return {"period": period, "shown_period": shown, "objectives": out}


def _feedback(product: Product, start: datetime, end: datetime) -> dict:
    """This week's feedback about the product, and the themes it falls in. Themes are the
    workspace's (lodestar.feedback.similar.themes); only this week's rows are counted."""
    new_ids = list(
        Feedback.objects.filter(
            workspace_id=product.workspace_id,
            product=product,
            received_at__gte=start,
            received_at__lt=end,
            duplicate_of=None,
        )
        .exclude(status=Status.ARCHIVED)
        .values_list("pk", flat=True)
    )
    result: dict[str, Any] = {"new": len(new_ids), "themes": [], "note": ""}
    if not new_ids:
        return result
    import numpy as np

    from lodestar.feedback.similar.index import IndexBuilding
    from lodestar.feedback.similar.themes import theme_list

    try:
        themes = theme_list(product.workspace)
    except IndexBuilding:
        result["note"] = "Themes are being computed; generate the report again in a minute."
        return result
    if not themes.themes:
        result["note"] = "There is too little open feedback to group into themes yet."
        return result
    mine = np.isin(themes.ids, np.array(new_ids, dtype=np.int64))
    counts = np.bincount(themes.labels[mine], minlength=max(t.number for t in themes.themes) + 1)
    ranked = sorted(
        (t for t in themes.themes if counts[t.number]),
        key=lambda t: (-int(counts[t.number]), -t.count, t.number),
    )
    result["themes"] = [
        {"label": t.label, "new": int(counts[t.number]), "open": t.count}
        for t in ranked[:TOP_THEMES]
    ]
    result["grouped"] = int(mine.sum())
    return result


def _metrics(product: Product, start: datetime, end: datetime) -> dict:
    """Each key result fed by a saved chart (analytics.KeyResultMetric): its value at the
    end of the week against its value before the week (the check-ins)."""
    from lodestar.analytics.models import KeyResultMetric

    metrics = list(
        KeyResultMetric.objects.filter(key_result__objective__product=product)
        .select_related("key_result__objective", "chart")
        .order_by("key_result__objective__title", "key_result__metric", "pk")[:LIST_LIMIT]
    )
    rows = []
    for m in metrics:
        kr = m.key_result
        checkins = KeyResultCheckin.objects.filter(key_result=kr).order_by("-at", "-pk")
        before = checkins.filter(at__lt=start).values_list("value", flat=True).first()
        at_end = checkins.filter(at__lt=end).values_list("value", flat=True).first()
        current = at_end if at_end is not None else kr.current
        rows.append(
            {
                "metric": kr.metric,
                "unit": kr.unit,
                "objective": kr.objective.title,
                "chart": m.chart.name,
                "previous": _number(before),
                "current": _number(current),
                "change": _number(current - before) if before is not None else None,
                "refreshed_at": m.refreshed_at.isoformat() if m.refreshed_at else None,
            }
        )
    return {"metrics": rows}


def report_data(*, product: Product, week_start: date, refresh_forecasts: bool = True) -> dict:
    """Every section's numbers for `product`'s week starting `week_start` (a Monday)."""
    workspace = product.workspace
    start, end = week_bounds(workspace, week_start)
    return {
        "product": {"key": product.key, "name": product.name},
        "week_start": week_start.isoformat(),
        "week_end": (week_start + timedelta(days=6)).isoformat(),
        "time_zone": workspace.time_zone,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "shipped": _shipped(product, week_start, start, end),
        "in_progress": _in_progress(product),
        "forecasts": _forecasts(product, refresh=refresh_forecasts),
        "risks": _risks(product),
        "objectives": _objectives(product, week_start),
        "feedback": _feedback(product, start, end),
        "metrics": _metrics(product, start, end),
    }
