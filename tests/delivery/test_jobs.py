"""The delivery jobs the server workers run hourly (delivery/jobs.py): forecasts stored and
risks proposed, budgets checked, review reminders sent; once an hour between the workers,
and one failing job does not stop the others."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from lodestar.delivery import jobs
from lodestar.delivery.models import ReleaseForecast, Risk, RiskSource, RiskStatus
from lodestar.planning.share_services import local_today
from tests.delivery.test_forecast_services import make_release, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_stamp(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the stamp file, apart from other tests running now


def _late_release(world):
    today = local_today(world.workspace)
    team = make_team(world, weekly=(5,) * 12, today=today)
    return make_release(world, team, "Too much", today + timedelta(days=14), stories=60)


def test_the_jobs_forecast_check_and_remind(world):
    release = _late_release(world)
    Risk.objects.filter(pk=world.risk.pk).update(review_on=timezone.localdate())
    done = jobs.run_due(force=True)
    assert done is not None and set(done) == {"forecasts", "budgets", "risk reminders"}
    forecast = ReleaseForecast.objects.get(release=release)
    assert forecast.at_risk and forecast.p_on_time is not None and forecast.p_on_time < 0.7
    proposed = Risk.objects.get(source_release=release, source=RiskSource.FORECAST)
    assert proposed.status == RiskStatus.PROPOSED
    assert done["risk reminders"] == 1 and len(mail.outbox) == 1


def test_once_an_hour_between_the_workers(world):
    assert jobs.run_due() is not None  # never run: due
    assert jobs.run_due() is None  # just ran
    assert jobs.run_due(force=True) is not None


def test_a_failing_job_does_not_stop_the_others(world, monkeypatch, caplog):
    _late_release(world)

    def broken() -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(jobs.JOBS, "budgets", broken)
    done = jobs.run_due(force=True)
    assert done is not None and "budgets" not in done and done["forecasts"] >= 1
    assert "delivery job 'budgets' failed" in caplog.text


def test_the_command_runs_them_now(world, capsys):
    call_command("delivery_jobs")
    out = capsys.readouterr().out
    assert "forecasts:" in out and "risk reminders:" in out
