"""Reads for "what changed on the roadmap since <date>", from the RoadmapChange rows the
services record (planning/roadmap_history.py).

A release's target date may change several times in the period: what counts is where it
was at the start (the first change's `old`) against where it is now (the last change's
`new`). Later is a slip, earlier is pulled in, the same date again is neither. A feature
added to and then dropped from the roadmap in the period counts by its last change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from lodestar.core.errors import Invalid
from lodestar.planning.roadmap_models import ChangeKind, RoadmapChange
from lodestar.workspaces.models import Product, Workspace

DEFAULT_DAYS = 30
TARGET_FIELDS = ("target",)  # the field name services record a release's target date under


@dataclass
class DateShift:
    """A release whose target moved in the period: from -> to, by `days` (> 0: later)."""

    key: str
    label: str
    old: date
    new: date

    @property
    def days(self) -> int:
        return (self.new - self.old).days

    @property
    def magnitude(self) -> int:
        return abs(self.days)


@dataclass
class Changed:
    """One object's net change in the period (a release or a feature)."""

    key: str
    label: str
    at: datetime
    actor: str


@dataclass
class Summary:
    since: date
    slipped: list[DateShift] = field(default_factory=list)
    pulled_in: list[DateShift] = field(default_factory=list)
    releases_added: list[Changed] = field(default_factory=list)
    releases_dropped: list[Changed] = field(default_factory=list)
    features_added: list[Changed] = field(default_factory=list)
    features_dropped: list[Changed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.slipped
            or self.pulled_in
            or self.releases_added
            or self.releases_dropped
            or self.features_added
            or self.features_dropped
        )


def since_parse(raw: str | None, *, today: date | None = None) -> date:
    """The "since" date of the page: ISO YYYY-MM-DD, not in the future; blank -> 30 days
    ago. Raises Invalid(since) with a message saying what is wrong."""
    today = today or timezone.localdate()
    raw = (raw or "").strip()
    if not raw:
        return today - timedelta(days=DEFAULT_DAYS)
    try:
        since = date.fromisoformat(raw[:20])
    except ValueError:
        raise Invalid(
            f"“{raw[:20]}” is not a date.",
            fields={"since": [f"“{raw[:20]}” is not a date: use YYYY-MM-DD, e.g. 2026-10-01."]},
        ) from None
    if since > today:
        raise Invalid(
            "That date is in the future.",
            fields={"since": [f"{since.isoformat()} is in the future: pick today or earlier."]},
        )
    return since


def _start(since: date) -> datetime:
    """Midnight at the start of `since`, in the current (the workspace's) time zone."""
    return timezone.make_aware(datetime.combine(since, time.min))


def change_list(
    *, workspace: Workspace, since: date, product: Product | None = None
) -> QuerySet[RoadmapChange]:
    """Every roadmap change since the start of `since` (for `product` if given)."""
    rows = RoadmapChange.objects.filter(workspace=workspace, at__gte=_start(since))
    if product is not None:
        rows = rows.filter(product=product)
    return rows.select_related("actor", "product")


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def changes_summary(
    *, workspace: Workspace, since: date, product: Product | None = None
) -> Summary:
    """Slipped and pulled-in releases, releases and features added or dropped. One query."""
    summary = Summary(since)
    kinds = [
        ChangeKind.RELEASE_DATES,
        ChangeKind.RELEASE_ADDED,
        ChangeKind.RELEASE_DROPPED,
        ChangeKind.FEATURE_ADDED,
        ChangeKind.FEATURE_DROPPED,
    ]
    rows = change_list(workspace=workspace, since=since, product=product)
    rows = rows.filter(kind__in=kinds).order_by("at", "pk")
    targets: dict[str, DateShift] = {}
    releases: dict[str, tuple[str, Changed]] = {}
    features: dict[str, tuple[str, Changed]] = {}
    for change in rows:
        who = change.actor.display_name if change.actor else "Lodestar"
        if change.kind == ChangeKind.RELEASE_DATES and change.field in TARGET_FIELDS:
            old, new = _iso(change.old), _iso(change.new)
            if old is None or new is None:
                continue
            shift = targets.get(change.target_key)
            if shift is None:
                targets[change.target_key] = DateShift(
                    change.target_key, change.target_label, old, new
                )
            else:
                shift.new, shift.label = new, change.target_label
        elif change.kind in (ChangeKind.RELEASE_ADDED, ChangeKind.RELEASE_DROPPED):
            releases[change.target_key] = (
                change.kind,
                Changed(change.target_key, change.target_label, change.at, who),
            )
        elif change.kind in (ChangeKind.FEATURE_ADDED, ChangeKind.FEATURE_DROPPED):
            features[change.target_key] = (
                change.kind,
                Changed(change.target_key, change.target_label, change.at, who),
            )
    for shift in targets.values():
        if shift.days > 0:
            summary.slipped.append(shift)
        elif shift.days < 0:
            summary.pulled_in.append(shift)
    summary.slipped.sort(key=lambda s: (-s.days, s.label))
    summary.pulled_in.sort(key=lambda s: (s.days, s.label))
    for kind, item in releases.values():
        added = kind == ChangeKind.RELEASE_ADDED
        (summary.releases_added if added else summary.releases_dropped).append(item)
    for kind, item in features.values():
        added = kind == ChangeKind.FEATURE_ADDED
        (summary.features_added if added else summary.features_dropped).append(item)
    return summary
