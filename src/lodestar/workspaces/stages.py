"""The product loop as the navigation shows it. Each area registers its pages here, so the
stage pages list what exists, and nothing that does not."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    title: str
    url_name: str  # reversed with the workspace slug
    permission: str
    description: str


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    question: str
    sections: list[Section] = field(default_factory=list)


STAGES: dict[str, Stage] = {
    "listen": Stage(
        "listen",
        "Listen",
        "What are customers telling us?",
        [
            Section(
                "Feedback",
                "feedback:inbox",
                "feedback.view",
                "Everything customers and colleagues told us, triaged in one inbox.",
            ),
            Section(
                "Themes",
                "similar:themes",
                "feedback.view",
                "Open feedback grouped by what it is about, ranked by the ARR behind each theme.",
            ),
            Section(
                "Ideas",
                "ideas:list",
                "idea.view",
                "What customers ask for on the public ideas portal, with their votes.",
            ),
            Section(
                "Companies",
                "customers:companies",
                "customer.view",
                "Customers with their ARR, plan and segment; filter, search, import from CSV.",
            ),
            Section(
                "People",
                "customers:people",
                "customer.view",
                "Contacts at those companies: who said what, and who to tell when it ships.",
            ),
            Section(
                "Competitors",
                "market:competitors",
                "market.view",
                "Who else customers look at, and a capability matrix: where we lead and lag.",
            ),
            Section(
                "Research",
                "market:notes",
                "market.view",
                "Customer interviews and market notes; a highlighted quote becomes feedback.",
            ),
        ],
    ),
    "decide": Stage(
        "decide",
        "Decide",
        "What should we build, and why?",
        [
            Section(
                "Features",
                "planning:features",
                "feature.view",
                "What customers ask for, with the insights, companies and ARR behind each.",
            ),
            Section(
                "Strategy",
                "strategy:objectives",
                "strategy.view",
                "A vision per product, objectives by quarter with key results, and the features"
                " that serve them.",
            ),
            Section(
                "Decisions",
                "strategy:decisions",
                "strategy.view",
                "The decision log: options, outcome and rationale, with the evidence behind each.",
            ),
        ],
    ),
    "plan": Stage(
        "plan",
        "Plan",
        "When will it ship, and who builds it?",
        [
            Section(
                "Roadmap",
                "roadmap:timeline",
                "roadmap.view",
                "Releases and milestones on a timeline by team, objective or product, with "
                "dependencies and today; exports to CSV, JSON, SVG, PNG, iCal and Atom.",
            ),
            Section(
                "Boards",
                "roadmap:board",
                "roadmap.view",
                "Now / Next / Later, by status, or by release: drag a feature to move it; "
                "saved views and what changed since a date.",
            ),
            Section(
                "Products",
                "workspaces:products",
                "workspace.view",
                "The products this workspace plans, each with a short key.",
            ),
            Section(
                "Teams",
                "workspaces:teams",
                "team.view",
                "Who builds: members, weekly capacity in points, cost per week.",
            ),
            Section(
                "Releases",
                "releases:releases",
                "roadmap.view",
                "Releases and milestones per product: their features, planned effort against "
                "the team's capacity, and dependency warnings.",
            ),
            Section(
                "Backlog",
                "backlog:backlog",
                "roadmap.view",
                "User stories in rank order with acceptance criteria, iterations, and each "
                "team's weekly throughput.",
            ),
            Section(
                "My work",
                "releases:my_work",
                "roadmap.view",
                "The features, releases and user stories you own, by status.",
            ),
            Section(
                "Share links",
                "share:manage",
                "share.manage",
                "Read-only roadmap links for stakeholders without an account: revocable, "
                "expiring, internal fields hidden unless turned on.",
            ),
        ],
    ),
    "ship": Stage(
        "ship",
        "Ship",
        "Will it land on time, and what could stop it?",
        [
            Section(
                "Risks",
                "risks:register",
                "risk.view",
                "The risk register per product: likelihood x impact, owners, mitigation "
                "actions, review dates; the 5x5 heatmap; risks Lodestar proposes from the numbers.",
            ),
            Section(
                "Issues",
                "risks:issues",
                "risk.view",
                "What happened: risks that occurred and problems logged directly, with their "
                "impact and resolution.",
            ),
            Section(
                "Forecast",
                "forecast:forecast",
                "forecast.view",
                "Each open release's chance of finishing by its target and its 50 / 85 / 95 % "
                "dates, from the team's throughput; a burn-up with the forecast cone.",
            ),
            Section(
                "Delivery settings",
                "forecast:settings",
                "forecast.view",
                "Per product: the on-time and over-budget thresholds that flag releases, and "
                "extra status-report recipients.",
            ),
            Section(
                "Budgets",
                "budgets:budgets",
                "budget.view",
                "Each release's planned cost against what it has cost so far: cost lines, burn "
                "against plan, and a draft risk when a release runs over budget.",
            ),
            Section(
                "Status reports",
                "reports:list",
                "report.view",
                "A weekly report per product, generated from the data and edited before it is "
                "emailed to stakeholders: as a page, Markdown or PDF, archived by week.",
            ),
            Section(
                "Changelog",
                "changelog:entries",
                "roadmap.view",
                "What shipped, told to customers on the portal and in an Atom feed; publishing "
                "an entry emails everyone who asked for its features.",
            ),
        ],
    ),
    "measure": Stage(
        "measure",
        "Measure",
        "What did it change for users?",
        [
            Section(
                "Analytics",
                "analytics_insights:home",
                "analytics.view",
                "Events per product in the last day and week, the top events, and how to send "
                "the first one.",
            ),
            Section(
                "Trends",
                "analytics_insights:trends",
                "analytics.view",
                "Events and persons per day, week or month; daily, weekly and monthly active "
                "persons; breakdowns by property, company, plan or ARR; the previous period.",
            ),
            Section(
                "Funnels",
                "analytics_insights:funnels",
                "analytics.view",
                "How many persons go from each step to the next within a window, how long it "
                "takes, by property, company or plan, and who dropped.",
            ),
            Section(
                "Retention",
                "analytics_insights:retention",
                "analytics.view",
                "First-time and recurring cohorts: who came back each day, week or month after.",
            ),
            Section(
                "Events and persons",
                "analytics_insights:events",
                "analytics.view",
                "The latest events as they arrive, and each person's properties, company and "
                "events.",
            ),
            Section(
                "Friction",
                "analytics_friction:friction",
                "analytics.view",
                "Rage, dead and error clicks and slow pages per page and element: the people, "
                "companies and conversions they cost; link one to a feature as evidence.",
            ),
            Section(
                "Experiments",
                "experiments:list",
                "experiment.view",
                "A/B tests from hypothesis to decision: variants and metrics, exposures from "
                "the SDKs you use, results you can trust, the outcome recorded in the log.",
            ),
            Section(
                "SQL console",
                "analytics_sql:console",
                "analytics.query",
                "Read-only SQL over events, persons and companies: a table, a chart, a CSV.",
            ),
            Section(
                "Dashboards",
                "analytics_charts:dashboards",
                "analytics.view",
                "Saved charts side by side on current data, per product, for the whole team.",
            ),
            Section(
                "Saved charts",
                "analytics_charts:charts",
                "analytics.view",
                "Insights saved with a name: open them on current data, show them on features, "
                "objectives and decisions, feed key results from them.",
            ),
        ],
    ),
}
