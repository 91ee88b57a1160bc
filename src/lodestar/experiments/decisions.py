"""Recording an experiment's outcome: a decision in the log, with the results attached, and
the linked feature's measured impact (what the Plan stage compares with the predicted one)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record, record_update
from lodestar.core.errors import Conflict, Invalid
from lodestar.experiments import results as results_module
from lodestar.experiments.guidance import pct
from lodestar.experiments.models import Experiment, ExperimentStatus, Goal
from lodestar.planning.models import Feature, ImpactUnit
from lodestar.strategy.models import Decision, DecisionStatus
from lodestar.workspaces.models import Membership

VERDICTS = ("ship", "stop")
LIMIT = Decimal("9999999999.99")  # the measured fields' largest value (12 digits, 2 places)


def record_outcome(
    experiment: Experiment,
    *,
    actor,
    verdict: str,
    variant: str = "",
    rationale: str = "",
    now: datetime | None = None,
) -> Decision:
    """Ship `variant` (verdict "ship") or keep the control (verdict "stop"). Creates an
    accepted Decision (the results as a table in its context), stops the experiment if it is
    running, keeps the results it was decided on, and sets the linked feature's measured
    impact from the primary metric. All or nothing; a second recording is a Conflict.
    `now` (default: the clock) dates the stop, the decision and the measured impact."""
    errors: dict[str, list[str]] = {}
    variant = (variant or "").strip()
    if verdict not in VERDICTS:
        errors["verdict"] = ["Choose to ship a variant, or to keep the control."]
    elif verdict == "ship" and variant not in experiment.variant_names[1:]:
        errors["variant"] = [
            "Choose the variant to ship: one of "
            + ", ".join(f"'{n}'" for n in experiment.variant_names[1:])
            + "."
        ]
    elif verdict == "stop":
        variant = ""
    if len(rationale or "") > 20_000:
        errors["rationale"] = ["Keep the rationale under 20,000 characters."]
    if errors:
        raise Invalid(fields=errors)
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.decision is not None:
            raise Conflict(
                f"The outcome of '{locked.name}' was already recorded "
                f"(decision “{locked.decision.title}”). Change that decision in the log instead."
            )
        if locked.status == ExperimentStatus.DRAFT:
            raise Conflict(f"'{locked.name}' has not started: there is no outcome to record.")
        now = now or timezone.now()
        today = timezone.localdate(now)
        if locked.status == ExperimentStatus.RUNNING:
            _stop(locked, actor=actor, now=now)
        snapshot = results_module.refresh(locked, now=now)
        decision = _decision(
            locked,
            snapshot,
            actor=actor,
            verdict=verdict,
            variant=variant,
            rationale=rationale,
            today=today,
        )
        changes = {"decision": [None, decision.title], "shipped_variant": ["", variant]}
        locked.decision = decision
        locked.shipped_variant = variant
        locked.decided_results = snapshot
        locked.version += 1  # an edit form opened before is stale now
        locked.save(
            update_fields=[
                "decision",
                "shipped_variant",
                "decided_results",
                "version",
                "updated_at",
            ]
        )
        activity_record(
            workspace=locked.workspace,
            actor=actor,
            verb="decided",
            target_type="experiment",
            target_key=locked.key,
            target_label=locked.name,
            changes=changes,
        )
        if locked.feature_id is not None:
            _measure(locked, snapshot, variant=variant, actor=actor, today=today)
    experiment.refresh_from_db()
    return decision


def _stop(experiment: Experiment, *, actor, now: datetime) -> None:
    from lodestar.experiments.services import experiment_stop

    experiment_stop(experiment=experiment, actor=actor, now=now)
    experiment.refresh_from_db()


def _decision(
    experiment: Experiment,
    snapshot: dict[str, Any],
    *,
    actor,
    verdict: str,
    variant: str,
    rationale: str,
    today: date,
) -> Decision:
    from lodestar.strategy.services import decision_create

    if verdict == "ship":
        title = f"Ship '{variant}' of {experiment.name}"
        outcome = f"Ship the variant '{variant}' to everyone."
    else:
        title = f"Keep '{experiment.variant_names[0]}': do not ship {experiment.name}"
        outcome = f"Ship none of the variants: keep '{experiment.variant_names[0]}'."
    decision = decision_create(
        workspace=experiment.workspace,
        actor=actor,
        title=title[:200],
        context=context_markdown(experiment, snapshot)[:20_000],
        outcome=outcome,
        rationale=rationale or "",
        status=DecisionStatus.ACCEPTED,
        decided_on=today.isoformat(),
        product_key=experiment.product.key,
    )
    if experiment.feature_id is not None:
        decision.features.add(experiment.feature_id)
    membership = Membership.objects.filter(workspace=experiment.workspace, user=actor).first()
    if membership is not None:
        decision.deciders.add(membership)
    return decision


def context_markdown(experiment: Experiment, snapshot: dict[str, Any]) -> str:
    """The hypothesis and the results as markdown (a table per metric)."""
    lines = [f"**Hypothesis.** {experiment.hypothesis}", ""]
    exposures = snapshot.get("exposures") or {}
    days = snapshot.get("days")
    split = ", ".join(f"{v['name']} {v['n']:,}" for v in exposures.get("variants") or [])
    if days is not None:
        lines.append(f"Experiment `{experiment.flag_key}` ran {days:.1f} days: {split}.")
    if (snapshot.get("srm") or {}).get("flagged"):
        lines.append("")
        lines.append("**Warning:** the exposures did not match the planned split (SRM).")
    level = f"{float(snapshot.get('ci_level', 0.95)) * 100:g} %"
    bayes = snapshot.get("engine") == "bayesian"
    for entry in snapshot.get("metrics") or []:
        lines += ["", f"**{entry['name']}** ({entry['role']}, {entry['event']})", ""]
        if entry.get("problem"):
            lines.append(entry["problem"])
            continue
        head = ["Variant", "Exposures", "Value", "Lift", f"{level} interval"]
        head += ["Chance to win", "Risk"] if bayes else ["p", "Adjusted p"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for row in entry["variants"]:
            cells = [cell.replace("|", "\\|") for cell in _cells(entry, row, bayes)]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cells(entry: dict[str, Any], row: dict[str, Any], bayes: bool) -> list[str]:
    value = row.get("value")
    if value is None:
        shown = "—"
    elif entry["type"] == "binomial":
        shown = pct(value, sign=False)
    else:
        shown = f"{value:,.4g}"
    if row.get("control"):
        return [f"{row['name']} (control)", f"{row['n']:,}", shown, "", "", "", ""]
    if row.get("problem"):
        return [row["name"], f"{row['n']:,}", shown, row["problem"], "", "", ""]
    ci = f"{pct(row['ci'][0])} to {pct(row['ci'][1])}"
    if bayes:
        extra = [pct(row.get("chance_to_win"), sign=False), pct(row.get("risk"), sign=False)]
    else:
        extra = [_p(row.get("p_value")), _p(row.get("adjusted_p_value"))]
    return [row["name"], f"{row['n']:,}", shown, pct(row["lift"]), ci, *extra]


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _measure(
    experiment: Experiment, snapshot: dict[str, Any], *, variant: str, actor, today: date
) -> None:
    """The feature's measured impact: the primary metric's relative lift of the shipped
    variant (none shipped: the best variant), with its interval, in percent."""
    entry = results_module.primary(snapshot)
    if entry is None:
        return
    rows = [r for r in entry["variants"] if not r.get("control") and r.get("lift") is not None]
    if variant:
        rows = [r for r in rows if r["name"] == variant]
    if not rows:
        return
    sign = 1 if entry["goal"] == Goal.INCREASE else -1
    row = max(rows, key=lambda r: sign * r["lift"])
    level = f"{float(snapshot.get('ci_level', 0.95)) * 100:g} %"
    kind = "credible interval" if snapshot.get("engine") == "bayesian" else "CI"
    source = (
        f"Experiment {experiment.name}: {entry['name']}, {row['name']} vs "
        f"{experiment.variant_names[0]}, {level} {kind}"
    )
    feature = Feature.objects.select_for_update().get(experiments=experiment)
    record_update(
        feature,
        actor=actor,
        target_type="feature",
        values={
            "measured_change": _percent(row["lift"]),
            "measured_low": _percent(row["ci"][0]),
            "measured_high": _percent(row["ci"][1]),
            "measured_unit": ImpactUnit.PERCENT,
            "measured_source": source[:300],
            "measured_on": today,
        },
    )


def _percent(fraction: float) -> Decimal:
    value = Decimal(str(round(fraction * 100, 2))).quantize(Decimal("0.01"))
    return max(min(value, LIMIT), -LIMIT)
