"""The demo's "now": the day it is built, at 15:00 UTC (see demo_now). One place computes
it; every demo module takes it from `build_demo` (which accepts `today=` so tests can pin the day).

The hand-written story (release dates, objectives' quarters, decisions) was written as of
STORY_DAY; `Clock` moves those dates so they keep their place relative to the build day:
dates by a whole number of weeks (a Friday release stays a Friday), quarters by whole
quarters, and release names that start with a month ("2026.11 — …") follow their target.
Same seed and same day, same demo."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

STORY_DAY = date(2026, 11, 2)  # a Monday: the day the demo's own dates were written for
HOUR = 15  # the demo's "now" is the build day at 15:00 UTC
_MONTH_PREFIX = re.compile(r"^\d{4}\.\d{2}(?= )")
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def demo_now(today: date | None = None) -> datetime:
    """The build day at 15:00 UTC: `today`, else the day of the latest 15:00 UTC that has
    passed (built before 15:00 UTC, the demo is as of yesterday afternoon: nothing in it is
    dated in the future, and the whole day builds the same demo)."""
    if today is None:
        today = (datetime.now(UTC) - timedelta(hours=HOUR)).date()
    return datetime(today.year, today.month, today.day, HOUR, 0, tzinfo=UTC)


def _quarter_index(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the last day of a month stays the last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if was_last else min(day.day, last))


@dataclass(frozen=True)
class Clock:
    """The build's now, and how to move the story's dates to it."""

    now: datetime

    @classmethod
    def of(cls, today: date | None = None) -> Clock:
        return cls(demo_now(today))

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def weeks(self) -> int:
        """Whole weeks between the story's day and the build day (nearest)."""
        return round((self.today - STORY_DAY).days / 7)

    @property
    def quarters(self) -> int:
        return _quarter_index(self.today) - _quarter_index(STORY_DAY)

    def day(self, iso: str | date | None) -> date | None:
        """A story date (ISO text or date) moved to the build day's time."""
        if iso is None or iso == "":
            return None
        day = date.fromisoformat(iso) if isinstance(iso, str) else iso
        return day + timedelta(weeks=self.weeks)

    def period(self, period: str) -> str:
        """A story quarter ("2026-Q4") moved by whole quarters."""
        match = _PERIOD.match(period)
        if not match:
            return period
        index = int(match[1]) * 4 + int(match[2]) - 1 + self.quarters
        return f"{index // 4}-Q{index % 4 + 1}"

    def quarter_day(self, iso: str) -> date:
        """A story date tied to a quarter (a key result's due date), moved by quarters."""
        return add_months(date.fromisoformat(iso), 3 * self.quarters)

    def release_name(self, name: str, target: date) -> str:
        """A release named after its month ("2026.11 — X") renamed after its moved target."""
        return _MONTH_PREFIX.sub(f"{target:%Y.%m}", name)
