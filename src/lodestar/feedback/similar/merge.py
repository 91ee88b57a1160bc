"""Writes: merge a feedback into the one it duplicates, and undo that.

A merged feedback stays, archived, with `duplicate_of` pointing at the original, and its
insights move to the original, so the features it asked for keep their quote and demand.
Demand counts an insight per feedback and a company once (`planning.selectors.feature_demand`):
where both already asked for the same feature, the duplicate's insight is folded into the
original's (which keeps the higher importance) instead of counting twice.

Everything a merge changed is written into its activity entry, which `feedback_unmerge`
reads back to put each insight where it was, folded ones re-created with their own key.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lodestar.activity.selectors import activity_list
from lodestar.activity.services import activity_record
from lodestar.core.errors import Conflict, Invalid
from lodestar.feedback.models import Feedback, Insight, Status

MERGED = "merged"
UNMERGED = "unmerged"


def _check(duplicate: Feedback, original: Feedback) -> Feedback:
    """The feedback to merge into (the original's own original, if it was merged itself)."""
    if original.workspace_id != duplicate.workspace_id:
        raise Invalid(fields={"into": ["No such feedback in this workspace."]})
    if original.duplicate_of_id is not None:
        original = original.duplicate_of  # type: ignore[assignment]
    if original.pk == duplicate.pk:
        raise Invalid(fields={"into": ["A feedback cannot be merged into itself."]})
    if duplicate.duplicate_of_id is not None:
        raise Conflict("This feedback is already merged; unmerge it first.")
    if duplicate.duplicates.exists():
        raise Conflict(
            "Other feedback was merged into this one: merge the other way, or unmerge those."
        )
    if duplicate.company_id is not None and duplicate.company_id != original.company_id:
        theirs = duplicate.company.name if duplicate.company else "another company"
        raise Conflict(
            f"This feedback is from {theirs} and the other is not: both count as demand, so "
            "they are not merged. Merge the other way if it is the same customer."
        )
    return original


def _fold(insight: Insight) -> dict[str, Any]:
    return {
        "key": insight.key,
        "feature": insight.feature_id,
        "snippet": insight.snippet,
        "importance": insight.importance,
        "created_by": insight.created_by_id,
        "created_at": insight.created_at.isoformat(),
    }


def feedback_merge(*, duplicate: Feedback, original: Feedback, actor) -> Feedback:
    """Merge `duplicate` into `original` (both fetched within one workspace); return the
    original it went into. Raises Invalid or Conflict, naming why, and changes nothing then."""
    with transaction.atomic():
        # Lock both rows, so two triagers merging at once cannot cross their merges.
        locked = {
            f.pk: f
            for f in Feedback.objects.select_for_update(of=("self",))
            .select_related("company", "duplicate_of")
            .filter(pk__in=[duplicate.pk, original.pk])
        }
        duplicate, original = locked[duplicate.pk], locked[original.pk]
        original = _check(duplicate, original)
        asked = {i.feature_id: i for i in Insight.objects.filter(feedback=original)}
        moved, folded, raised = [], [], []
        for insight in Insight.objects.filter(feedback=duplicate).order_by("pk"):
            kept = asked.get(insight.feature_id)
            if kept is None:
                insight.feedback = original
                insight.save(update_fields=["feedback"])
                asked[insight.feature_id] = insight
                moved.append(insight.key)
                continue
            if insight.importance > kept.importance:
                raised.append([kept.key, kept.importance])
                kept.importance = insight.importance
                kept.save(update_fields=["importance"])
            folded.append(_fold(insight))
            insight.delete()
        previous = duplicate.status
        duplicate.duplicate_of = original
        duplicate.status = Status.ARCHIVED
        duplicate.save(update_fields=["duplicate_of", "status", "updated_at"])
        activity_record(
            workspace=duplicate.workspace,
            actor=actor,
            verb=MERGED,
            target_type="feedback",
            target_key=duplicate.key,
            target_label=str(duplicate),
            changes={
                "duplicate of": [None, original.key],
                "status": [previous, Status.ARCHIVED.value],
                # Only what happened, so the activity log reads short: unmerge reads these.
                **({"insights moved": [None, moved]} if moved else {}),
                **({"insights folded": [None, folded]} if folded else {}),
                **({"importance raised": [None, raised]} if raised else {}),
            },
        )
    return original


def _last_merge(duplicate: Feedback):
    return (
        activity_list(workspace=duplicate.workspace)
        .filter(verb=MERGED, target_type="feedback", target_key=duplicate.key)
        .order_by("-pk")
        .first()
    )


def feedback_unmerge(*, duplicate: Feedback, actor) -> Feedback:
    """Undo the merge of `duplicate`: its status and insights come back as they were, as far
    as they still exist (an insight unlinked since stays unlinked). Returns the duplicate."""
    from lodestar.planning.models import Feature

    with transaction.atomic():
        duplicate = (
            Feedback.objects.select_for_update(of=("self",))
            .select_related("duplicate_of")
            .get(pk=duplicate.pk)
        )
        original = duplicate.duplicate_of
        if original is None:
            raise Conflict("This feedback is not merged into another.")
        entry = _last_merge(duplicate)
        changes = entry.changes if entry is not None else {}

        def after(name: str, default: Any) -> Any:
            pair = changes.get(name)
            return pair[1] if isinstance(pair, list) and len(pair) == 2 else default

        moved = Insight.objects.filter(feedback=original, key__in=after("insights moved", []))
        moved.update(feedback=duplicate)
        for key, importance in after("importance raised", []):
            Insight.objects.filter(feedback=original, key=key).update(importance=importance)
        folded = after("insights folded", [])
        features = set(
            Feature.objects.filter(
                workspace_id=duplicate.workspace_id, pk__in=[d["feature"] for d in folded]
            ).values_list("pk", flat=True)
        )
        for data in folded:
            if data["feature"] not in features or Insight.objects.filter(key=data["key"]).exists():
                continue
            Insight.objects.create(
                key=data["key"],
                feedback=duplicate,
                feature_id=data["feature"],
                snippet=data["snippet"],
                importance=data["importance"],
                created_by_id=data["created_by"],
                created_at=parse_datetime(data["created_at"]) or timezone.now(),
            )
        status = changes.get("status", [Status.INBOX])[0] or Status.INBOX
        duplicate.duplicate_of = None
        duplicate.status = status
        duplicate.save(update_fields=["duplicate_of", "status", "updated_at"])
        activity_record(
            workspace=duplicate.workspace,
            actor=actor,
            verb=UNMERGED,
            target_type="feedback",
            target_key=duplicate.key,
            target_label=str(duplicate),
            changes={"duplicate of": [original.key, None], "status": [Status.ARCHIVED, status]},
        )
    return duplicate
