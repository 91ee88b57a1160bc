"""The demo's feedback: recurring themes in customers' words, deterministic, and sane data."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from datetime import date, timedelta

import pytest

from lodestar.customers.services import company_create, person_create
from lodestar.demo import feedback as demo
from lodestar.demo import feedback_profiles
from lodestar.demo.clock import demo_now
from lodestar.feedback.models import Feedback, Source, Status
from lodestar.workspaces import services
from lodestar.workspaces.models import Membership, Role
from tests.factories import UserFactory

# How a reader would spot each theme; written independently of the module's phrasings.
KEYWORDS = {
    "offline-photos": r"offline|no signal|no service|reconnect|airplane mode|signal comes back",
    "service-plans": r"maintenance|service (plan|contract)|agreement|membership|recurring",
    "quickbooks-duplicates": r"quickbooks|\bqbo\b",
    "route-skills": r"optimi[sz]|skill",
    "arrival-texts": r"\btext|\bsms\b|on my way|arrival",
    "truck-inventory": r"truck|inventory|\bstock\b",
    "spanish-app": r"spanish|español",
    "board-performance": r"\bboard\b",
    "multi-day-jobs": r"multi-?day|multi day|several days|more than a day|two or three days",
    "online-booking": r"book(ing)? online|online (booking|scheduling)|book now|booking widget"
    r"|book service|book .* online",
    "glanceable-next-job": r"watch|lock-screen|home screen widget|glanceable",
    "office-permissions": r"permission|\broles?\b|access",
    "job-costing": r"job costing|margin|profitab",
    "google-calendar": r"google calendar|gcal|google workspace",
}
COMPANIES = (  # name, domain, segment, employees, contacts (name, title)
    ("Ridgeway Heating & Air", "ridgeway.test", "smb", 12, [("Ava Brooks", "Owner")]),
    ("Bluebonnet Plumbing Co.", "bluebonnet.test", "smb", 8, [("Luis Reyes", "Office Manager")]),
    ("Summit Electric", "summit.test", "smb", 20,
     [("Gina Chen", "Controller"), ("Eddie Lopez", "")]),
    ("Prairie Pest Control", "prairie.test", "smb", 5, [("Nate Young", "Lead Technician")]),
    ("Harbor Pool Service", "harbor.test", "smb", 9, [("Fiona Ellis", "Owner")]),
    ("Mesa Roofing", "mesa.test", "smb", 15, [("Scott Owens", "General Manager")]),
    ("Ironwood Mechanical", "ironwood.test", "mid_market", 180,
     [("Carla Dawson", "Dispatch Supervisor"), ("Hector Garcia", "COO")]),
    ("Lakeshore Garage Doors", "lakeshore.test", "mid_market", 90, [("Kara Patel", "Owner")]),
    ("Red River Appliance Repair", "redriver.test", "mid_market", 240,
     [("Derek Foster", "Service Manager"), ("Wendy Hughes", "Controller")]),
    ("Keystone Fire & Safety", "keystone.test", "mid_market", 60, [("Zach Murphy", "Owner")]),
    ("Great Lakes Home Services", "greatlakes.test", "enterprise", 3200,
     [("Olivia Nguyen", "IT Director"), ("Pablo Quintero", "VP Operations"),
      ("Renee Sullivan", "Dispatch Supervisor")]),
    ("Lone Star Heating & Air Group", "lonestar.test", "enterprise", 1400,
     [("Tanya Whitaker", "Controller"), ("Vince Zimmerman", "Operations Manager")]),
)  # fmt: skip
SEED, COUNT = 42, 500
NOW = demo_now(date(2026, 11, 26))  # the demo's now, pinned


def _workspace(slug: str):
    owner = UserFactory()
    workspace = services.workspace_create(user=owner, name="Acme Field Service", slug=slug)
    services.product_create(workspace=workspace, actor=owner, key="web", name="Acme Dispatch")
    services.product_create(workspace=workspace, actor=owner, key="mobile", name="Acme Tech")
    pm = UserFactory()
    Membership.objects.create(workspace=workspace, user=pm, role=Role.PRODUCT_MANAGER)
    for name, domain, segment, employees, contacts in COMPANIES:
        company_create(
            workspace=workspace, actor=owner, name=name, domain=domain, segment=segment,
            employees=employees, arr=employees * 900,
        )  # fmt: skip
        for person, title in contacts:
            email = person.lower().replace(" ", ".") + "@" + domain
            person_create(
                workspace=workspace, actor=owner, name=person, email=email, title=title,
                company_domain=domain,
            )  # fmt: skip
    person_create(workspace=workspace, actor=owner, name="Sam Solo", email="sam@gmail.test")
    triagers = list(Membership.objects.filter(workspace=workspace).order_by("pk"))
    return workspace, [owner, pm], triagers


def _build(slug: str, calls: list | None = None):
    workspace, submitters, triagers = _workspace(slug)
    report = (lambda *args: calls.append(args)) if calls is not None else (lambda *a: None)
    made = demo.build_feedback(
        random.Random(SEED), workspace, submitters, triagers, COUNT, report, now=NOW
    )
    return workspace, made


def _rows(workspace):
    return list(
        Feedback.objects.filter(workspace=workspace)
        .order_by("pk")
        .select_related("person", "product")
        .prefetch_related("tags")
    )


@pytest.mark.django_db
def test_same_seed_gives_the_same_feedback():
    first, _ = _build("acme-a")
    second, _ = _build("acme-b")
    a, b = _rows(first), _rows(second)
    assert [f.text for f in a] == [f.text for f in b]
    assert [(f.status, f.source, f.received_at, f.product.key) for f in a] == [
        (f.status, f.source, f.received_at, f.product.key) for f in b
    ]
    assert [sorted(t.name for t in f.tags.all()) for f in a] == [
        sorted(t.name for t in f.tags.all()) for f in b
    ]


@pytest.mark.django_db
def test_feedback_reads_like_customers_and_is_consistent():
    calls: list = []
    workspace, made = _build("acme", calls)
    rows = _rows(workspace)
    assert made == COUNT == len(rows)
    assert calls[-1] == ("feedback", COUNT, COUNT)

    texts = [f.text for f in rows]
    for text in texts:
        assert text.strip() == text and "  " not in text and ".." not in text, text
        assert not re.search(r"[{}]|lorem|ipsum|None|\[\[", text, re.IGNORECASE), text
    themes = {k for k, rx in KEYWORDS.items() if any(re.search(rx, t, re.I) for t in texts)}
    assert len(themes) >= 12, sorted(set(KEYWORDS) - themes)
    text, repeats = Counter(texts).most_common(1)[0]
    assert repeats <= COUNT * 0.03, (repeats, text)

    statuses = Counter(f.status for f in rows)
    assert set(statuses) == set(Status.values)
    recent = rows[int(COUNT * 0.6) :]
    assert sum(f.status == Status.INBOX for f in recent) > 0.8 * len(recent)
    assert {f.product.key for f in rows} == {"web", "mobile"}
    anonymous = [f for f in rows if f.person is None]
    assert 0.04 * COUNT < len(anonymous) < 0.18 * COUNT
    assert {f.source for f in anonymous} <= {Source.WIDGET, Source.MANUAL}
    for f in rows:
        if f.person is not None:
            assert f.company_id == f.person.company_id
        if f.source in (Source.WIDGET, Source.EMAIL):
            assert f.submitted_by_id is None
        assert len(f.tags.all()) <= demo.MAX_TAGS
        assert {t.name for t in f.tags.all()} <= set(demo.TAGS)
        assert NOW - timedelta(days=demo.SPAN_DAYS + 1) < f.received_at < NOW
    assert sorted(f.received_at for f in rows) == [f.received_at for f in rows]
    processed = [f for f in rows if f.status == Status.PROCESSED]
    assert 0.4 < sum(f.assignee_id is not None for f in processed) / len(processed) < 0.8


def test_every_phrasing_names_its_theme_and_fills_in():
    assert {t.key for t in demo.THEMES} == set(KEYWORDS)
    values = {key: "7" for key in feedback_profiles._VALUES}
    templates = [*demo.CLOSERS, *demo.CHURN_LINES, *(o for v in demo.OPENERS.values() for o in v)]
    for theme in demo.THEMES:
        assert 8 <= len(theme.lines) <= 15, theme.key
        for line in (*theme.lines, *theme.asks):
            assert re.search(KEYWORDS[theme.key], line.text, re.IGNORECASE), line.text
        for line in (*theme.lines, *theme.asks, *theme.details, *theme.impacts):
            templates.append(line.text)
            assert line.text.rstrip()[-1] in ".?!" or line.text[0].islower(), line.text
        for pool in demo._pools(theme).values():
            assert all(pool[:2]), theme.key  # every voice and size has phrasings and asks
    for template in templates:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert fields <= set(values), template
        assert not re.search(r"[{}]", template.format_map(values)), template
