"""Importing feedback from a support-tool or survey export (the engine is tested in
tests/test_imports.py; this is the feedback kind)."""

import pytest

from lodestar.core.errors import Invalid
from lodestar.feedback.models import Feedback
from lodestar.imports.kinds import import_kind
from tests.test_imports import command, plan_for, problems, run

pytestmark = pytest.mark.django_db

FEEDBACK = import_kind("feedback")
TICKETS = (
    "Ticket ID,Requester,Comment,Created,Channel,Product\n"
    "T-101,nora@northwind.test,The board is slow with 60 techs.,2026-03-14 09:30,Zendesk,web\n"
    'T-102,new.person@northwind.test,"Offline photos vanish, again.",2026-03-15,email,web\n'
    "T-103,someone@nowhere.test,Please add Spanish.,2026-03-16,,\n"
)


def _texts() -> dict[str, Feedback]:
    return {f.text: f for f in Feedback.objects.exclude(text__startswith="The dispatch board")}


def test_tickets_are_imported_with_people_companies_and_dates(world):
    result = run(world, TICKETS, kind=FEEDBACK)
    assert result.created == 3
    rows = _texts()
    slow = rows["The board is slow with 60 techs."]
    assert (slow.person, slow.company, slow.external_id) == (world.person, world.company, "T-101")
    assert slow.received_at.isoformat() == "2026-03-14T09:30:00+00:00"
    assert (slow.source, slow.product.key, slow.status) == ("support", "web", "inbox")
    photos = rows["Offline photos vanish, again."]
    assert photos.person is None and photos.company == world.company  # by the email's domain
    spanish = rows["Please add Spanish."]
    assert spanish.company is None and spanish.source == "import"


def test_reimport_matches_ticket_ids_and_changes_nothing(world):
    run(world, TICKETS, kind=FEEDBACK)
    again = run(world, TICKETS, kind=FEEDBACK)
    assert (again.created, again.unchanged) == (0, 3)


def test_without_ids_the_fingerprint_keeps_reimports_idempotent(world):
    survey = "Email,Feedback,Date\nnora@northwind.test,Love the new board,2026-04-01\n"
    run(world, survey, kind=FEEDBACK)
    assert run(world, survey, kind=FEEDBACK).unchanged == 1
    assert Feedback.objects.filter(text="Love the new board").count() == 1
    twice = survey + "nora@northwind.test,Love the new board,2026-04-01\n"
    assert "line 3" in " ".join(problems(plan_for(world, twice, kind=FEEDBACK)))


def test_bad_rows_are_reported_by_line_and_nothing_is_written(world):
    text = (
        "Comment,Email,Date,Product,Domain\n"
        "Fine row,nora@northwind.test,2026-01-02,web,\n"
        ",nora@northwind.test,2026-01-02,,\n"
        "Bad date,nora@northwind.test,last tuesday,,\n"
        "Bad product,,2026-01-02,desktop,\n"
        "Bad domain,,2026-01-02,,unknown.test\n"
    )
    found = problems(plan_for(world, text, kind=FEEDBACK))
    assert [p.split(":")[0] for p in found] == ["line 3", "line 4", "line 5", "line 6"]
    assert "last tuesday" in found[1] and "desktop" in found[2] and "unknown.test" in found[3]
    before = Feedback.objects.count()
    with pytest.raises(Invalid):
        run(world, text, kind=FEEDBACK)
    assert Feedback.objects.count() == before
    assert run(world, text, kind=FEEDBACK, skip_invalid=True).created == 1


def test_cli_imports_feedback(world, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text(TICKETS)
    out = command("feedback", str(path), "--workspace", "acme")
    assert "3 created" in out
    assert "3 unchanged" in command("feedback", str(path), "--workspace", "acme")
