"""The main pages of the demo workspace `acme`: what `benchmarks/run.py` times and what
`tests/test_query_counts.py` holds to a constant query count.

One list, so the benchmark and the test cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

SLUG = "acme"
OWNER_EMAIL = "dana@acme.example"
# The demo's first team ("Dispatch & Scheduling") exists at every size; its key is random,
# so callers look it up after each build (see `first_team_key`).
TEAM_NAME = "Dispatch & Scheduling"
# The trivial view every page is compared with: one `SELECT 1`, no session, no template.
TRIVIAL = "/healthz"


@dataclass(frozen=True)
class Page:
    name: str
    path: str


def main_pages(team_key: str, company_key: str, feature_key: str) -> list[Page]:
    w = f"/w/{SLUG}"
    api = f"/api/v1/workspaces/{SLUG}"
    return [
        Page("overview", f"{w}/"),
        Page("products", f"{w}/products/"),
        Page("product web", f"{w}/products/web/"),
        Page("members", f"{w}/members/"),
        Page("teams", f"{w}/teams/"),
        Page("team detail", f"{w}/teams/{team_key}/"),
        Page("activity", f"{w}/activity/"),
        Page("loop: plan", f"{w}/loop/plan/"),
        Page("tokens", f"{w}/tokens/"),
        Page("settings", f"{w}/settings/"),
        Page("companies", f"{w}/customers/"),
        Page("companies: smb, by name", f"{w}/customers/?segment=smb&order=name"),
        Page("company detail", f"{w}/customers/companies/{company_key}/"),
        Page("people", f"{w}/customers/people/"),
        Page("feedback inbox", f"{w}/feedback/"),
        Page("features", f"{w}/features/"),
        Page("features, most insights first", f"{w}/features/?order=insights"),
        Page("feature detail (most insights)", f"{w}/features/{feature_key}/"),
        Page("ranking (web, default model)", f"{w}/features/ranking/"),
        Page("ranking with the business case", f"{w}/features/ranking/?business=1"),
        Page("value-effort matrix (web, default model)", f"{w}/features/matrix/"),
        Page("scoring models", f"{w}/features/scoring/"),
        Page("feedback processed, tagged", f"{w}/feedback/?status=processed&tag=bug"),
        Page("ideas", f"{w}/ideas/"),
        Page("portal", f"/p/{SLUG}/"),
        Page("portal: planned, newest", f"/p/{SLUG}/?status=planned&sort=newest"),
        # A search reads every feedback of the tab (LIKE '% word'): the worst case of the inbox.
        Page("feedback search", f"{w}/feedback/?status=processed&q=quickbooks+-invoice"),
        Page("competitors", f"{w}/competitors/"),
        Page("capability matrix", f"{w}/competitors/matrix/"),
        Page("capability matrix, all features", f"{w}/competitors/matrix/?show=all"),
        Page("research notes", f"{w}/research/"),
        Page("strategy: objectives", f"{w}/strategy/"),
        Page("strategy tree", f"{w}/strategy/tree/web/"),
        Page("decisions", f"{w}/decisions/"),
        Page("decisions search", f"{w}/decisions/?q=dispatch+board"),
        Page("record a decision", f"{w}/decisions/new/"),
        Page("roadmap timeline (all products, by team)", f"{w}/roadmap/"),
        Page("roadmap timeline (by objective, months)", f"{w}/roadmap/?group=objective&zoom=month"),
        Page("roadmap board: now / next / later", f"{w}/roadmap/board/"),
        Page("roadmap board: by status", f"{w}/roadmap/board/?view=status"),
        Page("roadmap board: by release (web)", f"{w}/roadmap/board/?view=releases&product=web"),
        Page("roadmap: what changed", f"{w}/roadmap/changes/"),
        Page("backlog", f"{w}/backlog/"),
        Page("backlog of a team (with throughput)", f"{w}/backlog/?team={team_key}"),
        Page("iterations", f"{w}/iterations/"),
        Page("team throughput", f"{w}/teams/{team_key}/throughput/"),
        Page("releases", f"{w}/releases/"),
        Page("releases of web, planned", f"{w}/releases/?product=web&status=planned"),
        Page("my work", f"{w}/my-work/"),
        Page("API members", f"{api}/members"),
        Page("API teams", f"{api}/teams"),
        Page("API stories", f"{api}/stories?status=todo"),
        Page("API releases", f"{api}/releases?product=web"),
        Page("API activity", f"{api}/activity"),
        Page("API products", f"{api}/products"),
        Page("API companies", f"{api}/companies?arr_min=10000"),
        Page("API people", f"{api}/people"),
        Page("API research notes", f"{api}/research-notes"),
        Page("API feedback", f"{api}/feedback?status=inbox"),
        Page("API ranking", f"{api}/products/web/ranking"),
    ]


def first_team_key() -> str:
    """The key of the demo's first team; call after `build_demo` (Django must be set up)."""
    from lodestar.workspaces.models import Team

    return Team.objects.get(workspace__slug=SLUG, name=TEAM_NAME).key


def top_company_key() -> str:
    """The key of the demo's highest-ARR company (the one with the most contacts to show)."""
    from lodestar.customers.models import Company

    return Company.objects.filter(workspace__slug=SLUG).order_by("-arr", "pk").first().key


def top_feature_key() -> str:
    """The key of the demo feature with the most insights (the heaviest feature page)."""
    from django.db.models import Count

    from lodestar.planning.models import Feature

    rows = Feature.objects.filter(workspace__slug=SLUG).annotate(n=Count("insights"))
    return rows.order_by("-n", "pk").first().key
