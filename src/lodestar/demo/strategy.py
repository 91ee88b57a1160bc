"""The demo's strategy: a vision per product, objectives over two quarters (the last one,
done, and the current one, under way: written for 2026-Q3 and 2026-Q4 and moved to the build
day's quarter by lodestar.demo.clock) with key results and weekly check-ins, linked to the
theme features, and a decision log whose evidence is the customers' own insights.
Deterministic for a seed and a day; the same rows for both sizes (a strategy is a handful of
objectives, not thousands)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from lodestar.activity.services import activity_record
from lodestar.demo.clock import Clock
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.people import EMAIL_DOMAIN
from lodestar.feedback.models import Insight
from lodestar.planning.models import Feature
from lodestar.strategy import services
from lodestar.strategy.models import KeyResultCheckin, ObjectiveFeature
from lodestar.workspaces.models import Membership, Product, Workspace

VISIONS = {
    "web": "Every field-service company, from a three-truck plumber to a 400-technician HVAC "
    "contractor, runs its whole day from **one dispatch board** that stays fast, keeps the "
    "customer informed and gets every job invoiced correctly the same day.\n\n"
    "We win when the office stops using spreadsheets and phone calls to fill the gaps.",
    "mobile": "A technician's phone is the only tool they need besides their van: today's "
    "jobs, the parts on the truck, the customer's history — in their language, with or "
    "without signal. **Nothing a technician records is ever lost.**",
}

# (product, period, title, owner local part, status, weight, description, theme keys,
#  key results: (metric, unit, baseline, target, current, due))
OBJECTIVES = [
    (
        "web",
        "2026-Q3",
        "Make the dispatch board fast for large fleets",
        "priya",
        "missed",
        5,
        "Mid-market and enterprise dispatchers wait seconds for the board every Monday "
        "morning; three renewals named it as the reason they are looking at Routewise.",
        ["board-performance", "route-skills"],
        [
            ("Board load time with 100 technicians", "ms", "6200", "1500", "1900", "2026-09-30"),
            (
                "Enterprise accounts flagging board speed as churn risk",
                "accounts",
                "14",
                "4",
                "6",
                "2026-09-30",
            ),
        ],
    ),
    (
        "mobile",
        "2026-Q3",
        "Technicians never lose work in the field",
        "tomas",
        "achieved",
        4,
        "Photos and signatures taken without signal must reach the office, every time.",
        ["offline-photos", "truck-inventory"],
        [
            ("Jobs with photos lost on reconnect", "%", "3.1", "0.2", "0.15", "2026-09-30"),
            ("Acme Tech app store rating", "stars", "3.6", "4.4", "4.4", "2026-09-30"),
        ],
    ),
    (
        "web",
        "2026-Q4",
        "Win and keep mid-market HVAC and plumbing contractors",
        "priya",
        "on_track",
        5,
        "Maintenance agreements are how these contractors earn in the off-season; without "
        "them in Acme Dispatch they keep a second tool, and leave us at renewal.",
        ["service-plans", "multi-day-jobs", "job-costing"],
        [
            ("Net revenue retention, mid-market", "%", "98", "108", "101", "2026-12-31"),
            ("Accounts running service plans in Acme", "accounts", "0", "400", "120", "2026-12-31"),
        ],
    ),
    (
        "web",
        "2026-Q4",
        "Stop billing errors reaching the customer's books",
        "priya",
        "at_risk",
        4,
        "Duplicate invoices from the QuickBooks sync cost our customers' bookkeepers hours a "
        "week, and us the trust of the owner who signs the renewal.",
        ["quickbooks-duplicates"],
        [
            ("Duplicate invoices per 1,000 synced", "", "7.5", "0.5", "2.2", "2026-12-15"),
            ("Billing support tickets per week", "tickets", "85", "30", "52", "2026-12-31"),
        ],
    ),
    (
        "web",
        "2026-Q4",
        "Customers always know when the technician will arrive",
        "priya",
        "on_track",
        3,
        "Homeowners call the office to ask where the technician is; every call is a "
        "dispatcher not dispatching.",
        ["arrival-texts", "online-booking", "google-calendar"],
        [
            ("Jobs with an arrival text sent", "%", "0", "70", "18", "2026-12-31"),
            ("“Where is my tech” calls per 100 jobs", "calls", "9", "3", "7.4", "2026-12-31"),
        ],
    ),
    (
        "mobile",
        "2026-Q4",
        "Every technician works in their own language",
        "tomas",
        "at_risk",
        2,
        "A third of the technicians at our Texas and California accounts read Spanish first; "
        "safety checklists in English are a liability for their employers.",
        ["spanish-app", "glanceable-next-job"],
        [("Technicians using the Spanish interface", "techs", "0", "1500", "240", "2026-12-31")],
    ),
]

# (title, status, decided on, deciders, theme keys, objective index, context, options,
#  outcome, rationale, superseded by (index into this list) or None)
DECISIONS = [
    ("Virtualize the dispatch board instead of paging technicians", "accepted", "2026-07-14",
     ["priya", "lena"], ["board-performance"], 0,
     "The board renders every technician's row and every job card at once. Above ~50 "
     "technicians it takes 4 to 6 seconds to load and stutters when dragging a job.",
     "1. **Page the technicians** (25 per page) — cheap, but dispatchers lose the overview.\n"
     "2. **Virtualize the rows** — render only what is on screen; two sprints.\n"
     "3. **A separate 'large fleet' board** — a second UI to maintain.",
     "Virtualize the rows and load jobs per visible day.",
     "Dispatchers told us the overview *is* the product (see the insights); paging would "
     "trade one complaint for another. Virtualizing keeps one board for every size.", None),
    ("Queue photos on the device and upload them in the background", "accepted", "2026-07-02",
     ["tomas", "lena"], ["offline-photos"], 1,
     "Photos taken without signal are sometimes dropped when the app reconnects.",
     "1. Block closing a job until photos upload.\n2. A durable on-device queue with retries.",
     "A durable queue, with a visible 'waiting to upload' count on the job.",
     "Blocking the job close strands technicians in basements; the queue never loses work "
     "and shows the office what is still on its way.", None),
    ("Build service plans in Acme Dispatch rather than integrate a billing add-on",
     "accepted", "2026-10-06", ["priya", "dana"], ["service-plans"], 2,
     "Contractors run maintenance agreements in spreadsheets or a separate tool.",
     "1. Integrate a subscription-billing add-on.\n2. Build plans, visits and renewals in "
     "Dispatch.",
     "Build them in Dispatch: plans generate the recurring visits on the board.",
     "The value is the visits appearing on the board, which an add-on cannot do; the "
     "mid-market accounts asking hold the largest share of ARR at stake.", None),
    ("Match QuickBooks invoices by our own ID, not by number and amount", "accepted",
     "2026-10-13", ["priya", "lena"], ["quickbooks-duplicates"], 3,
     "The sync creates a second invoice when an invoice is edited after its first sync.",
     "1. Keep matching on number + amount and warn on edits.\n2. Store our invoice ID in a "
     "QuickBooks custom field and match on it.",
     "Match on our ID; backfill it for the last 12 months of synced invoices.",
     "Warnings still leave the bookkeeper to clean up; matching on an ID we own removes the "
     "cause.", None),
    ("Send arrival texts from one shared number per region", "accepted", "2026-10-20",
     ["priya", "marcus"], ["arrival-texts"], 4,
     "Per-account phone numbers need registration that takes weeks per customer.",
     "1. A number per account.\n2. Shared regional numbers with the company name in the text.",
     "Shared regional numbers; a dedicated number stays an Enterprise option.",
     "Most accounts want texts this quarter, not after weeks of paperwork.", None),
    ("Translate the technician app with community volunteers", "superseded", "2026-08-05",
     ["tomas"], ["spanish-app"], 5,
     "Customers offered to translate the technician app into Spanish.",
     "1. Volunteer translations.\n2. Professional translation with a glossary.",
     "Volunteers translate; support reviews.",
     "Fast and free — superseded when the first safety checklists came back inconsistent.",
     6),
    ("Translate the technician app professionally, with a field glossary", "accepted",
     "2026-10-28", ["tomas", "dana"], ["spanish-app"], 5,
     "Volunteer translations of safety checklists were inconsistent between screens.",
     "1. Keep volunteers and add review.\n2. A professional translator and a glossary "
     "owned by support.",
     "Professional translation; support owns the glossary of trade terms.",
     "Checklists are a legal document for our customers; they must read the same everywhere.",
     None),
    ("Hold Google Calendar two-way sync until arrival texts ship", "proposed", None,
     ["priya"], ["google-calendar", "arrival-texts"], 4,
     "Both are asked for by small contractors; the same team would build them.",
     "1. Calendar sync first.\n2. Arrival texts first.",
     "",
     "Arrival texts reduce office calls for every account; calendar sync helps owners who "
     "still schedule from their phone. To confirm with the Q4 numbers.", None),
]  # fmt: skip


def _checkins(rng: random.Random, kr, start: date, end: date, by) -> list[KeyResultCheckin]:
    """Weekly values from the baseline towards the current value, with some noise."""
    weeks = max(1, (end - start).days // 7)
    rows = []
    span = kr.current - kr.baseline
    for week in range(weeks + 1):
        share = Decimal(week) / Decimal(weeks)
        noise = Decimal(str(round(rng.uniform(-0.06, 0.06), 3))) * span if 0 < week < weeks else 0
        value = (kr.baseline + span * share + noise).quantize(Decimal("0.01"))
        day = start + timedelta(days=7 * week)
        at = datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)
        rows.append(KeyResultCheckin(key_result=kr, value=value, at=at, by=by))
    return rows


def _quarter(period: str) -> tuple[date, date]:
    year, q = int(period[:4]), int(period[-1])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def build_strategy(
    rng: random.Random,
    workspace: Workspace,
    members: list[Membership],
    now: datetime,
    report: Callable[[str, int, int], None],
) -> None:
    by_local = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(
            workspace=workspace, user__email__endswith="@" + EMAIL_DOMAIN
        ).select_related("user")
    }
    pm = by_local.get("priya") or members[0]
    actor = pm.user
    clock = Clock(now)
    for each in Product.objects.filter(workspace=workspace, key__in=VISIONS):
        services.vision_set(product=each, actor=actor, statement=VISIONS[each.key])
    titles = {theme.key: theme.title for theme in THEMES}
    features = {
        f.title: f for f in Feature.objects.filter(workspace=workspace, title__in=titles.values())
    }
    objectives = []
    checkins: list[KeyResultCheckin] = []
    links = []
    for product, period, title, owner, status, weight, text, themes, krs in OBJECTIVES:
        owner_m = by_local.get(owner)
        objective = services.objective_create(
            workspace=workspace, actor=actor, product_key=product, period=clock.period(period),
            title=title,
            status=status, weight=weight, description=text,
            owner_key=owner_m.key if owner_m else "",
        )  # fmt: skip
        objectives.append(objective)
        start, end = _quarter(clock.period(period))
        end = min(end, now.date())
        for metric, unit, baseline, target, current, due in krs:
            kr = services.key_result_create(
                objective=objective, actor=actor, metric=metric, unit=unit,
                baseline=baseline, target=target, due_date=clock.quarter_day(due),
            )  # fmt: skip
            kr.checkins.all().delete()  # replaced by the back-dated weekly history
            kr.current = Decimal(current)
            kr.save(update_fields=["current"])
            checkins += _checkins(rng, kr, start, end, owner_m.user if owner_m else actor)
        for key in themes:
            feature = features.get(titles.get(key, ""))
            if feature is not None:
                links.append(ObjectiveFeature(objective=objective, feature=feature))
    KeyResultCheckin.objects.bulk_create(checkins)
    ObjectiveFeature.objects.bulk_create(links)
    report("objectives", len(objectives), len(objectives))
    made = []
    for title, status, decided_on, deciders, themes, objective_index, context, options, \
            outcome, rationale, _newer in DECISIONS:  # fmt: skip
        chosen = [features[titles[k]] for k in themes if titles.get(k) in features]
        evidence = list(
            Insight.objects.filter(feature__in=chosen)
            .order_by("-importance", "pk")
            .values_list("key", flat=True)[:3]
        )
        made.append(
            services.decision_create(
                workspace=workspace,
                actor=actor,
                title=title,
                status="accepted" if status == "superseded" else status,
                decided_on=clock.day(decided_on),
                context=context,
                options=options,
                outcome=outcome,
                rationale=rationale,
                product_key=objectives[objective_index].product.key,
                decider_keys=[by_local[d].key for d in deciders if d in by_local],
                feature_titles=[f.title for f in chosen],
                objective_keys=[objectives[objective_index].key],
                insight_keys=evidence,
            )
        )
    for decision, row in zip(made, DECISIONS, strict=True):
        if row[-1] is not None:
            services.decision_update(
                decision=decision, actor=actor, superseded_by_key=made[row[-1]].key
            )
    report("decisions", len(made), len(made))
    activity_record(
        workspace=workspace,
        actor=actor,
        verb="planned",
        target_type="strategy",
        target_label=f"{len(objectives)} objectives over "
        f"{clock.period('2026-Q3')} and {clock.period('2026-Q4')}",
        changes={"key results": [None, sum(len(o[-1]) for o in OBJECTIVES)],
                 "decisions": [None, len(made)]},
    )  # fmt: skip
