"""Feedback from email: .eml uploads, the inbound-mail webhook and its addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lodestar.core.errors import LodestarError
from lodestar.customers.models import Company, Person
from lodestar.feedback.intake import email, limits, mailboxes
from lodestar.feedback.intake.email import parse_mail
from lodestar.feedback.intake.text import html_to_text, strip_reply, unforward
from lodestar.feedback.models import Feedback, Source
from lodestar.workspaces.models import InboundMailbox

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 3, 3, 10, 4, tzinfo=UTC)


def mail(
    *,
    sender: str = "Nora North <nora@northwind.test>",
    subject: str = "Dispatch board is slow",
    body: str | None = "The board takes ten seconds to load with 60 techs.",
    html: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
    message_id: str | None = "<board-1@northwind.test>",
    date: datetime | None = SENT,
) -> bytes:
    """A real message, as a mail program would save it to an .eml file."""
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "feedback@acme.test"
    message["Subject"] = subject
    if date:
        message["Date"] = format_datetime(date)
    if message_id:
        message["Message-ID"] = message_id
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


@pytest.fixture
def mailbox(world):
    return mailboxes.mailbox_create(workspace=world.workspace, actor=world["owner"].user)


def post(token: str, raw: bytes, content_type: str = "message/rfc822"):
    return Client().post(f"/inbound/email/{token}/", data=raw, content_type=content_type)


def newest(world) -> Feedback:
    return Feedback.objects.filter(workspace=world.workspace).latest("pk")


# -- the webhook ----------------------------------------------------------------------------


def test_a_mail_becomes_feedback_from_its_sender(world, mailbox):
    response = post(mailbox.token, mail())
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "received"
    feedback = newest(world)
    assert feedback.key == response.json()["feedback"]
    assert feedback.text == (
        "Dispatch board is slow\n\nThe board takes ten seconds to load with 60 techs."
    )
    assert feedback.source == Source.EMAIL
    assert feedback.person == world.person and feedback.company == world.company
    assert feedback.received_at == SENT
    assert feedback.external_id == "email:board-1@northwind.test"
    assert feedback.submitted_by is None and feedback.product is None


def test_reposting_the_same_message_adds_nothing(world, mailbox):
    first = post(mailbox.token, mail())
    again = post(mailbox.token, mail())
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {
        "status": "already received",
        "feedback": first.json()["feedback"],
        "attachments_not_stored": 0,
    }
    assert Feedback.objects.filter(workspace=world.workspace, source=Source.EMAIL).count() == 1


def test_a_message_without_message_id_is_matched_by_its_content(world, mailbox):
    raw = mail(message_id=None)
    assert post(mailbox.token, raw).status_code == 201
    assert post(mailbox.token, raw).status_code == 200
    assert post(mailbox.token, mail(message_id=None, body="Something else.")).status_code == 201
    assert Feedback.objects.filter(source=Source.EMAIL).count() == 2


def test_a_new_sender_is_added_to_people_with_the_company_of_a_parent_domain(world, mailbox):
    raw = mail(sender='"Eve Ops" <eve@eu.northwind.test>', message_id="<eve@x>")
    assert post(mailbox.token, raw).status_code == 201
    eve = Person.objects.get(workspace=world.workspace, email="eve@eu.northwind.test")
    assert eve.name == "Eve Ops" and eve.company == world.company
    assert newest(world).person == eve and newest(world).company == world.company


def test_an_unknown_domain_gives_a_person_without_inventing_a_company(world, mailbox):
    companies = Company.objects.count()
    assert post(mailbox.token, mail(sender="sam@gmail.test", message_id="<s@x>")).status_code == 201
    assert Person.objects.get(email="sam@gmail.test").company is None
    assert Company.objects.count() == companies


def test_html_only_mail_is_read_as_text(world, mailbox):
    html = (
        "<html><head><style>p{color:red}</style><title>x</title></head><body>"
        "<p>Hi team,</p><p>Please add <b>route optimization</b> &amp; ETAs.</p>"
        "<ul><li>for 40 vans</li><li>daily</li></ul><script>alert(1)</script>"
        '<div class="gmail_quote">On Mon, Ann wrote:<blockquote>old text</blockquote></div>'
        "</body></html>"
    )
    assert post(mailbox.token, mail(body=None, html=html)).status_code == 201
    text = newest(world).text
    assert text == (
        "Dispatch board is slow\n\nHi team,\n\nPlease add route optimization & ETAs.\n\n"
        "- for 40 vans\n\n- daily"
    )


def test_the_plain_part_is_preferred_to_the_html_part(world, mailbox):
    raw = mail(body="Plain words.", html="<p>HTML words.</p>")
    assert post(mailbox.token, raw).status_code == 201
    assert newest(world).text.endswith("Plain words.")


def test_the_quoted_reply_and_the_signature_are_cut_off(world, mailbox):
    body = (
        "Yes, this is still a problem for us.\n\n"
        "-- \nNora North | Northwind Logistics\n\n"
        "On Tue, 3 Mar 2026 at 10:04, Ann <ann@acme.test> wrote:\n> Is this still slow?\n"
    )
    assert post(mailbox.token, mail(subject="Re: Re: Board", body=body)).status_code == 201
    assert newest(world).text == "Board\n\nYes, this is still a problem for us."


def test_attachments_are_counted_not_stored(world, mailbox):
    raw = mail(attachments=(("report.pdf", b"%PDF-1.4 " + b"x" * 2000),))
    response = post(mailbox.token, raw)
    assert response.status_code == 201
    assert response.json()["attachments_not_stored"] == 1
    assert "PDF" not in newest(world).text and "report.pdf" not in newest(world).text


def test_a_product_address_files_feedback_under_the_product(world):
    box = mailboxes.mailbox_create(
        workspace=world.workspace, actor=world["pm"].user, product_key="web"
    )
    assert post(box.token, mail()).status_code == 201
    assert newest(world).product == world.product


def test_a_colleagues_forward_is_filed_under_the_customer(world, mailbox):
    body = (
        "Another one about the board.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Nora North <nora@northwind.test>\n"
        "Date: Tue, 3 Mar 2026 at 09:00\n"
        "Subject: Board\n"
        "To: <support@acme.test>\n\n"
        "The board freezes when I drag a job.\n"
    )
    raw = mail(sender="PM <pm@acme.test>", subject="Fwd: Board", body=body, message_id="<f@x>")
    assert post(mailbox.token, raw).status_code == 201
    feedback = newest(world)
    assert feedback.person == world.person
    assert feedback.submitted_by == world["pm"].user
    assert feedback.text.startswith("Board\n\nThe board freezes when I drag a job.")
    assert "(Forwarded by Pm: Another one about the board.)" in feedback.text


def test_a_colleagues_own_mail_is_theirs_not_a_customers(world, mailbox):
    raw = mail(sender="pm@acme.test", message_id="<own@x>")
    assert post(mailbox.token, raw).status_code == 201
    feedback = newest(world)
    assert feedback.person is None and feedback.submitted_by == world["pm"].user
    assert not Person.objects.filter(email="pm@acme.test").exists()


def test_dates_missing_or_in_the_future_become_now(world, mailbox):
    assert post(mailbox.token, mail(date=None, message_id="<a@x>")).status_code == 201
    assert abs(newest(world).received_at - timezone.now()) < timedelta(minutes=1)
    future = timezone.now() + timedelta(days=400)
    assert post(mailbox.token, mail(date=future, message_id="<b@x>")).status_code == 201
    assert newest(world).received_at < timezone.now() + timedelta(minutes=6)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not an email"),
        (b"Dear team, the board is slow.\nThanks", "not an email"),
        (b"Subject: hello\nTo: x@acme.test\n\nNo sender here.", "no From address"),
        (b"From: not an address\nSubject: x\n\nBody", "no From address"),
        (b"From: ann@bad_domain.test\nSubject: x\n\nBody", "From address 'ann@bad_"),
        (b"From: a@northwind.test\nSubject: hi\n\n   \n", "no text"),
        (b"From: a@northwind.test\nSubject: x\n\nbinary \x00 junk", "binary"),
    ],
)
def test_something_that_is_not_mail_gets_400_and_a_reason(world, mailbox, raw, says):
    before = Feedback.objects.count()
    response = post(mailbox.token, raw)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and says in error["message"]
    assert Feedback.objects.count() == before


def test_a_mail_with_only_attachments_says_they_are_not_stored(world, mailbox):
    raw = mail(body="", attachments=(("a.pdf", b"%PDF"),))
    response = post(mailbox.token, raw)
    assert response.status_code == 400
    assert "only attachments, which are not stored" in response.json()["error"]["message"]


def test_an_oversized_message_gets_413(world, mailbox, monkeypatch):
    monkeypatch.setattr(email, "MESSAGE_CAP_BYTES", 60_000)
    raw = mail(attachments=(("big.pdf", b"x" * 80_000),))
    response = post(mailbox.token, raw)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "Attachments are not stored" in error["message"]
    assert not Feedback.objects.filter(source=Source.EMAIL).exists()


def test_oversized_text_gets_413(world, mailbox):
    response = post(mailbox.token, mail(body="slow " * 2_500))
    assert response.status_code == 413
    assert "10,000" in response.json()["error"]["message"]


def test_unknown_token_is_404_json(world):
    response = post("lm_nosuchtoken", mail())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_webhook_takes_only_raw_posts(world, mailbox):
    assert Client().get(f"/inbound/email/{mailbox.token}/").status_code == 405
    response = post(mailbox.token, b'{"from": "x"}', content_type="application/json")
    assert response.status_code == 415
    assert "message/rfc822" in response.json()["error"]["message"]
    assert post(mailbox.token, mail(), content_type="text/plain").status_code == 201


def test_an_unknown_charset_does_not_break_parsing(world, mailbox):
    raw = (
        b"From: nora@northwind.test\nSubject: x\nMessage-ID: <cs@x>\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\n\nGr\xfc\xdfe, the board."
    )
    assert post(mailbox.token, raw).status_code == 201
    assert "the board." in newest(world).text


def test_each_workspace_gets_only_its_own_mail(world, mailbox):
    other_box = mailboxes.mailbox_create(workspace=world.other, actor=world["outsider"].user)
    acme_before = Feedback.objects.filter(workspace=world.workspace).count()
    assert post(other_box.token, mail()).status_code == 201
    assert Feedback.objects.filter(workspace=world.workspace).count() == acme_before
    assert Feedback.objects.filter(workspace=world.other, source=Source.EMAIL).count() == 1
    assert Person.objects.filter(workspace=world.other, email="nora@northwind.test").exists()
    # The same Message-ID is new to acme: one feedback in each workspace.
    assert post(mailbox.token, mail()).status_code == 201


def test_a_flood_gets_429_with_retry_after(world, mailbox, monkeypatch):
    monkeypatch.setattr(limits, "INBOUND_PER_MAILBOX", limits.Limit("inbound-mail", 3, 600))
    codes = [post(mailbox.token, mail(message_id=f"<{i}@x>")).status_code for i in range(5)]
    assert codes.count(429) >= 1 and codes[:2] == [201, 201]
    response = post(mailbox.token, mail(message_id="<late@x>"))
    if response.status_code == 429:
        assert 0 < int(response["Retry-After"]) <= 600
    assert Feedback.objects.filter(source=Source.EMAIL).count() == codes.count(201) + (
        response.status_code == 201
    )


# -- inbound addresses ----------------------------------------------------------------------


def test_admins_add_rotate_and_delete_addresses(world):
    client = world["pm"].client()
    response = client.post("/w/acme/intake/mail/", {"product_key": "web"})
    assert response.status_code == 302
    box = InboundMailbox.objects.get(workspace=world.workspace)
    page = client.get("/w/acme/intake/mail/")
    assert f"http://testserver/inbound/email/{box.token}/".encode() in page.content
    old = box.token
    assert client.post(f"/w/acme/intake/mail/{box.key}/rotate/").status_code == 302
    box.refresh_from_db()
    assert box.token != old
    assert post(old, mail()).status_code == 404
    assert post(box.token, mail()).status_code == 201
    assert client.post(f"/w/acme/intake/mail/{box.key}/delete/").status_code == 302
    assert post(box.token, mail(message_id="<n@x>")).status_code == 404


def test_an_address_for_an_unknown_product_is_refused(world):
    response = world["pm"].client().post("/w/acme/intake/mail/", {"product_key": "nope"})
    assert response.status_code == 400
    assert not InboundMailbox.objects.exists()


# -- .eml upload ----------------------------------------------------------------------------


def _eml(name: str, raw: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="message/rfc822")


def test_several_eml_files_each_get_a_result_line(world):
    files = [
        _eml("board.eml", mail()),
        _eml("photo.eml", b"\x89PNG\r\n\x1a\n\x00\x00"),
        _eml("eve.eml", mail(sender="eve@northwind.test", message_id="<eve@x>")),
        _eml("board-again.eml", mail()),
    ]
    client = world["contributor"].client()
    response = client.post("/w/acme/intake/email/", {"emails": files, "product_key": "web"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Added to the inbox.") == 2
    assert "Already received: not added again." in content
    assert "Not added:</strong> This is not an email" in content
    added = Feedback.objects.filter(workspace=world.workspace, source=Source.EMAIL)
    assert added.count() == 2
    assert {f.product for f in added} == {world.product}
    assert {f.submitted_by for f in added} == {world["contributor"].user}


def test_an_upload_with_only_bad_files_is_a_400(world, monkeypatch):
    monkeypatch.setattr(email, "MESSAGE_CAP_BYTES", 60_000)
    files = [_eml("big.eml", mail(attachments=(("a.pdf", b"x" * 80_000),))), _eml("e.eml", b"")]
    response = world["contributor"].client().post("/w/acme/intake/email/", {"emails": files})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Too large" in content and "Attachments are not stored" in content
    assert "The file is empty" in content


def test_an_upload_without_files_says_so(world):
    response = world["contributor"].client().post("/w/acme/intake/email/", {})
    assert response.status_code == 400
    assert b"This field is required." in response.content


def test_the_inbox_links_to_the_upload(world):
    response = world["contributor"].client().get("/w/acme/feedback/")
    assert b"/w/acme/intake/email/" in response.content


# -- text rules -----------------------------------------------------------------------------


def test_html_to_text_keeps_paragraphs_and_drops_quotes():
    html = "<div>One<br>Two</div><blockquote><p>quoted</p></blockquote><p>Three &lt;4&gt;</p>"
    assert html_to_text(html) == "One\nTwo\n\nThree <4>"


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("New.\n\nOn Mon, 2 Mar 2026, Ann Lee <ann@x.test>\nwrote:\n> old", "New."),
        ("New.\n-----Original Message-----\nFrom: x", "New."),
        ("New.\n\nFrom: Ann\nSent: Monday\nTo: x\n\nold", "New."),
        ("New.\n\nSent from my iPhone", "New."),
        ("New.\n> quoted\nMore.", "New.\nMore."),
        ("Only new text.", "Only new text."),
    ],
)
def test_strip_reply(body, kept):
    assert strip_reply(body) == kept


def test_unforward_finds_the_original_sender():
    sender, text, note = unforward(
        "FYI\n\nBegin forwarded message:\n\nFrom: Ann <ann@x.test>\nSubject: y\n\nHello"
    )
    assert sender is not None and sender.addr_spec == "ann@x.test"
    assert (text, note) == ("Hello", "FYI")
    assert unforward("Just a mail.") == (None, "Just a mail.", "")


_HEADERS = st.lists(
    st.sampled_from(["From", "Subject", "Date", "Message-ID", "Content-Type", "X-Junk"]).flatmap(
        lambda name: st.text(max_size=60).map(lambda value: f"{name}: {value}")
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.tuples(_HEADERS, st.text(max_size=200)).map(
            lambda m: ("\n".join(m[0]) + "\n\n" + m[1]).encode("utf-8", "surrogatepass")
        ),
    )
)
def test_any_bytes_parse_or_get_a_clear_error(raw):
    """Whatever arrives, parsing answers with a Mail or a LodestarError (400/413), never
    another exception; a parsed mail holds no NUL, which PostgreSQL cannot store."""
    error: LodestarError | None = None
    try:
        mail = parse_mail(raw)
    except LodestarError as exc:
        error = exc
    if error is not None:
        assert error.status in (400, 413) and error.message
    else:
        assert mail.body and "\x00" not in mail.text + mail.external_id + mail.sender.addr_spec
