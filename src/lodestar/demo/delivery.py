"""The demo's Ship story (the delivery app): a risk register per product in the team's own
words (every category, spread over the 5x5 grid, mitigation actions, one risk that occurred
with its issue, a history of edits over weeks), release budgets with cost lines over the
past weeks (one release about 20 % over plan) and a public changelog of what shipped.

Runs in `build_demo` after the roadmap, with its own random generator. It writes data only:
forecasts, proposed risks and status reports are computed by the delivery services
(forecast_services.refresh_product, budget_services.check_all_budgets, report_services),
which `build_demo` calls afterwards."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from lodestar.activity.models import Entry
from lodestar.delivery.models import (
    ChangelogEntry,
    CostCategory,
    CostLine,
    DeliverySettings,
    Issue,
    ReleaseBudget,
    Risk,
    RiskAction,
    RiskCategory,
    RiskStatus,
)
from lodestar.demo.clock import Clock
from lodestar.demo.delivery_text import (
    CHANGELOG,
    CONTRACTORS,
    INFRASTRUCTURE,
    ISSUE,
    LICENCES,
    OVERRIDES,
    RISKS,
    SPEND,
    RiskSpec,
)
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.people import EMAIL_DOMAIN
from lodestar.demo.roadmap import RELEASES
from lodestar.feedback.models import Idea
from lodestar.planning.models import EffortUnit, Feature, Release, ReleaseStatus
from lodestar.strategy.models import Objective
from lodestar.workspaces.models import Membership, Product, Workspace

Report = Callable[[str, int, int], None]
CENT = Decimal("0.01")
# Of a release's spend: people (weekly team time), contractors, infrastructure, licences.
MIX = {"people": 0.78, "contractors": 0.12, "infrastructure": 0.07, "licenses": 0.03}


def build_delivery(
    rng: random.Random, workspace: Workspace, now: datetime, report: Report
) -> dict[str, int]:
    """Build it all; return counts by kind (for the tests and the report)."""
    today = now.date()
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(
            workspace=workspace, user__email__endswith="@" + EMAIL_DOMAIN
        ).select_related("user")
    }
    products = {p.key: p for p in Product.objects.filter(workspace=workspace)}
    releases = _releases(workspace, Clock(now))
    for key, product in products.items():
        DeliverySettings.objects.get_or_create(
            workspace=workspace,
            product=product,
            defaults={"report_recipients": f"leadership@{EMAIL_DOMAIN}" if key == "web" else ""},
        )
    log: list[Entry] = []
    risks, actions = _risks(workspace, products, releases, people, now, log)
    issues = _issue(workspace, people, now, log)
    budgets, lines = _budgets(rng, workspace, releases, people, today, log)
    report("delivery", 1, 2)
    entries = _changelog(workspace, products, releases, people, now)
    _write_log(workspace, log)
    report("delivery", 2, 2)
    return {
        "risks": risks,
        "actions": actions,
        "issues": issues,
        "budgets": budgets,
        "cost_lines": lines,
        "changelog": entries,
    }


def _releases(workspace: Workspace, clock: Clock) -> dict[str, Release]:
    """The hand-written releases by their roadmap_text name (the month in a name follows
    the build day: see clock.release_name)."""
    rows = Release.objects.filter(workspace=workspace).select_related("team", "product", "owner")
    by_name = {r.name: r for r in rows}
    found: dict[str, Release] = {}
    for spec in RELEASES:
        target = clock.day(spec.target)
        name = clock.release_name(spec.name, target) if target else spec.name
        if name in by_name:
            found[spec.name] = by_name[name]
    return found


def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _entry(
    log: list[Entry], who: Membership | None, when: datetime, verb: str, kind: str, obj, **changes
) -> None:
    log.append(
        Entry(
            actor=who.user if who else None,
            actor_label=who.user.display_name if who else "",
            verb=verb,
            target_type=kind,
            target_key=getattr(obj, "key", ""),
            target_label=str(obj)[:200],
            changes=changes,
            created_at=when,
        )
    )


def _shown(field: str, value: object) -> object:
    """A value as the risk services log it (labels for choices, names for people)."""
    if field == "status":
        return str(RiskStatus(str(value)).label)
    if field == "category":
        return str(RiskCategory(str(value)).label)
    return value


# -- risks -----------------------------------------------------------------------------------


def _risks(
    workspace: Workspace,
    products: dict[str, Product],
    releases: dict[str, Release],
    people: dict[str, Membership],
    now: datetime,
    log: list[Entry],
) -> tuple[int, int]:
    today = now.date()
    themes = {t.key: t.title for t in THEMES}
    features = {f.title: f for f in Feature.objects.filter(workspace=workspace)}
    objectives = {o.title: o for o in Objective.objects.filter(workspace=workspace)}
    made = 0
    action_rows: list[RiskAction] = []
    for spec in RISKS:
        owner = people.get(spec.owner)
        before = {field: old for _d, _w, field, old, _new in spec.history}
        risk = Risk.objects.create(
            workspace=workspace,
            product=products[spec.product],
            title=spec.title,
            description=spec.description,
            category=spec.category,
            likelihood=spec.likelihood,
            impact=spec.impact,
            owner=owner,
            mitigation=spec.mitigation,
            contingency=spec.contingency,
            status=spec.status,
            review_on=today + timedelta(days=spec.review) if spec.review is not None else None,
            created_by=owner.user if owner else None,
            created_at=now - timedelta(days=-spec.created, hours=3),
            version=1 + len(spec.history) + sum(a.done is not None for a in spec.actions),
        )
        risk.features.set([f for k in spec.features if (f := features.get(themes.get(k, k)))])
        risk.releases.set([releases[name] for name in spec.releases if name in releases])
        risk.objectives.set([objectives[t] for t in spec.objectives if t in objectives])
        first = {
            "title": spec.title,
            "category": spec.category,
            "likelihood": before.get("likelihood", spec.likelihood),
            "impact": before.get("impact", spec.impact),
            "status": before.get("status", "open" if spec.status == "occurred" else spec.status),
        }
        _entry(log, owner, risk.created_at, "created", "risk", risk,
               **{k: [None, _shown(k, v)] for k, v in first.items()},
               owner=[None, owner.user.display_name if owner else None],
               mitigation=[None, spec.mitigation])  # fmt: skip
        for days, who, field, old, new in spec.history:
            _entry(log, people.get(who), now + timedelta(days=days), "updated", "risk", risk,
                   **{field: [_shown(field, old), _shown(field, new)]})  # fmt: skip
        action_rows += _actions(risk, spec, people, now, log)
        made += 1
    RiskAction.objects.bulk_create(action_rows)
    return made, len(action_rows)


def _actions(
    risk: Risk, spec: RiskSpec, people: dict[str, Membership], now: datetime, log: list[Entry]
) -> list[RiskAction]:
    today = now.date()
    rows = []
    added = risk.created_at + timedelta(days=1)
    owner = people.get(spec.owner)
    for position, action in enumerate(spec.actions):
        who = people.get(action.owner)
        due = today + timedelta(days=action.due)
        done = now + timedelta(days=action.done) if action.done is not None else None
        rows.append(
            RiskAction(
                risk=risk,
                title=action.title,
                owner=who,
                due_on=due,
                done_at=done,
                position=position,
                created_at=added,
            )
        )
        detail = f"{who.user.display_name}, due {due.isoformat()}" if who else f"due {due}"
        _entry(log, owner, added, "updated", "risk", risk,
               **{"action added": [None, f"{action.title} ({detail})"]})  # fmt: skip
        if done is not None:
            _entry(log, who or owner, done, "updated", "risk", risk,
                   **{f"action “{action.title}”": ["to do", "done"]})  # fmt: skip
    return rows


def _issue(
    workspace: Workspace, people: dict[str, Membership], now: datetime, log: list[Entry]
) -> int:
    """The risk that occurred becomes an issue, resolved since."""
    risk = Risk.objects.filter(workspace=workspace, status=RiskStatus.OCCURRED).first()
    if risk is None:
        return 0
    title, impact, severity, occurred, resolution, resolved = ISSUE
    owner = risk.owner
    when = now + timedelta(days=occurred + 1)
    issue = Issue.objects.create(
        workspace=workspace,
        product=risk.product,
        risk=risk,
        title=title,
        impact=impact,
        severity=severity,
        occurred_on=(now + timedelta(days=occurred)).date(),
        owner=owner,
        resolution=resolution,
        resolved_on=(now + timedelta(days=resolved)).date(),
        created_by=owner.user if owner else None,
        created_at=when,
    )
    _entry(
        log,
        owner,
        when,
        "updated",
        "risk",
        risk,
        status=[_shown("status", "open"), _shown("status", "occurred")],
        issue=[None, title],
    )
    _entry(
        log,
        owner,
        when,
        "created",
        "issue",
        issue,
        severity=[None, severity],
        occurred_on=[None, issue.occurred_on.isoformat()],
        risk=[None, risk.title],
    )
    _entry(
        log,
        owner,
        now + timedelta(days=resolved),
        "updated",
        "issue",
        issue,
        resolution=[None, resolution],
        resolved_on=[None, issue.resolved_on.isoformat() if issue.resolved_on else None],
    )
    return 1  # fmt: skip


# -- budgets ---------------------------------------------------------------------------------


def _planned(release: Release) -> Decimal | None:
    """Effort x the team's cost per week, as the budget page computes it (an override
    aside); None when nothing is estimated."""
    team = release.team
    if team is None or not team.cost_per_week:
        return None
    weeks = Decimal(0)
    for feature in release.features.all():
        if feature.effort is None:
            continue
        if feature.effort_unit == EffortUnit.WEEKS:
            weeks += Decimal(feature.effort)
        elif team.capacity_points:
            weeks += Decimal(feature.effort) / Decimal(team.capacity_points)
    return (weeks * team.cost_per_week).quantize(CENT) if weeks else None


def _budgets(
    rng: random.Random,
    workspace: Workspace,
    releases: dict[str, Release],
    people: dict[str, Membership],
    today: date,
    log: list[Entry],
) -> tuple[int, int]:
    """A budget for every hand-written release that is not cancelled; cost lines for the
    ones started within the last half year (shipped or under way)."""
    budgets: list[ReleaseBudget] = []
    lines: list[CostLine] = []
    since = today - timedelta(weeks=26)
    for name, release in releases.items():
        if release.status == ReleaseStatus.CANCELLED:
            continue
        owner = release.owner or people.get("priya")
        override, note = OVERRIDES.get(name, (None, ""))
        budgets.append(
            ReleaseBudget(
                release=release,
                planned_override=Decimal(override) if override else None,
                note=note,
            )
        )
        if override:
            set_on = min(release.start or today, today - timedelta(days=21))
            _entry(log, owner, _at(set_on), "updated",
                   "release budget", release, planned_override=[None, override],
                   note=[None, note])  # fmt: skip
        plan = Decimal(override) if override else _planned(release)
        start = release.start or release.target - timedelta(weeks=6)
        if plan is None or start < since or start >= today:
            continue
        lines += _cost_lines(rng, workspace, name, release, plan, start, today, owner, log)
    ReleaseBudget.objects.bulk_create(budgets)
    CostLine.objects.bulk_create(lines, batch_size=1000)
    return len(budgets), len(lines)


def _cost_lines(
    rng: random.Random,
    workspace: Workspace,
    name: str,
    release: Release,
    plan: Decimal,
    start: date,
    today: date,
    owner: Membership | None,
    log: list[Entry],
) -> list[CostLine]:
    end = release.released_on or release.target
    last = min(end, today - timedelta(days=1))
    span = max(1, (end - start).days)
    elapsed = min(1.0, max(0, (last - start).days + 1) / span)
    if release.status == ReleaseStatus.RELEASED:
        share = SPEND.get(name, rng.uniform(0.88, 1.02))
    elif name in SPEND:
        share = SPEND[name]  # already beyond plan, whatever the time left
    else:
        share = elapsed * rng.uniform(0.86, 1.0)
    total = float(plan) * share
    mix = dict(MIX)
    if name in SPEND and share > 1.1:  # the overrun is contractor time
        mix = {"people": 0.66, "contractors": 0.24, "infrastructure": 0.07, "licenses": 0.03}
    user = owner.user if owner else None
    rows: list[CostLine] = []

    def line(description: str, category: str, amount: float, day: date) -> None:
        rows.append(
            CostLine(
                workspace=workspace,
                release=release,
                description=description[:200],
                category=category,
                amount=Decimal(str(max(amount, 1.0))).quantize(CENT),
                spent_on=day,
                created_by=user,
                created_at=_at(min(day + timedelta(days=1), today - timedelta(days=1)), 17),
            )
        )

    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= last:
        weeks.append(max(monday, start))
        monday += timedelta(weeks=1)
    weights = [rng.uniform(0.9, 1.1) for _ in weeks]
    people_total = total * mix["people"]
    team = release.team.name if release.team else "the team"
    for week, weight in zip(weeks, weights, strict=True):
        amount = people_total * weight / sum(weights)
        line(f"{team}: time, week of {week:%d %b}", CostCategory.PEOPLE, amount, week)
    days = max(1, (last - start).days)
    contractor = CONTRACTORS.get(name)
    if contractor:
        invoices = min(3, 1 + days // 28)
        for i in range(invoices):
            day = start + timedelta(days=days * (i + 1) // invoices)
            line(f"{contractor} — invoice {i + 1}", CostCategory.CONTRACTORS,
                 total * mix["contractors"] / invoices, day)  # fmt: skip
    else:
        mix["infrastructure"] += mix["contractors"]
    months = max(1, days // 30)
    what = rng.choice(INFRASTRUCTURE)
    for i in range(months):
        day = start + timedelta(days=min(days, 30 * (i + 1)) - 1)
        line(f"{what} ({day:%b})", CostCategory.INFRASTRUCTURE,
             total * mix["infrastructure"] / months, day)  # fmt: skip
    line(rng.choice(LICENCES), CostCategory.LICENSES, total * mix["licenses"], start)
    for row in rows:
        if row.category != CostCategory.PEOPLE:
            _entry(log, owner, row.created_at, "created", "cost line", row,
                   amount=[None, str(row.amount)], category=[None, row.category],
                   release=[None, release.name])  # fmt: skip
    return rows


# -- changelog -------------------------------------------------------------------------------


def _changelog(
    workspace: Workspace,
    products: dict[str, Product],
    releases: dict[str, Release],
    people: dict[str, Membership],
    now: datetime,
) -> int:
    """Published notes for shipped releases; one draft gathering the small things shipped
    since and announced nowhere yet."""
    authors = {"web": people.get("priya"), "mobile": people.get("tomas")}
    titles = {t.key: t.title for t in THEMES}
    used: set[int] = set()
    made = 0
    for key, title, release_name, links, body, days in CHANGELOG:
        author = authors.get(key)
        release = releases.get(release_name) if release_name else None
        if release_name is not None:
            if release is None or release.released_on is None:
                continue
            wanted = [titles.get(k, k) for k in links]
            features = list(release.features.filter(title__in=wanted).order_by("pk"))
            published: datetime | None = min(
                _at(release.released_on + timedelta(days=days or 0)), now - timedelta(hours=1)
            )
        else:
            features = list(
                Feature.objects.filter(
                    workspace=workspace, product=products.get(key), status="shipped",
                    release__isnull=False,
                ).exclude(pk__in=used).order_by("-release__released_on", "pk")[:4]
            )  # fmt: skip
            if not features:
                continue
            bullets = "\n".join(f"- {f.title}." for f in features)
            body = body.format(features=bullets)
            published = None
        used |= {f.pk for f in features}
        notified = sum(
            Idea.objects.filter(feature__in=features).values_list("vote_count", flat=True)
        )
        created = (published or now) - timedelta(days=1)
        entry = ChangelogEntry.objects.create(
            workspace=workspace,
            product=products.get(key),
            title=title,
            body=body,
            published_at=published,
            notified=notified if published else 0,
            created_by=author.user if author else None,
            created_at=created,
        )
        entry.features.set(features)
        made += 1
    return made


# -- the log ---------------------------------------------------------------------------------


def _write_log(workspace: Workspace, log: list[Entry]) -> None:
    """Add the story's back-dated entries and keep the log's order (newest first, by id)
    the order of time: the entries since the story's first are re-inserted by date."""
    if not log:
        return
    since = min(e.created_at for e in log)
    later = list(Entry.objects.filter(workspace=workspace, created_at__gte=since))
    Entry.objects.filter(pk__in=[e.pk for e in later]).delete()
    for entry in log:
        entry.workspace = workspace
    rows = sorted([*later, *log], key=lambda e: e.created_at)
    for row in rows:
        row.pk = None
    Entry.objects.bulk_create(rows, batch_size=2000)
