"""Shared fixtures: the personas of DESIGN.md in a workspace `acme`, and an outsider who owns
a second workspace `other` with objects of every kind."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from lodestar.analytics.models import Chart, ChartEmbed, Dashboard, DashboardChart
from lodestar.customers.market_models import Competitor, ResearchNote
from lodestar.customers.market_services import capability_set, competitor_create
from lodestar.customers.models import Company, Person
from lodestar.customers.research_services import note_create
from lodestar.customers.services import company_create, person_create
from lodestar.delivery import issue_services, risk_services
from lodestar.delivery.models import (
    ChangelogEntry,
    CostLine,
    Issue,
    ReportStatus,
    Risk,
    RiskAction,
    StatusReport,
)
from lodestar.experiments import services as experiment_services
from lodestar.experiments.models import Experiment
from lodestar.feedback.models import Comment as IdeaComment
from lodestar.feedback.models import Feedback, Idea, Insight
from lodestar.feedback.portal_services import comment_add, idea_create, portal_update
from lodestar.feedback.services import feedback_create, insight_link
from lodestar.planning.backlog_models import Iteration, UserStory
from lodestar.planning.backlog_services import story_create
from lodestar.planning.iteration_services import iteration_create
from lodestar.planning.models import Feature, Release, ScoringModel
from lodestar.planning.release_services import release_create
from lodestar.planning.roadmap_models import ShareLink
from lodestar.planning.scoring_services import scoring_model_create
from lodestar.planning.share_services import share_link_create
from lodestar.strategy import services as strategy_services
from lodestar.strategy.models import Decision, KeyResult, Objective
from lodestar.workspaces import services
from lodestar.workspaces.models import Membership, Product, Role, Team, Workspace
from tests.factories import PASSWORD, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright

PERSONA_ROLES = {
    "owner": Role.OWNER,
    "admin": Role.ADMIN,
    "pm": Role.PRODUCT_MANAGER,
    "po": Role.PRODUCT_OWNER,
    "contributor": Role.CONTRIBUTOR,
    "stakeholder": Role.STAKEHOLDER,
}


@dataclass
class Persona:
    name: str
    user: object | None = None
    membership: Membership | None = None
    token: str | None = None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def client(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client

    def api(self) -> Client:
        """A client that authenticates with this persona's API token."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return Client(headers=headers)


@dataclass
class World:
    workspace: Workspace
    other: Workspace
    product: Product
    team: Team
    other_product: Product
    other_team: Team
    personas: dict[str, Persona] = field(default_factory=dict)
    company: Company | None = None
    person: Person | None = None
    feedback: Feedback | None = None
    insight: Insight | None = None
    feature: Feature | None = None
    competitor: Competitor | None = None
    note: ResearchNote | None = None
    idea: Idea | None = None
    comment: IdeaComment | None = None
    objective: Objective | None = None
    key_result: KeyResult | None = None
    decision: Decision | None = None
    scoring_model: ScoringModel | None = None
    release: Release | None = None
    share_link: ShareLink | None = None
    iteration: Iteration | None = None
    story: UserStory | None = None
    chart: Chart | None = None
    dashboard: Dashboard | None = None
    embed: ChartEmbed | None = None
    changelog: ChangelogEntry | None = None
    report: StatusReport | None = None
    cost_line: CostLine | None = None
    risk: Risk | None = None
    risk_action: RiskAction | None = None
    issue: Issue | None = None
    experiment: Experiment | None = None

    def __getitem__(self, name: str) -> Persona:
        return self.personas[name]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (a test checks); tests need thousands of logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def event_store(settings, tmp_path):
    """Every test gets its own, empty event store (lodestar.analytics.store)."""
    from lodestar.analytics import store

    settings.EVENTS_DIR = tmp_path / "events"
    store.reset()
    yield store
    store.reset()


def build_world() -> World:
    owner = UserFactory(email="owner@acme.test", name="Olivia Owner")
    workspace = services.workspace_create(user=owner, name="Acme", slug="acme")
    personas = {"owner": Persona("owner", owner, Membership.objects.get(user=owner))}
    for name, role in PERSONA_ROLES.items():
        if name == "owner":
            continue
        user = UserFactory(email=f"{name}@acme.test", name=name.title())
        personas[name] = Persona(
            name, user, Membership.objects.create(workspace=workspace, user=user, role=role)
        )
    outsider = UserFactory(email="outsider@other.test", name="Otto Outsider")
    other = services.workspace_create(user=outsider, name="Other Co", slug="other")
    personas["outsider"] = Persona("outsider", outsider, None)
    personas["anonymous"] = Persona("anonymous")
    for persona in personas.values():
        if persona.user is None:
            continue
        ws = workspace if persona.membership else other
        _token, persona.token = services.token_create(
            workspace=ws, user=persona.user, name=f"{persona.name} token"
        )
    product = services.product_create(workspace=workspace, actor=owner, key="web", name="Web")
    team = services.team_create(
        workspace=workspace,
        actor=owner,
        name="Platform",
        capacity_points=30,
        cost_per_week="25000",
        member_keys=[personas["contributor"].membership.key],
    )
    other_product = services.product_create(
        workspace=other, actor=outsider, key="other-web", name="Other web"
    )
    other_team = services.team_create(workspace=other, actor=outsider, name="Other team")
    world = World(workspace, other, product, team, other_product, other_team, personas)
    world.company = company_create(
        workspace=workspace, actor=owner, name="Northwind", domain="northwind.test", arr="120k"
    )
    world.person = person_create(
        workspace=workspace,
        actor=owner,
        name="Nora North",
        email="nora@northwind.test",
        company_domain="northwind.test",
    )
    world.feedback = feedback_create(
        workspace=workspace,
        actor=world["contributor"].user,
        text="The dispatch board gets slow when we have more than 50 techs on it.",
        person_email="nora@northwind.test",
        product_key="web",
        tags="performance",
    )
    world.insight = insight_link(
        feedback=world.feedback,
        actor=world["pm"].user,
        snippet="gets slow when we have more than 50 techs",
        importance=3,
        feature_title="Fast dispatch board for large fleets",
    )
    world.feature = world.insight.feature
    world.competitor = competitor_create(
        workspace=workspace, actor=owner, name="Routewise", website="https://routewise.test"
    )
    capability_set(competitor=world.competitor, feature=world.feature, actor=owner, level="partial")
    world.note = note_create(
        workspace=workspace,
        actor=world["pm"].user,
        kind="interview",
        title="Interview with Nora at Northwind",
        date="2026-10-14",
        person_email="nora@northwind.test",
        body="Nora runs dispatch for 60 techs.\n\n"
        "> The board freezes every Monday morning when all the jobs land at once.\n\n"
        "They are *looking at* Routewise.",
    )
    portal_update(workspace=workspace, actor=owner, enabled=True, public=True)
    world.idea = idea_create(
        workspace=workspace,
        membership=personas["contributor"].membership,
        title="Show the dispatch board on the shop TV",
        body="Our dispatchers want the **whole crew** to see the day at a glance.",
        customer_email="nora@northwind.test",
    )
    world.comment = comment_add(
        idea=world.idea, body="We would use it every morning.", email="nora@northwind.test"
    )
    world.objective = strategy_services.objective_create(
        workspace=workspace,
        actor=owner,
        product_key="web",
        title="Dispatch large fleets without waiting",
        period="2026-Q4",
    )
    world.key_result = strategy_services.key_result_create(
        objective=world.objective,
        actor=owner,
        metric="Board load time, 100 techs",
        unit="ms",
        baseline="4000",
        target="800",
    )
    world.decision = strategy_services.decision_create(
        workspace=workspace,
        actor=owner,
        title="Rebuild the dispatch board on a virtualized list",
        feature_titles=world.feature.title,
    )
    world.scoring_model = scoring_model_create(
        workspace=workspace, product=product, actor=owner, name="RICE", kind="rice"
    )
    # Its own team: a team with releases cannot be deleted (409), and the URL test deletes
    # world.team.
    delivery = services.team_create(
        workspace=workspace, actor=owner, name="Delivery", capacity_points=30
    )
    world.release = release_create(
        workspace=workspace,
        actor=owner,
        name="Spring 2027",
        product_key="web",
        team_key=delivery.key,
        start="2027-03-01",
        target="2027-05-28",
    )
    world.share_link = share_link_create(
        workspace=workspace,
        actor=owner,
        label="Board meeting",
        product_keys=["web"],
        views=["timeline", "horizons", "status", "releases"],
    )
    world.iteration = iteration_create(
        workspace=workspace,
        actor=owner,
        membership=personas["owner"].membership,
        team_key=team.key,
        name="Sprint 1",
        start="2026-11-02",
        end="2026-11-16",
    )
    # Owned by the contributor: story.update lets them change it (and only it).
    world.story = story_create(
        workspace=workspace,
        actor=owner,
        membership=personas["owner"].membership,
        feature_key=world.feature.key,
        title="Load 100 techs on the board in under a second",
        as_a="dispatcher",
        i_want="the board to open fast with 100 techs",
        so_that="Monday mornings are not lost",
        points=5,
        owner_key=personas["contributor"].membership.key,
        iteration_key=world.iteration.key,
        criteria="Opens in under 1 s with 100 techs\nScrolling stays smooth",
    )
    world.chart = Chart.objects.create(
        workspace=workspace,
        product=product,
        name="Daily signups",
        kind="trends",
        query={"s0_event": "signed_up", "interval": "day", "range": "30d"},
    )
    world.dashboard = Dashboard.objects.create(workspace=workspace, product=product, name="Growth")
    DashboardChart.objects.create(dashboard=world.dashboard, chart=world.chart)
    world.embed = ChartEmbed.objects.create(chart=world.chart, feature=world.feature)
    world.cost_line = CostLine.objects.create(
        workspace=workspace,
        release=world.release,
        description="Design contractor",
        amount="4200.00",
        spent_on=date(2026, 10, 1),
    )
    # Published, so the portal's changelog pages have an entry to show.
    world.changelog = ChangelogEntry.objects.create(
        workspace=workspace,
        product=product,
        title="Faster dispatch board",
        body="### Web\n\n- **Fast dispatch board for large fleets**: opens in under a second.\n",
        published_at=timezone.now(),
    )
    world.changelog.features.set([world.feature])
    # Sent, so every member (stakeholders read sent reports only) can open its pages.
    world.report = StatusReport.objects.create(
        workspace=workspace,
        product=product,
        week_start=date(2026, 11, 2),
        title="Status: Web, week of November 2, 2026",
        body="# Status: Web, week of November 2, 2026\n\n## What shipped this week\n\n- Dispatch\n",
        status=ReportStatus.SENT,
        sent_at=timezone.now(),
        sent_to=["stakeholder@acme.test"],
    )
    # An open risk on the release, with one mitigation action, and an issue logged directly.
    world.risk = risk_services.risk_create(
        product=product,
        actor=world["pm"].user,
        title="Dispatch board rewrite slips past spring",
        category="schedule",
        likelihood=3,
        impact=4,
        owner_key=personas["pm"].membership.key,
        review_on=date(2099, 1, 4),
        feature_keys=[world.feature.key],
        release_keys=[world.release.key],
        objective_keys=[world.objective.key],
    )
    world.risk_action = risk_services.action_add(
        risk=world.risk, actor=world["pm"].user, title="Load test with 100 techs"
    )
    world.issue = issue_services.issue_create(
        product=product,
        actor=world["pm"].user,
        title="Board outage on Monday",
        impact="Dispatchers worked from paper for two hours.",
        severity=4,
        occurred_on=date(2026, 10, 5),
    )
    # A draft experiment on the feature, with a primary metric (so it can start).
    world.experiment = experiment_services.experiment_create(
        product=product,
        actor=world["pm"].user,
        name="Next job on the board",
        flag_key="board-next-job",
        hypothesis="Showing each tech's next job makes dispatchers assign faster.",
        feature_key=world.feature.key,
        metrics=[{"name": "Assigned a job", "role": "primary", "event": "job_assigned"}],
    )
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def password() -> str:
    return PASSWORD
