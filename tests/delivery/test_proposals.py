"""Risks Lodestar proposes from the numbers: one pending per release and source, accepted or
dismissed by a person, and not proposed again after a dismissal unless things got worse."""

import pytest

from lodestar.activity.models import Entry
from lodestar.core.errors import Conflict
from lodestar.delivery import proposals
from lodestar.delivery.models import Risk, RiskCategory, RiskSource, RiskStatus

pytestmark = pytest.mark.django_db


def _propose(release, severity: float, **kwargs):
    values = {
        "release": release,
        "source": RiskSource.FORECAST,
        "title": f"{release.name} may miss its date",
        "description": f"Chance of finishing on time: {1 - severity:.0%}",
        "category": RiskCategory.SCHEDULE,
        "likelihood": 4,
        "impact": 3,
        "evidence": {"p_on_time": 1 - severity},
        "severity": severity,
    } | kwargs
    return proposals.propose(**values)


def test_a_proposal_is_a_draft_risk_on_the_release(world):
    risk = _propose(world.release, 0.6)
    assert risk.status == RiskStatus.PROPOSED
    assert risk.product == world.release.product and risk.workspace == world.workspace
    assert list(risk.releases.all()) == [world.release]
    assert risk.exposure == 12
    assert risk.evidence == {"p_on_time": pytest.approx(0.4), "severity": 0.6}
    entry = Entry.objects.get(target_key=risk.key)
    assert (entry.verb, entry.actor_label) == ("proposed", "Lodestar")


def test_proposing_again_refreshes_the_pending_one(world):
    first = _propose(world.release, 0.5)
    second = _propose(world.release, 0.7, likelihood=5)
    assert second.pk == first.pk
    assert Risk.objects.filter(source_release=world.release).count() == 1
    second.refresh_from_db()
    assert (second.likelihood, second.exposure) == (5, 15)
    assert second.evidence["severity"] == 0.7


def test_sources_are_separate(world):
    schedule = _propose(world.release, 0.5)
    budget = _propose(world.release, 0.3, source=RiskSource.BUDGET, category=RiskCategory.BUDGET)
    assert schedule.pk != budget.pk


def test_an_accepted_proposal_is_not_proposed_again_while_active(world):
    risk = _propose(world.release, 0.5)
    accepted = proposals.accept(risk, actor=world["pm"].user)
    assert accepted.status == RiskStatus.OPEN
    assert accepted.decided_by == world["pm"].user and accepted.decided_at is not None
    assert _propose(world.release, 0.9) is None
    accepted.status = RiskStatus.CLOSED
    accepted.save()
    assert _propose(world.release, 0.9) is not None  # closed: a new one may be needed


def test_a_dismissal_holds_until_things_get_worse(world):
    risk = _propose(world.release, 0.4)
    proposals.dismiss(risk, actor=world["pm"].user)
    assert _propose(world.release, 0.45) is None  # within the margin
    again = _propose(world.release, 0.55)
    assert again is not None and again.pk != risk.pk
    assert again.status == RiskStatus.PROPOSED


def test_deciding_twice_is_a_conflict(world):
    risk = _propose(world.release, 0.5)
    proposals.dismiss(risk, actor=world["pm"].user)
    with pytest.raises(Conflict, match="no longer a proposal"):
        proposals.accept(risk, actor=world["pm"].user)


def test_withdraw_removes_only_the_pending_proposal(world):
    pending = _propose(world.release, 0.5)
    budget = _propose(world.release, 0.3, source=RiskSource.BUDGET, category=RiskCategory.BUDGET)
    proposals.accept(budget, actor=world["pm"].user)
    assert proposals.withdraw(release=world.release, source=RiskSource.FORECAST) == 1
    assert not Risk.objects.filter(pk=pending.pk).exists()
    assert proposals.withdraw(release=world.release, source=RiskSource.BUDGET) == 0
    assert Risk.objects.filter(pk=budget.pk).exists()
