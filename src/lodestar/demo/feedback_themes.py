"""The fourteen recurring themes of the demo feedback, in customers' own words (data for
lodestar.demo.feedback, which assembles messages from them), and the one-off remarks."""

from __future__ import annotations

from lodestar.demo.feedback_theme_types import (
    COMPETITORS,
    SPAN_DAYS,
    TAGS,
    WEEKDAYS,
    Line,
    Theme,
)
from lodestar.demo.feedback_themes_field import FIELD_THEMES
from lodestar.demo.feedback_themes_office import OFFICE_THEMES

__all__ = [
    "COMPETITORS", "MISC", "MISC_WEIGHTS", "SPAN_DAYS", "TAGS", "THEMES", "WEEKDAYS", "Line",
    "Theme",
]  # fmt: skip

THEMES: tuple[Theme, ...] = (*FIELD_THEMES, *OFFICE_THEMES)

# One-off remarks, questions and praise: no theme, so the inbox isn't only themes.
MISC: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("web", "Love the new invoice templates. Customers have commented on how professional "
     "they look.", ()),
    ("mobile", "The new checklist builder is great. Thank you!", ()),
    ("web", "Can the customer search also match phone numbers typed with dashes?",
     ("quick-win",)),
    ("web", "Is there a dark mode for the dispatch board? Our night dispatcher would "
     "appreciate it.", ()),
    ("mobile", "The signature screen is a bit small on older phones.", ("mobile",)),
    ("web", "How do I export all customers to CSV? Couldn't find it.", ()),
    ("mobile", "The app asked me to log in again this morning, not sure why.", ("bug",)),
    ("web", "Support was super helpful today, shout out to the team.", ()),
    ("web", "Would be nice to attach PDFs to quotes.", ("quick-win",)),
    ("mobile", "Please make the Complete Job button harder to hit by accident.",
     ("mobile", "quick-win")),
    ("web", "Can quotes expire automatically after 30 days?", ()),
    ("web", "Our logo looks blurry on the PDF invoice.", ("bug", "billing")),
    ("mobile", "A barcode scanner for serial numbers on equipment records would be nice.",
     ("mobile",)),
    ("web", "Can we add a second phone number to a customer?", ("quick-win",)),
    ("mobile", "Directions sometimes open Apple Maps even though I picked Google Maps.",
     ("bug", "mobile")),
    ("web", "Invoice reminder emails go to spam for some of our customers.", ("billing",)),
    ("web", "Please add tags on customers so we can filter commercial from residential.", ()),
    ("web", "Great product, the onboarding was smooth. Thanks!", ()),
    ("mobile", "Could the app remember the last checklist used for this customer?",
     ("mobile",)),
    ("web", "Quotes with good, better and best options would help our techs sell.", ()),
    ("mobile", "A clock-in reminder when I arrive at the first job would be great.",
     ("mobile",)),
    ("web", "I wish I could print the day's schedule per tech on one page.", ()),
    ("web", "Financing options on quotes, like monthly payments, would help with "
     "big-ticket jobs.", ("billing",)),
    ("mobile", "Can we collect a tip on the payment screen?", ("billing", "mobile")),
    ("web", "The customer portal should show past service history, not just invoices.", ()),
    ("mobile", "The app drains the battery faster since the last update.",
     ("bug", "mobile")),
    ("web", "Where did the duplicate job button go? It was there last week.", ()),
    ("web", "The revenue report takes a long time to load for the full year.",
     ("performance", "reporting")),
    ("mobile", "Voice-to-text for job notes would save a lot of typing.", ("mobile",)),
    ("web", "Can we set different labor rates for after-hours jobs?", ("billing",)),
    ("mobile", "Please let techs see the customer's previous jobs and notes before "
     "arriving.", ("mobile",)),
    ("web", "The new dispatch board colors are much easier on the eyes. Nice work.", ()),
)  # fmt: skip
MISC_WEIGHTS = (8.0, 8.0, 7.0, 12.0)
