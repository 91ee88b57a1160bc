"""What Acme's customers write on the ideas portal (data for lodestar.demo.ideas): the big
asks, one per feedback theme, the pieces of the long tail, comments and Acme's answers."""

from __future__ import annotations

from lodestar.feedback.models import IdeaStatus

WELCOME = (
    "Tell the Acme team what would make dispatch, scheduling and work in the field easier. "
    "**Vote** for the ideas you need most: we read every one, and you get an email when an "
    "idea you voted for changes status."
)

# (feedback theme key, title, markdown body, status, declined reason)
HEADLINES: tuple[tuple[str, str, str, str, str], ...] = (
    ("offline-photos", "Keep photos taken offline until they upload",
     "Our techs work in basements and crawlspaces with no signal. Photos taken there show in "
     "the app, then vanish from the job once the phone reconnects.\n\n"
     "- Keep every photo on the phone until the server has it\n"
     "- Show which photos are still waiting to upload\n\n"
     "Warranty claims depend on those pictures.", IdeaStatus.IN_PROGRESS, ""),
    ("service-plans", "Maintenance plans that schedule their own visits",
     "We sell spring and fall tune-ups as a yearly plan. Today we keep the list in a "
     "spreadsheet and book each visit by hand. Let a plan create its visits, bill monthly "
     "and remind the customer before renewal.", IdeaStatus.PLANNED, ""),
    ("quickbooks-duplicates", "Stop the QuickBooks sync from duplicating invoices",
     "Since the spring, every edited invoice shows up **twice** in QuickBooks Online. Our "
     "bookkeeper spends Friday afternoons deleting duplicates. Please match invoices by their "
     "Acme number before creating new ones.", IdeaStatus.PLANNED, ""),
    ("route-skills", "Route optimizer should respect technician skills",
     "The optimizer sends an apprentice to a commercial boiler job because he's closest. "
     "Let us tag jobs with the skills or certifications they need, and only route techs who "
     "have them.", IdeaStatus.UNDER_REVIEW, ""),
    ("arrival-texts", "Text customers an arrival window and an on-my-way message",
     "Customers call the office all morning asking when the tech will show up. An automatic "
     "text with a two-hour window the day before, and an *on my way* text with the tech's "
     "name, would cut those calls in half.", IdeaStatus.SHIPPED, ""),
    ("truck-inventory", "Track parts stock on each truck",
     "Every truck carries a few hundred parts. We want the app to deduct what the tech used "
     "on a job and tell us what to restock on Friday, per truck.", IdeaStatus.UNDER_REVIEW, ""),
    ("spanish-app", "Acme Tech in Spanish",
     "Half our crew reads Spanish first. Checklists and job notes in English slow them down "
     "and cause mistakes. Let each tech pick the app's language.", IdeaStatus.OPEN, ""),
    ("board-performance", "Make the dispatch board fast with 50+ technicians",
     "With 60 techs on the board it takes 15 seconds to load in the morning, and dragging a "
     "job to another tech freezes the page. Mornings are exactly when we need it most.",
     IdeaStatus.IN_PROGRESS, ""),
    ("multi-day-jobs", "One job that spans several days",
     "A full system install takes our crew two or three days. Today that's three jobs, "
     "three sets of notes and a messy invoice. One job, several days, one invoice please.",
     IdeaStatus.OPEN, ""),
    ("online-booking", "Let customers book a visit from our website",
     "Customers want to pick a slot online at night instead of calling. A booking page we "
     "can put on our site, limited to the job types we choose, would bring in work while the "
     "office is closed.", IdeaStatus.UNDER_REVIEW, ""),
    ("glanceable-next-job", "Show the next job on Apple Watch",
     "Techs have their hands full. A glance at the watch for the next address and time "
     "would save pulling the phone out on every stop.", IdeaStatus.DECLINED,
     "Thank you for asking. We are not building a watch app in the next year: the work goes "
     "into making Acme Tech's offline mode reliable first. The lock-screen widget on iOS and "
     "Android (Acme Tech 4.2) already shows the next job's address and time at a glance."),
    ("office-permissions", "Hide prices and job costs from some office staff",
     "Our front desk books jobs but shouldn't see labor costs or margins. We need a role "
     "that can schedule and invoice without seeing costs or pay rates.", IdeaStatus.OPEN, ""),
    ("job-costing", "Job costing report by technician",
     "We want to see, per tech, what each job cost us (hours, parts, drive time) against "
     "what we billed. Right now we export to Excel every month and build it by hand.",
     IdeaStatus.OPEN, ""),
    ("google-calendar", "Two-way sync with Google Calendar",
     "Our techs live in Google Calendar. Jobs should show there, and blocking time there "
     "(a doctor's appointment) should show on the dispatch board.", IdeaStatus.UNDER_REVIEW,
     ""),
)  # fmt: skip

# The long tail: (ask with {s}, subjects it applies to).
ASKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("filter {s} by zone on the dispatch board",
     ("unassigned jobs", "emergency calls", "overdue jobs", "follow-up visits")),
    ("let techs edit {s} after the job is closed",
     ("job notes", "checklists", "time entries", "photos", "equipment records")),
    ("send {s} in Spanish", ("appointment reminders", "invoice emails", "review requests")),
    ("show {s} in the customer portal",
     ("service history", "maintenance plans", "past invoices", "signed quotes")),
    ("export {s} to Excel",
     ("job costing", "technician hours", "callbacks", "drive time", "quote win rates")),
    ("bulk-reschedule {s}", ("storm-day jobs", "recurring visits", "a tech's whole day")),
    ("require {s} before a job can be completed",
     ("a customer signature", "before-and-after photos", "a safety checklist", "a payment")),
    ("add {s} to quotes", ("PDF attachments", "financing options", "good-better-best options",
                           "an expiry date")),
    ("sync {s} with QuickBooks", ("credit notes", "deposits", "tax rates", "item lists")),
    ("sync {s} with Xero", ("invoices", "payments", "customer records")),
    ("scan {s} with the phone camera", ("serial numbers", "part barcodes", "business cards")),
    ("show {s} on the tech's home screen", ("today's jobs", "the next address", "clock-in status")),
    ("let customers {s}", ("reschedule online", "pay invoices by text", "approve quotes by text",
                           "leave a tip on the payment screen")),
    ("notify the office when {s}", ("a tech is running late", "a job runs over its estimate",
                                    "a customer declines a quote", "a truck is low on a part")),
    ("limit {s} to one branch", ("price books", "customer lists", "reports", "refunds")),
    ("log who changed {s}", ("prices", "job statuses", "technician pay rates", "invoices")),
    ("colour-code {s} by job type", ("the week view", "job cards", "the map view")),
    ("copy {s} from the previous visit", ("checklists", "job notes", "parts used")),
    ("set different labor rates for {s}", ("after-hours jobs", "weekends", "holidays")),
    ("print {s} on one page", ("the day's schedule per tech", "a job summary", "a route sheet")),
    ("remind techs about {s}", ("clocking in", "expiring certifications", "vehicle inspections",
                                "unsigned timesheets")),
    ("show {s} on the map", ("traffic", "techs' live locations", "tomorrow's jobs",
                             "service zones")),
    ("let managers approve {s}", ("overtime", "discounts over 10%", "refunds", "purchase orders")),
    ("attach {s} to a customer", ("contracts", "site photos", "gate codes", "equipment manuals")),
    ("send {s} automatically", ("review requests", "invoice reminders", "thank-you emails",
                                "maintenance reminders")),
    ("track {s} per job", ("mileage", "materials", "subcontractor costs", "permits")),
    ("search {s} by phone number", ("customers", "jobs", "invoices")),
    ("set up {s} for seasonal crews", ("temporary logins", "short checklists", "limited access")),
)  # fmt: skip
QUALIFIERS = (
    "for multi-branch companies", "for franchise networks", "for commercial customers",
    "for residential customers", "on tablets", "for after-hours work", "for subcontractors",
    "for new hires", "in Canada", "in the UK", "for seasonal work", "for large fleets",
    "for HVAC contractors", "for plumbing companies", "for electricians", "for pest control",
    "for pool service routes", "for garage door companies", "for property managers",
    "for warranty work", "for emergency calls", "on Android", "on iPhone", "in Australia",
)  # fmt: skip
CONTEXTS = (
    "Right now we track this in a spreadsheet next to Acme.",
    "We have {techs} techs and the office asks about this every week.",
    "Our dispatchers keep sticky notes for this, which is not a system.",
    "We used to have this in our old software and miss it.",
    "Today it means calling the tech, and he's usually on a ladder.",
    "We run {techs} trucks and lose time on this every day.",
    "Our bookkeeper asked me to post this one.",
    "New hires get this wrong in their first month, every time.",
)  # fmt: skip
IMPACTS = (
    "It would save our office a couple of hours a week.",
    "It comes up at every Monday meeting.",
    "Customers notice when we get this wrong.",
    "It would cut down on callbacks.",
    "A competitor showed this in a demo last month; we'd rather stay with Acme.",
    "Small thing, big difference for the techs.",
)  # fmt: skip
LISTS = (
    "What we'd need:\n\n- set it up once per branch\n- the techs see it in the app\n"
    "- a report at the end of the month",
    "Ideally:\n\n1. the office turns it on per customer\n2. it works offline\n"
    "3. nothing changes for customers who don't use it",
)  # fmt: skip
DECLINE_REASONS = (
    "Thanks for the idea. Few customers asked for it and it would complicate the screen for "
    "everyone else, so we won't build it. Custom fields cover most of this today.",
    "We looked at this closely: the accounting integration partner we'd need does not offer "
    "it, so we can't do it well. We'll reopen this if that changes.",
    "This is better handled by a Zapier step than in Acme itself; our help center has a "
    "recipe for it.",
)  # fmt: skip
COMMENTS_CUSTOMER = (
    "+1, we need this too.",
    "Same here. We have the same problem with our crew.",
    "Any update on this one?",
    "This would be huge for us in the busy season.",
    "We'd pay extra for this, honestly.",
    "Our office manager asked me to vote for this one.",
    "Is there a workaround in the meantime?",
    "Yes please. Especially for the commercial side.",
    "We moved from Crewlane partly because they promised this. Still waiting there too.",
)  # fmt: skip
COMMENTS_TEAM: dict[str, tuple[str, ...]] = {
    IdeaStatus.UNDER_REVIEW: (
        "Thanks all. We're talking to a few of you about how you work around this today. "
        "Reply here if you'd like to join a 20-minute call.",
    ),
    IdeaStatus.PLANNED: (
        "This is on the roadmap for next quarter. We'll post here when a beta is ready.",
    ),
    IdeaStatus.IN_PROGRESS: (
        "The team is building this now. If you'd like to try it early, comment here and we'll "
        "turn it on for your account.",
    ),
    IdeaStatus.SHIPPED: (
        "This is live for everyone. Thank you for the votes and the details: they shaped it.",
    ),
    IdeaStatus.DECLINED: ("We've explained why above. Thank you for taking the time to post it.",),
}
# Posts a moderator hid: what every public portal gets sooner or later.
SPAM: tuple[tuple[str, str], ...] = (
    ("Cheap SEO for contractors!!!", "Get your plumbing business to page one. DM for prices."),
)
