"""Review reminders: an email to the owner of each active risk whose review date has come,
at most once a day (claimed with a conditional update, so two processes never both send).
Run hourly by the delivery jobs (jobs.py) and by `lodestar manage risk_reminders`."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lodestar.delivery.models import ACTIVE_RISK, Risk
from lodestar.delivery.risk_checks import workspace_today

log = logging.getLogger(__name__)


def _remind(risk: Risk, *, today: date) -> bool:
    from lodestar.delivery.risk_selectors import mitigation_summary

    # The conditional UPDATE is the claim: of two processes, only one sees 1 row updated.
    claimed = (
        Risk.objects.filter(pk=risk.pk, status__in=ACTIVE_RISK, review_on__lte=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .update(reminded_on=today)
    )
    if not claimed:
        return False
    context = {
        "risk": risk,
        "product": risk.product,
        "workspace": risk.workspace,
        "path": settings.SITE_URL
        + reverse("risks:risk", kwargs={"slug": risk.workspace.slug, "risk_key": risk.key}),
        "mitigation": mitigation_summary(risk, today=today),
        "overdue_days": (today - risk.review_on).days if risk.review_on else 0,
    }
    subject = " ".join(render_to_string("delivery/risk_reminder_subject.txt", context).split())
    body = render_to_string("delivery/risk_reminder.txt", context)
    try:
        owner = risk.owner.user  # type: ignore[union-attr]  # only risks with an owner get here
        mail.EmailMessage(subject=subject, body=body, to=[owner.email]).send()
    except Exception:
        # Not sent: give the claim back so the next run tries again.
        Risk.objects.filter(pk=risk.pk, reminded_on=today).update(reminded_on=risk.reminded_on)
        log.exception("review reminder for risk %s not sent", risk.key)
        return False
    return True


def send_review_reminders(*, today: date | None = None) -> int:
    """Email each active risk's owner when its review date has come (review_on <= today, in
    the workspace's time zone unless `today` is given) and no reminder went out today yet.
    Safe to run from several processes at once: each risk is claimed by a conditional
    UPDATE of reminded_on. Returns how many emails were sent."""
    horizon = today or (timezone.now().date() + timedelta(days=1))  # the earliest zone's today
    candidates = (
        Risk.objects.filter(status__in=ACTIVE_RISK, review_on__lte=horizon, owner__isnull=False)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=horizon))
        .exclude(owner__user__email="")
        .select_related("workspace", "product", "owner__user")
        .order_by("id")
    )
    sent = 0
    for risk in candidates.iterator(chunk_size=200):
        day = today or workspace_today(risk.workspace)
        due = risk.review_on is not None and risk.review_on <= day
        if not due or (risk.reminded_on is not None and risk.reminded_on >= day):
            continue
        sent += _remind(risk, today=day)
    return sent
