"""The roadmap timeline in Chromium: drawn without a script, the today line and the bars
visible, zoom and grouping switched by links, a bar opens its release page, axe passes."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from lodestar.planning.models import Feature, Release
from lodestar.workspaces import services
from tests.browser.a11y import assert_accessible


def _roadmap(acme) -> Release:
    owner = acme["owner"].user
    mobile = services.team_create(workspace=acme.workspace, actor=owner, name="Mobile")
    today = timezone.localdate()
    current = Release.objects.create(
        workspace=acme.workspace,
        product=acme.product,
        team=acme.team,
        name="Dispatch 2.0",
        start=today - timedelta(days=20),
        target=today + timedelta(days=40),
        status="in_progress",
    )
    Release.objects.create(
        workspace=acme.workspace,
        product=acme.product,
        team=mobile,
        name="Driver app beta",
        kind="milestone",
        target=today + timedelta(days=70),
    )
    for i in range(5):
        Feature.objects.create(
            workspace=acme.workspace,
            product=acme.product,
            title=f"Board tweak {i}",
            release=current,
        )
    return current


def test_timeline_zoom_grouping_and_a_bar_opens_its_release(web, acme):
    current = _roadmap(acme)
    page = web.page(user=acme["pm"].user)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/w/acme/roadmap/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roadmap")
    timeline = page.locator("svg.timeline-svg")
    expect(timeline.locator(".tl-today")).to_be_visible()  # the line and its "Today"
    expect(timeline.locator(".tl-today text")).to_have_text("Today")
    bar = page.get_by_role("link", name="Release Dispatch 2.0")
    expect(bar).to_be_visible()
    expect(timeline.locator(".tl-milestone")).to_have_count(1)
    expect(timeline).to_contain_text("+ 2 more")
    for team in ("Mobile", "Platform"):  # and the team of `acme`'s own release
        expect(timeline.locator(f'.tl-lane[data-lane="{team}"]')).to_have_count(1)
    assert_accessible(page)

    quarters = timeline.locator(".tl-axis text").all_text_contents()
    page.get_by_role("navigation", name="Zoom").get_by_role("link", name="Months").click()
    expect(page).to_have_url(re.compile(r"zoom=month"))
    expect(page.get_by_role("link", name="Months")).to_have_attribute("aria-current", "true")
    months = page.locator("svg.timeline-svg .tl-axis text").all_text_contents()
    assert len(months) > len(quarters), (months, quarters)

    page.get_by_role("navigation", name="Group by").get_by_role("link", name="Product").click()
    expect(page.locator("svg.timeline-svg .tl-lane")).to_have_count(1)  # all in Web
    expect(page.locator("svg.timeline-svg .tl-lane")).to_have_attribute("data-lane", "Web")
    assert "zoom=month" in page.url  # the other choice is kept

    page.get_by_role("link", name="Release Dispatch 2.0").click()
    page.wait_for_url(f"**/w/acme/releases/{current.key}/")
    assert not errors, errors


def test_stakeholder_sees_the_timeline_without_new_release(web, acme):
    _roadmap(acme)
    page = web.page(user=acme["stakeholder"].user)
    page.goto("/w/acme/roadmap/?group=objective&zoom=month")
    expect(page.locator("svg.timeline-svg .tl-lane")).to_have_attribute("data-lane", "No objective")
    expect(page.get_by_role("link", name="New release")).to_have_count(0)
    page.get_by_text("The releases as a table").click()
    expect(page.get_by_role("row", name="Dispatch 2.0")).to_contain_text("In progress")
    assert_accessible(page)
