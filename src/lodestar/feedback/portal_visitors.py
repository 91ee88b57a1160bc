"""Portal visitors: how they prove an email, and how much they may do.

Visitors have no account. They prove an email by following a signed, expiring link
(`link_token` / `link_read`, django.core.signing: no table); the link can carry one pending
action (confirm this idea, this comment, or cast this vote), so a stranger who types someone
else's address can at most send them one email asking to confirm a thing they can see and
ignore. The views keep the proven email in the visitor's session, per workspace.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import mail, signing
from django.template.loader import render_to_string

from lodestar.core.errors import Invalid
from lodestar.core.ratelimit import Limit, consume_all
from lodestar.feedback.portal_services import customer_for
from lodestar.workspaces.models import Membership, Workspace

LINK_SALT = "lodestar.feedback.portal.link"
LINK_MAX_AGE = 60 * 60 * 24  # a day, like a password reset link
LINK_ACTIONS = ("signin", "idea", "comment", "vote")

HOUR = 60 * 60
# Per address and per email, for each visitor write (DESIGN.md: rate limits on portal posts
# and votes). The email limits are the tighter ones: they protect someone else's inbox too.
LIMITS: dict[str, tuple[Limit, Limit]] = {
    "idea": (Limit("portal-idea-ip", 20, HOUR), Limit("portal-idea-email", 5, HOUR)),
    "vote": (Limit("portal-vote-ip", 120, HOUR), Limit("portal-vote-email", 60, HOUR)),
    "comment": (Limit("portal-comment-ip", 40, HOUR), Limit("portal-comment-email", 20, HOUR)),
    "link": (Limit("portal-link-ip", 10, HOUR), Limit("portal-link-email", 3, HOUR)),
}


def rate_limit(action: str, *, ip: str, email: str) -> None:
    """Count one `action` for this address and email; raise RateLimited past either limit."""
    per_ip, per_email = LIMITS[action]
    consume_all(
        [(per_ip, ip), (per_email, email)], "Too many attempts. Try again in {minutes} minutes."
    )


def email_known(*, workspace: Workspace, email: str) -> bool:
    """May this email sign in to a private portal: a member, a person, a company's domain."""
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        return True
    person, company = customer_for(workspace, email)
    return person is not None or company is not None


# -- links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    email: str
    action: str = "signin"
    key: str = ""


def link_token(*, workspace: Workspace, email: str, action: str = "signin", key: str = "") -> str:
    if action not in LINK_ACTIONS:
        raise ValueError(action)
    return signing.dumps(
        {"w": workspace.pk, "e": email, "a": action, "k": key}, salt=LINK_SALT, compress=True
    )


def link_read(*, workspace: Workspace, token: str) -> Link:
    """The link's email and pending action; Invalid when forged, expired or for another
    workspace's portal."""
    message = "This sign-in link is not valid or has expired. Ask for a new one below."
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise Invalid(message) from None
    if not isinstance(data, dict) or data.get("w") != workspace.pk:
        raise Invalid(message)
    action = data.get("a")
    if action not in LINK_ACTIONS:
        raise Invalid(message)
    return Link(email=str(data.get("e", "")), action=action, key=str(data.get("k", "")))


def link_send(*, workspace: Workspace, email: str, url: str, action: str, title: str = "") -> None:
    """Email `url` (a link made from `link_token`) to `email`."""
    context = {"workspace": workspace, "url": url, "action": action, "title": title}
    subject = render_to_string("feedback/portal/email/link_subject.txt", context).strip()
    body = render_to_string("feedback/portal/email/link.txt", context)
    mail.EmailMessage(subject=" ".join(subject.split()), body=body, to=[email]).send()
