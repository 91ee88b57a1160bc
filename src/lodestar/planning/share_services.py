"""Writes for share links: create, revoke, and opening one by its token (which counts failed
guesses per address and notes when the link was last used).

A link is never un-revoked: a URL that was revoked may have leaked, so it stays dead; the PM
creates a new link (with a new token) instead. See docs/plan-share.md."""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from lodestar.activity.models import Entry
from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid, LodestarError, NotFound, RateLimited
from lodestar.core.ratelimit import Limit, consume_all
from lodestar.planning.roadmap_models import RoadmapView, ShareLink
from lodestar.workspaces.models import Product, Workspace

TARGET_TYPE = "share link"
DEFAULT_DAYS = 30
MAX_DAYS = 365
# last_used_at is written at most this often per link, whatever the traffic.
TOUCH_EVERY = timedelta(minutes=1)
# Unknown tokens per address: past this, every /s/ request from there gets 429 until the
# window ends (valid tokens too, so guessing cannot go on by mixing in a known one).
MISSES_PER_IP = Limit("share-miss-ip", limit=20, window_seconds=10 * 60)
TOKEN_ATTEMPTS = 5


class LinkGone(LodestarError):
    """A link that existed but no longer opens: revoked or expired (410 Gone)."""

    status = 410
    code = "gone"
    default_message = "This link no longer works."


def _zone(workspace: Workspace) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(workspace.time_zone)


def local_today(workspace: Workspace, now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), _zone(workspace)).date()


def expiry_bounds(workspace: Workspace, now: datetime | None = None) -> tuple[date, date, date]:
    """(earliest, default, latest) expiry dates, in the workspace's time zone."""
    today = local_today(workspace, now)
    return today, today + timedelta(days=DEFAULT_DAYS), today + timedelta(days=MAX_DAYS)


def show_day(day: date) -> str:
    """A date as pages show it: Dec 26, 2026."""
    return f"{day:%b} {day.day}, {day.year}"


def expires_on(link: ShareLink) -> date:
    """The last day the link works, in its workspace's time zone."""
    return timezone.localtime(link.expires_at, _zone(link.workspace)).date()


def _clean(
    workspace: Workspace,
    *,
    label: str,
    product_keys: Iterable[str],
    views: Iterable[str],
    expires: date | None,
    now: datetime | None,
) -> tuple[str, list[Product], list[str], datetime]:
    errors: dict[str, list[str]] = {}
    label = " ".join((label or "").split())
    if not label:
        errors["label"] = ["Give the link a label, e.g. who it is for."]
    elif len(label) > 80:
        errors["label"] = ["Use at most 80 characters."]
    keys = list(dict.fromkeys(k for k in product_keys if k))
    products = list(Product.objects.filter(workspace=workspace, key__in=keys).order_by("name"))
    if not keys:
        errors["product_keys"] = ["Choose at least one product."]
    elif len(products) != len(keys):
        unknown = sorted(set(keys) - {p.key for p in products})
        errors["product_keys"] = [f"No such product: {', '.join(unknown)}."]
    wanted = set(views)
    chosen = [v for v in RoadmapView.values if v in wanted]
    if not wanted:
        errors["views"] = ["Choose at least one view."]
    elif len(chosen) != len(wanted):
        errors["views"] = [f"Unknown view: {', '.join(sorted(wanted - set(chosen)))}."]
    earliest, default, latest = expiry_bounds(workspace, now)
    day = expires or default
    if day < earliest:
        errors["expires_on"] = [f"{show_day(day)} is in the past: pick today or a later date."]
    elif day > latest:
        errors["expires_on"] = [f"At most a year from today: {show_day(latest)} at the latest."]
    if errors:
        raise Invalid(fields=errors)
    # The link works through the whole chosen day, in the workspace's time zone.
    end = datetime.combine(day, time(23, 59, 59), tzinfo=_zone(workspace))
    return label, products, chosen, end


def share_link_create(
    *,
    workspace: Workspace,
    actor,
    label: str,
    product_keys: Iterable[str],
    views: Iterable[str],
    expires_on: date | None = None,
    show_customers: bool = False,
    show_arr: bool = False,
    show_scores: bool = False,
    show_comments: bool = False,
    now: datetime | None = None,
) -> ShareLink:
    """A new link with a fresh random token. `expires_on` defaults to 30 days from today and
    may be at most a year away; every internal field is off unless turned on."""
    label, products, chosen, end = _clean(
        workspace, label=label, product_keys=product_keys, views=views, expires=expires_on, now=now
    )
    shown = {
        "show_customers": bool(show_customers),
        "show_arr": bool(show_arr),
        "show_scores": bool(show_scores),
        "show_comments": bool(show_comments),
    }
    for _attempt in range(TOKEN_ATTEMPTS):
        try:
            with transaction.atomic():
                link = ShareLink.objects.create(
                    workspace=workspace,
                    token=secrets.token_urlsafe(32),
                    label=label,
                    views=chosen,
                    expires_at=end,
                    created_by=actor,
                    **shown,
                )
                link.products.set(products)
                activity_record(
                    workspace=workspace,
                    actor=actor,
                    verb="created",
                    target_type=TARGET_TYPE,
                    target_key=link.key,
                    target_label=label,
                    # Never the token: the log is read by people the link is not for.
                    changes={
                        "products": [None, ", ".join(p.key for p in products)],
                        "views": [None, ", ".join(chosen)],
                        "expires_on": [None, end.date().isoformat()],
                        **{name: [None, value] for name, value in shown.items() if value},
                    },
                )
            return link
        except IntegrityError:  # the same token twice (or the same key): draw again
            continue
    raise Invalid("Could not create a unique link; try again.")


def share_link_revoke(*, link: ShareLink, actor, now: datetime | None = None) -> ShareLink:
    """Revoke for good (idempotent: revoking twice keeps the first time and name)."""
    if link.revoked_at is not None:
        return link
    with transaction.atomic():
        updated = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now()
        )
        link.refresh_from_db(fields=["revoked_at"])
        if updated:
            activity_record(
                workspace=link.workspace,
                actor=actor,
                verb="revoked",
                target_type=TARGET_TYPE,
                target_key=link.key,
                target_label=link.label,
            )
    return link


def revoked_by(link: ShareLink) -> str:
    """Who revoked the link, from the activity log (the link itself keeps only when)."""
    entry = (
        Entry.objects.filter(
            workspace=link.workspace, target_type=TARGET_TYPE, target_key=link.key, verb="revoked"
        )
        .order_by("-pk")
        .values_list("actor_label", flat=True)
        .first()
    )
    return entry or "a member of the workspace"


def gone_message(link: ShareLink, now: datetime | None = None) -> str | None:
    """Why the link no longer opens, or None while it works."""
    zone = _zone(link.workspace)
    if link.revoked_at is not None:
        day = timezone.localtime(link.revoked_at, zone)
        return f"This link was revoked by {revoked_by(link)} on {show_day(day.date())}."
    if link.expires_at <= (now or timezone.now()):
        return f"This link expired on {show_day(expires_on(link))}."
    return None


def share_link_use(*, token: str, ip: str, now: datetime | None = None) -> ShareLink:
    """The link behind `token`, for a visitor at `ip`. Raises RateLimited when this address
    has guessed too many unknown tokens, NotFound for an unknown token (counted), LinkGone
    for a revoked or expired one. Notes the use at most once a minute per link."""
    now = now or timezone.now()
    if MISSES_PER_IP.count(ip) >= MISSES_PER_IP.limit:
        wait = MISSES_PER_IP.seconds_left()
        raise RateLimited(
            f"Too many unknown links from your address. Try again in {max(1, round(wait / 60))}"
            " minutes.",
            retry_after=wait,
        )
    link = (
        ShareLink.objects.select_related("workspace").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if link is None:
        consume_all(
            [(MISSES_PER_IP, ip)],
            "Too many unknown links from your address. Try again in {minutes} minutes.",
        )
        raise NotFound("There is no share link at this address. Check that it was copied whole.")
    message = gone_message(link, now)
    if message:
        raise LinkGone(message)
    ShareLink.objects.filter(pk=link.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    return link
