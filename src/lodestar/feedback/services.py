"""Writes for feedback: take it in, then triage it (status, assignee, tags, in bulk)."""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid
from lodestar.customers.models import Company, Person
from lodestar.customers.services import normalize_domain
from lodestar.feedback.models import MAX_TEXT, Feedback, Importance, Insight, Source, Status, Tag
from lodestar.workspaces.models import Membership, Product, Workspace

MAX_TAGS = 10
_TAG = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(fields={"text": ["Feedback needs some text: what did they say?"]})
    if "\x00" in text:
        raise Invalid(fields={"text": ["Null characters are not allowed."]})
    if len(text) > MAX_TEXT:
        raise Invalid(
            fields={"text": [f"Use at most {MAX_TEXT:,} characters (got {len(text):,})."]}
        )
    return text


def clean_tags(raw: str | list[str]) -> list[str]:
    """'Bug, quick-win ,bug' -> ['bug', 'quick-win']. Invalid tags raise Invalid(tags)."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).strip().lower().split())
        if not tag or tag in tags:
            continue
        if not _TAG.match(tag):
            raise Invalid(fields={"tags": [f"{item!r} is not a tag: letters, digits, - and _."]})
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(fields={"tags": [f"Use at most {MAX_TAGS} tags."]})
    return tags


def _tags(workspace: Workspace, names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(workspace=workspace, name__in=names)}
    missing = [Tag(workspace=workspace, name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(workspace=workspace, name__in=names)}
    return [existing[n] for n in names]


def _member(workspace: Workspace, email: str, field: str) -> Membership | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    member = Membership.objects.filter(workspace=workspace, user__email=email).first()
    if member is None:
        raise Invalid(fields={field: [f"{email} is not a member of this workspace."]})
    return member


def _author(
    workspace: Workspace, person_email: str, company_domain: str
) -> tuple[Person | None, Company | None]:
    """The person who said it (found, or added to People) and their company."""
    company = None
    domain = normalize_domain(company_domain)
    if domain:
        company = Company.objects.filter(workspace=workspace, domain=domain).first()
        if company is None:
            raise Invalid(fields={"company_domain": [f"No company with domain {domain!r}."]})
    email = (person_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Invalid(fields={"person_email": [f"{email!r} is not an email."]}) from None
    else:
        return None, company
    person = (
        Person.objects.select_related("company").filter(workspace=workspace, email=email).first()
    )
    if person is None:
        if company is None:  # a new contact: guess the company from the email's domain
            company = Company.objects.filter(
                workspace=workspace, domain=email.split("@")[1]
            ).first()
        person = Person.objects.create(workspace=workspace, email=email, company=company)
    return person, company or person.company


def feedback_create(
    *,
    workspace: Workspace,
    actor,
    text: str,
    source: str = Source.MANUAL,
    person_email: str = "",
    company_domain: str = "",
    product_key: str = "",
    tags: str | list[str] = "",
    person: Person | None = None,
    company: Company | None = None,
    external_id: str = "",
    received_at: datetime | None = None,
) -> Feedback:
    """Add feedback. The author is `person` / `company` when the caller has them (a research
    note's interviewee), else found or added from `person_email` / `company_domain`.
    `external_id` (the id in the system it came from) is unique in the workspace: a second
    feedback with the same one raises IntegrityError, which callers turn into "already had"."""
    text = _clean_text(text)
    for given in (person, company):
        if given is not None and given.workspace_id != workspace.pk:
            raise Invalid("The author belongs to another workspace.")
    if source not in Source.values:
        raise Invalid(fields={"source": [f"Use one of {', '.join(Source.values)}."]})
    product = None
    if product_key:
        product = Product.objects.filter(workspace=workspace, key=product_key).first()
        if product is None:
            raise Invalid(fields={"product_key": [f"No product with key {product_key!r}."]})
    tag_names = clean_tags(tags)
    with transaction.atomic():
        if person is None and company is None:
            person, company = _author(workspace, person_email, company_domain)
        elif company is None and person is not None:
            company = person.company
        feedback = Feedback.objects.create(
            workspace=workspace,
            text=text,
            source=source,
            person=person,
            company=company,
            product=product,
            submitted_by=actor,
            external_id=external_id[:100],
            received_at=received_at or timezone.now(),
        )
        feedback.tags.set(_tags(workspace, tag_names))
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="added",
            target_type="feedback",
            target_key=feedback.key,
            target_label=str(feedback),
        )
    return feedback


def feedback_triage(
    *,
    feedback: Feedback,
    actor,
    status: str | None = None,
    assignee_email: str | None = None,
    tags: str | list[str] | None = None,
) -> Feedback:
    """Change what is given (None leaves a field alone; "" clears assignee or tags)."""
    changes: dict[str, list] = {}
    if status is not None and status not in Status.values:
        raise Invalid(fields={"status": [f"Use one of {', '.join(Status.values)}."]})
    assignee = (
        None
        if assignee_email is None
        else _member(feedback.workspace, assignee_email, "assignee_email")
    )
    tag_names = None if tags is None else clean_tags(tags)
    with transaction.atomic():
        if status is not None and status != feedback.status:
            changes["status"] = [feedback.status, status]
            feedback.status = status
        if assignee_email is not None and assignee != feedback.assignee:
            changes["assignee"] = [
                feedback.assignee.user.email if feedback.assignee else None,
                assignee.user.email if assignee else None,
            ]
            feedback.assignee = assignee
        feedback.save()
        if tag_names is not None:
            before = sorted(feedback.tags.values_list("name", flat=True))
            if before != sorted(tag_names):
                feedback.tags.set(_tags(feedback.workspace, tag_names))
                changes["tags"] = [", ".join(before), ", ".join(sorted(tag_names))]
        if changes:
            activity_record(
                workspace=feedback.workspace,
                actor=actor,
                verb="triaged",
                target_type="feedback",
                target_key=feedback.key,
                target_label=str(feedback),
                changes=changes,
            )
    return feedback


BULK_ACTIONS = {"inbox": Status.INBOX, "process": Status.PROCESSED, "archive": Status.ARCHIVED}


def feedback_bulk_status(*, workspace: Workspace, actor, keys: list[str], action: str) -> int:
    """Move the chosen feedback (keys in this workspace only) to a status; return how many."""
    if action not in BULK_ACTIONS:
        raise Invalid(fields={"action": [f"Use one of {', '.join(BULK_ACTIONS)}."]})
    if not keys:
        raise Invalid(fields={"keys": ["Select at least one feedback."]})
    if len(keys) > 500:
        raise Invalid(fields={"keys": ["Select at most 500 at a time."]})
    status = BULK_ACTIONS[action]
    with transaction.atomic():
        chosen = Feedback.objects.filter(workspace=workspace, key__in=set(keys)).exclude(
            status=status
        )
        moved = chosen.update(status=status)
        if moved:
            activity_record(
                workspace=workspace,
                actor=actor,
                verb=f"moved {moved} to {Status(status).label.lower()}",
                target_type="feedback",
                target_label=f"{moved} feedback",
                changes={"status": [None, status]},
            )
    return moved


def _normalized(text: str) -> str:
    return " ".join(text.split())


def insight_link(
    *,
    feedback: Feedback,
    actor,
    snippet: str,
    importance: int | str = 2,
    feature_key: str = "",
    feature_title: str = "",
) -> Insight:
    """Link a snippet of `feedback` to a feature: by key, or by title (the feature with that
    title, else a new one). The snippet must be words of the feedback, as a quote is."""
    from lodestar.planning.models import Feature
    from lodestar.planning.services import feature_create

    snippet = (snippet or "").strip() or feedback.text
    if _normalized(snippet) not in _normalized(feedback.text):
        raise Invalid(fields={"snippet": ["The snippet must be a quote from this feedback."]})
    try:
        weight = int(importance)
    except (TypeError, ValueError):
        weight = 0
    if weight not in Importance.values:
        raise Invalid(fields={"importance": ["Choose nice to have, important or critical."]})
    title = " ".join((feature_title or "").split())
    if not feature_key and not title:
        raise Invalid(fields={"feature_title": ["Name the feature this asks for."]})
    with transaction.atomic():
        features = Feature.objects.filter(workspace=feedback.workspace)
        if feature_key:
            feature = features.filter(key=feature_key).first()
            if feature is None:
                raise Invalid(fields={"feature_key": ["No such feature."]})
        else:
            feature = features.filter(title__iexact=title).first() or feature_create(
                workspace=feedback.workspace,
                actor=actor,
                title=title,
                product_key=feedback.product.key if feedback.product else "",
            )
        insight = Insight.objects.create(
            feedback=feedback, feature=feature, snippet=snippet, importance=weight, created_by=actor
        )
        if feedback.status == Status.INBOX:  # linked means read and acted on
            feedback.status = Status.PROCESSED
            feedback.save(update_fields=["status", "updated_at"])
        activity_record(
            workspace=feedback.workspace,
            actor=actor,
            verb="linked feedback to",
            target_type="feature",
            target_key=feature.key,
            target_label=feature.title,
            changes={"snippet": [None, snippet[:200]], "importance": [None, weight]},
        )
    return insight


def insight_remove(*, insight: Insight, actor) -> None:
    with transaction.atomic():
        activity_record(
            workspace=insight.feedback.workspace,
            actor=actor,
            verb="unlinked feedback from",
            target_type="feature",
            target_key=insight.feature.key,
            target_label=insight.feature.title,
        )
        insight.delete()
