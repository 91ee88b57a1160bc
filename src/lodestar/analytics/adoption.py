"""Feature adoption: how a feature's use shows in the events (an AdoptionDefinition: an event
and property filters), and the report on its page — weekly adoption among active persons,
the release marked, and the impact predicted in Decide beside what was measured.

Measured = the mean weekly adoption rate of the (up to) 4 weeks before the release's week
against the (up to) 4 latest complete weeks after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.analytics.models import AdoptionDefinition
from lodestar.analytics.queries import adoption as query
from lodestar.analytics.queries.filters import parse_filters
from lodestar.core.errors import Invalid
from lodestar.planning.business import predicted_change

log = logging.getLogger(__name__)

WEEKS = 26  # shown by default
BEFORE_WEEKS = 8  # at least this many weeks before the release are shown
MAX_WEEKS = 104
COMPARE_WEEKS = 4


def definition_of(feature) -> AdoptionDefinition | None:
    return AdoptionDefinition.objects.filter(feature=feature).first()


def adoption_set(*, feature, actor, event: str, filters: str | list | None = None):
    """Define (or redefine) how the feature's use shows in the events."""
    errors: dict[str, list[str]] = {}
    event = str(event or "").strip()
    if not event:
        errors["event"] = ["Name the event that means the feature was used."]
    elif len(event) > 200:
        errors["event"] = ["At most 200 characters."]
    try:
        parsed = parse_filters(filters or None)
    except Invalid as exc:
        errors.update(exc.fields)
        parsed = []
    if errors:
        raise Invalid(fields=errors)
    values = {"event": event, "filters": [f.as_dict() for f in parsed]}
    with transaction.atomic():
        definition, created = AdoptionDefinition.objects.update_or_create(
            feature=feature, defaults={**values, "updated_by": actor}
        )
        activity_record(
            workspace=feature.workspace,
            actor=actor,
            verb="defined adoption of" if created else "changed adoption of",
            target_type="feature",
            target_key=feature.key,
            target_label=feature.title,
            changes={"adoption": [None, describe(definition)]},
        )
    return definition


def adoption_clear(*, feature, actor) -> None:
    definition = definition_of(feature)
    if definition is None:
        return
    with transaction.atomic():
        definition.delete()
        activity_record(
            workspace=feature.workspace,
            actor=actor,
            verb="removed adoption of",
            target_type="feature",
            target_key=feature.key,
            target_label=feature.title,
            changes={"adoption": [describe(definition), None]},
        )


def describe(definition: AdoptionDefinition) -> str:
    filters = parse_filters(definition.filters or None)
    text = definition.event
    return text + (" where " + " and ".join(str(f) for f in filters) if filters else "")


def release_date(feature) -> tuple[date | None, bool]:
    """(the feature's release day, whether it has shipped): released_on, else the target."""
    release = feature.release
    if release is None:
        return None, False
    if release.released_on:
        return release.released_on, True
    return release.target, False


@dataclass
class Comparison:
    before: float | None  # mean weekly rate, 0..1
    after: float | None
    before_weeks: int = 0
    after_weeks: int = 0

    @property
    def points(self) -> float | None:
        """The change in percentage points."""
        if self.before is None or self.after is None:
            return None
        return (self.after - self.before) * 100

    @property
    def relative(self) -> float | None:
        """The change in % of the before rate (None when it was zero)."""
        if not self.before or self.after is None:
            return None
        return (self.after / self.before - 1) * 100

    @property
    def before_pct(self) -> float | None:
        return None if self.before is None else self.before * 100

    @property
    def after_pct(self) -> float | None:
        return None if self.after is None else self.after * 100

    @property
    def points_text(self) -> str:
        return "" if self.points is None else f"{self.points:+.1f}".replace("-", "\u2212")

    @property
    def relative_text(self) -> str:
        if self.relative is None:
            return ""
        return f"{self.relative:+.0f} %".replace("-", "\u2212")


@dataclass
class Report:
    definition: AdoptionDefinition
    description: str
    weeks: list[dict] = field(default_factory=list)
    figure: dict | None = None
    release: date | None = None
    released: bool = False
    comparison: Comparison | None = None
    predicted_metric: str = ""
    predicted_change: str = ""
    error: str = ""

    @property
    def any_adopters(self) -> bool:
        return any(w["adopters"] for w in self.weeks)

    @property
    def any_active(self) -> bool:
        return any(w["active"] for w in self.weeks)

    @property
    def latest(self) -> dict | None:
        rows = [w for w in self.weeks if w["active"]]
        return rows[-1] if rows else None


def compare(weeks: list[dict], release: date, today: date) -> Comparison:
    """Before = the weeks before the release's week; after = complete weeks after it."""
    release_week = query.week_start(release)
    this_week = query.week_start(today)
    before = [w for w in weeks if date.fromisoformat(w["week"]) < release_week and w["active"]][
        -COMPARE_WEEKS:
    ]
    after = [
        w for w in weeks if release_week < date.fromisoformat(w["week"]) < this_week and w["active"]
    ][-COMPARE_WEEKS:]

    def mean(rows: list[dict]) -> float | None:
        return sum(w["rate"] for w in rows) / len(rows) if rows else None

    return Comparison(mean(before), mean(after), len(before), len(after))


def window(release: date | None, today: date) -> tuple[date, date]:
    """The weeks shown: the last WEEKS, reaching back to BEFORE_WEEKS before the release."""
    end = query.week_start(today) + timedelta(days=7)
    start = end - timedelta(weeks=WEEKS)
    if release is not None:
        start = min(start, query.week_start(release) - timedelta(weeks=BEFORE_WEEKS))
    return max(start, end - timedelta(weeks=MAX_WEEKS)), end


def adoption_report(feature, definition: AdoptionDefinition, *, today: date | None = None):
    """Run the adoption query for the feature's product (never raises: `error` says why)."""
    from lodestar.analytics.queries.base import source_for

    today = today or timezone.localdate()
    release, released = release_date(feature)
    report = Report(
        definition,
        describe(definition),
        release=release,
        released=released,
        predicted_metric=feature.impact_metric,
        predicted_change=predicted_change(feature),
    )
    if feature.product is None:
        report.error = "The feature has no product, so its events cannot be told apart."
        return report
    start, end = window(release, today)
    try:
        with source_for(feature.workspace) as src:
            result = query.run(
                src,
                product_key=feature.product.key,
                event=definition.event,
                filters=parse_filters(definition.filters or None),
                start=start,
                end=end,
            )
    except Exception as exc:  # an engine error must not take the feature page down
        log.warning("adoption of %s failed: %s", feature.key, exc)
        report.error = f"Adoption could not be measured: {str(exc)[:300]}"
        return report
    report.weeks = result["weeks"]
    label = ""
    if release is not None:
        label = ("Released " if released else "Release planned ") + release.strftime("%b %-d")
    report.figure = query.figure(result, release=release, release_label=label)
    if release is not None and release <= today:
        report.comparison = compare(report.weeks, release, today)
    return report
