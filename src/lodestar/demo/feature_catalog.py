"""The long tail of the demo's feature list: the hundreds of smaller requests a field-service
product collects over the years, beside the fourteen big themes (lodestar.demo.features).

Each area of the product has the things people work with (`subjects`) and what they ask to do
with them (`asks`, with `{s}` for the subject); a title is one ask applied to one subject, plus
at the large size a qualifier saying for whom or where. Areas name the theme whose processed
feedback may be linked to their features, so a tail feature's insights are on its topic.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    name: str
    product: str  # web or mobile
    theme: str  # the feedback theme whose processed feedback fits these features
    subjects: tuple[str, ...]
    asks: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area(
        "Dispatch board", "web", "board-performance",
        ("unassigned jobs", "technician lanes", "the map view", "emergency calls",
         "job cards", "the week view", "overdue jobs", "travel time estimates"),
        ("Filter {s} by zone", "Drag {s} across days", "Colour-code {s} by job type",
         "Collapse {s} to fit 80 technicians", "Search {s} by customer phone",
         "Pin {s} to the top of the board", "Show {s} on a second monitor",
         "Refresh {s} without reloading the page"),
    ),
    Area(
        "Route planning", "web", "route-skills",
        ("daily routes", "technician start locations", "skill requirements",
         "time windows", "lunch breaks", "overtime limits", "vehicle types", "toll roads"),
        ("Respect {s} when optimizing", "Re-optimize around {s} mid-day",
         "Warn when {s} make a route impossible", "Compare routes with and without {s}",
         "Let dispatchers lock {s} before optimizing", "Report miles saved by {s}"),
    ),
    Area(
        "Technician app", "mobile", "offline-photos",
        ("job photos", "checklists", "customer signatures", "job notes", "time entries",
         "equipment records", "before-and-after pictures", "safety forms"),
        ("Keep {s} safe while offline", "Retry uploading {s} in the background",
         "Show sync status of {s}", "Compress {s} on slow connections",
         "Edit {s} after the job is closed", "Copy {s} from the previous visit",
         "Require {s} before completing a job"),
    ),
    Area(
        "Service agreements", "web", "service-plans",
        ("maintenance plans", "renewal reminders", "visit schedules", "plan pricing",
         "included parts", "plan members", "seasonal tune-ups"),
        ("Auto-schedule {s}", "Bill {s} monthly", "Show {s} in the customer portal",
         "Report revenue from {s}", "Bulk-edit {s}", "Pause {s} without cancelling",
         "Send {s} for e-signature"),
    ),
    Area(
        "Accounting sync", "web", "quickbooks-duplicates",
        ("invoices", "payments", "customer records", "tax rates", "credit notes",
         "item lists", "deposits", "refunds"),
        ("Deduplicate {s} before syncing", "Show sync errors for {s}",
         "Re-sync {s} for a date range", "Map {s} to Xero accounts",
         "Sync {s} to Sage Intacct", "Match {s} by external id",
         "Preview {s} before sending to QuickBooks"),
    ),
    Area(
        "Customer notifications", "web", "arrival-texts",
        ("arrival-window texts", "on-my-way messages", "appointment reminders",
         "review requests", "invoice emails", "delay alerts", "job summaries"),
        ("Customize {s} per branch", "Send {s} in Spanish", "Schedule {s} by time zone",
         "Track delivery of {s}", "Let customers reply to {s}", "Add the tech's photo to {s}",
         "Turn off {s} per customer"),
    ),
    Area(
        "Inventory", "mobile", "truck-inventory",
        ("truck stock", "warehouse transfers", "serialized parts", "minimum stock levels",
         "purchase orders", "part returns", "vendor price lists"),
        ("Scan {s} with the phone camera", "Reorder {s} automatically",
         "Count {s} at the end of the week", "Deduct {s} when a job closes",
         "Show {s} per technician", "Import {s} from a supplier CSV"),
    ),
    Area(
        "Localization", "mobile", "spanish-app",
        ("the technician app", "checklists", "customer emails", "job descriptions",
         "invoice PDFs", "push notifications", "the help center"),
        ("Translate {s} into Spanish", "Translate {s} into French Canadian",
         "Pick the language of {s} per user", "Use local date formats in {s}",
         "Right-to-left layout for {s}", "Keep custom wording in {s} when translating"),
    ),
    Area(
        "Scheduling", "web", "multi-day-jobs",
        ("multi-day jobs", "crew assignments", "recurring visits", "job templates",
         "on-call rotations", "holiday calendars", "blocked time"),
        ("Split {s} across several days", "Assign {s} to a crew lead", "Copy {s} to next week",
         "Show {s} in the capacity view", "Warn about {s} that overlap",
         "Bulk-reschedule {s} after a storm"),
    ),
    Area(
        "Customer portal", "web", "online-booking",
        ("online booking", "service history", "quote approval", "invoice payment",
         "saved cards", "maintenance plan sign-up", "appointment changes"),
        ("Offer {s} on the company website", "Brand {s} with our logo",
         "Limit {s} to certain job types", "Notify the office about {s}",
         "Let customers manage {s} themselves", "Track conversion of {s}"),
    ),
    Area(
        "Wearables and widgets", "mobile", "glanceable-next-job",
        ("the next job", "the customer address", "clock-in status", "travel time",
         "job notes", "the day's schedule"),
        ("Show {s} on the lock screen", "Show {s} on Apple Watch", "Show {s} on Wear OS",
         "Show {s} in a home-screen widget", "Read out {s} through CarPlay"),
    ),
    Area(
        "Permissions", "web", "office-permissions",
        ("price books", "job costs", "customer lists", "payroll exports", "reports",
         "technician pay rates", "branch settings", "refunds"),
        ("Hide {s} from office staff", "Let managers approve {s}",
         "Log who changed {s}", "Limit {s} to one branch", "Give read-only access to {s}",
         "Require two people to change {s}"),
    ),
    Area(
        "Reporting", "web", "job-costing",
        ("job costing", "technician utilization", "first-time fix rate", "revenue by service",
         "callbacks", "drive time", "quote win rate", "labor margin"),
        ("Break down {s} by technician", "Schedule {s} as a weekly email",
         "Export {s} to Excel", "Compare {s} across branches", "Show {s} on a dashboard",
         "Filter {s} by customer type", "Chart {s} over 12 months"),
    ),
    Area(
        "Calendar and integrations", "web", "google-calendar",
        ("Google Calendar", "Outlook calendars", "Zapier", "Slack", "HubSpot", "Salesforce",
         "Microsoft Teams", "the public API"),
        ("Two-way sync jobs with {s}", "Push new bookings to {s}",
         "Send job status changes to {s}", "Import customers from {s}",
         "Connect {s} per technician", "Show sync history for {s}"),
    ),
)  # fmt: skip

QUALIFIERS = (
    "for multi-branch companies", "for franchise networks", "for commercial customers",
    "for residential customers", "for HVAC contractors", "for plumbing companies",
    "for electrical contractors", "for pest control routes", "for large fleets",
    "for small teams", "on tablets", "for after-hours work", "for subcontractors",
    "for new hires", "in Canada", "in the UK", "in Australia", "for seasonal work",
)  # fmt: skip

DESCRIPTIONS = (
    "Asked for repeatedly by {area} users; today they work around it with spreadsheets.",
    "Came up in several renewal calls. Small in scope, but it touches {area}.",
    "Support tickets about {area} mention this most weeks.",
    "Competitors advertise this; sales hears about it in evaluations.",
    "A quick win the {area} team could pick up between larger projects.",
    "Needs design work first: the current {area} screens have no room for it.",
)  # fmt: skip


@dataclass(frozen=True)
class TailFeature:
    title: str
    product: str
    theme: str
    description: str


def _titles(area: Area) -> Iterator[str]:
    for ask in area.asks:
        for subject in area.subjects:
            title = ask.format(s=subject)
            yield title[0].upper() + title[1:]


def tail_features(rng: random.Random, count: int, taken: set[str]) -> list[TailFeature]:
    """`count` distinct features (titles not in `taken`), chosen by `rng` across the areas;
    plain asks first, then the same asks for a particular kind of customer."""
    plain = [(area, title) for area in AREAS for title in _titles(area)]
    rng.shuffle(plain)
    chosen = [(a, t) for a, t in plain if t not in taken][:count]
    if len(chosen) < count:
        qualified = [(a, f"{t} {q}") for a, t in plain for q in QUALIFIERS]
        rng.shuffle(qualified)
        chosen += qualified[: count - len(chosen)]
    if len(chosen) < count:
        raise ValueError(f"the catalog has fewer than {count} distinct features")
    return [
        TailFeature(
            title, area.product, area.theme, rng.choice(DESCRIPTIONS).format(area=area.name.lower())
        )
        for area, title in chosen
    ]
