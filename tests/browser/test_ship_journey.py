"""Issue 7's journey: the forecast flags a release, the PM accepts the schedule risk it
proposes, adds a mitigation action, finds the risk on the heatmap, and sends a status
report that a stakeholder opens."""

import re
from datetime import timedelta

from django.core import mail
from playwright.sync_api import expect

from lodestar.planning.share_services import local_today
from tests.browser.a11y import assert_accessible
from tests.delivery.test_forecast_services import make_release, make_team


def test_from_a_flagged_release_to_a_report_a_stakeholder_reads(web, acme):
    today = local_today(acme.workspace)
    team = make_team(acme, weekly=(4, 6, 5, 5, 4, 6, 5, 5, 4, 6, 5, 5), today=today)
    # 60 stories left at ~5 a week, due in three weeks: no chance.
    make_release(acme, team, "Winter launch", today + timedelta(days=21), stories=64, done=4)

    page = web.page(user=acme["pm"].user)
    page.goto("/w/acme/ship/forecast/?product=web")
    row = page.get_by_role("row", name=re.compile("Winter launch"))
    expect(row.get_by_text("At risk")).to_be_visible()
    row.get_by_role("link", name="Proposed risk").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Winter launch may miss")
    proposal = page.locator("section", has=page.get_by_role("heading", name="Proposed by Lodestar"))
    expect(proposal.get_by_text("Chance of finishing on time", exact=False)).to_be_visible()
    assert_accessible(page)
    proposal.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="Proposed by Lodestar")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"Schedule risk of Web · Open"))).to_be_visible()

    form = page.get_by_role("form", name="Add a mitigation action")
    form.get_by_role("textbox", name="Action").fill("Move offline export to the January release")
    form.get_by_label("Owner").select_option(label=acme["pm"].user.display_name)
    form.get_by_label("Due").fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(
        page.get_by_role("cell", name="Move offline export to the January release", exact=True)
    ).to_be_visible()
    assert_accessible(page)

    page.goto("/w/acme/ship/risks/?product=web")
    page.get_by_role("link", name=re.compile(r"risks?: likelihood 5, impact 3$")).click()
    expect(
        page.get_by_role("link", name=re.compile("Winter launch may miss")).first
    ).to_be_visible()
    assert "l=5" in page.url and "i=3" in page.url

    page.goto("/w/acme/ship/reports/?product=web")
    page.get_by_role("button", name="Generate").click()
    at_risk = page.locator("h2", has_text="Releases at risk").locator(
        "xpath=following-sibling::*[1]"
    )
    expect(at_risk).to_contain_text("Winter launch")
    page.get_by_role("link", name="Send…").click()
    page.get_by_role("button", name=re.compile("Send to 1 recipient")).click()
    expect(page.get_by_text("Sent to 1 recipient.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["stakeholder@acme.test"]]

    reader = web.page(user=acme["stakeholder"].user)
    reader.goto("/w/acme/ship/reports/?product=web")
    reader.get_by_role("link", name=re.compile("Status: Web, week of")).first.click()
    expect(reader.get_by_text(re.compile("Winter launch may miss")).first).to_be_visible()
    assert_accessible(reader)
