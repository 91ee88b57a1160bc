"""Delivery forecasts: run the engine (delivery.forecast) on each open release, store one
ReleaseForecast row per release and day, flag releases at risk and propose (or withdraw) a
schedule risk; and the product's delivery settings.

A team works its open releases in target order (ties: oldest first), across its products:
a release finishes when the stories of the team's releases targeted before it, and its own,
are done. `refresh_product` and `refresh_all` are idempotent within a day (today's row is
updated); the delivery jobs call `refresh_all` every hour, pages call `refresh_product` when
today's rows are missing."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Q

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid
from lodestar.delivery import proposals
from lodestar.delivery.forecast import (
    DEFAULT_HISTORY_WEEKS,
    DEFAULT_TRIALS,
    Forecast,
    Work,
    forecast_queue,
)
from lodestar.delivery.models import (
    DeliverySettings,
    ReleaseForecast,
    RiskCategory,
    RiskSource,
)
from lodestar.planning.backlog_models import StoryStatus, UserStory
from lodestar.planning.backlog_selectors import team_throughput
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release, ReleaseKind, ReleaseStatus
from lodestar.planning.share_services import local_today
from lodestar.workspaces.models import Product, Team, Workspace

OPEN_STATUSES = (ReleaseStatus.PLANNED, ReleaseStatus.IN_PROGRESS)
NO_STORIES = "No stories yet: break the features into stories to forecast."
NO_FEATURES = "No features yet: add features to the release and break them into stories."
NO_TEAM = "No team: give the release a team, whose throughput the forecast is made from."


@dataclass
class Outlook:
    """One release's forecast as computed now, with its inputs (what the pages show)."""

    release: Release
    total: int  # stories in the release's features
    done: int
    ahead: list[Release] = field(default_factory=list)  # team's releases worked before it
    history: list[tuple[date, int]] = field(default_factory=list)  # complete weeks, oldest first
    forecast: Forecast | None = None
    reason: str = ""
    trials: int = DEFAULT_TRIALS
    day: date | None = None

    @property
    def remaining(self) -> int:
        return self.total - self.done

    @property
    def p_on_time(self) -> float | None:
        return None if self.forecast is None else self.forecast.p_on_time

    @property
    def reason_text(self) -> str:
        if self.reason:
            return self.reason
        return self.forecast.reason if self.forecast is not None else ""


# -- settings -------------------------------------------------------------------------------


def delivery_settings(product: Product) -> DeliverySettings:
    """The product's delivery settings, created with the defaults when missing."""
    row, _ = DeliverySettings.objects.get_or_create(
        product=product, defaults={"workspace_id": product.workspace_id}
    )
    return row


@transaction.atomic
def settings_update(
    *,
    product: Product,
    actor,
    on_time_threshold: int,
    over_budget_threshold: int,
    report_recipients: str,
    today: date | None = None,
) -> DeliverySettings:
    """Change a product's thresholds and report recipients (validated by the form; checked
    again here for callers without one). A changed on-time threshold re-flags the product's
    releases at once."""
    errors: dict[str, str] = {}
    if not 1 <= on_time_threshold <= 99:
        errors["on_time_threshold"] = "The on-time threshold is a percentage from 1 to 99."
    if not 0 <= over_budget_threshold <= 500:
        errors["over_budget_threshold"] = "The over-budget threshold is from 0 to 500 %."
    if errors:
        raise Invalid(fields=errors)
    row = DeliverySettings.objects.select_for_update().get(pk=delivery_settings(product).pk)
    values = {
        "on_time_threshold": on_time_threshold,
        "over_budget_threshold": over_budget_threshold,
        "report_recipients": report_recipients,
    }
    changes = {
        name: [getattr(row, name), value]
        for name, value in values.items()
        if getattr(row, name) != value
    }
    if not changes:
        return row
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    activity_record(
        workspace=product.workspace,
        actor=actor,
        verb="updated",
        target_type="delivery settings",
        target_key=product.key,
        target_label=f"Delivery settings of {product.name}",
        changes=changes,
    )
    if "on_time_threshold" in changes:
        refresh_product(product, today=today)
    return row


# -- forecasting ----------------------------------------------------------------------------


def _seed(team: Team, day: date) -> int:
    """The same numbers all day for the same data: a seed from the team and the day."""
    return zlib.crc32(f"{team.key}:{day.isoformat()}".encode())


def team_history(team: Team, *, today: date, weeks: int = DEFAULT_HISTORY_WEEKS):
    """The team's stories done per week over the `weeks` complete ISO weeks before the one
    of `today` (the current week is not over: it would read as a slow week)."""
    rows = team_throughput(team=team, weeks=weeks + 1, today=today)[:-1]
    return [(monday, count) for monday, count, _points in rows]


def _counts(releases: Iterable[Release]) -> tuple[dict[int, tuple[int, int]], set[int]]:
    """{release id: (stories, done)} and the ids of releases with features, in two queries."""
    ids = [r.pk for r in releases]
    counts = {
        row["feature__release_id"]: (row["total"], row["done"])
        for row in UserStory.objects.filter(feature__release_id__in=ids)
        .values("feature__release_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=StoryStatus.DONE)))
        .order_by()
    }
    with_features = set(
        Feature.objects.filter(release_id__in=ids).values_list("release_id", flat=True).distinct()
    )
    return counts, with_features


def _team_outlooks(team: Team, *, today: date, trials: int, cone: bool) -> dict[int, Outlook]:
    """Every open release of the team, forecast as one queue in target order."""
    queue = list(
        Release.objects.filter(team=team, status__in=OPEN_STATUSES)
        .select_related("workspace", "product", "team", "owner")
        .order_by("target", "created_at", "pk")
    )
    counts, with_features = _counts(queue)
    history = team_history(team, today=today)
    outlooks = []
    for release in queue:
        total, done = counts.get(release.pk, (0, 0))
        outlook = Outlook(release, total, done, history=history, trials=trials, day=today)
        if total == 0:
            outlook.reason = NO_STORIES if release.pk in with_features else NO_FEATURES
        outlooks.append(outlook)
    results = forecast_queue(
        [count for _monday, count in history],
        [Work(o.remaining, o.release.target) for o in outlooks],
        start=today,
        trials=trials,
        seed=_seed(team, today),
        cone=cone,
    )
    for i, (outlook, result) in enumerate(zip(outlooks, results, strict=True)):
        outlook.ahead = [o.release for o in outlooks[:i] if o.remaining]
        if not outlook.reason:
            outlook.forecast = result
    return {o.release.pk: o for o in outlooks}


def outlooks_for(
    releases: Iterable[Release], *, today: date, trials: int = DEFAULT_TRIALS, cone: bool = False
) -> dict[int, Outlook]:
    """{release id: Outlook} for open releases (one simulation per team); `cone`: with the
    burn-up cone (the release page)."""
    by_team: dict[int, Team] = {}
    wanted = []
    for release in releases:
        wanted.append(release.pk)
        by_team.setdefault(release.team_id, release.team)
    found: dict[int, Outlook] = {}
    for team in by_team.values():
        found |= _team_outlooks(team, today=today, trials=trials, cone=cone)
    return {pk: found[pk] for pk in wanted if pk in found}


def _likelihood(p_on_time: float) -> int:
    """1 - p_on_time on the 1..5 scale: below 20 % chance of being late is 1, 80 % and up 5."""
    return min(5, int((1 - p_on_time) * 5) + 1)


def _day(d: date | None) -> str:
    return f"{d.day} {d:%b %Y}" if d is not None else "not within five years"


def _propose(outlook: Outlook, threshold: int) -> None:
    release, f = outlook.release, outlook.forecast
    assert f is not None and f.p_on_time is not None
    ahead = (
        f" The team's {len(outlook.ahead)} release{'s' if len(outlook.ahead) != 1 else ''} "
        f"targeted earlier come first ({f.ahead} stories ahead)."
        if outlook.ahead
        else ""
    )
    description = (
        f"The delivery forecast gives {release.name} a {f.p_on_time:.0%} chance of finishing "
        f"by its target, {_day(release.target)}, below the product's threshold of "
        f"{threshold} %.\n\n"
        f"- {outlook.remaining} of {outlook.total} stories remain.{ahead}\n"
        f"- Likely done (50 %): {_day(f.p50)}; 85 %: {_day(f.p85)}; 95 %: {_day(f.p95)}.\n"
        f"- From the team's weekly throughput over the last {f.history_weeks} weeks, "
        f"{f.trials:,} simulated futures.\n\n"
        "Mitigation to consider: cut scope, move the target, or add capacity."
    )
    proposals.propose(
        release=release,
        source=RiskSource.FORECAST,
        title=f"{release.name} may miss {_day(release.target)}",
        description=description,
        category=RiskCategory.SCHEDULE,
        likelihood=_likelihood(f.p_on_time),
        impact=4 if release.kind == ReleaseKind.MILESTONE else 3,
        evidence={
            "p_on_time": round(f.p_on_time, 4),
            "p50": _iso(f.p50),
            "p85": _iso(f.p85),
            "p95": _iso(f.p95),
            "target": _iso(release.target),
            "threshold": threshold,
            "remaining": outlook.remaining,
            "total": outlook.total,
            "ahead": f.ahead,
            "history": [count for _monday, count in outlook.history],
            "history_weeks": f.history_weeks,
            "trials": f.trials,
            "day": _iso(outlook.day),
        },
        severity=round(1 - f.p_on_time, 4),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _store(outlook: Outlook, threshold: int, today: date) -> ReleaseForecast:
    f = outlook.forecast
    p = f.p_on_time if f is not None else None
    at_risk = p is not None and p < threshold / 100
    row, _ = ReleaseForecast.objects.update_or_create(
        release=outlook.release,
        day=today,
        defaults={
            "remaining": outlook.remaining,
            "done": outlook.done,
            "history_weeks": f.history_weeks if f is not None else 0,
            "trials": f.trials if f is not None else 0,
            "p_on_time": p,
            "p50": f.p50 if f is not None else None,
            "p85": f.p85 if f is not None else None,
            "p95": f.p95 if f is not None else None,
            "threshold": threshold,
            "at_risk": at_risk,
            "reason": outlook.reason_text[:300],
        },
    )
    if at_risk:
        _propose(outlook, threshold)
    else:
        # Recovered, or no longer enough data to back the proposal: withdraw a pending one
        # (an accepted risk stays in the register; the PM closes it).
        proposals.withdraw(release=outlook.release, source=RiskSource.FORECAST)
    return row


def _refresh(releases: list[Release], *, today: date) -> list[ReleaseForecast]:
    thresholds = {
        s.product_id: s.on_time_threshold
        for s in DeliverySettings.objects.filter(product_id__in={r.product_id for r in releases})
    }
    outlooks = outlooks_for(releases, today=today)
    rows = []
    for release in releases:
        outlook = outlooks.get(release.pk)
        if outlook is None:
            continue
        if release.product_id not in thresholds:
            thresholds[release.product_id] = delivery_settings(release.product).on_time_threshold
        with transaction.atomic():
            rows.append(_store(outlook, thresholds[release.product_id], today))
    return rows


def _withdraw_closed(product_ids: Iterable[int]) -> None:
    """Withdraw pending forecast proposals of releases that were released or cancelled."""
    from lodestar.delivery.models import Risk, RiskStatus

    Risk.objects.filter(
        product_id__in=list(product_ids), source=RiskSource.FORECAST, status=RiskStatus.PROPOSED
    ).exclude(source_release__status__in=OPEN_STATUSES).delete()


def _open_releases(**filters) -> list[Release]:
    return list(
        Release.objects.filter(status__in=OPEN_STATUSES, **filters)
        .select_related("workspace", "product", "team", "owner")
        .order_by("target", "created_at", "pk")
    )


def refresh_product(product: Product, *, today: date | None = None) -> list[ReleaseForecast]:
    """Forecast every open release of `product` and store today's rows (one per release;
    updated when already there), flagging and proposing as the product's threshold says."""
    today = today or local_today(product.workspace)
    rows = _refresh(_open_releases(product=product), today=today)
    _withdraw_closed([product.pk])
    return rows


def refresh_all(*, today: date | None = None) -> list[ReleaseForecast]:
    """`refresh_product` for every product of every workspace (today: each workspace's)."""
    rows: list[ReleaseForecast] = []
    for workspace in Workspace.objects.order_by("pk"):
        day = today or local_today(workspace)
        rows += _refresh(_open_releases(workspace=workspace), today=day)
        _withdraw_closed(workspace.products.values_list("pk", flat=True))
    return rows


def ensure_today(product: Product, *, today: date | None = None) -> date:
    """Refresh the product's forecasts when an open release has no row for today (pages call
    this: the hourly job usually got there first). Returns the day."""
    today = today or local_today(product.workspace)
    missing = (
        Release.objects.filter(product=product, status__in=OPEN_STATUSES)
        .exclude(forecasts__day=today)
        .exists()
    )
    if missing:
        refresh_product(product, today=today)
    return today


def release_outlook(release: Release, *, today: date | None = None) -> Outlook:
    """The release's forecast computed now (for its page: the cone needs the trials). When
    it differs from today's stored row (stories changed since), the product is refreshed
    so the list, the flag and the proposal say the same."""
    today = today or local_today(release.workspace)
    if release.status not in OPEN_STATUSES:
        return Outlook(release, 0, 0, reason="This release is no longer open.", day=today)
    outlook = outlooks_for([release], today=today, cone=True)[release.pk]
    stored = ReleaseForecast.objects.filter(release=release, day=today).first()
    f = outlook.forecast
    fresh = (
        outlook.remaining,
        f.p_on_time if f else None,
        f.p50 if f else None,
        f.p85 if f else None,
        f.p95 if f else None,
    )
    if stored is None or fresh != (
        stored.remaining,
        stored.p_on_time,
        stored.p50,
        stored.p85,
        stored.p95,
    ):
        refresh_product(release.product, today=today)
    return outlook
