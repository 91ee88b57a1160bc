"""The demo's market: six competitors of Acme Field Service (invented names, `.example`
sites), a capability matrix that tells where Acme leads (offline mobile work, invoicing,
the things it shipped) and where it lags (routing for large fleets, service agreements,
online booking), and research notes (lodestar.demo.market_notes) with a few highlights
already turned into feedback. Deterministic for the seed; bulk writes, so the large demo
stays fast."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from lodestar.activity.services import activity_record
from lodestar.customers.market_models import (
    Capability,
    Competitor,
    Highlight,
    Level,
    NoteKind,
    ResearchNote,
)
from lodestar.customers.models import Company, Person, Segment
from lodestar.customers.research_services import note_text
from lodestar.demo.clock import demo_now
from lodestar.demo.feedback_themes import THEMES, Theme
from lodestar.demo.market_notes import INTERVIEWS, MARKET_NOTES, NoteSpec
from lodestar.demo.people import EMAIL_DOMAIN
from lodestar.feedback.models import Feedback, Source, Status
from lodestar.planning.models import Feature, FeatureStatus
from lodestar.workspaces.models import Membership, Workspace

# (name, site, description, positioning in markdown, breadth: share of other features it has)
COMPETITORS = (
    ("Routewise", "routewise", "Route optimization and dispatch for fleets of 50+ technicians.",
     "The routing engine for large fleets. Sells top-down to operations VPs.\n\n"
     "- Wins on: skills-based routing, a fast board at 200+ techs, live ETA texts.\n"
     "- Loses on: invoicing (a CSV export), the mobile app needs signal.\n"
     "- Pricing: from $79 per user a month, quote-only above 100 users.", 0.35),
    ("Crewlane", "crewlane", "All-in-one scheduling, booking and payments for small trades.",
     "The cheapest way for a small shop to look professional.\n\n"
     "- Wins on: price, online booking, a QuickBooks sync customers trust.\n"
     "- Loses on: anything above 30 technicians; no routing, weak permissions.", 0.3),
    ("Vantafield", "vantafield", "Enterprise field-service suite with long implementations.",
     "The safe enterprise choice. Six-month implementations, SI partners.\n\n"
     "- Wins on: permissions and audit, routing, inventory, job costing.\n"
     "- Loses on: usability, time to value, price; the board is slow too.", 0.6),
    ("Tradeloop", "tradeloop", "Field-service software for HVAC and plumbing contractors.",
     "Built around maintenance agreements and memberships.\n\n"
     "- Wins on: service agreements, renewals worklist, flat-rate pricebooks.\n"
     "- Loses on: online-only mobile app, no skills routing.", 0.35),
    ("Wrenchbase", "wrenchbase", "Parts, inventory and equipment service management.",
     "Inventory first; often runs beside another dispatch tool.\n\n"
     "- Wins on: truck stock, purchasing, job costing with parts at cost.\n"
     "- Loses on: scheduling and the customer experience.", 0.25),
    ("Tallyvan", "tallyvan", "Mobile-first job management for solo operators and small crews.",
     "A new entrant (2025) selling on a slick phone and watch app.\n\n"
     "- Wins on: price ($19 entry), the Apple Watch next-job view.\n"
     "- Loses on: office features, reporting, integrations.", 0.1),
)  # fmt: skip

# Per theme: each competitor's level (h/p/n, in COMPETITORS order) and notes worth a cell.
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "offline-photos": ("npppnh", {
        "Routewise": "Mobile app needs signal to save photos.",
        "Vantafield": "Offline sync, but photos upload only on Wi-Fi.",
        "Tallyvan": "Offline queue with a visible upload counter."}),
    "service-plans": ("npphpn", {
        "Tradeloop": "Flagship: visit schedules, monthly billing, renewal worklist.",
        "Crewlane": "Recurring jobs, but no plan billing."}),
    "quickbooks-duplicates": ("phphpn", {
        "Routewise": "One-way CSV export only.",
        "Crewlane": "Two-way QuickBooks Online sync; customers call it reliable."}),
    "route-skills": ("hnhnnn", {
        "Routewise": "Skills, certifications and territories enforced by the optimizer.",
        "Vantafield": "Skills matching; configuration needs their services team."}),
    "arrival-texts": ("hhppnp", {
        "Routewise": "Live ETA map link by SMS.", "Crewlane": "On-my-way texts with a map."}),
    "truck-inventory": ("nnhphn", {
        "Wrenchbase": "Per-truck stock, minimum levels, reorder alerts.",
        "Tradeloop": "Warehouse stock only, not per truck."}),
    "spanish-app": ("phhnnp", {
        "Crewlane": "Full Spanish app and customer texts.",
        "Vantafield": "Enterprise tier only."}),
    "board-performance": ("hnppnn", {
        "Routewise": "Rebuilt board claims 250 techs without lag (fall 2026 release).",
        "Vantafield": "Customers report the same slowness."}),
    "multi-day-jobs": ("pnhphn", {"Wrenchbase": "Multi-day work orders with phases."}),
    "online-booking": ("nhphnp", {
        "Crewlane": "Free booking widget on every plan.",
        "Tradeloop": "Booking page with approval."}),
    "glanceable-next-job": ("nnnnnh", {"Tallyvan": "Apple Watch app and lock-screen widget."}),
    "office-permissions": ("hphppn", {
        "Vantafield": "Role editor with per-branch scopes and an audit log.",
        "Crewlane": "Two roles: admin and user."}),
    "job-costing": ("pnhphn", {
        "Vantafield": "Job costing with labor burden.", "Wrenchbase": "Parts at cost per job."}),
    "google-calendar": ("nhnpnp", {"Crewlane": "Two-way Google Calendar sync."}),
}  # fmt: skip
LEVELS = {"h": Level.HAS, "p": Level.PARTIAL, "n": Level.NONE}
LEAD_NOTES = ("Not offered.", "Roadmap item on their public board.", "Only through a partner.")
STEPS = (
    "Share the feature page with {first} when it moves to planned.",
    "Invite {company} to the beta list.",
    "Send {first} the help article on the current workaround.",
    "Follow up in the next quarterly check-in.",
    "Loop in their account owner on the renewal risk.",
)
CALLS = ("Quarterly check-in", "Onboarding review", "Customer advisory call",
         "Feature discovery call", "Renewal risk call")  # fmt: skip
SEGMENTS: dict[str, int] = {Segment.SMB: 0, Segment.MID_MARKET: 1, Segment.ENTERPRISE: 2}
# Per demo size: generated check-in notes beside the written ones, and features rated beyond
# the fourteen big themes (shipped ones, where Acme leads, and as many others).
SIZES = {
    "small": {"extra_notes": 8, "rated_tail": 8},
    "large": {"extra_notes": 150, "rated_tail": 60},
}


def build_market(
    rng: random.Random,
    workspace: Workspace,
    members: list[Membership],
    report: Callable[[str, int, int], None],
    extra_notes: int = 0,
    rated_tail: int = 10,
    now: datetime | None = None,
) -> None:
    """Competitors, the matrix, the research notes (the written ones plus `extra_notes`
    generated check-in calls, dated back from `now`, the demo's now) and their highlights."""
    now = now or demo_now()
    competitors = Competitor.objects.bulk_create(
        [
            Competitor(workspace=workspace, name=name, website=f"https://{site}.example",
                       description=description, notes=notes)
            for name, site, description, notes, _breadth in COMPETITORS
        ]
    )  # fmt: skip
    cells = _matrix(rng, workspace, competitors, rated_tail)
    report("competitors", len(cells), len(cells))
    by_email = {m.user.email: m for m in members}
    notes, highlights = _notes(rng, workspace, by_email, extra_notes, now)
    report("research notes", len(notes), len(notes))
    actor = by_email.get(f"priya@{EMAIL_DOMAIN}")
    activity_record(
        workspace=workspace,
        actor=actor.user if actor else None,
        verb="compared",
        target_type="competitors",
        target_label=f"{len(competitors)} competitors on {len(cells)} capabilities",
        changes={"research notes": [None, len(notes)], "highlights": [None, highlights]},
    )


def _matrix(rng, workspace, competitors: list[Competitor], rated_tail: int) -> list[Capability]:
    features = {f.title: f for f in Feature.objects.filter(workspace=workspace, title__in=[
        t.title for t in THEMES])}  # fmt: skip
    cells: list[Capability] = []
    for theme in THEMES:
        feature = features.get(theme.title)
        if feature is None or theme.key not in MATRIX:
            continue
        levels, notes = MATRIX[theme.key]
        for competitor, code in zip(competitors, levels, strict=True):
            cells.append(_cell(competitor, feature, LEVELS[code], notes.get(competitor.name, "")))
    # Where Acme leads: features it shipped that competitors lack, plus a sample of the rest.
    tail = Feature.objects.filter(workspace=workspace).exclude(title__in=features)
    shipped = list(tail.filter(status=FeatureStatus.SHIPPED).order_by("pk")[:rated_tail])
    others = list(tail.exclude(status=FeatureStatus.SHIPPED).order_by("pk")[: rated_tail * 3])
    for feature in [*shipped, *rng.sample(others, min(len(others), rated_tail))]:
        lead = feature.status == FeatureStatus.SHIPPED
        for competitor, (*_info, breadth) in zip(competitors, COMPETITORS, strict=True):
            roll = rng.random()
            has = breadth * (0.1 if lead else 1)
            level = Level.HAS if roll < has else Level.PARTIAL if roll < has + 0.25 else Level.NONE
            note = rng.choice(LEAD_NOTES) if level == Level.NONE and rng.random() < 0.3 else ""
            cells.append(_cell(competitor, feature, level, note))
    Capability.objects.bulk_create(cells, batch_size=1000)
    return cells


def _cell(competitor: Competitor, feature: Feature, level: str, note: str) -> Capability:
    site = competitor.website
    source = f"{site}/features/{feature.key}" if level != Level.NONE and note else ""
    return Capability(competitor=competitor, feature=feature, level=level, note=note,
                      source_url=source)  # fmt: skip


def _pick_company(rng, pools: dict[str, list[Company]], segment: str, used: set[int]):
    pool = [c for c in pools.get(segment) or [] if c.pk not in used]
    if not pool:
        pool = [c for cs in pools.values() for c in cs if c.pk not in used]
    if not pool:
        return None
    company = rng.choice(pool)
    used.add(company.pk)
    return company


def _notes(
    rng, workspace, by_email: dict[str, Membership], extra: int, now: datetime
) -> tuple[list, int]:
    companies = list(Company.objects.filter(workspace=workspace).order_by("pk"))
    pools: dict[str, list[Company]] = {}
    for company in companies:
        pools.setdefault(company.segment, []).append(company)
    contacts: dict[int, Person] = {}
    for contact in Person.objects.filter(workspace=workspace, company__isnull=False).order_by("pk"):
        contacts.setdefault(contact.company_id or 0, contact)
    used: set[int] = set()
    specs: list[tuple[NoteSpec, Company | None]] = []
    for spec in INTERVIEWS:
        specs.append((spec, _pick_company(rng, pools, spec.segment, used)))
    specs += [(spec, None) for spec in MARKET_NOTES]
    for _ in range(extra):
        segment = rng.choice([Segment.SMB, Segment.MID_MARKET, Segment.ENTERPRISE])
        chosen = _pick_company(rng, pools, segment, used)
        if chosen is not None:
            specs.append((_generated(rng, chosen), chosen))
    rows: list[ResearchNote] = []
    wanted: list[tuple[int, str]] = []
    for spec, about in specs:
        person = contacts.get(about.pk) if about else None
        fill = _fill(about, person)
        author = by_email.get(f"{spec.author}@{EMAIL_DOMAIN}")
        day = (now - timedelta(days=spec.days_ago)).date()
        rows.append(
            ResearchNote(
                workspace=workspace, kind=spec.kind, title=spec.title.format_map(fill)[:200],
                date=day, participants=spec.participants.format_map(fill)[:500],
                company=about, person=person, body=spec.body.format_map(fill),
                author=author.user if author else None,
                created_at=datetime.combine(day, time(17, 30), tzinfo=UTC),
            )
        )  # fmt: skip
        wanted += [(len(rows) - 1, quote) for quote in spec.highlights]
    notes = ResearchNote.objects.bulk_create(rows, batch_size=500)
    for note, (spec, _company) in zip(notes, specs, strict=True):
        colleagues = [by_email.get(f"{c}@{EMAIL_DOMAIN}") for c in (spec.author, *spec.colleagues)]
        note.members.set([m for m in colleagues if m is not None])
    return notes, _highlights(workspace, notes, wanted, now)


def _fill(company: Company | None, person: Person | None) -> dict[str, str]:
    employees = (company.employees or 10) if company else 10
    return {
        "company": company.name if company else "the customer",
        "person": (person.name if person else "") or "their owner",
        "first": (person.name.split()[0] if person and person.name else "The owner"),
        "title": (person.title if person else "") or "owner",
        "techs": f"{max(3, round(employees * 0.6)):,}",  # as the demo feedback counts them
        "plan": (company.plan if company else "") or "Growth",
    }


def _highlights(
    workspace, notes: list[ResearchNote], wanted: list[tuple[int, str]], now: datetime
) -> int:
    """The quotes already turned into feedback: the feedback is dated the day of the note,
    and the older ones were triaged since."""
    count = 0
    for index, quote in wanted:
        note = notes[index]
        if quote not in note_text(note.body):  # a mistyped quote in the data: skip, not fail
            continue
        received = datetime.combine(note.date, time(18, 0), tzinfo=UTC)
        feedback = Feedback.objects.create(
            workspace=workspace,
            text=quote,
            source=Source.RESEARCH,
            person=note.person,
            company=note.company,
            submitted_by=note.author,
            status=Status.PROCESSED if (now - received).days > 30 else Status.INBOX,
            received_at=received,
        )
        Highlight.objects.create(
            note=note, quote=quote, feedback=feedback, created_by=note.author, created_at=received
        )
        count += 1
    return count


def _generated(rng: random.Random, company: Company) -> NoteSpec:
    """A check-in call with `company` about two themes its segment raises most, in the
    customers' words from the feedback themes."""
    column = SEGMENTS.get(company.segment, 3)
    themes: list[Theme] = []
    while len(themes) < 2:
        theme = rng.choices(THEMES, weights=[t.weights[column] for t in THEMES])[0]
        if theme not in themes:
            themes.append(theme)
    sections = []
    for theme in themes:
        line = rng.choice([x.text for x in theme.lines if "{" not in x.text])
        facts = [x.text for x in (*theme.details, *theme.impacts) if "{" not in x.text]
        said = " ".join(rng.sample(facts, min(2, len(facts))))
        sections.append(f"## {theme.title}\n\n> {line}\n\n{said}")
    steps = "\n".join(f"- {step}" for step in rng.sample(STEPS, 2))
    body = (
        "**Context.** {first} is {title} at {company} ({plan} plan). "
        f"We talked for {rng.choice((20, 30, 45))} minutes.\n\n"
        + "\n\n".join(sections)
        + f"\n\n## Next steps\n{steps}"
    )
    return NoteSpec(
        NoteKind.INTERVIEW, f"{rng.choice(CALLS)}: {{company}}", rng.randint(3, 540),
        rng.choice(("priya", "tomas", "dana")), company.segment, "{person} ({title})", body,
    )  # fmt: skip
