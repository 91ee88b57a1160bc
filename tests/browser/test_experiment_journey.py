"""Issue 8's journey: a PM creates an experiment on a feature with the form and starts it; the
product's app (the real `posthog` Python SDK against the live server) sends the flag
exposures and conversions of 2 x 400 persons; the PM reads the lift and the guidance on the
results page, records the decision, and finds it in the decision log and on the feature."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lodestar.analytics.capture import keys, ratelimit
from lodestar.experiments.models import Experiment
from tests.browser.a11y import assert_accessible

posthog = pytest.importorskip("posthog")

FLAG = "board-filters"
PER_ARM = 400
RATES = {"control": 0.30, "treatment": 0.45}  # conversions per exposed person


@pytest.fixture(autouse=True)
def _fresh_caches():
    keys.forget()
    ratelimit.reset()
    yield
    import posthog.request

    posthog.request._get_session().close()  # end the SDK's keep-alive with the test


def _send(live_server, acme, started_at) -> None:
    """What the app does: PostHog calls the flag for each person (the SDK sends
    `$feature_flag_called`), and some of them then save a dispatch-board filter."""
    errors: list = []
    client = posthog.Posthog(
        acme.product.write_key,
        host=live_server.url,
        flush_at=100,
        max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )
    at = started_at + timedelta(milliseconds=5)
    for variant, rate in RATES.items():
        converting = round(rate * PER_ARM)
        for i in range(PER_ARM):
            person = f"{variant}-{i:03d}@customer.test"
            at += timedelta(microseconds=50)
            properties = {"$feature_flag": FLAG, "$feature_flag_response": variant}
            client.capture("$feature_flag_called", distinct_id=person, properties=properties,
                           timestamp=at)  # fmt: skip
            if i < converting:
                client.capture("board_filter_saved", distinct_id=person,
                               timestamp=at + timedelta(microseconds=10))  # fmt: skip
    client.flush()
    client.shutdown()
    assert errors == []


def test_from_hypothesis_to_a_decision_in_the_log(web, acme, live_server, event_store):
    feature = acme.feature
    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/measure/experiments/?product=web")
    page.get_by_role("link", name="New experiment").first.click()
    about = page.get_by_role("region", name="The experiment")
    about.get_by_label("Name").fill("Saved filters on the dispatch board")
    about.get_by_label("Flag key").fill(FLAG)
    about.get_by_label("Hypothesis").fill(
        "If dispatchers can save board filters, more of them will set one up, because large "
        "fleets filter the board by branch every morning."
    )
    about.get_by_label("Feature").select_option(label=feature.title)
    primary = page.get_by_role("group", name="Primary metric")
    primary.get_by_label("Name").fill("Saved a board filter")
    primary.get_by_label(re.compile(r"^Event")).fill("board_filter_saved")
    page.get_by_label("Minimum detectable effect (%)").fill("40")
    page.get_by_role("button", name="Create the experiment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved filters on the dispatch board")

    page.get_by_role("link", name="Start…").click()
    page.get_by_role("button", name="Start the experiment").click()
    expect(page.get_by_text("Running", exact=True)).to_be_visible()
    experiment = Experiment.objects.get(flag_key=FLAG)
    assert experiment.started_at is not None and experiment.feature == feature

    _send(live_server, acme, experiment.started_at)
    event_store.flush()

    page.get_by_role("button", name="Refresh").click()
    metric = page.locator("section", has=page.get_by_role("heading", name="Saved a board filter"))
    treatment = metric.get_by_role("row", name=re.compile("^treatment"))
    expect(treatment).to_contain_text("+50")  # 30 % -> 45 %: a lift of +50 %
    expect(page.get_by_text("Exposures", exact=True)).to_be_visible()
    guidance = page.locator("section.guidance")
    expect(guidance).to_contain_text("Guidance: ship")
    expect(guidance.get_by_role("heading")).to_contain_text("Ship 'treatment'")
    assert_accessible(page)

    outcome = page.get_by_role("region", name="Record the outcome")
    outcome.get_by_label("Ship 'treatment'").check()
    outcome.get_by_label("Rationale").fill("Half again as many dispatchers save a filter.")
    outcome.get_by_label(re.compile("^Record it")).check()
    outcome.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Outcome recorded")).to_be_visible()
    expect(page.get_by_role("heading", name="Shipped 'treatment'")).to_be_visible()

    page.goto("/w/acme/decisions/")
    title = "Ship 'treatment' of Saved filters on the dispatch board"
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    rationale = page.get_by_role("paragraph").filter(has_text="Half again as many dispatchers")
    expect(rationale).to_be_visible()

    page.goto(f"/w/acme/features/{feature.key}/")
    expect(page.get_by_text(re.compile(r"^Measured \+50 % \(interval \+"))).to_be_visible()
    name = "Saved filters on the dispatch board"
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()  # the experiment
    expect(page.get_by_role("link", name=title)).to_be_visible()  # and its decision
