"""What each role may do: the one matrix every view and API handler checks.

`docs/permissions.md` carries `matrix_markdown()`; a test fails when the two drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from lodestar.core.errors import PermissionDenied
from lodestar.workspaces.models import Membership, Role

ALL = frozenset(Role)
MEMBERS = ALL - {Role.STAKEHOLDER}
ADMINS = frozenset({Role.OWNER, Role.ADMIN})
PLANNERS = ADMINS | {Role.PRODUCT_MANAGER}
DELIVERY = PLANNERS | {Role.PRODUCT_OWNER}


@dataclass(frozen=True)
class Permission:
    description: str
    roles: frozenset[Role]


PERMISSIONS: dict[str, Permission] = {
    "workspace.view": Permission("See the workspace overview and its products", ALL),
    "workspace.update": Permission("Rename the workspace, change its time zone", ADMINS),
    "member.view": Permission("See the members list", MEMBERS),
    "member.manage": Permission(
        "Invite and remove members, change roles (only owners grant or take the owner role)",
        ADMINS,
    ),
    "product.manage": Permission("Create, edit and delete products", PLANNERS),
    "team.view": Permission("See teams, their members, capacity and cost", MEMBERS),
    "team.manage": Permission("Create, edit and delete teams", DELIVERY),
    "activity.view": Permission("Read the activity log", MEMBERS),
    "customer.view": Permission("See companies and people", MEMBERS),
    "customer.manage": Permission("Add, edit and delete companies and people", DELIVERY),
    "customer.import": Permission("Import companies and people from CSV", PLANNERS),
    "feedback.view": Permission("Read the feedback inbox", MEMBERS),
    "feedback.create": Permission("Add feedback heard from customers", MEMBERS),
    "feature.view": Permission("See features and the demand behind them", ALL),
    "feature.manage": Permission("Create, edit and delete features", PLANNERS),
    "insight.link": Permission("Link feedback snippets to features (insights)", DELIVERY),
    "feedback.triage": Permission(
        "Triage feedback: status, assignee, tags, bulk actions", DELIVERY
    ),
    "idea.view": Permission("See portal ideas, their votes and comments", MEMBERS),
    "idea.create": Permission(
        "Submit ideas, comment, and vote on behalf of a named customer (proxy votes)", MEMBERS
    ),
    "idea.moderate": Permission(
        "Change an idea's status, link it to a feature, merge, hide and unhide", DELIVERY
    ),
    "portal.manage": Permission(
        "Turn the ideas portal on or off, make it public or private", PLANNERS
    ),
    "market.view": Permission("See competitors, the capability matrix and research notes", MEMBERS),
    "market.manage": Permission("Add and edit competitors and the capability matrix", PLANNERS),
    "research.write": Permission(
        "Write research notes (interviews, market notes) and turn highlights into feedback",
        MEMBERS,
    ),
    "strategy.view": Permission(
        "See the vision, objectives, key results and the decision log", ALL
    ),
    "strategy.manage": Permission(
        "Write the vision, objectives and key results; link features to objectives", PLANNERS
    ),
    "decision.manage": Permission("Record decisions and change their status", PLANNERS),
    "scoring.manage": Permission(
        "Create and change scoring models and the drivers they score features with", PLANNERS
    ),
    "roadmap.view": Permission(
        "See the roadmap: timeline, boards, releases, the backlog; export it; save own views",
        ALL,
    ),
    "release.manage": Permission(
        "Create and change releases and milestones; put features in releases; dependencies",
        DELIVERY,
    ),
    "backlog.manage": Permission(
        "Write user stories and acceptance criteria, rank the backlog, plan iterations",
        DELIVERY,
    ),
    "story.update": Permission(
        "Update stories: status and acceptance criteria (contributors: the stories they own)",
        MEMBERS,
    ),
    "share.manage": Permission("Create and revoke read-only share links to the roadmap", PLANNERS),
    "view.share": Permission("Share a saved roadmap view with the whole workspace", PLANNERS),
    "analytics.view": Permission(
        "See product analytics: trends, funnels, retention, friction, dashboards, adoption", ALL
    ),
    "analytics.query": Permission(
        "Explore events: build insights, run read-only SQL over events and persons", MEMBERS
    ),
    "analytics.manage": Permission(
        "Save charts and dashboards, define feature adoption, link friction to features, "
        "feed key results from metrics",
        DELIVERY,
    ),
    "analytics.key": Permission("See a product's event capture key and snippet", MEMBERS),
    "risk.view": Permission(
        "See the risk register, the likelihood x impact heatmap and issues", ALL
    ),
    "risk.manage": Permission(
        "Add and change risks, mitigation actions and issues; accept or dismiss proposed risks",
        DELIVERY,
    ),
    "forecast.view": Permission(
        "See delivery forecasts: each release's chance of landing on time, its burn-up", ALL
    ),
    "delivery.configure": Permission(
        "Set a product's at-risk and over-budget thresholds and status-report recipients",
        PLANNERS,
    ),
    "budget.view": Permission("See release budgets: planned cost, actual cost, burn", ALL),
    "budget.manage": Permission("Edit planned cost and record actual cost lines", DELIVERY),
    "report.view": Permission("Read status reports and their archive", ALL),
    "report.manage": Permission("Generate, edit and send weekly status reports", DELIVERY),
    "changelog.manage": Permission(
        "Write changelog entries from shipped features and publish them on the portal", DELIVERY
    ),
    "experiment.view": Permission(
        "See experiments, their exposures and results, and the sample size calculator", ALL
    ),
    "experiment.manage": Permission(
        "Create and change experiments and their metrics; start and stop them", DELIVERY
    ),
    "experiment.decide": Permission(
        "Record an experiment's outcome in the decision log and set the feature's measured impact",
        PLANNERS,
    ),
    "token.manage": Permission("Create and revoke one's own API tokens", ALL),
}


def role_can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission].roles


def require(membership: Membership, permission: str) -> None:
    if not role_can(membership.role, permission):
        raise PermissionDenied(
            f"As {Role(membership.role).label.lower()} you cannot do this "
            f"({PERMISSIONS[permission].description.lower()})."
        )


def matrix_markdown() -> str:
    header = "| permission | what it allows | " + " | ".join(r.label for r in Role) + " |"
    rule = "|---|---|" + "---|" * len(Role)
    rows = [
        f"| `{name}` | {perm.description} | "
        + " | ".join("yes" if role in perm.roles else "—" for role in Role)
        + " |"
        for name, perm in PERMISSIONS.items()
    ]
    return "\n".join([header, rule, *rows])
