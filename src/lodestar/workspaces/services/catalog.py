"""Products and teams."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.db import transaction

from lodestar.activity.services import activity_record, diff, record_delete
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.workspaces.models import Membership, Product, Team, Workspace
from lodestar.workspaces.services._validation import field_errors, raise_if


def product_create(
    *, workspace: Workspace, actor, key: str, name: str, description: str = ""
) -> Product:
    product = Product(
        workspace=workspace,
        key=(key or "").strip().lower(),
        name=(name or "").strip(),
        description=(description or "").strip(),
    )
    raise_if(field_errors(product, exclude=["workspace"]))
    with transaction.atomic():
        if Product.objects.filter(workspace=workspace, key=product.key).exists():
            raise Invalid(fields={"key": [f"A product with key {product.key!r} exists."]})
        product.save()
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="product",
            target_key=product.key,
            target_label=product.name,
        )
    return product


MAX_ORIGINS = 50
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|[0-9a-f:.]+")


def clean_allowed_origins(text: str) -> str:
    """'https://App.example.com/\nhttp://localhost:3000' -> one normalized origin per line
    (scheme://host[:port], lower case, no default port), as browsers send in Origin.
    Invalid(allowed_origins) names each line that is not an http(s) origin."""
    origins: list[str] = []
    problems: list[str] = []
    for line in (text or "").splitlines():
        raw = line.strip()
        if not raw:
            continue
        try:
            parts = urlsplit(raw.removesuffix("/"))
            port = parts.port
        except ValueError:
            parts, port = None, None
        if (
            parts is None
            or parts.scheme.lower() not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or parts.path
            or parts.query
            or parts.fragment
            or not _HOST.fullmatch(parts.hostname)
        ):
            problems.append(f"{raw[:80]!r} is not an origin like https://app.example.com.")
            continue
        scheme = parts.scheme.lower()
        default = {"http": 80, "https": 443}[scheme]
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        origin = f"{scheme}://{host}" + (f":{port}" if port and port != default else "")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        problems.append(f"Use at most {MAX_ORIGINS} origins.")
    if problems:
        raise Invalid(fields={"allowed_origins": problems})
    return "\n".join(origins)


def product_update(
    *,
    product: Product,
    actor,
    name: str,
    description: str,
    allowed_origins: str | None = None,
) -> Product:
    """Rename and describe, and set the widget's allowed origins (None leaves them). The
    key stays: it is in URLs, scripts and SDK settings."""
    fields = ["name", "description", "allowed_origins"]
    before = {f: getattr(product, f) for f in fields}
    if allowed_origins is not None:
        product.allowed_origins = clean_allowed_origins(allowed_origins)
    product.name = (name or "").strip()
    product.description = (description or "").strip()
    errors = field_errors(product, exclude=["workspace"])
    if errors:
        product.refresh_from_db()
        raise Invalid(fields=errors)
    with transaction.atomic():
        product.save(update_fields=fields)
        if changes := diff(before, {f: getattr(product, f) for f in fields}):
            activity_record(
                workspace=product.workspace,
                actor=actor,
                verb="updated",
                target_type="product",
                target_key=product.key,
                target_label=product.name,
                changes=changes,
            )
    return product


def product_delete(*, product: Product, actor, confirm_key: str) -> None:
    if (confirm_key or "").strip() != product.key:
        raise Invalid(fields={"confirm_key": [f"Type {product.key} to confirm."]})
    with transaction.atomic():
        record_delete(product, actor=actor, target_type="product")


def _team_values(
    capacity_points: int | str | None, cost_per_week: Decimal | str | None
) -> tuple[int, Decimal, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    try:
        capacity = int(capacity_points or 0)
        if capacity < 0:
            raise ValueError
    except (TypeError, ValueError):
        capacity = 0
        errors["capacity_points"] = ["Enter a whole number of points, 0 or more."]
    try:
        cost = Decimal(str(cost_per_week if cost_per_week not in (None, "") else 0))
        if cost < 0 or not cost.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        cost = Decimal(0)
        errors["cost_per_week"] = ["Enter an amount, 0 or more, like 12500.00."]
    return capacity, cost, errors


def _team_members(workspace: Workspace, member_keys: list[str] | None) -> list[Membership]:
    if not member_keys:
        return []
    found = list(Membership.objects.filter(workspace=workspace, key__in=set(member_keys)))
    if len(found) != len(set(member_keys)):
        raise Invalid(fields={"members": ["Some of the chosen people are not members here."]})
    return found


def team_create(
    *,
    workspace: Workspace,
    actor,
    name: str,
    description: str = "",
    capacity_points: int | str | None = 0,
    cost_per_week: Decimal | str | None = Decimal(0),
    member_keys: list[str] | None = None,
) -> Team:
    capacity, cost, errors = _team_values(capacity_points, cost_per_week)
    team = Team(
        workspace=workspace,
        name=(name or "").strip(),
        description=(description or "").strip(),
        capacity_points=capacity,
        cost_per_week=cost,
    )
    errors.update(field_errors(team, exclude=["workspace", *errors]))
    raise_if(errors)
    members = _team_members(workspace, member_keys)
    with transaction.atomic():
        if Team.objects.filter(workspace=workspace, name=team.name).exists():
            raise Invalid(fields={"name": [f"A team named {team.name!r} exists."]})
        team.save()
        team.members.set(members)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
        )
    return team


def team_update(
    *,
    team: Team,
    actor,
    name: str,
    description: str,
    capacity_points: int | str | None,
    cost_per_week: Decimal | str | None,
    member_keys: list[str] | None = None,
) -> Team:
    """Update a team. `member_keys=None` leaves the members as they are."""
    before = {
        "name": team.name,
        "description": team.description,
        "capacity_points": team.capacity_points,
        "cost_per_week": team.cost_per_week,
    }
    capacity, cost, errors = _team_values(capacity_points, cost_per_week)
    team.name = (name or "").strip()
    team.description = (description or "").strip()
    team.capacity_points = capacity
    team.cost_per_week = cost
    errors.update(field_errors(team, exclude=["workspace", *errors]))
    if errors:
        team.refresh_from_db()
        raise Invalid(fields=errors)
    members = None if member_keys is None else _team_members(team.workspace, member_keys)
    with transaction.atomic():
        if (
            Team.objects.filter(workspace=team.workspace, name=team.name)
            .exclude(pk=team.pk)
            .exists()
        ):
            team.refresh_from_db()
            raise Invalid(fields={"name": [f"A team named {name.strip()!r} exists."]})
        team.save()
        changes = diff(
            before,
            {
                "name": team.name,
                "description": team.description,
                "capacity_points": team.capacity_points,
                "cost_per_week": team.cost_per_week,
            },
        )
        if members is not None:
            old = sorted(m.key for m in team.members.all())
            new = sorted(m.key for m in members)
            if old != new:
                team.members.set(members)
                changes["members"] = [len(old), len(new)]
        if changes:
            activity_record(
                workspace=team.workspace,
                actor=actor,
                verb="updated",
                target_type="team",
                target_key=team.key,
                target_label=team.name,
                changes=changes,
            )
    return team


def team_member_add(*, team: Team, actor, email: str) -> Membership:
    email = (email or "").strip().lower()
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=team.workspace, user__email=email)
        .first()
    )
    if membership is None:
        raise Invalid(fields={"email": [f"{email} is not a member of this workspace."]})
    if team.members.filter(pk=membership.pk).exists():
        raise Invalid(fields={"email": [f"{membership.user.display_name} is already in the team."]})
    with transaction.atomic():
        team.members.add(membership)
        activity_record(
            workspace=team.workspace,
            actor=actor,
            verb="added a member to",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
            changes={"member": [None, email]},
        )
    return membership


def team_member_remove(*, team: Team, actor, membership: Membership) -> None:
    if membership.workspace_id != team.workspace_id:
        raise NotFound("No such member.")
    with transaction.atomic():
        team.members.remove(membership)
        activity_record(
            workspace=team.workspace,
            actor=actor,
            verb="removed a member from",
            target_type="team",
            target_key=team.key,
            target_label=team.name,
            changes={"member": [membership.user.email, None]},
        )


def team_delete(*, team: Team, actor) -> None:
    """Delete a team; refused (409) while it delivers releases: a release needs a team."""
    releases = team.releases.count()
    if releases:
        raise Conflict(
            f"{team.name} delivers {releases} release{'s' if releases != 1 else ''}: give "
            "them to another team first."
        )
    with transaction.atomic():
        record_delete(team, actor=actor, target_type="team")
