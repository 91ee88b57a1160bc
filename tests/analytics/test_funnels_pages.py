"""The funnel page, the persons who dropped, and `lodestar funnel`, over HTTP and the CLI."""

from __future__ import annotations

import json
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from .test_funnels import journeys

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "pm", "po", "contributor", "stakeholder")
STEPS = "step_1=visit&step_2=signup&step_3=pay"


@pytest.fixture
def funnel(world, event_store):
    world.company.external_id = "nw"
    world.company.plan = "pro"
    world.company.save()
    journeys(
        event_store,
        world.workspace,
        {
            "ann": [("visit", 0, {"$groups": {"company": "nw"}}), ("signup", 5), ("pay", 65)],
            "bob": [("visit", 0), ("signup", 10)],
            "cy/x?y": [("visit", 0)],
            "dee": [("visit", 0)],
        },
        product=world.product.key,
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_funnel(world, funnel, role):
    client = world[role].client()
    empty = client.get("/w/acme/analytics/funnels/")
    assert empty.status_code == 200
    assert "Choose the steps" in empty.content.decode()
    page = client.get(f"/w/acme/analytics/funnels/?{STEPS}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="funnel-figure"' in html
    assert "4 entered, 1 completed all 3 steps (25.0%)" in html
    # Saving a chart is for those who manage analytics.
    assert ("Save as chart" in html) == (role in ("owner", "admin", "pm", "po"))


def test_the_table_breakdown_and_dropped_links(world, funnel):
    client = world["pm"].client()
    html = client.get(f"/w/acme/analytics/funnels/?{STEPS}&breakdown_type=plan").content.decode()
    assert "2 persons</a>" in html  # dropped before signup
    assert '<th scope="row">pro</th>' in html
    dropped = client.get(f"/w/acme/analytics/funnels/dropped/?{STEPS}&step=2")
    assert dropped.status_code == 200
    text = dropped.content.decode()
    assert "2 persons, by id" in text
    assert quote("cy/x?y", safe="") in text  # the person link quotes the id
    paid = client.get(f"/w/acme/analytics/funnels/dropped/?{STEPS}&step=3").content.decode()
    assert "bob" in paid and "ann" not in paid


def test_a_steps_link_fills_the_form_and_times_read_in_units(world, funnel):
    # `steps=a,b,c` is how saved charts and links write a funnel: the form shows the steps.
    html = world["pm"].client().get("/w/acme/analytics/funnels/?steps=visit,signup,pay")
    html = html.content.decode()
    for event in ("visit", "signup", "pay"):
        assert f'value="{event}"' in html
    # signup came 5 and 10 minutes after the visit, pay an hour after signup.
    assert '<td class="num" title="450 s">8 min</td>' in html
    assert '<td class="num" title="3600 s">60 min</td>' in html


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "\u2013"),
        (0, "0 s"),
        (89, "89 s"),
        (600, "10 min"),
        (7200, "2.0 h"),
        (259200, "3.0 days"),
    ],
)
def test_durations_read_in_units(seconds, shown):
    from lodestar.analytics.templatetags.analytics_tags import duration

    assert duration(seconds) == shown


def test_a_step_filter_from_the_form(world, funnel):
    client = world["pm"].client()
    html = client.get(
        "/w/acme/analytics/funnels/?step_1=visit&step_1_key=$groups&step_1_op=is_set&step_2=signup"
    ).content.decode()
    assert "1 entered, 1 completed all 2 steps (100.0%)" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("step_1=visit", "A funnel needs at least two steps."),
        (f"{STEPS}&window=soon", "Write the window as a number and a unit"),
        (f"{STEPS}&from=2026-05-03&to=2026-05-01", "The end date is before the start date."),
        (f"{STEPS}&breakdown_type=event", "Name the property to break down by."),
    ],
)
def test_bad_input_re_shows_the_form_with_a_message(world, funnel, query, message):
    response = world["pm"].client().get(f"/w/acme/analytics/funnels/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_htmx_gets_the_errors_as_200_so_it_swaps_them_in(world, funnel):
    response = (
        world["pm"].client().get("/w/acme/analytics/funnels/?step_1=visit", HTTP_HX_REQUEST="true")
    )
    assert response.status_code == 200
    assert "A funnel needs at least two steps." in response.content.decode()


def test_dropped_needs_a_valid_step(world, funnel):
    client = world["pm"].client()
    assert client.get(f"/w/acme/analytics/funnels/dropped/?{STEPS}").status_code == 400
    assert client.get(f"/w/acme/analytics/funnels/dropped/?{STEPS}&step=9").status_code == 400


def test_outsiders_never_see_the_funnel(world, funnel):
    assert world["outsider"].client().get("/w/acme/analytics/funnels/").status_code in (403, 404)


def test_cli_prints_json_and_a_table(world, funnel):
    out = StringIO()
    args = ["--workspace", "acme", "--product", world.product.key, "--steps", "visit,signup,pay"]
    call_command("funnel", *args, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [(s["event"], s["count"]) for s in data["steps"]] == [
        ("visit", 4),
        ("signup", 2),
        ("pay", 1),
    ]
    assert data["steps"][1]["conversion"] == 0.5
    assert data["steps"][2]["step_conversion"] == 0.5
    assert data["steps"][2]["median_seconds"] == 3600.0
    out = StringIO()
    call_command("funnel", *args, "--window", "30m", stdout=out)
    assert "Funnel within 30m" in out.getvalue()
    with pytest.raises(CommandError, match="--window"):
        call_command("funnel", *args, "--window", "never", stdout=StringIO())
    with pytest.raises(CommandError, match="No product"):
        call_command("funnel", "--workspace", "acme", "--product", "nope", "--steps", "a,b")
