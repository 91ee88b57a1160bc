"""Feedback from email: a raw RFC 822 message (an .eml upload or the inbound-mail webhook)
becomes one feedback, once per Message-ID.

Only text is kept: the plain-text body (else the HTML body as text), without the quoted reply
and the signature, under the subject. Attachments are counted and dropped, never stored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lodestar.core.errors import Invalid, TooLarge
from lodestar.feedback.intake.authors import clean_email, person_for
from lodestar.feedback.intake.text import html_to_text, strip_reply, tidy, unforward
from lodestar.feedback.models import MAX_TEXT, Feedback, Source
from lodestar.feedback.services import feedback_create
from lodestar.workspaces.models import Membership, Product, Workspace

# Mail providers cap messages at 25-50 MB; Lodestar reads the whole message to parse it.
MESSAGE_CAP_BYTES = 25 * 1024 * 1024
# A header line: a field name of printable ASCII without ':' (RFC 5322 2.2), or mbox's From_.
_FIRST_LINE = re.compile(rb"^([!-9;-~]+:|From )")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_SUBJECT_PREFIX = re.compile(r"^((re|fwd?|aw|wg|tr|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)


def max_message_bytes() -> int:
    return min(settings.MAX_UPLOAD_BYTES, MESSAGE_CAP_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


@dataclass(frozen=True)
class Mail:
    """What Lodestar keeps of a message."""

    sender: Address
    subject: str
    body: str
    sent_at: datetime | None
    message_id: str
    attachments: int
    # A forwarded message in the body: its sender, its text, and the forwarder's note.
    forward: tuple[Address, str, str] | None = None
    forwarded_by: Address | None = None

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body

    @property
    def external_id(self) -> str:
        """'email:<Message-ID>'; a hash when the id is long or missing (then of the content)."""
        if self.message_id and len(self.message_id) <= 90:
            return f"email:{self.message_id}"
        basis = self.message_id or "\n".join(
            [self.sender.addr_spec, str(self.sent_at), self.subject, self.body]
        )
        return "email:sha256:" + hashlib.sha256(basis.encode()).hexdigest()[:48]


def _header(message: EmailMessage, name: str):
    """A parsed header, or None when it is missing or too malformed to parse."""
    try:
        return message[name]
    except (ValueError, IndexError, TypeError, AttributeError):
        return None


def _sender(message: EmailMessage) -> Address:
    header = _header(message, "From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses or "@" not in (addresses[0].addr_spec or ""):
        raise Invalid("This is not an email: it has no From address.")
    address = addresses[0]
    try:
        email = clean_email(address.addr_spec, field="from")
    except Invalid:
        raise Invalid(f"The From address {address.addr_spec[:100]!r} is not valid.") from None
    return Address(display_name=address.display_name or "", addr_spec=email)


def _sent_at(message: EmailMessage) -> datetime | None:
    header = _header(message, "Date")
    moment = getattr(header, "datetime", None) if header is not None else None
    if moment is None:
        return None
    if moment.tzinfo is None:  # "-0000": the sender's zone is unknown; RFC 5322 says UTC
        moment = moment.replace(tzinfo=UTC)
    # A clock far in the future would sort the mail above everything for years.
    return min(moment, timezone.now() + timedelta(minutes=5))


def _part_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):  # unknown charset etc.
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _body(message: EmailMessage) -> tuple[str, int]:
    """(the body as plain text, the number of attachments)."""
    chosen = []
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        text = _part_text(part)  # type: ignore[arg-type]
        text = html_to_text(text) if kind == "html" else tidy(text)
        chosen.append(part)
        if text:
            break
    else:
        text = ""
    attachments = sum(
        1
        for part in message.walk()
        if not part.is_multipart()
        and part not in chosen
        and (part.is_attachment() or part.get_content_maintype() != "text")
    )
    return text, attachments


def parse_mail(raw: bytes) -> Mail:
    """Parse one raw message. Raises TooLarge (413) and Invalid (400) with a message that
    says what is wrong with it."""
    limit = max_message_bytes()
    if len(raw) > limit:
        raise TooLarge(
            f"The message is {_megabytes(len(raw))}; the limit is {_megabytes(limit)}. "
            "Attachments are not stored, so send it again without them."
        )
    raw = raw.lstrip()
    if not raw:
        raise Invalid("The file is empty: it is not an email.")
    headers = _HEADER_END.split(raw, 1)[0]
    if not _FIRST_LINE.match(raw) or b"\x00" in headers:
        raise Invalid(
            "This is not an email: it does not start with mail headers (From:, Subject:, ...). "
            "Save the message from your mail program as .eml and upload that file."
        )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    sender = _sender(message)
    subject_header = _header(message, "Subject")
    subject = " ".join(str(subject_header or "").split())
    subject = _SUBJECT_PREFIX.sub("", subject)[:300]
    body, attachments = _body(message)
    if "\x00" in body or "\x00" in subject:
        raise Invalid("This is not an email: its text holds binary data.")
    original, forwarded, note = unforward(body)
    forward = None
    if original is None:
        body = strip_reply(body)
    else:  # the sender's note, then the message they forward (each without quotes)
        forward = (original, strip_reply(forwarded), strip_reply(note))
        body = "\n\n".join(part for part in (forward[2], forward[1]) if part)
    mail = Mail(
        sender=sender,
        subject=subject,
        body=body,
        sent_at=_sent_at(message),
        message_id=str(_header(message, "Message-ID") or "").strip().strip("<>").strip(),
        attachments=attachments,
        forward=forward,
    )
    if not mail.body:
        what = "only attachments, which are not stored" if attachments else "no text"
        raise Invalid(f"The email has {what}: there is nothing to add as feedback.")
    if len(mail.text) > MAX_TEXT:
        raise TooLarge(
            f"The email's text is {len(mail.text):,} characters; feedback holds at most "
            f"{MAX_TEXT:,}. Shorten it and send it again."
        )
    return mail


def _unforwarded(workspace: Workspace, mail: Mail) -> tuple[Mail, Membership | None]:
    """A colleague forwarding a customer's mail: the feedback is the customer's, submitted by
    the colleague (the forwarded text only, with the colleague's own note below it)."""
    member = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, user__email=mail.sender.addr_spec)
        .first()
    )
    if member is None:
        return mail, None
    if mail.forward is None or not mail.forward[1]:
        return mail, member
    original, forwarded, note = mail.forward
    try:
        sender = Address(
            display_name=original.display_name, addr_spec=clean_email(original.addr_spec)
        )
    except Invalid:
        return mail, member
    if note:
        forwarded = f"{forwarded}\n\n(Forwarded by {member.user.display_name}: {note})"
    return replace(mail, sender=sender, body=forwarded, forwarded_by=mail.sender), member


@dataclass(frozen=True)
class Received:
    feedback: Feedback
    created: bool  # False: this message was received before, nothing was added
    attachments: int  # attachments dropped (never stored)


def email_receive(
    *, workspace: Workspace, raw: bytes, product: Product | None = None, actor=None
) -> Received:
    """Add the message as feedback (source email), unless a message with the same Message-ID
    is already in the workspace. `actor`: who uploaded it (None for the webhook)."""
    mail = parse_mail(raw)
    mail, member = _unforwarded(workspace, mail)
    if not mail.body:
        raise Invalid("The forwarded message has no text: there is nothing to add as feedback.")
    received = Feedback.objects.filter(workspace=workspace, external_id=mail.external_id)
    if existing := received.first():
        return Received(existing, False, mail.attachments)
    # A colleague's own mail is theirs, as if typed in the inbox: no customer person for it.
    from_customer = member is None or mail.forwarded_by is not None
    try:
        with transaction.atomic():
            if from_customer:
                person_for(
                    workspace=workspace,
                    email=mail.sender.addr_spec,
                    name=mail.sender.display_name,
                )
            feedback = feedback_create(
                workspace=workspace,
                actor=actor or (member.user if member else None),
                text=mail.text,
                source=Source.EMAIL,
                person_email=mail.sender.addr_spec if from_customer else "",
                product_key=product.key if product else "",
                external_id=mail.external_id,
                received_at=mail.sent_at,
            )
    except IntegrityError:  # the same message, posted twice at once: the other one won
        existing = received.first()
        if existing is None:
            raise
        return Received(existing, False, mail.attachments)
    return Received(feedback, True, mail.attachments)
