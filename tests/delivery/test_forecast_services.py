"""Forecasts stored per release and day, at-risk flags and the schedule risks they propose,
a team's releases worked in target order, the delivery settings."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from lodestar.delivery import forecast_services as services
from lodestar.delivery import proposals
from lodestar.delivery.forecast_selectors import latest_forecasts
from lodestar.delivery.models import (
    DeliverySettings,
    ReleaseForecast,
    Risk,
    RiskCategory,
    RiskSource,
    RiskStatus,
)
from lodestar.delivery.report_selectors import recipients
from lodestar.planning.backlog_models import StoryStatus, UserStory
from lodestar.planning.models import Feature
from lodestar.planning.roadmap_models import Release, ReleaseStatus
from lodestar.workspaces.models import Product, Team

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)  # a Thursday
MONDAY = TODAY - timedelta(days=TODAY.weekday())


def make_team(world, name="Forecasters", weekly=(5,) * 12, today: date = TODAY) -> Team:
    """A team whose complete weeks before `today`'s saw `weekly` stories done (oldest first)."""
    monday = today - timedelta(days=today.weekday())
    team = Team.objects.create(workspace=world.workspace, name=name)
    feature = Feature.objects.create(
        workspace=world.workspace, product=world.product, title=f"{name} history", team=team
    )
    stories = []
    for i, count in enumerate(reversed(weekly), start=1):
        wednesday = monday - timedelta(weeks=i) + timedelta(days=2)
        done_at = datetime.combine(wednesday, time(12), tzinfo=UTC)
        stories += [
            UserStory(
                workspace=world.workspace,
                feature=feature,
                title=f"Done {i}.{n}",
                status=StoryStatus.DONE,
                done_at=done_at,
            )
            for n in range(count)
        ]
    UserStory.objects.bulk_create(stories)
    return team


def make_release(world, team, name, target, *, stories=0, done=0, product=None) -> Release:
    product = product or world.product
    release = Release.objects.create(
        workspace=world.workspace, product=product, team=team, name=name, target=target
    )
    if stories:
        feature = Feature.objects.create(
            workspace=world.workspace, product=product, title=f"{name} work", release=release
        )
        UserStory.objects.bulk_create(
            UserStory(
                workspace=world.workspace,
                feature=feature,
                title=f"{name} story {n}",
                status=StoryStatus.DONE if n < done else StoryStatus.TODO,
                done_at=datetime.combine(MONDAY, time(9), tzinfo=UTC) if n < done else None,
            )
            for n in range(stories)
        )
    return release


def row_of(release) -> ReleaseForecast:
    return ReleaseForecast.objects.get(release=release, day=TODAY)


def test_a_release_is_forecast_and_stored_once_a_day(world):
    team = make_team(world)
    # 5 a week, 20 left: done on day 27; a target on day 30 is met in every trial.
    release = make_release(world, team, "On time", TODAY + timedelta(days=30), stories=25, done=5)
    rows = services.refresh_product(world.product, today=TODAY)
    assert release.pk in {r.release_id for r in rows}
    row = row_of(release)
    assert (row.remaining, row.done, row.history_weeks, row.trials) == (20, 5, 12, 10_000)
    assert row.p_on_time == 1.0 and not row.at_risk and row.threshold == 70
    assert row.p50 == row.p85 == row.p95 == TODAY + timedelta(days=27)
    services.refresh_product(world.product, today=TODAY)
    assert ReleaseForecast.objects.filter(release=release).count() == 1
    services.refresh_product(world.product, today=TODAY + timedelta(days=1))
    assert ReleaseForecast.objects.filter(release=release).count() == 2
    assert not Risk.objects.filter(source_release=release).exists()


def test_at_risk_proposes_a_schedule_risk_refreshed_not_duplicated(world):
    team = make_team(world)
    release = make_release(world, team, "Late", TODAY + timedelta(days=20), stories=20)
    services.refresh_product(world.product, today=TODAY)
    row = row_of(release)
    assert row.p_on_time == 0.0 and row.at_risk
    risk = Risk.objects.get(source_release=release)
    assert risk.status == RiskStatus.PROPOSED and risk.source == RiskSource.FORECAST
    assert risk.category == RiskCategory.SCHEDULE
    assert risk.title == f"Late may miss {(TODAY + timedelta(days=20)).day} Dec 2026"
    assert (risk.likelihood, risk.impact) == (5, 3)
    assert risk.evidence["p_on_time"] == 0.0 and risk.evidence["severity"] == 1.0
    assert risk.evidence["threshold"] == 70 and risk.evidence["remaining"] == 20
    assert risk.evidence["p50"] == (TODAY + timedelta(days=27)).isoformat()
    assert risk.evidence["history"] == [5] * 12
    assert "0%" in risk.description
    services.refresh_product(world.product, today=TODAY)
    services.refresh_product(world.product, today=TODAY + timedelta(days=1))
    assert Risk.objects.filter(source_release=release).count() == 1


def test_a_recovered_release_withdraws_its_proposal(world):
    team = make_team(world)
    release = make_release(world, team, "Recovers", TODAY + timedelta(days=20), stories=20)
    services.refresh_product(world.product, today=TODAY)
    assert Risk.objects.filter(source_release=release, status=RiskStatus.PROPOSED).exists()
    Release.objects.filter(pk=release.pk).update(target=TODAY + timedelta(days=60))
    services.refresh_product(world.product, today=TODAY)
    assert not row_of(release).at_risk
    assert not Risk.objects.filter(source_release=release).exists()


def test_a_dismissed_proposal_is_not_proposed_again(world):
    team = make_team(world)
    release = make_release(world, team, "Dismissed", TODAY + timedelta(days=20), stories=20)
    services.refresh_product(world.product, today=TODAY)
    proposals.dismiss(Risk.objects.get(source_release=release), actor=world["pm"].user)
    services.refresh_product(world.product, today=TODAY + timedelta(days=1))
    assert list(Risk.objects.filter(source_release=release).values_list("status", flat=True)) == [
        RiskStatus.DISMISSED
    ]
    assert ReleaseForecast.objects.get(release=release, day=TODAY + timedelta(days=1)).at_risk


def test_an_accepted_risk_stays_when_the_release_recovers(world):
    team = make_team(world)
    release = make_release(world, team, "Accepted", TODAY + timedelta(days=20), stories=20)
    services.refresh_product(world.product, today=TODAY)
    proposals.accept(Risk.objects.get(source_release=release), actor=world["pm"].user)
    Release.objects.filter(pk=release.pk).update(target=TODAY + timedelta(days=90))
    services.refresh_product(world.product, today=TODAY)
    assert Risk.objects.get(source_release=release).status == RiskStatus.OPEN


def test_a_teams_releases_are_worked_in_target_order(world):
    team = make_team(world)
    later = make_release(world, team, "Later", TODAY + timedelta(days=35), stories=10)
    # Another product's release of the same team, targeted earlier, comes first.
    other = Product.objects.create(workspace=world.workspace, key="app", name="App")
    first = make_release(
        world, team, "First", TODAY + timedelta(days=28), stories=20, product=other
    )
    services.refresh_product(world.product, today=TODAY)
    row = row_of(later)
    assert row.p50 == TODAY + timedelta(days=41)  # 30 stories at 5 a week
    assert row.at_risk
    assert not ReleaseForecast.objects.filter(release=first).exists()  # other product's
    services.refresh_product(other, today=TODAY)
    assert row_of(first).p50 == TODAY + timedelta(days=27)
    outlook = services.outlooks_for([later], today=TODAY)[later.pk]
    assert [r.name for r in outlook.ahead] == ["First"] and outlook.forecast.ahead == 20


def test_no_stories_and_no_history_get_a_reason_not_a_number(world):
    team = make_team(world)
    empty = make_release(world, team, "Empty", TODAY + timedelta(days=30))
    feature_only = make_release(world, team, "Features only", TODAY + timedelta(days=30))
    Feature.objects.create(
        workspace=world.workspace, product=world.product, title="Unsplit", release=feature_only
    )
    new_team = Team.objects.create(workspace=world.workspace, name="New team")
    no_history = make_release(world, new_team, "New", TODAY + timedelta(days=30), stories=5)
    services.refresh_product(world.product, today=TODAY)
    assert row_of(empty).reason == services.NO_FEATURES
    assert row_of(feature_only).reason == services.NO_STORIES
    assert row_of(no_history).reason.startswith("Not enough data")
    for release in (empty, feature_only, no_history):
        row = row_of(release)
        assert row.p_on_time is None and row.p50 is None and not row.at_risk
    assert not Risk.objects.filter(source=RiskSource.FORECAST).exists()


def test_all_done_is_certain_and_closed_releases_are_left_out(world):
    team = make_team(world)
    done = make_release(world, team, "All done", TODAY + timedelta(days=5), stories=4, done=4)
    shipped = make_release(world, team, "Shipped", TODAY + timedelta(days=5), stories=4)
    Release.objects.filter(pk=shipped.pk).update(status=ReleaseStatus.RELEASED)
    services.refresh_product(world.product, today=TODAY)
    row = row_of(done)
    assert (row.p_on_time, row.p50, row.remaining) == (1.0, TODAY, 0)
    assert not ReleaseForecast.objects.filter(release=shipped).exists()


def test_a_pending_proposal_goes_when_the_release_ships(world):
    team = make_team(world)
    release = make_release(world, team, "Ships late", TODAY + timedelta(days=20), stories=20)
    services.refresh_product(world.product, today=TODAY)
    assert Risk.objects.filter(source_release=release).exists()
    Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.RELEASED)
    services.refresh_product(world.product, today=TODAY)
    assert not Risk.objects.filter(source_release=release).exists()


def test_refresh_all_covers_every_workspace(world):
    team = make_team(world)
    mine = make_release(world, team, "Mine", TODAY + timedelta(days=30), stories=5)
    theirs = Release.objects.create(
        workspace=world.other,
        product=world.other_product,
        team=world.other_team,
        name="Theirs",
        target=TODAY + timedelta(days=30),
    )
    rows = services.refresh_all(today=TODAY)
    assert {mine.pk, theirs.pk, world.release.pk} <= {r.release_id for r in rows}
    assert latest_forecasts(world.product)[0].release_id in {mine.pk, world.release.pk}


def test_a_new_threshold_reflags_at_once(world):
    team = make_team(world, weekly=(3, 7) * 6)
    release = make_release(world, team, "Borderline", TODAY + timedelta(days=40), stories=30)
    services.refresh_product(world.product, today=TODAY)
    p = row_of(release).p_on_time
    assert 0 < p < 1
    settings = services.delivery_settings(world.product)
    assert settings.on_time_threshold == 70
    threshold = int(p * 100) + 1  # just above: at risk
    services.settings_update(
        product=world.product,
        actor=world["pm"].user,
        on_time_threshold=threshold,
        over_budget_threshold=10,
        report_recipients="cfo@acme.test",
        today=TODAY,
    )
    refreshed = row_of(release)
    assert refreshed.threshold == threshold and refreshed.at_risk
    assert Risk.objects.filter(source_release=release, status=RiskStatus.PROPOSED).exists()
    assert recipients(world.product)[-1] == "cfo@acme.test"  # after the stakeholders
    assert DeliverySettings.objects.get(product=world.product).on_time_threshold == threshold


def test_settings_refuse_thresholds_out_of_range(world):
    from lodestar.core.errors import Invalid

    with pytest.raises(Invalid) as error:
        services.settings_update(
            product=world.product,
            actor=world["pm"].user,
            on_time_threshold=100,
            over_budget_threshold=501,
            report_recipients="",
        )
    assert set(error.value.fields) == {"on_time_threshold", "over_budget_threshold"}
