"""Writes for the ideas portal: visitors submit, vote and comment; members post for customers
and vote on their behalf; moderators change status, link, merge and hide.

Visitors have no account: how they prove an email (signed links) and the rate limits on what
they do are in `lodestar.feedback.portal_visitors`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string

from lodestar.activity.services import activity_record, record_update
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.customers.models import Company, Person
from lodestar.feedback.portal_models import (
    MAX_BODY,
    MAX_COMMENT,
    MAX_REASON,
    MAX_TITLE,
    MAX_WELCOME,
    Comment,
    Idea,
    IdeaStatus,
    Portal,
    Vote,
)
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Membership, Workspace

# -- input ---------------------------------------------------------------------------------


def clean_email(email: str, field: str = "email", *, required: bool = True) -> str:
    email = (email or "").strip().lower()
    if not email:
        if required:
            raise Invalid(fields={field: ["Enter your email address."]})
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(fields={field: [f"{email!r} is not an email address."]}) from None
    return email


def _text(value: str, field: str, limit: int, *, required: str = "") -> str:
    value = (value or "").strip()
    if not value and required:
        raise Invalid(fields={field: [required]})
    if "\x00" in value:
        raise Invalid(fields={field: ["Null characters are not allowed."]})
    if len(value) > limit:
        raise Invalid(fields={field: [f"Use at most {limit:,} characters (got {len(value):,})."]})
    return value


def customer_for(workspace: Workspace, email: str) -> tuple[Person | None, Company | None]:
    """The known person with this email, and their company (or the company whose domain the
    email is at). Visitors are not added to People: anyone can type an address."""
    if not email:
        return None, None
    person = (
        Person.objects.select_related("company").filter(workspace=workspace, email=email).first()
    )
    company = person.company if person and person.company else None
    if company is None:
        company = Company.objects.filter(workspace=workspace, domain=email.split("@")[1]).first()
    return person, company


# -- portal settings -----------------------------------------------------------------------


def portal_update(
    *, workspace: Workspace, actor, enabled: bool, public: bool, welcome: str = ""
) -> Portal:
    welcome = _text(welcome, "welcome", MAX_WELCOME)
    with transaction.atomic():
        portal, _ = Portal.objects.get_or_create(workspace=workspace)
        record_update(
            portal,
            actor=actor,
            values={"enabled": enabled, "public": public, "welcome": welcome},
            target_type="portal",
        )
    return portal


# -- ideas ---------------------------------------------------------------------------------


def _clean_idea(title: str, body: str) -> tuple[str, str]:
    title = " ".join(_text(title, "title", MAX_TITLE, required="Give your idea a title.").split())
    return title, _text(body, "body", MAX_BODY)


def idea_submit(
    *, workspace: Workspace, title: str, body: str = "", email: str, confirmed: bool
) -> Idea:
    """A visitor's idea. Unconfirmed (the email not yet proven) it stays out of every list
    until the visitor follows the emailed link (`idea_confirm`)."""
    title, body = _clean_idea(title, body)
    email = clean_email(email)
    person, company = customer_for(workspace, email)
    with transaction.atomic():
        idea = Idea.objects.create(
            workspace=workspace,
            title=title,
            body=body,
            author_email=email,
            person=person,
            company=company,
            confirmed=confirmed,
        )
        activity_record(
            workspace=workspace,
            actor=None,
            verb="submitted on the portal",
            target_type="idea",
            target_key=idea.key,
            target_label=idea.title,
            changes={"visitor": [None, email], "confirmed": [None, confirmed]},
        )
    return idea


def idea_create(
    *,
    workspace: Workspace,
    membership: Membership,
    title: str,
    body: str = "",
    customer_email: str = "",
) -> Idea:
    """A member posts an idea, their own or one a customer told them (`customer_email`)."""
    title, body = _clean_idea(title, body)
    email = clean_email(customer_email, "customer_email", required=False)
    person, company = customer_for(workspace, email)
    with transaction.atomic():
        idea = Idea.objects.create(
            workspace=workspace,
            title=title,
            body=body,
            author_email=email or membership.user.email,
            person=person,
            company=company,
            submitted_by=membership,
        )
        activity_record(
            workspace=workspace,
            actor=membership.user,
            verb="added",
            target_type="idea",
            target_key=idea.key,
            target_label=idea.title,
            changes={"for": [None, email]} if email else None,
        )
    return idea


def idea_confirm(*, idea: Idea, email: str) -> bool:
    """Publish a visitor's idea once its author follows the link; False if not theirs."""
    if idea.author_email != email:
        return False
    if not idea.confirmed:
        with transaction.atomic():
            idea.confirmed = True
            idea.save(update_fields=["confirmed", "updated_at"])
            activity_record(
                workspace=idea.workspace,
                actor=None,
                verb="confirmed",
                target_type="idea",
                target_key=idea.key,
                target_label=idea.title,
                changes={"visitor": [None, email]},
            )
    return True


# -- votes ---------------------------------------------------------------------------------


def _add_vote(idea: Idea, vote: Vote) -> Vote:
    try:
        with transaction.atomic():
            vote.save()
            Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    except IntegrityError:
        who = vote.email or (vote.company.name if vote.company else "this customer")
        raise Conflict(f"{who} has already voted for this idea.") from None
    idea.refresh_from_db(fields=["vote_count"])
    return vote


def vote_cast(*, idea: Idea, email: str) -> Vote:
    """A verified visitor's vote: once per email per idea (Conflict on the second)."""
    if not idea.listed:
        raise NotFound("No such idea.")
    email = clean_email(email)
    person, company = customer_for(idea.workspace, email)
    vote = _add_vote(idea, Vote(idea=idea, email=email, person=person, company=company))
    activity_record(
        workspace=idea.workspace,
        actor=None,
        verb="voted for",
        target_type="idea",
        target_key=idea.key,
        target_label=idea.title,
        changes={"visitor": [None, email]},
    )
    return vote


def vote_proxy(
    *, idea: Idea, membership: Membership, person_email: str = "", company_domain: str = ""
) -> Vote:
    """A member's vote on behalf of a named customer: a person (by email) or a company."""
    if idea.merged_into_id is not None:
        raise Invalid(f"This idea was merged into “{idea.merged_into}”: vote there.")
    workspace = idea.workspace
    email = clean_email(person_email, "person_email", required=False)
    domain = (company_domain or "").strip().lower().removeprefix("www.")
    if not email and not domain:
        raise Invalid(
            fields={"person_email": ["Name the customer: a person's email or a company domain."]}
        )
    company = None
    if domain:
        company = Company.objects.filter(workspace=workspace, domain=domain).first()
        if company is None:
            raise Invalid(fields={"company_domain": [f"No company with domain {domain!r}."]})
    person = None
    if email:
        person = Person.objects.filter(workspace=workspace, email=email).first()
        company = company or (person.company if person else None)
        if company is None:
            company = Company.objects.filter(
                workspace=workspace, domain=email.split("@")[1]
            ).first()
    vote = _add_vote(
        idea,
        Vote(
            idea=idea, email=email, person=person, company=company, proxy=True, proxy_by=membership
        ),
    )
    activity_record(
        workspace=workspace,
        actor=membership.user,
        verb="voted on behalf of a customer for",
        target_type="idea",
        target_key=idea.key,
        target_label=idea.title,
        changes={"customer": [None, email or (company.name if company else "")]},
    )
    return vote


# -- comments ------------------------------------------------------------------------------


def comment_add(
    *,
    idea: Idea,
    body: str,
    email: str = "",
    membership: Membership | None = None,
    confirmed: bool = True,
) -> Comment:
    """A comment by a visitor (`email`) or a member (`membership`)."""
    body = _text(body, "body", MAX_COMMENT, required="Write a comment first.")
    if idea.merged_into_id is not None:
        raise Invalid(f"This idea was merged into “{idea.merged_into}”: comment there.")
    if membership is None:
        email = clean_email(email)
        if not idea.listed:
            raise NotFound("No such idea.")
    with transaction.atomic():
        comment = Comment.objects.create(
            idea=idea,
            body=body,
            author_email=email if membership is None else membership.user.email,
            author_member=membership,
            confirmed=confirmed,
        )
        activity_record(
            workspace=idea.workspace,
            actor=membership.user if membership else None,
            verb="commented on",
            target_type="idea",
            target_key=idea.key,
            target_label=idea.title,
            changes={"visitor": [None, email]} if membership is None else None,
        )
    return comment


def comment_confirm(*, comment: Comment, email: str) -> bool:
    if comment.author_email != email or comment.author_member_id is not None:
        return False
    if not comment.confirmed:
        with transaction.atomic():
            comment.confirmed = True
            comment.save(update_fields=["confirmed"])
            activity_record(
                workspace=comment.idea.workspace,
                actor=None,
                verb="confirmed a comment on",
                target_type="idea",
                target_key=comment.idea.key,
                target_label=comment.idea.title,
                changes={"visitor": [None, email]},
            )
    return True


# -- moderation ----------------------------------------------------------------------------


def idea_set_status(
    *, idea: Idea, actor, status: str, declined_reason: str = "", idea_url: str = ""
) -> int:
    """Move an idea to `status` and email everyone who asked for it (voters, the author,
    authors of ideas merged into it), one message each. Returns how many were emailed."""
    if status not in IdeaStatus.values:
        raise Invalid(fields={"status": [f"Use one of {', '.join(IdeaStatus.values)}."]})
    reason = _text(declined_reason, "declined_reason", MAX_REASON)
    if status == IdeaStatus.DECLINED and not reason:
        raise Invalid(fields={"declined_reason": ["Say why it was declined: customers read it."]})
    if status != IdeaStatus.DECLINED:
        reason = ""
    old = idea.status
    with transaction.atomic():
        changes = record_update(
            idea,
            actor=actor,
            values={"status": status, "declined_reason": reason},
            target_type="idea",
        )
    if "status" not in changes or not idea.listed:
        return 0
    return _notify(idea, old, idea_url)


def recipients(idea: Idea) -> list[str]:
    """Everyone who asked for `idea`, each once: voters, its author, authors of its merged
    duplicates."""
    emails: Iterable[str] = [
        *Vote.objects.filter(idea=idea).exclude(email="").values_list("email", flat=True),
        idea.author_email,
        *Idea.objects.filter(merged_into=idea).values_list("author_email", flat=True),
    ]
    seen: dict[str, None] = {}
    for email in emails:
        if email:
            seen.setdefault(email.lower(), None)
    return list(seen)


def _notify(idea: Idea, old_status: str, idea_url: str) -> int:
    to = recipients(idea)
    context = {
        "idea": idea,
        "old_status": IdeaStatus(old_status).label,
        "workspace": idea.workspace,
        "url": idea_url,
    }
    subject = " ".join(
        render_to_string("feedback/portal/email/status_subject.txt", context).split()
    )
    body = render_to_string("feedback/portal/email/status.txt", context)
    messages = [mail.EmailMessage(subject=subject, body=body, to=[email]) for email in to]
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def idea_link_feature(*, idea: Idea, actor, feature_title: str) -> Feature | None:
    """Link the idea to the feature with this title ("" unlinks)."""
    title = (feature_title or "").strip()
    feature = None
    if title:
        feature = Feature.objects.filter(workspace=idea.workspace, title__iexact=title).first()
        if feature is None:
            raise Invalid(fields={"feature_title": [f"No feature is titled {title!r}."]})
    with transaction.atomic():
        record_update(idea, actor=actor, values={"feature": feature}, target_type="idea")
    return feature


def idea_merge(*, idea: Idea, actor, into: Idea) -> Idea:
    """Merge the duplicate `idea` into `into`: votes move (one per customer: a voter on both
    keeps one vote), comments move, and ideas merged into the duplicate follow it."""
    if into.pk == idea.pk:
        raise Invalid(fields={"into": ["An idea cannot be merged into itself."]})
    if into.workspace_id != idea.workspace_id:
        raise NotFound("No such idea.")
    if into.merged_into_id is not None:
        raise Invalid(fields={"into": [f"“{into}” was itself merged into “{into.merged_into}”."]})
    if idea.merged_into_id is not None:
        raise Conflict(f"“{idea}” is already merged into “{idea.merged_into}”.")
    with transaction.atomic():
        target_emails = set(
            Vote.objects.filter(idea=into).exclude(email="").values_list("email", flat=True)
        )
        target_companies = set(
            Vote.objects.filter(idea=into, email="").values_list("company_id", flat=True)
        )
        moving = list(Vote.objects.filter(idea=idea))
        doubles = [
            v.pk
            for v in moving
            if (v.email and v.email in target_emails)
            or (not v.email and v.company_id in target_companies)
        ]
        Vote.objects.filter(pk__in=doubles).delete()
        moved = Vote.objects.filter(idea=idea).update(idea=into)
        Comment.objects.filter(idea=idea).update(idea=into)
        Idea.objects.filter(merged_into=idea).update(merged_into=into)
        Idea.objects.filter(pk=into.pk).update(vote_count=F("vote_count") + moved)
        Idea.objects.filter(pk=idea.pk).update(vote_count=0, merged_into=into)
        activity_record(
            workspace=idea.workspace,
            actor=actor,
            verb="merged",
            target_type="idea",
            target_key=idea.key,
            target_label=idea.title,
            changes={"into": [None, into.title], "votes moved": [None, moved]},
        )
    idea.refresh_from_db()
    into.refresh_from_db()
    return into


def idea_set_hidden(*, idea: Idea, actor, hidden: bool) -> None:
    with transaction.atomic():
        record_update(idea, actor=actor, values={"hidden": hidden}, target_type="idea")


def comment_set_hidden(*, comment: Comment, actor, hidden: bool) -> None:
    if comment.hidden == hidden:
        return
    with transaction.atomic():
        comment.hidden = hidden
        comment.save(update_fields=["hidden"])
        activity_record(
            workspace=comment.idea.workspace,
            actor=actor,
            verb="hid a comment on" if hidden else "unhid a comment on",
            target_type="idea",
            target_key=comment.idea.key,
            target_label=comment.idea.title,
            changes={"comment": [None, comment.body[:80]]},
        )
