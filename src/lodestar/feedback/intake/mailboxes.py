"""Inbound-mail addresses: a secret webhook URL per workspace (or per product) that a mail
provider posts raw messages to. Create, rotate (new token, old URL stops), delete (revoke)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lodestar.activity.services import activity_record
from lodestar.core.errors import Invalid, NotFound
from lodestar.workspaces.models import InboundMailbox, Product, Workspace, new_inbound_token

MAX_MAILBOXES = 20


def mailbox_list(*, workspace: Workspace) -> QuerySet[InboundMailbox]:
    return InboundMailbox.objects.filter(workspace=workspace).select_related("product")


def mailbox_get(*, workspace: Workspace, key: str) -> InboundMailbox:
    found = mailbox_list(workspace=workspace).filter(key=key).first()
    if found is None:
        raise NotFound("No such inbound address.")
    return found


def mailbox_for_token(token: str) -> InboundMailbox:
    """The mailbox a webhook token opens, with its workspace and product; NotFound else."""
    found = (
        InboundMailbox.objects.select_related("workspace", "product")
        .filter(token=(token or "")[:40])
        .first()
    )
    if found is None:
        raise NotFound("No inbound address has this token. It may have been rotated or deleted.")
    return found


def _label(mailbox: InboundMailbox) -> str:
    return f"inbound email for {mailbox.product.name}" if mailbox.product else "inbound email"


def mailbox_create(*, workspace: Workspace, actor, product_key: str = "") -> InboundMailbox:
    product = None
    if product_key:
        product = Product.objects.filter(workspace=workspace, key=product_key).first()
        if product is None:
            raise Invalid(fields={"product_key": [f"No product with key {product_key!r}."]})
    with transaction.atomic():
        if InboundMailbox.objects.filter(workspace=workspace).count() >= MAX_MAILBOXES:
            raise Invalid(fields={"product_key": [f"A workspace has at most {MAX_MAILBOXES}."]})
        mailbox = InboundMailbox.objects.create(
            workspace=workspace, product=product, created_by=actor
        )
        activity_record(
            workspace=workspace,
            actor=actor,
            verb="created",
            target_type="inbound address",
            target_key=mailbox.key,
            target_label=_label(mailbox),
        )
    return mailbox


def mailbox_rotate(*, mailbox: InboundMailbox, actor) -> InboundMailbox:
    """A new token: the old URL stops working at once."""
    with transaction.atomic():
        mailbox.token = new_inbound_token()
        mailbox.rotated_at = timezone.now()
        mailbox.save(update_fields=["token", "rotated_at"])
        activity_record(
            workspace=mailbox.workspace,
            actor=actor,
            verb="rotated the token of",
            target_type="inbound address",
            target_key=mailbox.key,
            target_label=_label(mailbox),
        )
    return mailbox


def mailbox_delete(*, mailbox: InboundMailbox, actor) -> None:
    with transaction.atomic():
        activity_record(
            workspace=mailbox.workspace,
            actor=actor,
            verb="deleted",
            target_type="inbound address",
            target_key=mailbox.key,
            target_label=_label(mailbox),
        )
        mailbox.delete()
