"""How the demo's customers and colleagues write: voices by job title, greetings, closers,
notes around quoted customers, trade words (data for lodestar.demo.feedback)."""

from __future__ import annotations

from lodestar.feedback.models import Source

# Who is talking, from a contact's job title.
VOICES = {
    "owner": "owner", "general manager": "owner", "coo": "owner", "vp operations": "owner",
    "operations manager": "office", "dispatch supervisor": "office", "dispatcher": "office",
    "service manager": "office", "office manager": "office", "customer care lead": "office",
    "lead technician": "field", "technician": "field", "controller": "finance",
    "bookkeeper": "finance", "it director": "it",
}  # fmt: skip
OPENERS: dict[str | None, tuple[str, ...]] = {
    "owner": (
        "Owner here.", "Speaking as the owner:", "We've been on Acme for {years} years.",
        "I run the business side here.", "Quick note from the owner's desk.",
    ),
    "office": (
        "Dispatcher here.", "From the office side:", "I schedule {techs} techs every day.",
        "I'm at the dispatch board all day, so here's my two cents.",
        "Our office team asked me to pass this on.",
    ),
    "field": (
        "Lead tech here.", "Speaking for the guys in the field:",
        "I'm in the truck most of the day.", "Feedback from the field.",
    ),
    "finance": ("From accounting:", "Controller here.", "I handle our books."),
    "it": ("I manage our systems here.", "IT here.", "I look after our software."),
    None: ("Quick feedback.", "Feature request.", "Long-time customer here.", "Small request."),
}  # fmt: skip
HELLOS = ("Hi team.", "Hello!", "Hey Acme folks.", "Hi there.")  # only when nothing frames it
CLOSERS = (
    "Thanks!", "Thanks for listening.", "Would love an update on this.",
    "Happy to jump on a call to explain.", "Let me know if you need more details.",
    "Is this on the roadmap?", "Any ETA?", "This is our number one ask.", "Appreciate it.",
    "thx", "Otherwise we love the product.", "Keep up the good work otherwise.",
)  # fmt: skip
CHURN_LINES = (
    "Honestly, we're evaluating {competitor} because of this.",
    "Our contract is up in {months} months and this will be part of the conversation.",
    "If this isn't fixed by our renewal we'll have to look elsewhere.",
    "My business partner keeps sending me {competitor} demos.",
    "We really don't want to switch, but this is getting hard to defend internally.",
)
SECOND_TOPIC = ("P.S.", "Also:", "Separate topic:", "One more thing.", "While I have you:")
GREETINGS = ("Hi,", "Hi team,", "Hello Acme team,", "Hey folks,", "Good morning,", "Hi all,")
SIGNOFFS = (
    "Thanks,\n{first}",
    "Best,\n{name}\n{title}, {company}",
    "- {first}",
    "Regards,\n{name}",
    "Thank you,\n{first} ({company})",
    "Cheers,\n{first}",
)
# A colleague's note around a customer's words, by source, and how often there is one.
NOTE_SHARE = {Source.SALES.value: 1.0, Source.MANUAL.value: 0.85, Source.SUPPORT.value: 0.3}
NOTES: dict[str, tuple[str, ...]] = {
    Source.SALES.value: (
        'Account call with {company}. {who} said: "{text}"',
        'Renewal call with {company}. Biggest ask from {first}: "{text}"',
        'QBR with {company}. {first} brought this up again: "{text}"',
        'Upsell demo for {company} went well. Main objection, in {first}\'s words: "{text}"',
        'Expansion call with {company}: they would add seats if we solve this. "{text}"',
        'Call notes, {company}: "{text}"',
        'Sales call with {who}: "{text}"',
    ),
    Source.MANUAL.value: (
        'Onsite visit at {company}. {first} told me: "{text}"',
        'Heard from {who} at {company} during onboarding: "{text}"',
        'CSM check-in with {company}, in {first}\'s words: "{text}"',
        '{first} from {company} mentioned this on a call: "{text}"',
        'Logged for {who}: "{text}"',
        'Passing this on from {company}: "{text}"',
    ),
    Source.SUPPORT.value: (
        'Customer called in about this. In their words: "{text}"',
        'From a support chat with {first} at {company}: "{text}"',
        'Escalated from tier 1. {who} wrote: "{text}"',
        '{first} at {company} opened a ticket: "{text}"',
    ),
}
ANONYMOUS_NOTES = (
    'Heard at our trade show booth from a contractor: "{text}"',
    'From the user meetup, one of the attendees: "{text}"',
    'A prospect on this week\'s webinar asked about this: "{text}"',
    'From a trades forum thread about Acme: "{text}"',
    'Account review for {company}; several of their users raised this: "{text}"',
    'Ride-along at {company} today. One of their techs said: "{text}"',
)
# The trade's routine visit, a typical job, and a job that takes days.
TRADE_WORDS = {
    "Heating & Air": ("tune-ups", "a furnace install", "system replacement"),
    "Plumbing": ("drain cleanings", "a water heater swap", "whole-house re-pipe"),
    "Electric": ("panel inspections", "a panel upgrade", "commercial rewire"),
    "Mechanical": ("PM visits", "a rooftop unit replacement", "chiller replacement"),
    "Pest Control": ("quarterly treatments", "a termite treatment", "termite tenting"),
    "Garage Doors": ("door tune-ups", "a spring replacement", "commercial door install"),
    "Landscaping": ("mowing visits", "an irrigation repair", "hardscape install"),
    "Roofing": ("roof inspections", "a roof repair", "full roof replacement"),
    "Appliance Repair": ("maintenance checks", "a dryer repair", "commercial kitchen install"),
    "Fire & Safety": ("extinguisher inspections", "a sprinkler inspection", "fire alarm install"),
    "Pool Service": ("weekly cleanings", "a pump replacement", "pool resurfacing"),
    "Home Services": ("seasonal visits", "a water heater swap", "bathroom remodel"),
}
GENERIC_TRADE = ("maintenance visits", "a big install", "large install")
TRADES = tuple(TRADE_WORDS.values())
