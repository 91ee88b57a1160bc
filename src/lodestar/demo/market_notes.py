"""The demo's research notes: customer interviews (written for a company of a given segment,
filled with its name and contact) and market notes. Data for lodestar.demo.market.

Placeholders: {company}, {person}, {first}, {title}, {techs}, {plan}. A note's `highlights`
are sentences of its body already turned into feedback."""

from __future__ import annotations

from typing import NamedTuple


class NoteSpec(NamedTuple):
    kind: str  # interview, market, other
    title: str
    days_ago: int  # before the demo's "now"
    author: str  # persona email local part
    segment: str  # the interviewed company's segment ("" for market notes)
    participants: str
    body: str
    highlights: tuple[str, ...] = ()
    colleagues: tuple[str, ...] = ()  # persona email local parts


INTERVIEWS: tuple[NoteSpec, ...] = (
    NoteSpec(
        "interview",
        "Dispatch board at scale: {company}",
        19,
        "priya",
        "enterprise",
        "{person} ({title}), two senior dispatchers",
        """**Context.** {company} runs about {techs} technicians out of several branches on the
{plan} plan. {first} asked for the call after their Monday backlog incident.

## What happened
- Mondays start with 1,000+ unassigned jobs carried over the weekend.
- Between 7:30 and 8:15 the board takes 6 to 10 seconds to respond to a drag.
- Dispatchers work around it by filtering to one branch at a time, which hides overflow
  work the other branches could take.

> When the board stalls, my dispatchers stop trusting what they see and pick up the phone.

## What they compared
They ran a two-week trial of Routewise on a copy of their data. {first}: "Their board was
instant, but the invoicing was a joke, so we stayed." Renewal is in March.

## Takeaways
1. Board performance is now a **renewal risk** for fleets above ~80 techs.
2. Per-branch views are a workaround, not a feature request: they want one board that keeps up.
3. They would beta-test anything we ship here.""",
        (
            "When the board stalls, my dispatchers stop trusting what they see and pick up "
            "the phone.",
        ),
        ("lena",),
    ),
    NoteSpec(
        "interview",
        "Offline photos in the field: ride-along with {company}",
        33,
        "tomas",
        "mid_market",
        "{person} ({title}), lead tech on the ride-along",
        """Spent a morning in the truck with their lead tech, then 30 minutes with {first}.

## Observed
- Three of four jobs were in basements or mechanical rooms with **no signal**.
- The tech took photos in Acme Tech, then *again* with the phone camera "just in case".
- Back in signal, the app showed 11 photos queued, then 0 — and the job had 4.

> I take every picture twice now, because the app loses them and the customer won't pay
> without the before-and-after.

## Why it matters to them
Their warranty partner rejects claims without photos. {first} estimates two wasted truck
rolls a month re-shooting jobs.

## Ideas they had
- A visible upload queue with a count per job.
- Keep the originals on the phone until the server confirms.

*Follow-up:* sent the repro steps to the Mobile team; Android 14 on Samsung devices.""",
        (
            "I take every picture twice now, because the app loses them and the customer "
            "won't pay without the before-and-after.",
        ),
        ("priya",),
    ),
    NoteSpec(
        "interview",
        "QuickBooks duplicates: call with {company}",
        61,
        "priya",
        "smb",
        "{person} ({title})",
        """{first} keeps the books for {company} in the evenings, after the office closes.

## The problem, in their words
Since March, some invoices appear **twice** in QuickBooks Online: once when the job is
completed, again when a payment is recorded. {first} reconciles by hand every Friday.

> I spend every Friday afternoon deleting duplicate invoices in QuickBooks instead of
> chasing the ones that are actually unpaid.

## Details
- Happens mostly with partial payments and deposits.
- Their accountant flagged a sales-tax mismatch in Q2 caused by the duplicates.
- Crewlane's sales rep promised their sync "never duplicates". Not switching yet.

## Follow-ups
- [x] Shared the anonymized export with Billing & Integrations.
- [ ] Tell {first} when the idempotent sync ships.""",
        (
            "I spend every Friday afternoon deleting duplicate invoices in QuickBooks "
            "instead of chasing the ones that are actually unpaid.",
        ),
    ),
    NoteSpec(
        "interview",
        "Service agreements at {company}",
        75,
        "priya",
        "mid_market",
        "{person} ({title}), their service manager",
        """They sell about 1,400 maintenance plans a year (spring and fall tune-ups).

## Today
- Plans live in a spreadsheet; the office re-creates every visit by hand each season.
- Renewals are tracked with calendar reminders. Roughly 15% lapse without anyone noticing.

> Maintenance plans are our most profitable revenue and the only part of the business we
> still run in Excel.

## What they want
1. Plans with visit schedules that create jobs automatically.
2. Monthly billing for plan members.
3. A renewal list they can call down in January.

Tradeloop demoed exactly this to them last fall; {first} said it was "the one thing they do
better than you".""",
        (
            "Maintenance plans are our most profitable revenue and the only part of the "
            "business we still run in Excel.",
        ),
    ),
    NoteSpec(
        "interview",
        "Skills-based routing: {company}",
        98,
        "priya",
        "enterprise",
        "{person} ({title}), routing analyst",
        """## Setup
{techs} technicians; about a third hold refrigeration or backflow certifications.

## Pain
The optimizer sends uncertified techs to commercial refrigeration calls. Dispatchers
then reshuffle by hand, which undoes the route savings.

- Roughly 25 manual reassignments a day.
- They tag skills in the tech's notes field today, which the optimizer ignores.

> The optimizer saves us miles in the morning and my dispatchers spend the afternoon
> undoing it.

## Competitive context
Routewise and Vantafield both enforce skills during optimization. {first} was clear this
is the deciding feature at renewal for their operations VP.""",
    ),
    NoteSpec(
        "interview",
        "Online booking for a small shop: {company}",
        112,
        "dana",
        "smb",
        "{person} ({title})",
        """A one-truck-plus-office business: {first} runs the office, a business partner the truck.

- About a third of requests come in after 6 pm through a contact form that sends an email.
- {first} retypes each one into Acme the next morning.

> If customers could book a slot themselves I'd get two hours of my day back.

They looked at Crewlane because its booking widget is free on the starter plan. What keeps
them here: the technician app and our invoicing templates.

**Asked for:** a booking page limited to the windows the office chooses, with approval before
a job is confirmed.""",
        ("If customers could book a slot themselves I'd get two hours of my day back.",),
    ),
    NoteSpec(
        "interview",
        "Truck stock and parts: {company}",
        127,
        "tomas",
        "enterprise",
        "{person} ({title}), warehouse lead",
        """## Context
{company} stocks about 200 SKUs per truck. Parts usage is entered on paper and keyed in
weekly.

## Findings
- Techs drive back to the warehouse 3 or 4 times a week for parts the system said they had.
- No minimum levels per truck; reordering is gut feel.
- They evaluated Wrenchbase for inventory only and would run it *alongside* Acme.

> Two systems is the last thing we want, but we can't keep guessing what's on the trucks.

## Priority
Truck inventory with reorder alerts is their top request for next year.""",
    ),
    NoteSpec(
        "interview",
        "Office permissions: {company}",
        140,
        "priya",
        "enterprise",
        "{person} ({title}), finance controller",
        """## Concern
Every office user can see margins and payroll-adjacent job costing. Their controller wants
CSRs to book and reschedule without seeing prices or tech pay rates.

## Details
- Over a hundred office users across their branches.
- Branch managers should only see their branch.
- Audit asked for a log of who changed an invoice.

> Our CSRs can see every technician's pay rate. That is a problem we cannot explain to
> our auditors.

Vantafield's role editor came up twice; {first} called it "overkill, but it passes the audit".""",
        (
            "Our CSRs can see every technician's pay rate. That is a problem we cannot "
            "explain to our auditors.",
        ),
    ),
    NoteSpec(
        "interview",
        "Arrival texts and live ETA: {company}",
        168,
        "dana",
        "smb",
        "{person} ({title})",
        """Short call during their slow season.

- Their customers call to ask "when is the tech coming?" about 15 times a day.
- They text arrival windows by hand from a personal phone.

> Half our phone calls are people asking where the technician is.

They want an automatic text when the tech is on the way, ideally with a live map link like
Crewlane and Routewise send. Spanish texts for about a fifth of their customers.""",
    ),
    NoteSpec(
        "interview",
        "Spanish technician app: {company}",
        189,
        "tomas",
        "mid_market",
        "{person} ({title}), two field supervisors",
        """About 40% of their technicians prefer Spanish. Supervisors translate checklists and
safety forms for new hires.

## What we heard
- Mis-completed checklists are the main source of callbacks among new hires.
- The customer-facing documents can stay in English; the *app* must not.

> My best installer reads English fine, but when the checklist is in Spanish he doesn't
> skip steps.

Crewlane ships a Spanish app; Vantafield too but only on its enterprise tier.""",
    ),
    NoteSpec(
        "interview",
        "Job costing by technician: {company}",
        212,
        "priya",
        "enterprise",
        "{person} ({title}), CFO",
        """## Goal
Profit per job and per technician, including drive time, parts at cost and callbacks.

## Today
A monthly export to their BI tool and two days of spreadsheet work by an analyst.

> I know our revenue per technician to the dollar and our profit per technician not at all.

They would pay for it as an add-on. Vantafield and Wrenchbase both have job costing; neither
"is easy enough for branch managers to read".""",
    ),
    NoteSpec(
        "interview",
        "Renewal check-in: {company}",
        240,
        "dana",
        "mid_market",
        "{person} ({title}), account owner on our side",
        """Renewal conversation, friendly. Overall happy; scheduling and the technician app are the
reasons they stay.

## Risks
1. Multi-day installs are entered as separate jobs, which breaks their reporting.
2. Google Calendar sync is one-way; the owner lives in the calendar.

## Praise
- Invoice templates "look more professional than our competitors' invoices".
- Support resolved their last ticket within an hour.

> We're not going anywhere, but the multi-day job thing makes every install look like
> three small jobs in our reports.""",
    ),
)

MARKET_NOTES: tuple[NoteSpec, ...] = (
    NoteSpec(
        "market",
        "Competitor teardown: Routewise 2026 release",
        26,
        "priya",
        "",
        "Priya, Lena (engineering)",
        """## Summary
Routewise's fall release doubles down on **routing for large fleets**: skills and
certifications, territories, and a dispatch board rebuilt for 200+ technicians.

## What is new
| Area | Change | Threat |
|---|---|---|
| Routing | Skills, certifications and time windows enforced | High |
| Board | Virtualized board, claims 250 techs without lag | High |
| Customer texts | Live ETA map link | Medium |
| Invoicing | Still a CSV export to accounting | Low |

## Our read
They are taking our **enterprise** segment on board performance and routing. They remain
weak for trades that invoice on site. Our dispatch-board work is the direct answer.""",
    ),
    NoteSpec(
        "market",
        "Pricing scan: field-service software, Q3 2026",
        70,
        "dana",
        "",
        "Dana, Graham",
        """Public list prices per user per month, annual billing.

| Product | Entry | Mid | Top | Notes |
|---|---|---|---|---|
| Crewlane | $29 | $59 | $99 | Booking widget free on entry |
| Tradeloop | $45 | $85 | $140 | Service agreements on mid and up |
| Routewise | — | $79 | quote | Sells to 50+ techs only |
| Vantafield | quote | quote | quote | 6-month implementations |
| Wrenchbase | $55 | $95 | quote | Inventory module +$20 |
| Tallyvan | $19 | $39 | — | Mobile-only, launched 2025 |

## Observations
- Crewlane and Tallyvan are pushing the SMB price floor down.
- Nobody above $100 ships without an accounting sync that customers trust.
- Our Growth plan sits between Crewlane Mid and Tradeloop Mid.""",
    ),
    NoteSpec(
        "market",
        "Win/loss review: H1 2026",
        130,
        "dana",
        "",
        "Dana, Priya, sales leads",
        """38 closed opportunities reviewed (24 won, 14 lost).

## Why we won
- Technician app and **offline mode** (named in 15 of 24 wins).
- Invoice templates and on-site payment.
- Time to value: most customers live in under two weeks.

## Why we lost
1. Skills-based routing (5 losses, all to Routewise or Vantafield).
2. Service agreements (4 losses, 3 to Tradeloop).
3. Price at the low end (3 losses to Crewlane).

> Every enterprise loss this half mentioned routing or the board's speed.

## Actions
- Route skills and the dispatch board go into the next planning cycle.
- Sales gets a battlecard on Tradeloop's service agreements.""",
        ("Every enterprise loss this half mentioned routing or the board's speed.",),
    ),
    NoteSpec(
        "market",
        "Trade show notes: ServiceWorld Expo 2026",
        150,
        "tomas",
        "",
        "Tomás, Dana",
        """Two days on the floor; 40+ conversations at our booth.

- **Tallyvan** had the busiest small booth: Apple Watch "next job" demo, very slick.
- **Wrenchbase** pitched inventory and purchasing to distributors, not contractors.
- Three visitors asked unprompted about a Spanish technician app.
- Offline mode remains our best demo: we showed airplane mode live at every session.

Overheard at the Crewlane booth: "booking online is table stakes now".""",
    ),
    NoteSpec(
        "market",
        "Tradeloop: service agreements deep dive",
        185,
        "priya",
        "",
        "Priya",
        """Signed up for a Tradeloop trial and built a maintenance plan end to end.

## How it works
1. A plan template defines visits (e.g. spring and fall), included parts and price.
2. Selling a plan to a customer schedules every visit for the term.
3. Members are billed monthly; renewals appear in a worklist 60 days ahead.

## Strengths
- Renewal worklist is excellent.
- Plan revenue report by month.

## Weaknesses
- No skills-based assignment for the generated visits.
- Mobile app is online-only.

Our plans feature should match the scheduling and the renewal worklist at least.""",
    ),
    NoteSpec(
        "market",
        "Analyst briefing: the field-service market",
        260,
        "dana",
        "",
        "Dana, Graham, an industry analyst",
        """Notes from a one-hour briefing with an analyst who covers field-service software.

- The SMB segment consolidates around all-in-one tools with payments built in.
- Enterprise buyers ask for **routing, permissions and audit** before anything else.
- AI scheduling claims are everywhere; buyers are skeptical and ask for reference customers.
- Mobile offline capability is "underrated and hard to copy".

Her advice: pick the segment we want to win in 2027 and say no to the other one's roadmap.""",
    ),
    NoteSpec(
        "market",
        "Crewlane: online booking teardown",
        300,
        "priya",
        "",
        "Priya",
        """Booked a fake appointment through three Crewlane customers' websites.

- Embeddable widget, customer picks a service and an arrival window.
- The business can require approval; most don't.
- Confirmation email and SMS immediately; reminder the day before.

What they skip: no deposit collection, no service-area check (we booked 200 miles away).""",
    ),
    NoteSpec(
        "other",
        "Support escalation review: photo sync",
        45,
        "tomas",
        "",
        "Tomás, support leads",
        """Review of 62 escalated tickets about missing photos since the June release.

- 71% Android, 29% iOS.
- In 48 tickets the device had been offline for more than 20 minutes.
- Median time to resolve: 3 days; 9 customers asked for a credit.

Root cause confirmed by the Mobile team: the upload queue is cleared when the app is
restored from the background with a stale session. Fix scheduled for the next release.""",
    ),
    NoteSpec(
        "other",
        "Sales call debrief: enterprise prospect evaluation",
        90,
        "dana",
        "",
        "Dana, an account executive",
        """A 600-technician HVAC group evaluating us against Vantafield and Routewise.

- They loved the technician app and the customer portal.
- Blockers: permissions per branch, and skills-based routing.
- Security review asked for SSO and an audit log.

> If you can show us branch permissions by the end of the quarter we'll pilot in two
> regions.""",
    ),
)
