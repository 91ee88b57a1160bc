"""The words of the demo's Ship story (lodestar.demo.delivery): the risk register of a
field-service SaaS, the occurred risk's issue, the budgets' notes and cost lines, and the
changelog written for customers. Days are offsets from the build day (negative: past);
releases by their roadmap_text names, features by theme key or title, objectives by title."""

from __future__ import annotations

from typing import NamedTuple


class ActionSpec(NamedTuple):
    title: str
    owner: str  # persona e-mail local part
    due: int  # days from the build day
    done: int | None = None  # days from the build day it was done; None: still to do


class RiskSpec(NamedTuple):
    product: str
    title: str
    category: str
    likelihood: int  # now; `history` says what it was before
    impact: int
    owner: str
    status: str  # open, mitigating, closed, occurred
    created: int  # days from the build day (negative)
    review: int | None  # days from the build day; 0: due today (the reminder)
    description: str
    mitigation: str
    contingency: str
    actions: tuple[ActionSpec, ...]
    features: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    # (days from the build day, who, field, old, new): edits after creation, oldest first
    history: tuple[tuple[int, str, str, object, object], ...] = ()


ARRIVAL = "2026.11 — Arrival-window texts"
BOARD = "2026.11 — Dispatch board for large fleets"
TELEMATICS = "2026.12 — Telematics ingest v2"
SOC2 = "SOC 2 Type II audit"
QUICKBOOKS = "2026.12 — Clean QuickBooks sync"
ROUTES = "2027.01 — Route optimizer beta"
SERVICE_PLANS = "2027.02 — Service plans"
PHOTOS = "Tech 5.4 — Photos that never get lost"
SPANISH = "Tech 5.5 — Acme Tech en español"
GLANCE = "Tech 6.0 — Next job at a glance"

RISKS: tuple[RiskSpec, ...] = (
    RiskSpec(
        "mobile", "Offline sync rewrite depends on one engineer", "people", 4, 4, "tomas",
        "mitigating", -38, 6,
        "The durable photo queue and the new sync engine were designed and mostly written by "
        "one iOS engineer. Nobody else has shipped a change to it, and they are out for two "
        "weeks over the holidays.",
        "Spread the knowledge before the release, not after:\n\n"
        "- pair a second engineer (Android) on every sync change from now on\n"
        "- write down the queue's states and retry rules in the repository\n"
        "- record a 30-minute walkthrough for the on-call rotation",
        "If the engineer is unavailable during the release, freeze sync changes and ship "
        "Tech 5.4 with the queue as it is; fixes wait for Tech 5.4.1.",
        (
            ActionSpec("Write the sync engine's state diagram and retry rules", "tomas", -20, -22),
            ActionSpec("Pair a second engineer on every sync change", "tomas", -3),
            ActionSpec("Record a walkthrough for the on-call rotation", "lena", 9),
        ),
        features=("offline-photos",), releases=(PHOTOS,),
        objectives=("Technicians never lose work in the field",),
        history=((-30, "tomas", "likelihood", 3, 4),
                 (-22, "tomas", "status", "open", "mitigating")),
    ),
    RiskSpec(
        "mobile", "Apple review may delay the iOS release", "schedule", 3, 3, "tomas", "open",
        -26, 4,
        "Tech 5.4 adds background upload, which App Review looked at closely last time (5.2 "
        "was rejected once for the background-mode justification, costing four days).",
        "Submit a build early with the background-mode explanation and a demo video; ask for "
        "an expedited review only if the first submission is rejected.",
        "Release Android first; iOS follows within the week. Tell the affected accounts.",
        (
            ActionSpec("Prepare the App Review notes and demo video", "tomas", 2),
            ActionSpec("Submit a TestFlight build for external review", "tomas", 5),
        ),
        releases=(PHOTOS,),
    ),
    RiskSpec(
        "mobile", "Android 15 background limits stop the photo upload queue", "technical", 4, 5,
        "tomas", "occurred", -64, None,
        "Android 15 tightens what an app may do in the background. Our queue runs as a "
        "background job; the OS may pause it for hours.",
        "Move the upload queue to a foreground service with a visible notification; test on "
        "the Android 15 beta devices in the lab.",
        "Ask technicians to open the app at the end of the day until the fix ships.",
        (
            ActionSpec("Test the queue on the Android 15 devices in the lab", "tomas", -50, -49),
            ActionSpec("Move uploads to a foreground service", "lena", -18, -13),
        ),
        features=("offline-photos",), releases=(PHOTOS,),
        objectives=("Technicians never lose work in the field",),
        history=((-52, "tomas", "likelihood", 2, 4),),
    ),
    RiskSpec(
        "mobile", "Spanish safety checklists not signed off before release", "legal", 2, 4,
        "tomas", "open", -21, 14,
        "Customers use the checklists as a record for their insurers. The translated safety "
        "steps must be reviewed by a native-speaking trade expert before they ship.",
        "Support owns the glossary; a certified reviewer checks every safety checklist "
        "string. The release waits for the sign-off, not the other way round.",
        "Ship the Spanish interface with the safety checklists in English, clearly marked.",
        (
            ActionSpec("Book the certified reviewer for the safety strings", "tomas", -7, -9),
            ActionSpec("Freeze the glossary for the checklist screens", "tomas", 12),
        ),
        features=("spanish-app",), releases=(SPANISH,),
        objectives=("Every technician works in their own language",),
    ),
    RiskSpec(
        "mobile", "Watch complications need an entitlement we do not have", "technical", 1, 2,
        "tomas", "closed", -45, None,
        "The lock-screen next job needs a complication entitlement; we feared a long "
        "approval.",
        "Apply early and build the lock-screen widget first (no entitlement needed).",
        "",
        (ActionSpec("Apply for the entitlement", "tomas", -40, -41),),
        features=("glanceable-next-job",), releases=(GLANCE,),
        history=((-12, "tomas", "status", "open", "closed"),),
    ),
    RiskSpec(
        "web", "Carrier registration may hold up the shared texting numbers", "legal", 4, 4,
        "priya", "mitigating", -47, 3,
        "US carriers must approve the brand and the campaign (10DLC) before the regional "
        "numbers can send arrival texts. Approval has taken 3 to 6 weeks for others.",
        "Register the brand and the three campaigns now; ask the SMS provider's account team "
        "to follow up weekly; keep the copy within the approved templates.",
        "Send the arrival window by email until the numbers are approved; accounts with their "
        "own registered number keep it.",
        (
            ActionSpec("Submit brand and campaign registration", "priya", -40, -41),
            ActionSpec("Weekly follow-up with the SMS provider", "marcus", 2),
            ActionSpec("Build the email fallback for arrival windows", "priya", 8),
        ),
        features=("arrival-texts",), releases=(ARRIVAL,),
        objectives=("Customers always know when the technician will arrive",),
        history=((-33, "priya", "status", "open", "mitigating"),
                 (-9, "priya", "likelihood", 3, 4)),
    ),
    RiskSpec(
        "web", "GDPR DPA renewal for EU customers", "legal", 3, 3, "priya", "open", -16, 0,
        "Our data processing agreement with EU customers renews on 1 January; the new text "
        "must name the telematics sub-processor before the new ingest goes live.",
        "Legal updates the sub-processor list and sends the renewal 30 days ahead; the "
        "telematics ingest stays off for EU accounts until they countersign.",
        "Keep EU accounts on the old ingest until the renewal is signed.",
        (ActionSpec("Send the updated sub-processor list to legal", "priya", 4),),
        features=("Telematics ingest v2",), releases=(TELEMATICS,),
    ),
    RiskSpec(
        "web", "Virtualised board breaks drag-and-drop in Safari", "technical", 3, 4, "priya",
        "mitigating", -33, 10,
        "Rendering only the visible rows changes how drag targets are found; Safari's "
        "pointer events behave differently and a third of dispatchers use Safari on Macs.",
        "Cross-browser drag tests on every build; a beta flag for the 40 largest accounts "
        "before everyone.",
        "Keep the old board one click away for Safari users until the fix lands.",
        (
            ActionSpec("Add Safari to the drag-and-drop test matrix", "lena", -20, -19),
            ActionSpec("Beta flag for the 40 largest accounts", "priya", 6),
        ),
        features=("board-performance",), releases=(BOARD,),
        objectives=("Make the dispatch board fast for large fleets",),
        history=((-19, "priya", "status", "open", "mitigating"),),
    ),
    RiskSpec(
        "web", "Telematics vendor rate limits cap ingest at 200 vehicles per account",
        "technical", 3, 3, "priya", "open", -24, 7,
        "The vendor's webhook plan allows 50 events a second; our largest fleets (400+ "
        "vehicles) would be throttled at peak hours.",
        "Batch positions every 30 seconds instead of per event; negotiate the next tier.",
        "Sample positions for fleets above 200 vehicles until the tier is upgraded.",
        (ActionSpec("Load-test batching with a 400-vehicle replay", "lena", 5),),
        features=("Telematics ingest v2",), releases=(TELEMATICS,),
    ),
    RiskSpec(
        "web", "SOC 2 fieldwork collides with the December change freeze", "schedule", 2, 4,
        "priya", "open", -41, 21,
        "The auditor's fieldwork window overlaps the freeze; evidence for change management "
        "must come from December deploys we will not make.",
        "Agree the sample period with the auditor now; collect evidence from November.",
        "Move fieldwork to January; the report slips two weeks (Enterprise deals are told).",
        (ActionSpec("Agree the sample period with the auditor", "marcus", -10, -12),),
        releases=(SOC2,),
    ),
    RiskSpec(
        "web", "QuickBooks backfill may touch invoices customers already reconciled",
        "technical", 2, 5, "priya", "open", -18, 12,
        "Backfilling our own IDs over 12 months of synced invoices writes to invoices the "
        "bookkeeper has already reconciled.",
        "Backfill in a dry run first, report what would change, and only write the ID field.",
        "Stop the backfill and restore from the sync log (kept 90 days).",
        (ActionSpec("Dry-run the backfill on the five largest accounts", "priya", 9),),
        features=("quickbooks-duplicates",), releases=(QUICKBOOKS,),
        objectives=("Stop billing errors reaching the customer's books",),
    ),
    RiskSpec(
        "web", "Only one engineer knows the accounting sync", "people", 3, 4, "priya", "open",
        -55, 17,
        "The QuickBooks and Xero sync were built by one engineer on Billing & Integrations; "
        "every sync incident this year went to them.",
        "A second engineer takes the next two sync incidents with the first as backup.",
        "Contract the original integration partner for incident cover.",
        (ActionSpec("Rotate sync incidents to a second engineer", "priya", 15),),
        releases=(QUICKBOOKS,),
        history=((-25, "priya", "impact", 3, 4),),
    ),
    RiskSpec(
        "web", "Service plans scope keeps growing", "schedule", 4, 3, "priya", "open", -12, 9,
        "Renewals, proration and price tiers were added in discovery; the estimate was for "
        "plans and recurring visits only.",
        "Cut to plans and visits for the release; renewals and proration in a follow-up.",
        "Move the target by a month and tell the mid-market accounts waiting for it.",
        (ActionSpec("Agree the cut line with Dana", "priya", 3),),
        features=("service-plans",), releases=(SERVICE_PLANS,),
        objectives=("Win and keep mid-market HVAC and plumbing contractors",),
    ),
    RiskSpec(
        "web", "Route-optimisation vendor raises API prices", "budget", 3, 3, "priya", "open",
        -10, 20,
        "The routing engine's vendor announced new per-route prices from March: at beta "
        "volumes our bill would roughly double.",
        "Cache route matrices per day and region; ask for the startup tier.",
        "Evaluate the open-source engine we benchmarked last year.",
        (ActionSpec("Ask the vendor for the startup tier", "priya", 7),),
        features=("multi-day-jobs",), releases=(ROUTES,),
    ),
    RiskSpec(
        "web", "Routewise bundles free arrival texts", "market", 3, 2, "priya", "open", -8, 25,
        "Our largest competitor now includes arrival texts in every plan; we planned them as "
        "a paid add-on.",
        "Include arrival texts in Growth and Enterprise; keep the paid add-on for Starter.",
        "",
        (ActionSpec("Pricing proposal to Dana", "priya", 10),),
        features=("arrival-texts",),
        objectives=("Win and keep mid-market HVAC and plumbing contractors",),
    ),
    RiskSpec(
        "web", "Load-test environment costs more than planned", "budget", 2, 2, "priya",
        "closed", -70, None,
        "The 400-technician load tests needed a larger environment than budgeted.",
        "Run it only during test windows; tear it down by script.",
        "",
        (ActionSpec("Schedule the environment's teardown", "lena", -60, -61),),
        releases=(BOARD,),
        history=((-40, "priya", "status", "open", "closed"),),
    ),
)  # fmt: skip

# The risk that occurred: (title, impact, severity, occurred, resolution, resolved)
ISSUE = (
    "Photo uploads paused for hours on Android 15",
    "On Android 15 devices the upload queue paused whenever the app was in the background: "
    "about 1,200 photos from 86 accounts arrived up to 9 hours late and 31 support tickets "
    "were opened. No photo was lost.",
    4,
    -19,
    "Hotfix 5.3.2 moved the queue to a foreground service with a visible notification; "
    "support replied to every ticket with the fix. Android 15 is now in the test matrix.",
    -12,
)

# Budgets: planned_override and note per release (others use effort x team cost).
OVERRIDES = {
    SOC2: ("64000", "Auditor's fee and readiness tooling: the milestone has no features."),
    PHOTOS: ("150000", "Agreed with finance for Q4, including the device lab."),
    SERVICE_PLANS: ("200000", "Capped by the board at the Q4 review; renewals come later."),
}
# Actual cost so far as a share of plan: a release under way spends with time elapsed,
# times this; a shipped one ends at this share of its plan. The board work is ~20 % over.
SPEND = {BOARD: 1.2, "2026.09 — Office roles by branch": 1.04}
CONTRACTORS = {
    BOARD: "Rendering performance contractor (board virtualisation)",
    TELEMATICS: "Data-pipeline contractor (ingest service)",
    PHOTOS: "Android background-work specialist",
    ARRIVAL: "SMS copywriting and carrier registration consultant",
    "2026.08 — Skills-based routing": "Routing-engine integration contractor",
    "Tech 5.3 — Truck inventory": "Barcode-scanning SDK integration",
}
INFRASTRUCTURE = (
    "Load-test environment",
    "Staging cluster and CI minutes",
    "Device lab cloud time",
    "Message queue and storage",
)
LICENCES = (
    "Error and performance monitoring seats",
    "SMS sandbox numbers",
    "Design tool seats",
    "Feature-flag service",
)

# Changelog: (product, title, the release it announces, the features it links (theme keys),
# body, published: days after the release; None: a draft of the small things shipped and
# announced nowhere yet, linking them)
CHANGELOG = (
    ("web", "Skills-based routing: the right technician, first time",
     "2026.08 — Skills-based routing", ("route-skills",),
     "The route optimizer now respects **technician skills and certifications**.\n\n"
     "- Tag technicians with skills (gas certified, commercial refrigeration, backflow "
     "testing) and jobs with what they need.\n"
     "- The optimizer only proposes a technician who has every required skill, and tells "
     "you why when nobody fits.\n"
     "- Compare a day's routes with and without skill requirements before you commit.\n\n"
     "Thank you to the many of you who voted for this on the ideas portal.", 1),
    ("web", "Office roles by branch", "2026.09 — Office roles by branch",
     ("office-permissions",),
     "Multi-branch companies can now give office staff access **per branch**.\n\n"
     "- A dispatcher in Austin sees and schedules Austin's jobs and technicians only.\n"
     "- Billing staff can invoice across branches without seeing payroll.\n"
     "- Owners and admins keep the whole picture.\n\n"
     "Set it up under *Settings → Team → Roles*.", 2),
    ("mobile", "Parts inventory on the truck", "Tech 5.3 — Truck inventory",
     ("truck-inventory",),
     "Acme Tech 5.3 knows what is on each truck.\n\n"
     "- Scan parts in and out with the phone's camera.\n"
     "- Parts used on a job are added to the invoice and taken off the truck's stock.\n"
     "- The office sees low stock per truck before the technician leaves in the morning.\n\n"
     "Update from the App Store or Google Play.", 1),
    ("web", "QuickBooks sync fixes", "2026.06 — QuickBooks sync hotfixes", (),
     "A round of fixes to the QuickBooks Online sync.\n\n"
     "- Edited invoices no longer fail to sync when a line item was deleted.\n"
     "- Tax rates with more than two decimals now match QuickBooks exactly.\n"
     "- The sync log says which invoice failed and why.\n\n"
     "More is coming: we are reworking how invoices are matched so duplicates cannot "
     "happen.", 3),
    ("web", "Small improvements this month", None, (),
     "A few smaller things that shipped recently:\n\n"
     "{features}\n\n"
     "*Draft: check the wording with support before publishing.*", None),
)  # fmt: skip
