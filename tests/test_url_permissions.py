"""Every URL, every persona: allowed or refused exactly as the permission matrix says.

URLs are enumerated from the URL resolver and the API routers, so a URL added later is
checked without anyone remembering to add it here; a URL whose view carries no access rule,
or whose path parameter has no sample below, fails the test.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction

from lodestar.core.routes import api_routes as api_operations
from lodestar.core.routes import html_routes as html_patterns
from lodestar.feedback.models import SavedFilter
from lodestar.imports.uploads import upload_save
from lodestar.workspaces import services
from lodestar.workspaces.models import ApiToken, InboundMailbox
from lodestar.workspaces.permissions import role_can
from tests.conftest import PERSONA_ROLES

pytestmark = pytest.mark.django_db

MEMBERS = list(PERSONA_ROLES)
REFUSED = {401, 403, 404, 405}


def _saved_filter(world, persona) -> SavedFilter:
    """The persona's own saved inbox filter (for non-members: one of acme's owner)."""
    owner = persona.membership or world["owner"].membership
    return SavedFilter.objects.get_or_create(
        workspace=world.workspace, owner=owner, name="Sample", defaults={"query": "status=inbox"}
    )[0]


def _saved_view(world, persona):
    """The persona's own saved roadmap view (for non-members: one of acme's owner)."""
    from lodestar.planning.roadmap_models import SavedView

    owner = persona.membership or world["owner"].membership
    return SavedView.objects.get_or_create(
        workspace=world.workspace, owner=owner, name="Sample", defaults={"view": "horizons"}
    )[0]


def _samples(world, persona) -> dict[str, str]:
    """A value for every path parameter a URL may have, pointing at `acme`'s objects."""
    invitation, _ = services.invitation_create(
        workspace=world.workspace,
        actor_membership=world["owner"].membership,
        email="sample-invitee@acme.test",
        role="contributor",
    )
    own_token = ApiToken.objects.filter(user=persona.user).first() if persona.user else None
    return {
        "slug": world.workspace.slug,
        "product_key": world.product.key,
        "team_key": world.team.key,
        "company_key": world.company.key,
        "person_key": world.person.key,
        "feedback_key": world.feedback.key,
        "feature_key": world.feature.key,
        "insight_key": world.insight.key,
        "filter_key": _saved_filter(world, persona).key,
        "view_key": _saved_view(world, persona).key,
        "competitor_key": world.competitor.key,
        "note_key": world.note.key,
        "idea_key": world.idea.key,
        "comment_key": world.comment.key,
        "objective_key": world.objective.key,
        "kr_key": world.key_result.key,
        "decision_key": world.decision.key,
        "model_key": world.scoring_model.key,
        "release_key": world.release.key,
        "story_key": world.story.key,
        "iteration_key": world.iteration.key,
        "chart_key": world.chart.key,
        "dashboard_key": world.dashboard.key,
        "embed_key": world.embed.key,
        "risk_key": world.risk.key,
        "action_key": world.risk_action.key,
        "issue_key": world.issue.key,
        "changelog_key": world.changelog.key,
        "report_key": world.report.key,
        "cost_line_key": world.cost_line.key,
        "experiment_key": world.experiment.key,
        "flag_key": world.experiment.flag_key,
        "criterion_id": str(world.story.criteria.order_by("pk")[0].pk),
        "mailbox_key": InboundMailbox.objects.get_or_create(workspace=world.workspace)[0].key,
        "member_key": world["contributor"].membership.key,
        "invitation_key": invitation.key,
        "token_key": own_token.key if own_token else "nokey",
        "stage": "plan",
        "token": "not-a-real-token",
        # A share link's public pages (/s/<share_token>/) open for anyone: a real token, so
        # they render (a 404 for an unknown one is tested in test_share_links.py).
        "share_token": world.share_link.token,
        "share_key": world.share_link.key,
        "uidb64": "MQ",
        # An uploaded CSV is only found by the member who uploaded it.
        "import_key": upload_save(
            workspace=world.workspace,
            user=persona.user,
            kind="companies",
            filename="sample.csv",
            data=b"name\nAcme\n",
        ).key
        if persona.user
        else "nokey",
    }


# -- enumeration --------------------------------------------------------------------------


def _fill(route: str, samples: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        assert name in samples, f"{route}: add a sample value for path parameter {name!r}"
        return samples[name]

    return re.sub(r"[<{]([^>}]+)[>}]", value, route)


HTML_ROUTES = sorted({route for route, _ in html_patterns()})
API_ROUTES = sorted({(method, route) for method, route, _ in api_operations()})

# A valid body for each API write, so a refusal can only come from the permission check.
API_BODIES = {
    ("PATCH", "/api/v1/workspaces/{slug}"): {"name": "Acme Inc", "time_zone": "Europe/Paris"},
    ("PATCH", "/api/v1/workspaces/{slug}/members/{member_key}"): {"role": "product_owner"},
    ("POST", "/api/v1/workspaces/{slug}/invitations"): {
        "email": "new@acme.test",
        "role": "contributor",
    },
    ("POST", "/api/v1/workspaces/{slug}/products"): {"key": "fresh", "name": "Fresh"},
    ("PATCH", "/api/v1/workspaces/{slug}/products/{product_key}"): {"name": "Renamed"},
    ("POST", "/api/v1/workspaces/{slug}/teams"): {"name": "New team", "capacity_points": 10},
    ("PATCH", "/api/v1/workspaces/{slug}/teams/{team_key}"): {"capacity_points": 12},
    ("POST", "/api/v1/workspaces/{slug}/companies"): {"name": "Contoso", "arr": "1.5M"},
    ("PATCH", "/api/v1/workspaces/{slug}/companies/{company_key}"): {"plan": "Enterprise"},
    ("POST", "/api/v1/workspaces/{slug}/people"): {"name": "Pat", "email": "pat@contoso.test"},
    ("PATCH", "/api/v1/workspaces/{slug}/people/{person_key}"): {"title": "CTO"},
    ("POST", "/api/v1/workspaces/{slug}/feedback"): {"text": "Please add dark mode."},
    ("PATCH", "/api/v1/workspaces/{slug}/feedback/{feedback_key}"): {"status": "processed"},
    ("POST", "/api/v1/workspaces/{slug}/competitors"): {"name": "Crewlane"},
    ("PATCH", "/api/v1/workspaces/{slug}/competitors/{competitor_key}"): {"description": "CRM"},
    ("PUT", "/api/v1/workspaces/{slug}/competitors/{competitor_key}/capabilities/{feature_key}"): {
        "level": "has",
        "source_url": "https://routewise.test/features",
    },
    ("POST", "/api/v1/workspaces/{slug}/research-notes"): {
        "title": "Call with Nora",
        "date": "2026-11-02",
        "body": "Nora wants **faster** boards.",
    },
    ("PATCH", "/api/v1/workspaces/{slug}/research-notes/{note_key}"): {"title": "Renamed"},
    ("POST", "/api/v1/workspaces/{slug}/research-notes/{note_key}/highlights"): {
        "quote": "The board freezes every Monday morning"
    },
    # Backlog: the contributor owns world.story, so story.update lets every member PATCH it.
    ("POST", "/api/v1/workspaces/{slug}/stories"): {
        "feature_key": "<feature_key>",
        "title": "Show each tech's next job",
    },
    ("PATCH", "/api/v1/workspaces/{slug}/stories/{story_key}"): {"status": "doing"},
    ("POST", "/api/v1/workspaces/{slug}/stories/{story_key}/criteria"): {"text": "Works offline"},
    ("PATCH", "/api/v1/workspaces/{slug}/stories/{story_key}/criteria/{criterion_id}"): {
        "done": True
    },
    ("POST", "/api/v1/workspaces/{slug}/iterations"): {
        "team_key": "<team_key>",
        "name": "Sprint 2",
        "start": "2026-11-16",
        "end": "2026-11-30",
    },
    ("POST", "/api/v1/workspaces/{slug}/releases"): {
        "name": "Autumn 2027",
        "product_key": "web",
        "team_key": "<team_key>",
        "start": "2027-09-06",
        "target": "2027-10-29",
    },
    ("PATCH", "/api/v1/workspaces/{slug}/releases/{release_key}"): {
        "target": "2027-06-11",
        "version": 1,
    },
    ("POST", "/api/v1/workspaces/{slug}/experiments"): {
        "product_key": "web",
        "name": "Bigger sign-up button",
        "flag_key": "big-signup",
        "hypothesis": "A bigger button gets more sign-ups.",
        "metrics": [{"role": "primary", "event": "signed_up"}],
    },
    ("PATCH", "/api/v1/workspaces/{slug}/experiments/{experiment_key}"): {"name": "Renamed"},
    ("POST", "/api/v1/workspaces/{slug}/experiments/{experiment_key}/start"): {},
    ("POST", "/api/v1/workspaces/{slug}/experiments/{experiment_key}/stop"): {},
}


def _keyed(body: dict, samples: dict[str, str]) -> dict:
    """`body` with each "<name>" value replaced by that sample (object keys are random)."""
    return {
        k: samples[v[1:-1]] if isinstance(v, str) and v[:1] == "<" and v[-1:] == ">" else v
        for k, v in body.items()
    }


def _rolled_back(call, *args, **kwargs):
    """Run one request and undo whatever it wrote, so every persona sees the same world."""
    with transaction.atomic():
        response = call(*args, **kwargs)
        transaction.set_rollback(True)
    return response


# -- the checks ---------------------------------------------------------------------------


def test_every_view_declares_its_access_rule():
    missing = [route for route, view in html_patterns() if not hasattr(view, "access")]
    missing += [f"{m} {r}" for m, r, view in api_operations() if not hasattr(view, "access")]
    assert not missing, f"views without an access rule: {missing}"


def test_every_api_write_has_a_sample_body():
    writes = [(m, r) for m, r in API_ROUTES if m in {"POST", "PATCH", "PUT"}]
    assert [w for w in writes if w not in API_BODIES] == []


# The role matrix is the access layer's (decorators and PERMISSIONS), the same on every
# database; CI runs these two on SQLite only (docs/decisions.md). Another workspace's keys
# (the 404 tests below) run on both.
@pytest.mark.one_database
@pytest.mark.parametrize("route", HTML_ROUTES)
def test_html_url_obeys_the_matrix(world, route):
    view = dict(html_patterns())[route]
    access = view.access
    for name in [*MEMBERS, "outsider", "anonymous"]:
        persona = world[name]
        url = _fill(route, _samples(world, persona))
        client = persona.client()
        for method in ("get", "post"):
            response = _rolled_back(getattr(client, method), url)
            status = response.status_code
            label = f"{method.upper()} {url} as {name}"
            assert status < 500, f"{label} -> {status}"
            if access.kind == "public":
                continue
            if name == "anonymous":
                assert status == 302 and "/accounts/login/" in response["Location"], label
                continue
            if access.kind == "signed_in":
                assert status not in REFUSED, f"{label} -> {status}"
                continue
            if name == "outsider":
                assert status == 404, f"{label} -> {status}: outsiders must get 404"
                assert b"acme" not in response.content.lower() or status == 404
                continue
            needed = access.read if method == "get" else access.write
            if needed is None:
                assert status == 405, f"{label} -> {status}, expected 405"
            elif role_can(persona.role, needed):
                assert status not in REFUSED, f"{label} -> {status}, {needed} allows it"
            else:
                assert status == 403, f"{label} -> {status}, {needed} refuses it"


@pytest.mark.one_database
@pytest.mark.parametrize(("method", "route"), API_ROUTES)
def test_api_operation_obeys_the_matrix(world, method, route):
    view = {(m, r): v for m, r, v in api_operations()}[(method, route)]
    access = view.access
    body = API_BODIES.get((method, route))
    for name in [*MEMBERS, "outsider", "anonymous"]:
        persona = world[name]
        samples = _samples(world, persona)
        url = _fill(route, samples)
        client = persona.api()
        kwargs = (
            {"data": json.dumps(_keyed(body, samples)), "content_type": "application/json"}
            if body
            else {}
        )
        response = _rolled_back(client.generic, method, url, **kwargs)
        status = response.status_code
        label = f"{method} {url} as {name}"
        assert status < 500, f"{label} -> {status}"
        if access.kind == "public":  # e.g. the assignment API: a product's write key
            continue
        if name == "anonymous":
            assert status == 401, f"{label} -> {status}"
            assert response.json()["error"]["code"] == "not_authenticated"
            continue
        if access.kind == "signed_in":
            assert status not in REFUSED, f"{label} -> {status}"
            continue
        if name == "outsider":
            assert status == 404, f"{label} -> {status}: outsiders must get 404"
            continue
        if role_can(persona.role, access.read):
            assert status not in REFUSED, f"{label} -> {status}, {access.read} allows it"
        else:
            assert status == 403, f"{label} -> {status}, {access.read} refuses it"
            assert response.json()["error"]["code"] == "permission_denied"


OBJECT_PARAMS = {
    "product_key",
    "team_key",
    "member_key",
    "invitation_key",
    "company_key",
    "person_key",
    "feedback_key",
    "feature_key",
    "insight_key",
    "filter_key",
    "view_key",
    "competitor_key",
    "note_key",
    "idea_key",
    "comment_key",
    "objective_key",
    "kr_key",
    "decision_key",
    "model_key",
    "release_key",
    "mailbox_key",
    "story_key",
    "iteration_key",
    "share_key",
    "chart_key",
    "dashboard_key",
    "embed_key",
    "risk_key",
    "action_key",
    "issue_key",
    "changelog_key",
    "report_key",
    "cost_line_key",
    "experiment_key",
}


def _object_routes(routes):
    return [r for r in routes if OBJECT_PARAMS & set(re.findall(r"[<{](?:\w+:)?(\w+)[>}]", r))]


@pytest.mark.parametrize("route", _object_routes(HTML_ROUTES))
def test_html_objects_of_another_workspace_are_404(world, route):
    """The outsider owns `other`; acme's object keys under /w/other/ must not resolve."""
    outsider = world["outsider"]
    samples = _samples(world, outsider) | {"slug": world.other.slug}
    url = _fill(route, samples)
    client = outsider.client()
    view = dict(html_patterns())[route]
    for method in ("get", "post"):
        if (view.access.read if method == "get" else view.access.write) is None:
            continue
        response = _rolled_back(getattr(client, method), url)
        assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"


@pytest.mark.parametrize("route", _object_routes(sorted({r for _m, r in API_ROUTES})))
def test_api_objects_of_another_workspace_are_404(world, route):
    outsider = world["outsider"]
    url = _fill(route, _samples(world, outsider) | {"slug": world.other.slug})
    methods = sorted({m for m, r in API_ROUTES if r == route})
    for method in methods:
        body = API_BODIES.get((method, route))
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = _rolled_back(outsider.api().generic, method, url, **kwargs)
        assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
