"""The words of the demo roadmap (data for lodestar.demo.roadmap): the releases and
milestones of Acme's two products, the user stories of the main features in the customers'
own language, and the phrasings the generated releases and stories are built from."""

from __future__ import annotations

from typing import NamedTuple


class ReleaseSpec(NamedTuple):
    product: str  # web or mobile
    team: int  # index into lodestar.demo.people.TEAMS
    kind: str  # release or milestone
    name: str
    start: str | None  # ISO date; None for a milestone
    target: str
    status: str  # planned, in_progress, released, cancelled
    released_on: str | None
    owner: str  # persona e-mail local part
    goal: str
    features: tuple[str, ...]  # theme keys or titles of EXTRA_FEATURES


# The story the small demo tells; the large demo adds generated releases beside it.
RELEASES: tuple[ReleaseSpec, ...] = (
    ReleaseSpec("web", 3, "release", "2026.06 — QuickBooks sync hotfixes", "2026-05-18",
        "2026-06-19", "released", "2026-06-30", "priya",
        "Stop the bleeding after Intuit's API change in March: **no invoice synced twice** "
        "for customers on the new QuickBooks Online API.\n\n- Retry with idempotency keys\n"
        "- A sync error list the bookkeeper can act on", ()),
    ReleaseSpec("web", 0, "release", "2026.08 — Skills-based routing", "2026-06-08",
        "2026-08-14", "released", "2026-08-14", "priya",
        "The route optimizer sends **the right technician**: skills and certifications are "
        "respected, so no more repeat visits because the wrong tech showed up.",
        ("route-skills",)),
    ReleaseSpec("web", 2, "release", "2026.09 — Office roles by branch", "2026-07-27",
        "2026-09-18", "released", "2026-10-02", "lena",
        "Enterprise customers can limit office staff to **their own branch**: the blocker "
        "in three enterprise deals last quarter.", ("office-permissions",)),
    ReleaseSpec("web", 3, "release", "2026.10 — Xero sync", "2026-09-07", "2026-10-30",
        "cancelled", None, "priya",
        "Two-way sync with Xero for our customers in Australia and the UK.\n\n"
        "*Cancelled in September:* the QuickBooks duplicates come first; Xero waits for "
        "the new sync engine.", ()),
    ReleaseSpec("web", 0, "release", "2026.11 — Dispatch board for large fleets",
        "2026-09-21", "2026-11-27", "in_progress", None, "priya",
        "Monday mornings at 7 a.m. the board must load in **under 1.5 seconds with 100 "
        "technicians**. Mid-market dispatchers should never again wait for the board.",
        ("board-performance",)),
    ReleaseSpec("web", 4, "release", "2026.11 — Arrival-window texts", "2026-10-05",
        "2026-11-20", "in_progress", None, "priya",
        "Homeowners get a text with the arrival window and an *on my way* message, so they "
        "stop calling the office to ask where the technician is.", ("arrival-texts",)),
    ReleaseSpec("web", 2, "release", "2026.12 — Telematics ingest v2", "2026-10-12",
        "2026-12-11", "in_progress", None, "lena",
        "Read GPS and engine data from the trucks every 30 seconds instead of every 5 "
        "minutes: live positions on the board, and the base for predictive maintenance.",
        ("Telematics ingest v2",)),
    ReleaseSpec("web", 2, "milestone", "SOC 2 Type II audit", None, "2026-12-15",
        "in_progress", None, "marcus",
        "The auditors' fieldwork ends on this date. Enterprise prospects ask for the report "
        "in every security review.", ()),
    ReleaseSpec("web", 3, "release", "2026.12 — Clean QuickBooks sync", "2026-11-16",
        "2026-12-18", "planned", None, "priya",
        "**Zero duplicate invoices** per 1,000 synced: the sync engine rewritten around "
        "QuickBooks' own ids, with a preview before anything is sent.",
        ("quickbooks-duplicates",)),
    ReleaseSpec("web", 0, "release", "2027.01 — Route optimizer beta", "2026-11-30",
        "2027-01-29", "planned", None, "priya",
        "Re-optimize the day's routes around emergencies and jobs that run long, for the "
        "beta group of 40 mid-market customers.", ("multi-day-jobs",)),
    ReleaseSpec("web", 4, "release", "2027.01 — Online booking", "2026-11-09",
        "2027-01-29", "planned", None, "priya",
        "Homeowners book a visit from the customer portal, into a slot a technician "
        "really has free.", ("online-booking",)),
    ReleaseSpec("web", 2, "milestone", "Public API GA", None, "2027-02-01", "planned", None,
        "lena",
        "Version 2 of the public API leaves beta: stable, documented, with webhooks for "
        "job events. Partners have waited for it since spring.", ("Public API v2",)),
    ReleaseSpec("web", 3, "release", "2027.02 — Service plans", "2027-01-04", "2027-02-26",
        "planned", None, "priya",
        "Maintenance agreements in Acme Dispatch: plans, visits scheduled automatically, "
        "monthly billing. HVAC and pool-service firms can drop their spreadsheets.",
        ("service-plans",)),
    ReleaseSpec("web", 2, "release", "2027.03 — Google Calendar two-way sync",
        "2027-02-01", "2027-03-26", "planned", None, "lena",
        "Technicians' personal appointments block their time on the board, and jobs show "
        "up in their Google Calendar.", ("google-calendar",)),
    ReleaseSpec("web", 0, "release", "2027.04 — Predictive maintenance alerts",
        "2027-02-15", "2027-04-16", "planned", None, "priya",
        "Tell the office before a truck breaks down: alerts from engine data, a service "
        "visit booked before the breakdown.", ("Predictive maintenance alerts",)),
    ReleaseSpec("mobile", 1, "release", "Tech 5.2 — Photo sync hardening", "2026-05-04",
        "2026-06-12", "released", "2026-06-24", "tomas",
        "A new upload queue for photos and signatures.\n\n*Shipped late, and made the "
        "offline photo bug more common on Android: see Tech 5.4.*", ()),
    ReleaseSpec("mobile", 1, "release", "Tech 5.3 — Truck inventory", "2026-06-22",
        "2026-09-04", "released", "2026-09-11", "tomas",
        "Technicians see the parts on their truck and use them on the job; the office sees "
        "what to restock.", ("truck-inventory",)),
    ReleaseSpec("mobile", 1, "release", "Tech 5.4 — Photos that never get lost",
        "2026-09-14", "2026-11-13", "in_progress", None, "tomas",
        "**Nothing a technician records is ever lost**: every photo taken offline reaches "
        "the office, and the technician can see what is still waiting to upload.",
        ("offline-photos",)),
    ReleaseSpec("mobile", 1, "release", "Tech 5.5 — Acme Tech en español", "2026-11-16",
        "2027-01-15", "planned", None, "tomas",
        "The whole technician app in Spanish, chosen per technician: crews in Texas, "
        "Florida and Arizona work in their own language.", ("spanish-app",)),
    ReleaseSpec("mobile", 1, "release", "Tech 6.0 — Next job at a glance", "2027-01-18",
        "2027-03-19", "planned", None, "tomas",
        "The next job on the lock screen and the watch: address, time window, and one tap "
        "to say *on my way*.", ("glanceable-next-job",)),
)  # fmt: skip

# Features the roadmap story needs beside the feedback themes: (title, product, status,
# owner local part, description).
EXTRA_FEATURES = (
    ("Telematics ingest v2", "web", "in_progress", "lena",
     "Ingest GPS and engine (OBD-II) data from the fleet's telematics providers every 30 "
     "seconds, through one pipeline instead of one per provider."),
    ("Predictive maintenance alerts", "web", "planned", "priya",
     "Warn the office when a truck's engine data says it needs service, before it breaks "
     "down on the way to a job."),
    ("Public API v2", "web", "planned", "lena",
     "The stable public API: jobs, customers, invoices and technicians, with webhooks for "
     "job events and OAuth for partner apps."),
)  # fmt: skip

# The features' new place on the roadmap: status of the themes the releases carry.
THEME_STATUS = {
    "route-skills": "shipped",
    "office-permissions": "shipped",
    "truck-inventory": "shipped",
    "board-performance": "in_progress",
    "arrival-texts": "in_progress",
    "offline-photos": "in_progress",
    "quickbooks-duplicates": "planned",
    "multi-day-jobs": "planned",
    "online-booking": "planned",
    "service-plans": "planned",
    "google-calendar": "planned",
    "spanish-app": "planned",
    "glanceable-next-job": "planned",
    "job-costing": "under_consideration",
}

# (blocker, blocked): theme keys or extra titles. The last one is the warning case: online
# booking is scheduled in January, the calendar sync it depends on in March.
DEPENDENCIES = (
    ("Telematics ingest v2", "Predictive maintenance alerts"),
    ("quickbooks-duplicates", "service-plans"),
    ("Public API v2", "google-calendar"),
    ("board-performance", "multi-day-jobs"),
    ("offline-photos", "glanceable-next-job"),
    ("google-calendar", "online-booking"),
)

# What a feature is for, as "I want to …" (theme keys and extra titles): stories of features
# without hand-written ones are built from it.
ACTIONS = {
    "offline-photos": "keep every photo I take offline",
    "service-plans": "sell and schedule maintenance agreements",
    "quickbooks-duplicates": "sync invoices to QuickBooks exactly once",
    "route-skills": "have routes respect each technician's skills",
    "arrival-texts": "text customers their arrival window",
    "truck-inventory": "see and use the parts on my truck",
    "spanish-app": "use the technician app in Spanish",
    "board-performance": "load the dispatch board fast with 100 technicians",
    "multi-day-jobs": "schedule a job across several days",
    "online-booking": "let homeowners book a visit online",
    "glanceable-next-job": "see my next job on the lock screen",
    "office-permissions": "limit office staff to their own branch",
    "job-costing": "see the margin of every job by technician",
    "google-calendar": "sync jobs with Google Calendar both ways",
    "Telematics ingest v2": "see live truck positions and engine data",
    "Predictive maintenance alerts": "know which truck needs service before it breaks down",
    "Public API v2": "connect our other tools through a stable API",
}

# Hand-written stories of the features the small demo shows first: (title, as a, I want,
# so that, acceptance criteria).
Story = tuple[str, str, str, str, tuple[str, ...]]
STORIES: dict[str, tuple[Story, ...]] = {
    "offline-photos": (
        ("Queue photos taken without signal", "technician",
         "photos I take in a basement to wait on the phone until there is signal",
         "the before-and-after pictures reach the office every time",
         ("A photo taken in airplane mode is still on the job after reconnecting",
          "The queue survives the app being closed", "Works on Android 12 and later")),
        ("Show what is still waiting to upload", "technician",
         "to see which photos of the job have not reached the office yet",
         "I don't leave the site without knowing",
         ("A badge shows the number of photos waiting",
          "Each photo shows uploaded, waiting or failed")),
        ("Retry uploads in the background", "lead technician",
         "uploads to retry by themselves when the signal comes back",
         "my crew doesn't have to open the app again in the truck",
         ("Retries with back-off for 24 hours", "A failed upload is reported to the office",
          "Battery use stays under 2% an hour")),
        ("Warn the office about jobs with missing photos", "office manager",
         "to see which closed jobs are still missing photos",
         "I can call the technician before the customer disputes the invoice",
         ("A filter on the job list: photos missing", "The warning disappears once all "
          "photos arrived")),
    ),
    "board-performance": (
        ("Load only the visible day on the board", "dispatcher",
         "the board to load today's jobs first and the rest of the week after",
         "I can start dispatching at 7 a.m. without waiting",
         ("Board with 100 technicians loads in under 1.5 s",
          "Scrolling to another day loads it in under 300 ms")),
        ("Collapse idle technician lanes", "dispatcher",
         "to collapse the lanes of technicians with no jobs today",
         "I see the whole crew on one screen",
         ("Collapsed lanes are remembered per dispatcher", "A count of hidden lanes is shown")),
        ("Move a job without reloading the board", "dispatcher",
         "a job I drag to another technician to move instantly",
         "I'm not stuck watching a spinner while the phone rings",
         ("The move is saved in under 200 ms", "Other dispatchers see it within 5 s",
          "A failed move puts the card back with a message")),
        ("Search jobs by customer phone on the board", "dispatcher",
         "to find a job by the caller's phone number",
         "I can answer 'where is my tech' while the customer is on the line",
         ("Matches numbers typed with or without dashes", "Shows at most 20 results")),
    ),
    "arrival-texts": (
        ("Text the arrival window the evening before", "office manager",
         "customers to get a text with tomorrow's arrival window",
         "they are home when the technician arrives",
         ("Sent at 6 p.m. in the customer's time zone", "Not sent to customers who opted out",
          "The text names the company, not Acme")),
        ("Send 'on my way' with one tap", "technician",
         "to tell the customer I'm on my way with one tap",
         "they don't call the office to ask",
         ("The text includes an arrival estimate", "Works from the job's screen offline "
          "(sent on reconnect)")),
        ("Let customers reply to reschedule", "dispatcher",
         "customers' replies to the arrival text to reach the dispatch board",
         "a 'can you come later' does not get lost",
         ("Replies show on the job card", "The dispatcher is notified within a minute")),
    ),
    "Telematics ingest v2": (
        ("One ingest pipeline for every telematics provider", "fleet manager",
         "GPS and engine data from Samsara and Geotab in one place",
         "I don't check two portals to find a truck",
         ("Positions from both providers arrive within 30 s",
          "A provider outage does not stop the other one")),
        ("Live truck positions on the dispatch board", "dispatcher",
         "to see each truck's live position on the board's map",
         "I send the nearest technician to an emergency",
         ("Positions refresh every 30 s", "A truck without data for 10 minutes is greyed out")),
        ("Store engine fault codes", "fleet manager",
         "the trucks' engine fault codes stored with their time",
         "we can predict maintenance later",
         ("Fault codes kept for 13 months", "Duplicates from retries are dropped")),
    ),
    "quickbooks-duplicates": (
        ("Match invoices by QuickBooks id", "bookkeeper",
         "an invoice synced twice to update the first one instead of creating another",
         "I stop deleting duplicates every Friday",
         ("Re-sending an invoice updates it in QuickBooks", "Covered by a test against the "
          "QuickBooks sandbox")),
        ("Preview invoices before sending to QuickBooks", "bookkeeper",
         "to see what the sync will create or change before it runs",
         "nothing surprising lands in our books",
         ("Preview lists new and changed invoices", "Nothing is sent until I confirm")),
        ("List sync errors the office can fix", "office manager",
         "a list of invoices that failed to sync, with the reason in plain words",
         "I fix them without calling support",
         ("Each error links to the invoice", "Errors fixed are removed from the list")),
    ),
    "service-plans": (
        ("Create a maintenance plan", "office manager",
         "to set up a plan with visits, included parts and a price",
         "we sell maintenance agreements from Acme",
         ("A plan has a name, a price and visits per year", "Plans can be archived")),
        ("Schedule plan visits automatically", "dispatcher",
         "the visits of every plan to appear as unscheduled jobs a month ahead",
         "no tune-up is forgotten",
         ("Visits appear 30 days before their due date", "Skipped visits are reported")),
        ("Bill plans monthly", "bookkeeper",
         "plan members to be invoiced every month",
         "the recurring revenue arrives without manual invoices",
         ("Invoices are created on the plan's billing day", "Synced to QuickBooks once")),
    ),
    "online-booking": (
        ("Book a visit from the customer portal", "homeowner",
         "to pick a service and a time slot online",
         "I don't have to call during office hours",
         ("Only slots a technician has free are offered", "The booking shows on the board")),
        ("Confirm bookings by text", "office manager",
         "customers to get a confirmation text when they book",
         "they know we received the booking",
         ("Sent within a minute", "Includes a link to cancel")),
    ),
    "spanish-app": (
        ("Choose the app's language per technician", "technician",
         "to use Acme Tech in Spanish", "I understand every screen on the first read",
         ("Language is set in the profile", "All screens translated",
          "Dates and numbers use the chosen language")),
        ("Translate checklists", "field supervisor",
         "our checklists to show in each technician's language",
         "safety steps are never skipped for lack of English",
         ("A checklist can have a Spanish version", "Falls back to English when missing")),
    ),
}  # fmt: skip

# Generic slices of a feature into stories: (title suffix, "I want …" suffix, so that).
SLICES = (
    ("the basic flow", "", "{benefit}"),
    ("edge cases and errors", ", with a clear message when something goes wrong",
     "I know what to do instead of calling support"),
    ("settings per branch", ", set per branch", "each branch works its own way"),
    ("bulk action", " for many jobs at once", "I don't repeat it fifty times on Monday"),
    ("in reports", " and see it in the weekly report", "the owner sees the difference"),
    ("audit trail", " and see who changed what", "we can answer a customer's dispute"),
    ("performance at 100 technicians", " even with 100 technicians",
     "the biggest customers are not left waiting"),
    ("API and webhooks", " through the API", "our other tools stay in step"),
    ("help and in-app tip", " and find help where I need it",
     "new staff learn it without training"),
)  # fmt: skip
ROLES = {
    "web": ("dispatcher", "office manager", "owner", "bookkeeper", "service manager"),
    "mobile": ("technician", "lead technician", "field supervisor"),
}
BENEFITS = {
    "dispatcher": "I spend my morning dispatching, not hunting for information",
    "office manager": "the office runs without spreadsheets on the side",
    "owner": "I know the business is running well without asking",
    "bookkeeper": "the books are right the first time",
    "service manager": "my technicians are where they should be",
    "technician": "I finish the job and get to the next one on time",
    "lead technician": "my crew doesn't lose time in the field",
    "field supervisor": "every job is done the same, safe way",
    "homeowner": "I get service without phone tag",
    "fleet manager": "our trucks stay on the road",
}
CRITERIA = {
    "web": (
        "Works for a workspace with 100 technicians",
        "Shows a clear message when it fails",
        "Recorded in the job's history",
        "Covered by an automated test",
        "Usable with the keyboard only",
        "Available in the API",
        "Help article updated",
        "Works in the three supported browsers",
    ),
    "mobile": (
        "Works offline and syncs on reconnect",
        "Works on iOS 16 and Android 12 and later",
        "Usable with gloves: buttons at least 48 px",
        "Shows a clear message when it fails",
        "Covered by an automated test",
        "Readable in bright sunlight (contrast checked)",
        "Battery use measured on a full shift",
    ),
}

# Generated releases of the large demo: what a squad's release is about.
RELEASE_THEMES = (
    "faster for large fleets", "fewer clicks for the office", "enterprise readiness",
    "the first beta customers", "the general release", "the Spanish-speaking crews",
    "cleaner data", "mobile parity", "the self-serve tier", "reliability",
    "the partner integrations", "the seasonal peak",
)  # fmt: skip
GOAL_BULLETS = (
    "Measured before and after on the ten largest customers",
    "Beta with five customers first",
    "Support trained before the release",
    "Release notes in the product and by e-mail",
    "Feature flag per workspace",
    "No change for customers who don't opt in",
)  # fmt: skip
