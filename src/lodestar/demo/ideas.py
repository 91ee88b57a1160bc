"""The demo's ideas portal: switched on and public, with what Acme's customers posted there
over eighteen months. The big asks (one per feedback theme) carry most of the votes and are
linked to their features; a long tail of smaller ideas has a few votes each. Some votes are
proxy votes colleagues cast for customers they spoke to; some ideas got a status, one was
declined with a reason, a duplicate was merged and a spam post hidden."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from lodestar.activity.services import activity_record
from lodestar.customers.models import Person
from lodestar.demo.feedback_themes import THEMES
from lodestar.demo.ideas_text import (
    ASKS,
    COMMENTS_CUSTOMER,
    COMMENTS_TEAM,
    CONTEXTS,
    DECLINE_REASONS,
    HEADLINES,
    IMPACTS,
    LISTS,
    QUALIFIERS,
    SPAM,
    WELCOME,
)
from lodestar.feedback.models import Comment, Idea, IdeaStatus, Portal, Vote
from lodestar.feedback.search import fold
from lodestar.planning.models import Feature
from lodestar.workspaces.models import Membership, Role, Workspace

SPAN_DAYS = 548
# The long tail's statuses: mostly open, a few answered either way.
TAIL_STATUS = (
    (IdeaStatus.OPEN, 64),
    (IdeaStatus.UNDER_REVIEW, 12),
    (IdeaStatus.PLANNED, 8),
    (IdeaStatus.IN_PROGRESS, 4),
    (IdeaStatus.SHIPPED, 8),
    (IdeaStatus.DECLINED, 4),
)
TAIL_MAX_VOTES = 30  # the big asks stay on top
PROXY_SHARE = 0.12  # of votes, cast by a colleague for a customer they spoke to


def build_ideas(
    rng: random.Random,
    workspace: Workspace,
    members: list[Membership],
    now: datetime,
    report: Callable[[str, int, int], None],
) -> int:
    """Build the portal; its size follows the customers' (1.25 ideas per company)."""
    people = list(
        Person.objects.filter(workspace=workspace)
        .exclude(email="")
        .values_list("pk", "email", "company_id")
        .order_by("pk")
    )
    if not people:
        return 0
    companies = sorted({c for _pk, _e, c in people if c})
    count = max(40, int(len(companies) * 1.25))
    team = [m for m in members if m.role in (Role.CONTRIBUTOR, Role.PRODUCT_OWNER)] or members
    managers = [m for m in members if m.role in (Role.PRODUCT_MANAGER, Role.PRODUCT_OWNER)]
    Portal.objects.create(workspace=workspace, enabled=True, public=True, welcome=WELCOME)
    features = dict(
        Feature.objects.filter(
            workspace=workspace, title__in=[t.title for t in THEMES]
        ).values_list("title", "pk")
    )
    theme_titles = {t.key: t.title for t in THEMES}

    def when(age_max: int = SPAN_DAYS) -> datetime:
        return now - timedelta(minutes=rng.randint(60, age_max * 24 * 60))

    ideas: list[Idea] = []
    for theme, title, body, status, reason in HEADLINES:
        ideas.append(
            _idea(rng, workspace, people, team, title, body, status, reason, when(SPAN_DAYS))
        )
        ideas[-1].feature_id = features.get(theme_titles.get(theme, ""))
    headline_count = len(ideas)
    for title in _tail_titles(rng, count - headline_count - len(SPAM)):
        status = rng.choices(*zip(*TAIL_STATUS, strict=True))[0]
        reason = rng.choice(DECLINE_REASONS) if status == IdeaStatus.DECLINED else ""
        ideas.append(_idea(rng, workspace, people, team, title, _body(rng), status, reason, when()))
    for title, body in SPAM:
        spam = _idea(rng, workspace, people, team, title, body, IdeaStatus.OPEN, "", when(30))
        spam.hidden, spam.person_id, spam.company_id = True, None, None
        spam.author_email = f"promo{rng.randint(100, 999)}@mail.example"
        ideas.append(spam)
    for idea in ideas:
        idea.search_text = fold(f"{idea.title}\n{idea.body}")
    Idea.objects.bulk_create(ideas, batch_size=1000)
    ideas = list(Idea.objects.filter(workspace=workspace).order_by("pk"))
    report("ideas", len(ideas), len(ideas))
    votes = _votes(rng, ideas, headline_count, people, team, now)
    _merge_a_duplicate(rng, workspace, ideas, people, team, now)
    comments = _comments(rng, ideas, people, managers or team, now)
    activity_record(
        workspace=workspace,
        actor=None,
        verb="collected on the portal",
        target_type="ideas",
        target_label=f"{len(ideas)} ideas",
        changes={"votes": [None, votes], "comments": [None, comments]},
    )
    return len(ideas)


def _idea(rng, workspace, people, team, title, body, status, reason, created) -> Idea:
    pk, email, company = rng.choice(people)
    on_behalf = rng.random() < 0.15  # a colleague posted what a customer told them
    return Idea(
        workspace=workspace,
        title=title,
        body=body,
        status=status,
        declined_reason=reason,
        author_email=email,
        person_id=pk,
        company_id=company,
        submitted_by=rng.choice(team) if on_behalf else None,
        created_at=created,
    )


def _tail_titles(rng: random.Random, count: int) -> list[str]:
    """`count` distinct titles (fewer if the vocabulary runs out): plain asks first, then the
    same asks for a kind of customer."""
    plain = [ask.format(s=s) for ask, subjects in ASKS for s in subjects]
    rng.shuffle(plain)
    titles = plain[:count]
    if len(titles) < count:
        qualified = [f"{t} {q}" for t in plain for q in QUALIFIERS]
        rng.shuffle(qualified)
        titles += qualified[: count - len(titles)]
    return [t[0].upper() + t[1:] for t in titles]


def _body(rng: random.Random) -> str:
    parts = [
        rng.choice(CONTEXTS).format(techs=rng.choice((6, 12, 18, 25, 40, 85))),
        rng.choice(IMPACTS),
    ]
    if rng.random() < 0.25:
        parts.append(rng.choice(LISTS))
    return "\n\n".join(parts) if len(parts) > 2 else " ".join(parts)


def _votes(rng, ideas, headline_count, people, team, now) -> int:
    """Votes, heavy-tailed: the big asks get many, most small ideas a handful."""
    rows: list[Vote] = []
    for i, idea in enumerate(ideas):
        if idea.hidden:
            continue
        if i < headline_count:
            n = min(len(people), int(len(people) * rng.uniform(0.04, 0.18)) + rng.randint(8, 25))
        else:
            n = min(
                len(people), TAIL_MAX_VOTES, int(rng.paretovariate(1.5)) - 1 + rng.randint(0, 3)
            )
        voters = rng.sample(people, n)
        age = max(1, (now - idea.created_at).days)
        seen_companies: set[int] = set()
        for pk, email, company in voters:
            created = now - timedelta(days=rng.uniform(0, age))
            proxy = rng.random() < PROXY_SHARE
            if proxy and company and company not in seen_companies and rng.random() < 0.3:
                # a colleague heard it from the company, not from one named person
                seen_companies.add(company)
                rows.append(
                    Vote(
                        idea=idea,
                        company_id=company,
                        proxy=True,
                        proxy_by=rng.choice(team),
                        created_at=created,
                    )
                )
                continue
            rows.append(
                Vote(
                    idea=idea,
                    email=email,
                    person_id=pk,
                    company_id=company,
                    proxy=proxy,
                    proxy_by=rng.choice(team) if proxy else None,
                    created_at=created,
                )
            )
        idea.vote_count = n
    Vote.objects.bulk_create(rows, batch_size=2000)
    Idea.objects.bulk_update([i for i in ideas if i.vote_count], ["vote_count"], batch_size=1000)
    return len(rows)


def _merge_a_duplicate(rng, workspace, ideas, people, team, now) -> None:
    """One customer re-posted the offline-photo idea in their own words; it was merged."""
    original = ideas[0]
    pk, email, company = rng.choice(people)
    Idea.objects.create(
        workspace=workspace,
        title="Photos disappear after being offline",
        body="Took pictures in a basement, got back to the truck, and they were gone from "
        "the job. Happens a few times a week to our techs.",
        author_email=email,
        person_id=pk,
        company_id=company,
        merged_into=original,
        created_at=now - timedelta(days=rng.randint(20, 120)),
    )


def _comments(rng, ideas, people, managers, now) -> int:
    rows: list[Comment] = []
    for idea in ideas:
        if idea.hidden or rng.random() > (0.9 if idea.vote_count > 20 else 0.3):
            continue
        age = max(1, (now - idea.created_at).days)
        for _ in range(rng.randint(1, 3)):
            _pk, email, _c = rng.choice(people)
            rows.append(
                Comment(
                    idea=idea,
                    author_email=email,
                    body=rng.choice(COMMENTS_CUSTOMER),
                    created_at=now - timedelta(days=rng.uniform(0, age)),
                )
            )
        answer = COMMENTS_TEAM.get(idea.status)
        if answer:
            member = rng.choice(managers)
            rows.append(
                Comment(
                    idea=idea,
                    author_member=member,
                    author_email=member.user.email,
                    body=rng.choice(answer),
                    created_at=now - timedelta(days=rng.uniform(0, 14)),
                )
            )
    Comment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
