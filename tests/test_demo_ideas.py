"""The demo's ideas portal: on and public, the big asks on top and linked to their features,
proxy votes, a declined idea with its reason, counts that match the votes, deterministic."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from django.db.models import Count
from django.test import Client

from lodestar.demo.customers import build_customers
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.ideas import TAIL_MAX_VOTES, build_ideas
from lodestar.feedback.models import Comment, Idea, IdeaStatus, Portal, Vote
from lodestar.planning.models import Feature
from lodestar.workspaces import services
from lodestar.workspaces.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _build(seed: int = 7, slug: str = "acme"):
    owner = UserFactory(email=f"owner@{slug}.example")
    workspace = services.workspace_create(user=owner, name="Acme Field Service", slug=slug)
    for i, role in enumerate((Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.PRODUCT_OWNER)):
        Membership.objects.create(
            workspace=workspace, user=UserFactory(email=f"m{i}@{slug}.example"), role=role
        )
    rng = random.Random(seed)
    build_customers(rng, workspace, owner, [], 40, lambda *a: None)
    Feature.objects.bulk_create([Feature(workspace=workspace, title=t.title) for t in THEMES])
    members = list(Membership.objects.filter(workspace=workspace).select_related("user"))
    build_ideas(rng, workspace, members, NOW, lambda *a: None)
    return workspace


def test_the_demo_portal_is_on_public_and_lived_in():
    workspace = _build()
    portal = Portal.objects.get(workspace=workspace)
    assert portal.enabled and portal.public and "Vote" in portal.welcome
    ideas = Idea.objects.filter(workspace=workspace)
    assert ideas.count() >= 50
    statuses = set(ideas.values_list("status", flat=True))
    assert statuses == set(IdeaStatus.values)
    declined = ideas.get(title="Show the next job on Apple Watch")
    assert (
        declined.status == IdeaStatus.DECLINED and "lock-screen widget" in declined.declined_reason
    )
    assert ideas.filter(feature__isnull=False).count() == len(THEMES)
    assert ideas.filter(hidden=True).count() == 1
    merged = ideas.get(merged_into__isnull=False)
    assert merged.merged_into.title == "Keep photos taken offline until they upload"
    # Counts are the votes; the big asks lead; votes come from demo people, some by proxy.
    counted = ideas.annotate(n=Count("votes"))
    assert all(i.n == i.vote_count for i in counted)
    top = list(ideas.order_by("-vote_count").values_list("feature_id", flat=True)[:5])
    assert all(top)
    assert max(i.vote_count for i in ideas.filter(feature__isnull=True)) <= TAIL_MAX_VOTES
    votes = Vote.objects.filter(idea__workspace=workspace)
    assert votes.filter(proxy=True, proxy_by__isnull=False).exists()
    assert votes.filter(proxy=True, email="", company__isnull=False).exists()
    assert not votes.exclude(email="").exclude(email__endswith=".example").exists()
    assert Comment.objects.filter(idea__workspace=workspace, author_member__isnull=False).exists()
    text = " ".join(ideas.values_list("body", flat=True)).lower()
    assert "lorem" not in text and "{" not in text
    assert all(i.search_text for i in ideas)


def test_the_demo_portal_is_deterministic_for_a_seed():
    first = _build(seed=3, slug="first")
    second = _build(seed=3, slug="second")

    def shape(workspace):
        rows = Idea.objects.filter(workspace=workspace).order_by("pk")
        return [(i.title, i.status, i.vote_count, i.hidden) for i in rows]

    assert shape(first) == shape(second)


def test_the_demo_portal_pages_render(client: Client):
    _build()
    page = client.get("/p/acme/")
    assert page.status_code == 200 and b"Keep photos taken offline" in page.content
    assert b"Cheap SEO" not in page.content
