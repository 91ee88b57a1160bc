"""The demo's four experiments in words (data for lodestar.demo.experiments): what each tests,
why, how it is measured, and, for the decided one, what was decided.

Acme Dispatch's product manager (Priya) runs them on the web app's own features: skills-based
routing (shipped in the autumn after a test that cut repeat visits), arrival-window texts
(being built; a test on the first accounts), good/better/best quotes with a service-plan
option (a test whose exposures went missing in Safari), and online booking (planned; a
draft to size the test)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MetricText:
    name: str
    kind: str  # conversion, mean, count (experiments.models.MetricKind)
    event: str = ""
    filters: tuple[dict, ...] = ()
    steps: tuple[str, ...] = ()  # a funnel, in order
    property: str = ""
    goal: str = "increase"
    window_days: int = 14


@dataclass(frozen=True)
class ExperimentText:
    flag_key: str
    name: str
    theme: str  # the feature (lodestar.demo.feedback_themes key)
    exposure: str  # posthog ($feature_flag_called), segment (Experiment Viewed), lodestar
    hypothesis: str
    variants: tuple[str, ...]
    primary: MetricText
    secondary: tuple[MetricText, ...] = ()
    minimum_effect: int = 5  # per cent
    extra: dict = field(default_factory=dict)  # other Experiment fields


ROUTING = ExperimentText(
    flag_key="skills-routing",
    name="Skills-based routing on the dispatch board",
    theme="route-skills",
    exposure="posthog",
    hypothesis=(
        "**If** the route optimizer only proposes technicians who hold every skill a job "
        "needs (gas certified, commercial refrigeration, backflow testing), **then** fewer "
        "jobs need a second visit because the wrong technician was sent, **because** today "
        "dispatchers find out on site.\n\n"
        "We expect about **25 % fewer repeat visits for a missing skill**; drive time may go "
        "up a little, since the nearest technician is not always the qualified one."
    ),
    variants=("control", "skills-match"),
    primary=MetricText(
        "Repeat visit for a missing skill",
        "conversion",
        event="repeat_visit_booked",
        filters=({"key": "reason", "op": "eq", "value": "missing_skill"},),
        goal="decrease",
    ),
    secondary=(
        MetricText(
            "Drive minutes per dispatcher",
            "mean",
            event="route_optimized",
            property="drive_minutes",
            goal="decrease",
        ),
        MetricText("Technicians assigned per dispatcher", "count", event="technician_assigned"),
    ),
    minimum_effect=30,
)

ARRIVAL = ExperimentText(
    flag_key="arrival-texts",
    name="Arrival-window texts to customers",
    theme="arrival-texts",
    exposure="segment",
    hypothesis=(
        "**If** customers get a text with a two-hour arrival window the evening before and "
        'an "on my way" text when the technician sets off, **then** technicians find '
        "fewer customers not at home, **because** most missed appointments are customers "
        "who forgot or could not tell when to be in.\n\n"
        "Rolled out to half of the accounts whose sending numbers are approved. We expect "
        "about 15 % fewer missed appointments and less time waiting at the door."
    ),
    variants=("control", "texts"),
    primary=MetricText(
        "Missed appointments per dispatcher", "count", event="job_no_access", goal="decrease"
    ),
    secondary=(
        MetricText(
            "Minutes waiting at the door",
            "mean",
            event="job_started",
            property="wait_minutes",
            goal="decrease",
        ),
        MetricText("Sent an invoice", "conversion", event="invoice_sent"),
    ),
    minimum_effect=10,
)

QUOTES = ExperimentText(
    flag_key="quote-options",
    name="Good, better, best quotes with a service-plan option",
    theme="service-plans",
    exposure="lodestar",
    hypothesis=(
        "**If** a quote offers three options (repair, repair with a yearly service plan, "
        "replacement) instead of one price, **then** more quotes are approved and booked, "
        "and for more money, **because** customers choose between our options rather than "
        "between us and a competitor. It also tells us, before we build service plans, how "
        "many customers pick the plan.\n\n"
        "**Note:** the new builder redirects to `/quotes/new?options=1`; in Safari the "
        "redirect happens before the exposure is sent, so variant exposures go missing. "
        "Fix the redirect and restart before reading anything here."
    ),
    variants=("control", "options"),
    primary=MetricText(
        "Quote approved and scheduled",
        "conversion",
        steps=("quote_sent", "quote_approved", "job_created"),
    ),
    secondary=(
        MetricText("Approved quote value (USD)", "mean", event="quote_approved", property="amount"),
        MetricText("Quotes sent per person", "count", event="quote_sent"),
    ),
    minimum_effect=15,
)

BOOKING = ExperimentText(
    flag_key="online-booking",
    name="Online booking in the customer portal",
    theme="online-booking",
    exposure="posthog",
    hypothesis=(
        "**If** customers can pick a service and an arrival window in the portal and book "
        "it themselves, **then** more of an account's jobs are booked online and the office "
        "takes fewer calls, **because** residential customers prefer to book after hours.\n\n"
        "Draft: sized with the calculator before the Online booking release starts."
    ),
    variants=("control", "booking"),
    primary=MetricText(
        "Job booked online",
        "conversion",
        event="job_created",
        filters=({"key": "source", "op": "eq", "value": "portal"},),
    ),
    secondary=(
        MetricText("Job value (USD)", "mean", event="job_created", property="amount"),
        MetricText("Jobs created per person", "count", event="job_created"),
    ),
    minimum_effect=10,
)

DECISION_RATIONALE = (
    "Skills-based routing cut repeat visits for a missing skill well beyond the noise, and "
    "no guardrail moved against it: drive time went up a little, as expected. Roll it out "
    "to every account."
)
