"""Writes for the changelog: draft an entry from shipped features, edit it, publish it on the
portal (emailing everyone who asked for its features, once), unpublish it, delete a draft.

An entry's first publication emails the voters and requesters of its features; a later
publication (after an unpublish) emails nobody: the activity log's "published" record of the
entry is what tells the two apart.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lodestar.activity.services import activity_record, record_delete, record_update
from lodestar.core.errors import Conflict, Invalid, NotFound
from lodestar.delivery import changelog_selectors as selectors
from lodestar.delivery.models import MAX_TEXT, ChangelogEntry
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Product, Workspace
from lodestar.workspaces.selectors import product_get

log = logging.getLogger(__name__)

TARGET = "changelog"  # the activity log's target_type for entries
MAX_TITLE = 200
SENTENCE_LIMIT = 240


# -- input ---------------------------------------------------------------------------------


def _text(value: str, field: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(fields={field: [required]})
    if "\x00" in value:
        raise Invalid(fields={field: ["Null characters are not allowed."]})
    if len(value) > limit:
        raise Invalid(fields={field: [f"Use at most {limit:,} characters (got {len(value):,})."]})
    return value


def _product(workspace: Workspace, key: str) -> Product | None:
    if not key:
        return None
    try:
        return product_get(workspace=workspace, key=key)
    except NotFound:
        raise Invalid(fields={"product_key": [f"No product with key {key!r}."]}) from None


def _features(
    workspace: Workspace, keys: Sequence[str], *, allowed: Iterable[Feature] = ()
) -> list[Feature]:
    """The features named by `keys`: each must be shipped, or already in `allowed` (an entry
    keeps a feature that went back to another status)."""
    keys = list(dict.fromkeys(k for k in keys if k))
    found = {f.key: f for f in Feature.objects.filter(workspace=workspace, key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise Invalid(fields={"feature_keys": [f"No feature with key {missing[0]!r}."]})
    kept = {f.pk for f in allowed}
    unshipped = [
        f.title for f in found.values() if f.status not in selectors.SHIPPED and f.pk not in kept
    ]
    if unshipped:
        raise Invalid(
            fields={"feature_keys": [f"“{unshipped[0]}” has not shipped: mark it shipped first."]}
        )
    return [found[k] for k in keys]


# -- the draft text ------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_LEADING_MARKS = re.compile(r"^(?:#+\s*|>\s*|[-*+]\s+|\d+[.)]\s+)+")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def first_sentence(description: str) -> str:
    """The first sentence of a markdown description (headings skipped; list and quote marks
    dropped), at most SENTENCE_LIMIT characters; "" for none."""
    lines = [ln for ln in (description or "").splitlines() if not _HEADING.match(ln)]
    paragraph = next((p for p in re.split(r"\n\s*\n", "\n".join(lines)) if p.strip()), "")
    text = " ".join(_LEADING_MARKS.sub("", line.strip()) for line in paragraph.splitlines())
    text = " ".join(text.split())
    match = _SENTENCE.match(text)
    sentence = match.group(1) if match else text
    if len(sentence) > SENTENCE_LIMIT:
        sentence = sentence[: SENTENCE_LIMIT - 1].rstrip() + "…"
    return sentence


def draft_text(*, workspace: Workspace, features: Sequence[Feature]) -> tuple[str, str]:
    """A title and a markdown body for an entry about `features`: one bullet per feature with
    the first sentence of its description, grouped by product (a heading each)."""
    groups: dict[str, list[Feature]] = {}
    for f in sorted(features, key=lambda f: (f.product.name if f.product else "~", f.title)):
        groups.setdefault(f.product.name if f.product else workspace.name, []).append(f)
    blocks = []
    for name, rows in groups.items():
        lines = [f"### {_escape(name)}", ""]
        for f in rows:
            sentence = first_sentence(f.description)
            lines.append(f"- **{_escape(f.title)}**" + (f": {sentence}" if sentence else ""))
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) + "\n"
    if len(features) == 1:
        title = features[0].title
    else:
        where = next(iter(groups)) if len(groups) == 1 else workspace.name
        today = timezone.localdate()
        title = f"What's new in {where}: {today:%B} {today.day}, {today.year}"
    return title[:MAX_TITLE], body[:MAX_TEXT]


# -- writes --------------------------------------------------------------------------------


def changelog_draft(
    *, workspace: Workspace, actor, feature_keys: Sequence[str], product_key: str = ""
) -> ChangelogEntry:
    """A draft entry about these shipped features, its title and body pre-filled for the PM
    to edit. Its product: `product_key`, else the features' product when they share one."""
    features = _features(workspace, feature_keys)
    if not features:
        raise Invalid(fields={"feature_keys": ["Pick at least one shipped feature."]})
    product = _product(workspace, product_key)
    if product is None:
        products = {f.product_id for f in features}
        product = features[0].product if len(products) == 1 else None
    title, body = draft_text(workspace=workspace, features=features)
    with transaction.atomic():
        entry = ChangelogEntry.objects.create(
            workspace=workspace, product=product, title=title, body=body, created_by=actor
        )
        entry.features.set(features)
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="drafted",
            target_type=TARGET,
            target_key=entry.key,
            target_label=entry.title,
            changes={"features": [None, ", ".join(f.title for f in features)[:500]]},
        )
    return entry


def changelog_update(
    *,
    entry: ChangelogEntry,
    actor,
    title: str,
    body: str,
    product_key: str = "",
    feature_keys: Sequence[str] = (),
) -> ChangelogEntry:
    """Edit an entry, draft or published (a published one changes on the portal at once)."""
    workspace = entry.workspace
    title = " ".join(_text(title, "title", MAX_TITLE, "Give the entry a title.").split())
    body = _text(body, "body", MAX_TEXT, "Write what shipped: customers read this.")
    product = _product(workspace, product_key)
    before = list(entry.features.order_by("title"))
    features = _features(workspace, feature_keys, allowed=before)
    with transaction.atomic():
        record_update(
            entry,
            actor=actor,
            values={"title": title, "body": body, "product": product},
            target_type=TARGET,
        )
        old = [f.title for f in before]
        new = sorted(f.title for f in features)
        if old != new:
            entry.features.set(features)
            activity_record(
                workspace=workspace,
                actor=actor,
                verb="changed the features of",
                target_type=TARGET,
                target_key=entry.key,
                target_label=entry.title,
                changes={"features": [", ".join(old)[:500], ", ".join(new)[:500]]},
            )
    return entry


def changelog_delete(*, entry: ChangelogEntry, actor) -> None:
    """Delete a draft. A published entry must be unpublished first (Conflict): customers may
    have its link."""
    if entry.published_at is not None:
        raise Conflict("This entry is published: unpublish it first, then delete it.")
    with transaction.atomic():
        record_delete(entry, actor=actor, target_type=TARGET)


@dataclass
class Published:
    first: bool  # its first publication (people were told); False: published before
    emailed: int  # messages sent now
    failed: bool = False  # the mail server refused: published, but nobody was told


def changelog_publish(*, entry: ChangelogEntry, actor, entry_url: str) -> Published:
    """Publish the entry on the portal (published_at = now). On its first publication, email
    everyone who asked for its features (`changelog_selectors.requesters`), one message per
    address, and store how many in `notified`. Publishing an entry that is already published,
    or was once, emails nobody. `entry_url`: the public entry's absolute URL, for the email."""
    _text(entry.title, "title", MAX_TITLE, "Give the entry a title before publishing it.")
    _text(entry.body, "body", MAX_TEXT, "Write the entry before publishing it.")
    now = timezone.now()
    with transaction.atomic():
        # The conditional update decides between two clicks (or two workers) at once.
        claimed = ChangelogEntry.objects.filter(pk=entry.pk, published_at__isnull=True).update(
            published_at=now, updated_at=now
        )
        if not claimed:
            entry.refresh_from_db()
            return Published(first=False, emailed=0)
        first = not selectors.was_published(entry)
        entry.published_at = now
        activity_record(
            workspace=entry.workspace,
            actor=actor,
            verb="published" if first else "republished",
            target_type=TARGET,
            target_key=entry.key,
            target_label=entry.title,
        )
    if not first:
        return Published(first=False, emailed=0)
    to = selectors.requesters(features=entry.features.all())
    try:
        sent = _notify(entry, to, entry_url)
    except (smtplib.SMTPException, OSError):
        log.exception("changelog: emailing %d people about %s failed", len(to), entry.key)
        return Published(first=True, emailed=0, failed=True)
    ChangelogEntry.objects.filter(pk=entry.pk).update(notified=sent)
    entry.notified = sent
    return Published(first=True, emailed=sent)


def _notify(entry: ChangelogEntry, to: list[str], entry_url: str) -> int:
    context = {"entry": entry, "workspace": entry.workspace, "url": entry_url}
    subject = " ".join(render_to_string("delivery/email/changelog_subject.txt", context).split())[
        :250
    ]
    body = render_to_string("delivery/email/changelog_published.txt", context)
    messages = [mail.EmailMessage(subject=subject, body=body, to=[email]) for email in to]
    if messages:
        with mail.get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def changelog_unpublish(*, entry: ChangelogEntry, actor) -> None:
    """Take a published entry off the portal and its feed: it is a draft again. Publishing it
    again emails nobody."""
    if entry.published_at is None:
        return
    with transaction.atomic():
        ChangelogEntry.objects.filter(pk=entry.pk).update(
            published_at=None, updated_at=timezone.now()
        )
        entry.published_at = None
        activity_record(
            workspace=entry.workspace,
            actor=actor,
            verb="unpublished",
            target_type=TARGET,
            target_key=entry.key,
            target_label=entry.title,
        )
