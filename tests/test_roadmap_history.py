"""What changed on the roadmap since a date: slipped and pulled-in releases, releases and
features added or dropped, every change paginated; bad and future dates say so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from lodestar.planning.history import changes_summary, since_parse
from lodestar.planning.roadmap_models import ChangeKind, RoadmapChange

pytestmark = pytest.mark.django_db

CHANGES = "/w/acme/roadmap/changes/"


def _change(world, kind, key, label, *, days_ago=1, field="", old="", new="", ttype=None):
    return RoadmapChange.objects.create(
        workspace=world.workspace,
        product=world.product,
        actor=world["pm"].user,
        at=timezone.now() - timedelta(days=days_ago),
        kind=kind,
        target_type=ttype or ("feature" if kind.startswith("feature") else "release"),
        target_key=key,
        target_label=label,
        field=field,
        old=old,
        new=new,
    )


@pytest.fixture
def changes(world):
    RoadmapChange.objects.filter(workspace=world.workspace).delete()
    dates = ChangeKind.RELEASE_DATES
    # 2.0 slipped twice: May 1 -> May 15 -> June 1 (31 days later in all).
    _change(
        world, dates, "r20", "2.0", days_ago=10, field="target", old="2027-05-01", new="2027-05-15"
    )
    _change(
        world, dates, "r20", "2.0", days_ago=5, field="target", old="2027-05-15", new="2027-06-01"
    )
    # 1.5 pulled in by 14 days; 1.6 moved and moved back: neither.
    _change(
        world, dates, "r15", "1.5", days_ago=3, field="target", old="2027-03-15", new="2027-03-01"
    )
    _change(
        world, dates, "r16", "1.6", days_ago=4, field="target", old="2027-04-01", new="2027-04-08"
    )
    _change(
        world, dates, "r16", "1.6", days_ago=2, field="target", old="2027-04-08", new="2027-04-01"
    )
    # A start date change is not a slip.
    _change(
        world, dates, "r15", "1.5", days_ago=3, field="start", old="2027-01-01", new="2027-02-01"
    )
    # Before the period: not counted.
    _change(
        world, dates, "r30", "3.0", days_ago=60, field="target", old="2027-01-01", new="2027-09-01"
    )
    _change(world, ChangeKind.RELEASE_ADDED, "r30", "3.0", days_ago=6)
    _change(world, ChangeKind.RELEASE_DROPPED, "r09", "0.9", days_ago=6)
    _change(
        world,
        ChangeKind.FEATURE_ADDED,
        "f1",
        "Route planner",
        days_ago=2,
        field="horizon",
        new="Now",
    )
    _change(
        world, ChangeKind.FEATURE_ADDED, "f2", "Dark mode", days_ago=9, field="horizon", new="Later"
    )
    _change(
        world,
        ChangeKind.FEATURE_DROPPED,
        "f2",
        "Dark mode",
        days_ago=1,
        field="horizon",
        old="Later",
    )
    return world


def test_summary_of_slips_and_pull_ins(changes):
    since = timezone.localdate() - timedelta(days=30)
    s = changes_summary(workspace=changes.workspace, since=since)
    assert [(x.label, x.old, x.new, x.days) for x in s.slipped] == [
        ("2.0", date(2027, 5, 1), date(2027, 6, 1), 31)
    ]
    assert [(x.label, x.days, x.magnitude) for x in s.pulled_in] == [("1.5", -14, 14)]
    assert [c.label for c in s.releases_added] == ["3.0"]
    assert [c.label for c in s.releases_dropped] == ["0.9"]
    assert [c.label for c in s.features_added] == ["Route planner"]
    assert [c.label for c in s.features_dropped] == ["Dark mode"]  # its last change counts
    assert s.features_added[0].actor == "Pm"
    # A later "since" leaves out the first slip of 2.0.
    later = changes_summary(
        workspace=changes.workspace, since=timezone.localdate() - timedelta(days=7)
    )
    assert [(x.old, x.new) for x in later.slipped] == [(date(2027, 5, 15), date(2027, 6, 1))]


def test_the_page_lists_everything(changes):
    page = changes["stakeholder"].client().get(CHANGES)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Slipped" in text and "May 1, 2027 → Jun 1, 2027" in text and "(31 days later)" in text
    assert "(14 days earlier)" in text
    assert "Removed: <strong>0.9</strong>" in text and "Dropped: <strong>Dark mode</strong>" in text
    # 12 changes written, one of them before the period.
    assert 'Every change <small class="muted">11</small>' in text


def test_product_filter_and_pagination(changes):
    client = changes["pm"].client()
    RoadmapChange.objects.filter(target_key="f1").update(product=None)
    text = client.get(CHANGES, {"product": "web"}).content.decode()
    assert "Route planner" not in text and "Dark mode" in text
    for i in range(60):
        _change(changes, ChangeKind.FEATURE_MOVED, f"m{i}", f"Moved {i}", field="status")
    first = client.get(CHANGES)
    assert first.status_code == 200 and "cursor=" in first.content.decode()
    assert client.get(CHANGES, {"product": "nope"}).status_code == 400


def test_bad_and_future_dates_are_clear(changes):
    client = changes["pm"].client()
    bad = client.get(CHANGES, {"since": "last tuesday"})
    assert bad.status_code == 400
    assert "“last tuesday” is not a date: use YYYY-MM-DD" in bad.content.decode()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.get(CHANGES, {"since": future})
    assert response.status_code == 400
    assert f"{future} is in the future" in response.content.decode()
    assert client.get(CHANGES, {"since": "2026-02-30"}).status_code == 400
    assert client.get(CHANGES, {"since": "\x00"}).status_code in (400,)


def test_since_defaults_to_thirty_days_ago():
    today = date(2026, 11, 26)
    assert since_parse("", today=today) == date(2026, 10, 27)
    assert since_parse("2026-11-26", today=today) == today


def test_since_is_the_start_of_the_day_in_the_workspace_zone(world):
    world.workspace.time_zone = "America/New_York"
    world.workspace.save()
    RoadmapChange.objects.all().delete()
    # 03:00 UTC on Nov 20 is still Nov 19 in New York.
    at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    change = _change(world, ChangeKind.RELEASE_ADDED, "r1", "Late night")
    RoadmapChange.objects.filter(pk=change.pk).update(at=at)
    client = world["pm"].client()
    assert "Late night" in client.get(CHANGES, {"since": "2026-11-19"}).content.decode()
    assert "Late night" not in client.get(CHANGES, {"since": "2026-11-20"}).content.decode()
