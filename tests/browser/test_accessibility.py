"""axe-core on every page the browser tests open: no "serious" or "critical" violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible

# name: (persona, path, expected status, text of the page's h1 or None); the {keys} in a
# path are filled from the test's `acme` world.
PAGES = {
    "login": ("anonymous", "/accounts/login/", 200, "Sign in to Lodestar"),
    "signup": ("anonymous", "/accounts/signup/", 200, "Create your account"),
    "password-reset": ("anonymous", "/accounts/password-reset/", 200, None),
    "invitation-accept": ("anonymous", "/invite/{invite}/", 200, "Join Acme"),
    "not-found-anonymous": ("anonymous", "/no-such-page/", 404, "Not found"),
    "workspace-list": ("owner", "/workspaces/", 200, "Your workspaces"),
    "workspace-create": ("owner", "/workspaces/new/", 200, "New workspace"),
    "overview": ("owner", "/w/acme/", 200, "Acme"),
    "products": ("owner", "/w/acme/products/", 200, "Products"),
    "product": ("owner", "/w/acme/products/web/", 200, "Web"),
    "product-delete": ("owner", "/w/acme/products/web/delete/", 200, "Delete Web?"),
    "members": ("owner", "/w/acme/members/", 200, "Members"),
    "member-remove": ("owner", "/w/acme/members/{contributor}/remove/", 200, None),
    "teams": ("owner", "/w/acme/teams/", 200, "Teams"),
    "team": ("owner", "/w/acme/teams/{team}/", 200, "Platform"),
    "activity": ("owner", "/w/acme/activity/", 200, "Activity"),
    "settings": ("owner", "/w/acme/settings/", 200, "Workspace settings"),
    "tokens": ("owner", "/w/acme/tokens/", 200, "Your API tokens"),
    "stage-plan": ("owner", "/w/acme/loop/plan/", 200, "Plan"),
    "search": ("pm", "/w/acme/search/?q=pla", 200, "Search"),
    "search-empty": ("pm", "/w/acme/search/?q=zzzz", 200, "Search"),
    "stage-listen": ("owner", "/w/acme/loop/listen/", 200, None),
    "not-found": ("owner", "/w/acme/products/no-such-product/", 404, "Not found"),
    "stakeholder-overview": ("stakeholder", "/w/acme/", 200, "Acme"),
    "stakeholder-forbidden": ("stakeholder", "/w/acme/members/", 403, "Not allowed"),
    "contributor-products": ("contributor", "/w/acme/products/", 200, "Products"),
    "companies": ("pm", "/w/acme/customers/", 200, "Companies"),
    "companies-filtered-empty": ("pm", "/w/acme/customers/?segment=enterprise", 200, "Companies"),
    "company": ("pm", "/w/acme/customers/companies/{company}/", 200, "Northwind"),
    "company-delete": ("pm", "/w/acme/customers/companies/{company}/delete/", 200, None),
    "people": ("contributor", "/w/acme/customers/people/", 200, "People"),
    "person": ("pm", "/w/acme/customers/people/{person}/", 200, "Nora North"),
    "feedback-inbox": ("po", "/w/acme/feedback/", 200, "Feedback"),
    "features": ("stakeholder", "/w/acme/features/", 200, "Features"),
    "feature": ("pm", "/w/acme/features/{feature}/", 200, "Fast dispatch board"),
    "feature-delete": ("pm", "/w/acme/features/{feature}/delete/", 200, None),
    "feedback-processed-empty": ("po", "/w/acme/feedback/?status=processed", 200, "Feedback"),
    "feedback": ("pm", "/w/acme/feedback/{feedback}/", 200, "Feedback"),
    "feedback-contributor": ("contributor", "/w/acme/feedback/{feedback}/", 200, "Feedback"),
    "portal": ("anonymous", "/p/acme/", 200, "Ideas for Acme"),
    "portal-member": ("contributor", "/p/acme/?sort=newest", 200, "Ideas for Acme"),
    "portal-empty": ("anonymous", "/p/acme/?q=zzzz", 200, "Ideas for Acme"),
    "portal-idea": ("anonymous", "/p/acme/ideas/{idea}/", 200, "Show the dispatch board"),
    "portal-idea-member": ("pm", "/p/acme/ideas/{idea}/", 200, "Show the dispatch board"),
    "portal-submit": ("anonymous", "/p/acme/new/", 200, "Share an idea"),
    "portal-sign-in": ("anonymous", "/p/acme/sign-in/", 200, "Sign in to Acme ideas"),
    "portal-bad-link": ("anonymous", "/p/acme/sign-in/nonsense/", 400, "Sign in to Acme ideas"),
    "changelog": ("pm", "/w/acme/ship/changelog/", 200, "Changelog"),
    "changelog-new": ("pm", "/w/acme/ship/changelog/new/", 200, "New changelog entry"),
    "changelog-entry": ("pm", "/w/acme/ship/changelog/{changelog}/", 200, "Faster dispatch"),
    "changelog-entry-stakeholder": (
        "stakeholder",
        "/w/acme/ship/changelog/{changelog}/",
        200,
        "Faster dispatch",
    ),
    "changelog-unpublish": ("pm", "/w/acme/ship/changelog/{changelog}/unpublish/", 200, None),
    "portal-changelog": ("anonymous", "/p/acme/changelog/", 200, "What's new in Acme"),
    "portal-changelog-entry": ("anonymous", "/p/acme/changelog/{changelog}/", 200, "Faster"),
    "ideas": ("pm", "/w/acme/ideas/", 200, "Ideas"),
    "idea": ("pm", "/w/acme/ideas/{idea}/", 200, "Show the dispatch board"),
    "idea-contributor": ("contributor", "/w/acme/ideas/{idea}/", 200, "Show the dispatch"),
    "portal-settings": ("pm", "/w/acme/ideas/portal/", 200, "Ideas portal settings"),
    "feedback-duplicates": ("pm", "/w/acme/feedback/duplicates/", 200, "Possible duplicates"),
    "feedback-themes": ("contributor", "/w/acme/feedback/themes/", 200, "Themes"),
    "feedback-similar": ("pm", "/w/acme/feedback/{feedback}/similar/", 200, "Similar to"),
    "competitors": ("pm", "/w/acme/competitors/", 200, "Competitors"),
    "competitor": ("pm", "/w/acme/competitors/{competitor}/", 200, "Routewise"),
    "competitor-delete": ("pm", "/w/acme/competitors/{competitor}/delete/", 200, None),
    "matrix": ("pm", "/w/acme/competitors/matrix/", 200, "Capability matrix"),
    "matrix-contributor": ("contributor", "/w/acme/competitors/matrix/?show=all", 200, None),
    "matrix-cell": ("pm", "/w/acme/competitors/{competitor}/features/{feature}/", 200, None),
    "research": ("contributor", "/w/acme/research/", 200, "Research notes"),
    "research-note": ("contributor", "/w/acme/research/{note}/", 200, "Interview with Nora"),
    "research-new": ("contributor", "/w/acme/research/new/", 200, "Write a research note"),
    "research-edit": ("pm", "/w/acme/research/{note}/edit/", 200, "Edit Interview"),
    "research-delete": ("pm", "/w/acme/research/{note}/delete/", 200, None),
    "intake-email": ("contributor", "/w/acme/intake/email/", 200, "Add feedback from email"),
    "intake-mail": ("pm", "/w/acme/intake/mail/", 200, "Inbound email"),
    "strategy": ("pm", "/w/acme/strategy/", 200, "Objectives"),
    "strategy-stakeholder": ("stakeholder", "/w/acme/strategy/?product=web", 200, "Objectives"),
    "strategy-tree": ("pm", "/w/acme/strategy/tree/web/", 200, "Strategy of Web"),
    "objective": ("pm", "/w/acme/strategy/objectives/{objective}/", 200, "Dispatch large"),
    "key-result": ("pm", "/w/acme/strategy/key-results/{kr}/", 200, "Board load time"),
    "decisions": ("stakeholder", "/w/acme/decisions/", 200, "Decisions"),
    "decision-new": ("pm", "/w/acme/decisions/new/", 200, "Record a decision"),
    "decision": ("pm", "/w/acme/decisions/{decision}/", 200, "Rebuild the dispatch board"),
    "decision-delete": ("pm", "/w/acme/decisions/{decision}/delete/", 200, None),
    "objective-delete": ("pm", "/w/acme/strategy/objectives/{objective}/delete/", 200, None),
    "ranking": ("stakeholder", "/w/acme/features/ranking/", 200, "Ranking"),
    "ranking-business": ("pm", "/w/acme/features/ranking/?business=1", 200, "Ranking"),
    "ranking-what-if": (
        "pm",
        "/w/acme/features/ranking/?formula=reach+%2B*+2",
        400,
        "Ranking",
    ),
    "scoring-models": ("pm", "/w/acme/features/scoring/", 200, "Scoring models"),
    "value-effort-matrix": ("stakeholder", "/w/acme/features/matrix/", 200, "Value versus effort"),
    "scoring-model": ("pm", "/w/acme/features/scoring/{scoring_model}/", 200, "RICE"),
    "roadmap-board": ("pm", "/w/acme/roadmap/board/?unplaced=1", 200, "Roadmap board"),
    "roadmap-board-status": ("stakeholder", "/w/acme/roadmap/board/?view=status", 200, None),
    "roadmap-board-releases": ("po", "/w/acme/roadmap/board/?view=releases", 200, None),
    "roadmap-board-bad-product": ("pm", "/w/acme/roadmap/board/?product=nope", 400, None),
    "roadmap-changes": ("pm", "/w/acme/roadmap/changes/", 200, "What changed"),
    "roadmap-changes-bad-date": ("pm", "/w/acme/roadmap/changes/?since=2026-13-01", 400, None),
    "roadmap-views": ("contributor", "/w/acme/roadmap/views/", 200, "Saved roadmap views"),
    "roadmap": ("pm", "/w/acme/roadmap/", 200, "Roadmap"),
    "roadmap-stakeholder": ("stakeholder", "/w/acme/roadmap/?group=product&zoom=month", 200, None),
    "roadmap-by-objective": ("pm", "/w/acme/roadmap/?product=web&group=objective", 200, None),
    "share-links": ("pm", "/w/acme/share-links/", 200, "Share links"),
    "share-revoke": ("pm", "/w/acme/share-links/{share_key}/revoke/", 200, "Revoke"),
    "share-public": ("anonymous", "/s/{share_token}/", 200, "Roadmap"),
    "share-public-board": ("anonymous", "/s/{share_token}/horizons/", 200, "Roadmap"),
    "share-public-releases": ("anonymous", "/s/{share_token}/releases/", 200, "Roadmap"),
    "share-unknown": ("anonymous", "/s/no-such-link-000000000000000000/", 404, "Not found"),
    "releases": ("pm", "/w/acme/releases/", 200, "Releases and milestones"),
    "releases-empty": ("stakeholder", "/w/acme/releases/?status=released", 200, "Releases"),
    "release-new": ("po", "/w/acme/releases/new/", 200, "New release or milestone"),
    "release": ("po", "/w/acme/releases/{release}/", 200, "Spring 2027"),
    "release-stakeholder": ("stakeholder", "/w/acme/releases/{release}/", 200, "Spring 2027"),
    "release-delete": ("pm", "/w/acme/releases/{release}/delete/", 200, "Delete Spring 2027?"),
    "backlog": ("po", "/w/acme/backlog/", 200, "Backlog"),
    "backlog-team": ("stakeholder", "/w/acme/backlog/?team={team}", 200, "Backlog"),
    "backlog-empty": ("po", "/w/acme/backlog/?status=done", 200, "Backlog"),
    "story": ("po", "/w/acme/backlog/stories/{story}/", 200, "Load 100 techs"),
    "story-contributor": ("contributor", "/w/acme/backlog/stories/{story}/", 200, None),
    "story-stakeholder": ("stakeholder", "/w/acme/backlog/stories/{story}/", 200, None),
    "story-delete": ("po", "/w/acme/backlog/stories/{story}/delete/", 200, "Delete Load"),
    "iterations": ("po", "/w/acme/iterations/", 200, "Iterations"),
    "iteration": ("po", "/w/acme/iterations/{iteration}/", 200, "Sprint 1"),
    "throughput": ("stakeholder", "/w/acme/teams/{team}/throughput/", 200, "Platform"),
    "my-work": ("contributor", "/w/acme/my-work/", 200, "My work"),
    "my-work-empty": ("stakeholder", "/w/acme/my-work/", 200, "My work"),
    "analytics-home": ("pm", "/w/acme/analytics/", 200, "Analytics"),
    "analytics-home-stakeholder": ("stakeholder", "/w/acme/analytics/", 200, "Analytics"),
    "trends": ("contributor", "/w/acme/analytics/trends/", 200, "Trends"),
    "trends-bad": ("pm", "/w/acme/analytics/trends/?s0_math=wau&interval=week", 400, "Trends"),
    "retention": ("stakeholder", "/w/acme/analytics/retention/?start_event=x", 200, "Retention"),
    "funnels": ("contributor", "/w/acme/analytics/funnels/", 200, "Funnels"),
    "funnels-result": ("stakeholder", "/w/acme/analytics/funnels/?steps=a,b&window=2d", 200, None),
    "funnels-bad": ("pm", "/w/acme/analytics/funnels/?step_1=a&window=soon", 400, "Funnels"),
    "funnel-dropped": ("pm", "/w/acme/analytics/funnels/dropped/?steps=a,b&step=2", 200, None),
    "retention-bad": ("pm", "/w/acme/analytics/retention/?start_event=x&periods=0", 400, None),
    "events": ("po", "/w/acme/analytics/events/?event=x", 200, "Events"),
    "persons": ("stakeholder", "/w/acme/analytics/persons/", 200, "Persons"),
    "friction": ("pm", "/w/acme/analytics/friction/", 200, "Friction"),
    "friction-bad-period": ("pm", "/w/acme/analytics/friction/?days=3", 400, "Friction"),
    "sql-console": ("contributor", "/w/acme/analytics/sql/", 200, "SQL console"),
    "sql-result": ("pm", "/w/acme/analytics/sql/?sql=SELECT+*+FROM+range(3)", 200, "SQL console"),
    "sql-refused": ("pm", "/w/acme/analytics/sql/?sql=DROP+VIEW+events", 400, "SQL console"),
    "charts": ("stakeholder", "/w/acme/analytics/charts/", 200, "Saved charts"),
    "chart": ("pm", "/w/acme/analytics/charts/{chart}/", 200, "Daily signups"),
    "chart-new": ("pm", "/w/acme/analytics/charts/new/?kind=trends&query=s0_event%3Dx", 200, None),
    "chart-delete": ("pm", "/w/acme/analytics/charts/{chart}/delete/", 200, "Delete"),
    "dashboards": ("pm", "/w/acme/analytics/dashboards/", 200, "Dashboards"),
    "dashboard": ("stakeholder", "/w/acme/analytics/dashboards/{dashboard}/", 200, "Growth"),
    "dashboard-manage": ("pm", "/w/acme/analytics/dashboards/{dashboard}/", 200, "Growth"),
    "adoption": ("pm", "/w/acme/analytics/features/{feature}/adoption/", 200, "Adoption of"),
    "kr-metric": ("pm", "/w/acme/analytics/key-results/{kr}/metric/", 200, "Value of"),
    "risks": ("pm", "/w/acme/ship/risks/", 200, "Risks"),
    "risks-cell": ("stakeholder", "/w/acme/ship/risks/?product=web&l=3&i=4", 200, "Risks"),
    "risks-empty": ("pm", "/w/acme/ship/risks/?status=closed", 200, "Risks"),
    "risk-new": ("pm", "/w/acme/ship/risks/new/", 200, "New risk"),
    "risk": ("pm", "/w/acme/ship/risks/{risk}/", 200, "Dispatch board rewrite"),
    "risk-stakeholder": ("stakeholder", "/w/acme/ship/risks/{risk}/", 200, "Dispatch board"),
    "risk-edit": ("pm", "/w/acme/ship/risks/{risk}/edit/", 200, "Edit Dispatch board"),
    "risk-occurred": ("pm", "/w/acme/ship/risks/{risk}/occurred/", 200, "happened"),
    "risk-action-delete": (
        "pm",
        "/w/acme/ship/risks/{risk}/actions/{risk_action}/delete/",
        200,
        "Delete the action",
    ),
    "issues": ("stakeholder", "/w/acme/ship/issues/", 200, "Issues"),
    "issue-new": ("po", "/w/acme/ship/issues/new/", 200, "Log an issue"),
    "issue": ("pm", "/w/acme/ship/issues/{issue}/", 200, "Board outage on Monday"),
    "budgets": ("pm", "/w/acme/ship/budgets/", 200, "Release budgets"),
    "budget": ("po", "/w/acme/ship/budgets/{release}/", 200, "Budget of Spring 2027"),
    "budget-stakeholder": ("stakeholder", "/w/acme/ship/budgets/{release}/", 200, "Budget of"),
    "budget-line": ("pm", "/w/acme/ship/budgets/{release}/lines/{cost_line}/", 200, "Edit cost"),
    "budget-line-delete": (
        "pm",
        "/w/acme/ship/budgets/{release}/lines/{cost_line}/delete/",
        200,
        "Delete “Design contractor”?",
    ),
    "forecast": ("stakeholder", "/w/acme/ship/forecast/", 200, "Delivery forecast"),
    "forecast-release": ("pm", "/w/acme/ship/forecast/{release}/", 200, "Spring 2027"),
    "delivery-settings": ("pm", "/w/acme/ship/settings/", 200, "Delivery settings"),
    "delivery-settings-read": ("stakeholder", "/w/acme/ship/settings/", 200, "Delivery settings"),
    "reports": ("pm", "/w/acme/ship/reports/", 200, "Status reports"),
    "reports-stakeholder": ("stakeholder", "/w/acme/ship/reports/?product=web", 200, "Status"),
    "report": ("stakeholder", "/w/acme/ship/reports/{report}/", 200, "Status: Web, week of"),
    "report-sent-edit": ("pm", "/w/acme/ship/reports/{report}/edit/", 409, "was sent"),
    "experiments": ("stakeholder", "/w/acme/measure/experiments/", 200, "Experiments"),
    "experiments-empty": ("pm", "/w/acme/measure/experiments/?q=zzzz", 200, "Experiments"),
    "experiment-new": ("pm", "/w/acme/measure/experiments/new/", 200, "New experiment"),
    "experiment-edit": ("pm", "/w/acme/measure/experiments/{experiment}/edit/", 200, "Edit"),
    "experiment-start": ("pm", "/w/acme/measure/experiments/{experiment}/start/", 200, "Start"),
    "experiment-stop": ("pm", "/w/acme/measure/experiments/{experiment}/stop/", 200, "Stop"),
    "experiment-delete": ("pm", "/w/acme/measure/experiments/{experiment}/delete/", 200, "Delete"),
    "experiment-calculator": (
        "stakeholder",
        "/w/acme/measure/experiments/calculator/?experiment={experiment}&metric=binomial"
        "&baseline=10&minimum_effect=5&alpha=0.05&power=0.8&arms=2&daily=1000",
        200,
        "Sample size calculator",
    ),
    "experiment": ("pm", "/w/acme/measure/experiments/{experiment}/", 200, "Next job on the"),
    "experiment-stakeholder": (
        "stakeholder",
        "/w/acme/measure/experiments/{experiment}/",
        200,
        "Next job on the board",
    ),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_axe_violation(web, acme, name):
    persona, path, status, heading = PAGES[name]
    path = path.format(
        team=acme.team.key,
        invite=acme.invite_token,
        contributor=acme["contributor"].membership.key,
        company=acme.company.key,
        person=acme.person.key,
        feedback=acme.feedback.key,
        feature=acme.feature.key,
        idea=acme.idea.key,
        competitor=acme.competitor.key,
        note=acme.note.key,
        objective=acme.objective.key,
        kr=acme.key_result.key,
        decision=acme.decision.key,
        scoring_model=acme.scoring_model.key,
        share_key=acme.share_link.key,
        share_token=acme.share_link.token,
        release=acme.release.key,
        story=acme.story.key,
        iteration=acme.iteration.key,
        chart=acme.chart.key,
        dashboard=acme.dashboard.key,
        risk=acme.risk.key,
        risk_action=acme.risk_action.key,
        issue=acme.issue.key,
        changelog=acme.changelog.key,
        cost_line=acme.cost_line.key,
        report=acme.report.key,
        experiment=acme.experiment.key,
    )
    page = web.page(user=acme[persona].user)
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)


def test_open_menus_have_no_serious_axe_violation(web, acme):
    page = web.page(user=acme["owner"].user)
    page.goto("/w/acme/")
    for menu, item in (("Acme", "+ New workspace"), ("Olivia Owner", "All workspaces")):
        page.locator("summary", has_text=menu).click()
        expect(page.get_by_role("link", name=item)).to_be_visible()
    assert_accessible(page)


def test_forms_with_errors_have_no_serious_axe_violation(web, acme):
    """Error states: the messages tie to their fields, and nothing fails contrast."""
    page = web.page()
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Email").fill("fresh@acme.test")
    page.get_by_label("Password").fill("1234")  # too short, too common, all digits
    page.get_by_role("button", name="Create account").click()
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"too short.*too common"))
    assert_accessible(page)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("owner@acme.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert_accessible(page)

    owner = web.page(user=acme["owner"].user)
    owner.goto("/w/acme/members/")
    invite = owner.locator("section", has=owner.get_by_role("heading", name="Invite someone"))
    invite.get_by_label("Email address").fill("not-an-email")
    invite.get_by_role("button", name="Send invitation").click()
    expect(invite.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    assert_accessible(owner)

    owner.goto("/w/acme/tokens/")
    owner.get_by_label("Token name").fill("nightly export")
    owner.get_by_role("button", name="Create token").click()
    expect(owner.get_by_role("heading", name="Your new token")).to_be_visible()
    assert_accessible(owner)
