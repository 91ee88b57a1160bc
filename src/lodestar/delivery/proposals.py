"""Risks Lodestar drafts from the numbers (a forecast that fell below the product's
threshold, a release over budget) for the product manager to accept or dismiss.

One pending proposal per release and source, refreshed with the latest numbers. Once the
PM accepts it, it is an ordinary risk in the register; once dismissed, it is not proposed
again unless the numbers get worse by `margin` (its `severity`: higher is worse)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict
from lodestar.delivery.models import ACTIVE_RISK, Risk, RiskCategory, RiskSource, RiskStatus


@transaction.atomic
def propose(
    *,
    release,
    source: RiskSource,
    title: str,
    description: str,
    category: RiskCategory,
    likelihood: int,
    impact: int,
    evidence: dict[str, Any],
    severity: float,
    margin: float = 0.1,
) -> Risk | None:
    """The pending proposal for `release` from `source` (created or refreshed), or None when
    the PM already has it in hand (accepted and still active, or dismissed at a severity
    this one does not exceed by `margin`)."""
    evidence = {**evidence, "severity": severity}
    mine = Risk.objects.select_for_update().filter(source_release=release, source=source)
    if mine.filter(status__in=ACTIVE_RISK).exists():
        return None
    dismissed = mine.filter(status=RiskStatus.DISMISSED).order_by("-decided_at").first()
    if dismissed is not None and severity < dismissed.evidence.get("severity", 0) + margin:
        return None
    values = {
        "title": title[:200],
        "description": description,
        "category": category,
        "likelihood": likelihood,
        "impact": impact,
        "evidence": evidence,
    }
    pending = mine.filter(status=RiskStatus.PROPOSED).first()
    if pending is not None:
        for name, value in values.items():
            setattr(pending, name, value)
        pending.save()
        return pending
    risk = Risk.objects.create(
        workspace=release.workspace,
        product=release.product,
        source=source,
        source_release=release,
        status=RiskStatus.PROPOSED,
        owner=release.owner,
        **values,
    )
    risk.releases.add(release)
    activity_record(
        workspace=release.workspace,
        actor=None,
        verb="proposed",
        target_type="risk",
        target_key=risk.key,
        target_label=risk.title,
        changes={"release": [None, release.name], "source": [None, source.label]},
    )
    return risk


@transaction.atomic
def withdraw(*, release, source: RiskSource) -> int:
    """Delete the pending proposal when the numbers recovered; returns how many went."""
    pending = list(
        Risk.objects.filter(source_release=release, source=source, status=RiskStatus.PROPOSED)
    )
    for risk in pending:
        activity_record(
            workspace=risk.workspace,
            actor=None,
            verb="withdrew",
            target_type="risk",
            target_key=risk.key,
            target_label=risk.title,
        )
        risk.delete()
    return len(pending)


def _decide(risk: Risk, *, actor, status: RiskStatus, verb: str) -> Risk:
    locked = Risk.objects.select_for_update().get(pk=risk.pk)
    if locked.status != RiskStatus.PROPOSED:
        raise Conflict(
            f"This risk is no longer a proposal (it is {locked.get_status_display().lower()})."
        )
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.version += 1
    locked.save()
    activity_record(
        workspace=locked.workspace,
        actor=actor,
        verb=verb,
        target_type="risk",
        target_key=locked.key,
        target_label=locked.title,
        changes={"status": [RiskStatus.PROPOSED.value, status.value]},
    )
    return locked


@transaction.atomic
def accept(risk: Risk, *, actor) -> Risk:
    """The PM takes the proposal into the register as an open risk."""
    return _decide(risk, actor=actor, status=RiskStatus.OPEN, verb="accepted")


@transaction.atomic
def dismiss(risk: Risk, *, actor) -> Risk:
    return _decide(risk, actor=actor, status=RiskStatus.DISMISSED, verb="dismissed")
