"""Build the demo workspace. Called by `lodestar demo`; deterministic for (seed, size, day):
every date is relative to the build day (lodestar.demo.clock)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from lodestar.accounts.models import User
from lodestar.activity.models import Entry
from lodestar.analytics.store import forget_workspace
from lodestar.core.keys import _ALPHABET as KEY_ALPHABET
from lodestar.demo.clock import Clock
from lodestar.demo.customers import build_customers
from lodestar.demo.delivery import build_delivery
from lodestar.demo.delivery_computed import finish_delivery
from lodestar.demo.events import build_events
from lodestar.demo.experiments import build_experiments
from lodestar.demo.features import build_features, build_scoring
from lodestar.demo.feedback import build_feedback
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.ideas import build_ideas
from lodestar.demo.market import SIZES as MARKET_SIZES
from lodestar.demo.market import build_market
from lodestar.demo.people import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    LARGE_TEAM_AREAS,
    LAST_NAMES,
    PASSWORD_WORDS,
    PERSONAS,
    TEAMS,
)
from lodestar.demo.roadmap import build_roadmap
from lodestar.demo.strategy import build_strategy
from lodestar.workspaces import services
from lodestar.workspaces.models import Membership, Role, Team, Workspace

SLUG = "acme"
SIZES = {
    # extra members, extra teams, synthetic activity history
    "small": {
        "members": 14,
        "teams": 0,
        "activity": 300,
        "companies": 80,
        "feedback": 600,
        "features": 60,
    },
    "large": {
        "members": 600,
        "teams": 120,
        "activity": 120_000,
        "companies": 2_000,
        "feedback": 100_000,
        "features": 5_000,
    },
}

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class Login:
    role: str
    name: str
    email: str
    password: str


def _password(rng: random.Random) -> str:
    return "-".join(rng.sample(PASSWORD_WORDS, 3)) + f"-{rng.randint(10, 99)}"


def _remove_previous() -> None:
    for previous in Workspace.objects.filter(slug=SLUG):
        forget_workspace(previous.pk)
    Workspace.objects.filter(slug=SLUG).delete()
    User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).delete()


def build_demo(
    *,
    seed: int = 7,
    size: str = "small",
    progress: Progress | None = None,
    today: date | None = None,
) -> list[Login]:
    """Replace any previous demo workspace with a fresh one; return the persona logins.
    The demo's "now" is `today` (default: the real UTC date) at 15:00 UTC: everything is
    dated relative to it, so the same seed on the same day gives the same demo."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    clock = Clock.of(today)
    now = clock.now
    report = progress or (lambda step, done, total: None)
    rng = random.Random(seed)
    plan = SIZES[size]
    with transaction.atomic():
        _remove_previous()
        logins = _personas(rng)
        owner = User.objects.get(email=logins[0].email)
        workspace = services.workspace_create(
            user=owner,
            name="Acme Field Service",
            slug=SLUG,
            currency="USD",
            time_zone="America/Chicago",
        )
        for login in logins[1:]:
            Membership.objects.create(
                workspace=workspace, user=User.objects.get(email=login.email), role=login.role
            )
        _products(workspace, owner)
        _capture_keys(workspace, seed)
        report("people", 0, plan["members"])
        members = _members(rng, workspace, plan["members"], report)
        teams = _teams(rng, workspace, owner, plan["teams"], members, report)
        account_owners = [m for m in members if m.role == Role.CONTRIBUTOR][:12]
        build_customers(rng, workspace, owner, account_owners, plan["companies"], report)
        _history(rng, workspace, members, teams, plan["activity"], report, now)
        # After the history, so adding feedback did not change the history a seed gives.
        processed: dict[str, list[int]] = {}
        build_feedback(
            rng,
            workspace,
            submitters=[m.user for m in members if m.role != Role.STAKEHOLDER],
            triagers=[m for m in members if m.role in MANAGING_ROLES],
            count=plan["feedback"],
            report=report,
            processed_by_theme=processed,
            now=now,
        )
        build_features(
            rng,
            workspace,
            owners_pm(members) or owner,
            processed,
            report,
            tail=plan["features"] - len(THEMES),
        )
        build_ideas(rng, workspace, members, now, report)  # last: earlier data stays as it was
        build_market(rng, workspace, members, report, **MARKET_SIZES[size], now=now)
        build_strategy(rng, workspace, members, now, report)  # last: after the features
        build_scoring(rng, workspace, owners_pm(members) or owner)  # after all the rest
        build_roadmap(rng, workspace, now, report, size)  # after scoring: horizons, teams
        # Its own generator: the Ship story does not shift what a seed gave before it.
        build_delivery(random.Random(f"{seed}-delivery"), workspace, now, report)
    # The event store is not part of the database transaction: filled once the rest is in.
    build_events(workspace, seed=seed, size=size, today=now, report=report, actor=owner)
    pm = owners_pm(members) or owner
    build_experiments(workspace, seed=seed, now=now, actor=pm, report=report)  # over the events
    finish_delivery(workspace, clock.today, owner, report)  # forecasts, reports: after all
    _refresh_statistics()
    return logins


def _refresh_statistics() -> None:
    """After a bulk load PostgreSQL's planner still has the empty tables' statistics (and
    picks bad plans for the inbox until autovacuum gets round to it): refresh them now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _move_to_end(entries: list[Entry]) -> None:
    """Re-insert the build's own entries after the back-dated history, so the log's order
    (newest first, by id) matches time."""
    Entry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    for entry in entries:
        entry.pk = None
    Entry.objects.bulk_create(entries)


def _personas(rng: random.Random) -> list[Login]:
    logins = []
    for role, name, _title, local in PERSONAS:
        login = Login(role, name, f"{local}@{EMAIL_DOMAIN}", _password(rng))
        User.objects.create_user(email=login.email, password=login.password, name=name)
        logins.append(login)
    return logins


def _capture_keys(workspace: Workspace, seed: int) -> None:
    """Capture keys that depend on the seed only (same seed, same demo, same printout); their
    own generator, so the demo's other data does not shift."""
    for product in workspace.products.all():
        rng = random.Random(f"{seed}-capture-{product.key}")
        product.write_key = "lw_" + "".join(rng.choice(KEY_ALPHABET) for _ in range(24))
        product.save(update_fields=["write_key"])


def _products(workspace: Workspace, owner: User) -> None:
    web = services.product_create(
        workspace=workspace,
        actor=owner,
        key="web",
        name="Acme Dispatch",
        description="The web app where dispatchers and office staff schedule jobs, assign "
        "technicians, quote and invoice. Used by 2,000+ field-service companies.",
    )
    # The feedback widget may be tried from an app running locally (docs/listen-intake.md).
    web.allowed_origins = "http://localhost:3000"
    web.save(update_fields=["allowed_origins"])
    services.product_create(
        workspace=workspace,
        actor=owner,
        key="mobile",
        name="Acme Tech",
        description="The technicians' app for iOS and Android: today's jobs, directions, "
        "checklists, photos, signatures and payment on site. Works offline.",
    )


def _members(
    rng: random.Random, workspace: Workspace, count: int, report: Progress
) -> list[Membership]:
    # Hash once: every generated colleague shares a password nobody is told; Argon2 per row
    # would make the large demo take minutes for nothing.
    unusable = make_password(None)
    users: list[User] = []
    seen: set[str] = set()
    while len(users) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}".lower().replace("ö", "o").replace("á", "a")
        n = 2
        while local in seen:
            local = f"{first}.{last}{n}".lower().replace("ö", "o")
            n += 1
        seen.add(local)
        users.append(
            User(email=f"{local}@{EMAIL_DOMAIN}", name=f"{first} {last}", password=unusable)
        )
    User.objects.bulk_create(users, batch_size=500)
    users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("email"))
    weights = [
        (Role.CONTRIBUTOR, 70),
        (Role.PRODUCT_OWNER, 10),
        (Role.PRODUCT_MANAGER, 8),
        (Role.STAKEHOLDER, 12),
    ]
    roles = [r for r, _ in weights]
    chosen = rng.choices(roles, weights=[w for _, w in weights], k=len(users))
    Membership.objects.bulk_create(
        [
            Membership(workspace=workspace, user=u, role=r)
            for u, r in zip(users, chosen, strict=True)
        ],
        batch_size=500,
    )
    report("people", count, count)
    return list(
        Membership.objects.filter(workspace=workspace).select_related("user").order_by("pk")
    )


def _teams(
    rng: random.Random,
    workspace: Workspace,
    owner: User,
    extra: int,
    members: list[Membership],
    report: Progress,
) -> list[Team]:
    builders = [m for m in members if m.role in (Role.CONTRIBUTOR, Role.PRODUCT_OWNER)]
    specs = [(n, c, Decimal(cost), d) for n, c, cost, d in TEAMS]
    for i in range(extra):
        area = LARGE_TEAM_AREAS[i % len(LARGE_TEAM_AREAS)]
        specs.append(
            (f"{area} squad {i // len(LARGE_TEAM_AREAS) + 1}", rng.randint(12, 36),
             Decimal(rng.randint(90, 300) * 100), f"Owns {area.lower()} end to end.")
        )  # fmt: skip
    teams = []
    for i, (name, capacity, cost, description) in enumerate(specs):
        size = min(len(builders), rng.randint(4, 8))
        team = services.team_create(
            workspace=workspace,
            actor=owner,
            name=name,
            description=description,
            capacity_points=capacity,
            cost_per_week=cost,
            member_keys=[m.key for m in rng.sample(builders, size)],
        )
        teams.append(team)
        report("teams", i + 1, len(specs))
    return teams


def _history(
    rng: random.Random,
    workspace: Workspace,
    members: list[Membership],
    teams: list[Team],
    count: int,
    report: Progress,
    now: datetime,
) -> None:
    """Two years of plausible edits, so the activity log reads like a lived-in workspace:
    capacity re-planned each quarter, people moving between teams, roles changing,
    colleagues invited, budgets revised."""
    planners = [m.user for m in members if m.role in MANAGING_ROLES] or [members[0].user]
    made_by_build = list(Entry.objects.filter(workspace=workspace).order_by("pk"))
    times = sorted(
        now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60)) for _ in range(count)
    )
    makers = [_capacity_change, _team_move, _role_change, _invitation, _budget_change]
    weights = [45, 25, 10, 10, 10]
    batch: list[Entry] = []
    for i, when in enumerate(times):
        make = rng.choices(makers, weights=weights)[0]
        entry = make(rng, rng.choice(teams), rng.choice(members))
        actor = rng.choice(planners)
        entry.workspace, entry.actor, entry.actor_label = workspace, actor, actor.display_name
        entry.created_at = when
        batch.append(entry)
        if len(batch) == 2000 or i == count - 1:
            Entry.objects.bulk_create(batch)
            batch = []
            report("history", i + 1, count)
    _move_to_end(made_by_build)


MANAGING_ROLES = (Role.OWNER, Role.ADMIN, Role.PRODUCT_MANAGER, Role.PRODUCT_OWNER)
# The role someone plausibly had before the one they hold now.
PREVIOUS_ROLE = {
    Role.PRODUCT_OWNER: Role.CONTRIBUTOR,
    Role.PRODUCT_MANAGER: Role.PRODUCT_OWNER,
    Role.CONTRIBUTOR: Role.STAKEHOLDER,
    Role.STAKEHOLDER: Role.CONTRIBUTOR,
}


def _capacity_change(rng: random.Random, team: Team, member: Membership) -> Entry:
    old = max(team.capacity_points + rng.choice((-6, -4, -3, -2, 2, 3, 4, 5)), 4)
    return Entry(
        verb="updated",
        target_type="team",
        target_key=team.key,
        target_label=team.name,
        changes={"capacity_points": [old, team.capacity_points]},
    )


def _team_move(rng: random.Random, team: Team, member: Membership) -> Entry:
    joined = rng.random() < 0.6
    return Entry(
        verb="added a member to" if joined else "removed a member from",
        target_type="team",
        target_key=team.key,
        target_label=team.name,
        changes={"member": [None, member.user.email] if joined else [member.user.email, None]},
    )


def _role_change(rng: random.Random, team: Team, member: Membership) -> Entry:
    if member.role not in PREVIOUS_ROLE:  # owners and admins keep theirs in this story
        return _capacity_change(rng, team, member)
    before, after = PREVIOUS_ROLE[Role(member.role)], member.role
    return Entry(
        verb="changed role",
        target_type="member",
        target_key=member.key,
        target_label=member.user.email,
        changes={"role": [before.value, after]},
    )


def _invitation(rng: random.Random, team: Team, member: Membership) -> Entry:
    return Entry(
        verb="invited",
        target_type="member",
        target_key="",
        target_label=member.user.email,
        changes={"role": [None, member.role]},
    )


def _budget_change(rng: random.Random, team: Team, member: Membership) -> Entry:
    old = team.cost_per_week - Decimal(rng.choice((500, 1000, 1500, 2500)))
    return Entry(
        verb="updated",
        target_type="team",
        target_key=team.key,
        target_label=team.name,
        changes={"cost_per_week": [str(old), str(team.cost_per_week)]},
    )


def owners_pm(members: list[Membership]):
    """The product manager persona: who links feedback to features in the demo."""
    return next((m.user for m in members if m.role == Role.PRODUCT_MANAGER), None)
