"""Date ranges and intervals in the workspace's time zone, shared by trends and retention.

A range is kept as the PM chose it (`30d`, or custom dates) and resolved when the query runs,
so a saved chart over "the last 30 days" stays the last 30 days. Days, weeks (Monday) and
months start at local midnight; the SQL compares raw UTC timestamps against bounds computed
here, and groups by the engine's local truncation (`dialect.trunc(unit, dialect.local(...))`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lodestar.analytics.queries.base import UNITS
from lodestar.core.errors import Invalid

RANGES: dict[str, int] = {"7d": 7, "30d": 30, "90d": 90}
RANGE_LABELS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days"}
CUSTOM = "custom"
MAX_DAYS = 3 * 366
MAX_POINTS = 800  # an hourly chart over a month is 744


@dataclass(frozen=True)
class DateRange:
    """Inclusive local dates."""

    date_from: date
    date_to: date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> DateRange:
        """The same number of days, ending the day before this range starts."""
        end = self.date_from - timedelta(days=1)
        return DateRange(end - timedelta(days=self.days - 1), end)

    def utc_bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC datetimes (what the store keeps)."""
        return local_to_utc(_midnight(self.date_from), tz), local_to_utc(
            _midnight(self.date_to + timedelta(days=1)), tz
        )


@dataclass(frozen=True)
class RangeSpec:
    """What the PM asked for: a relative range (`7d`, `30d`, `90d`) or custom dates."""

    key: str = "30d"
    date_from: date | None = None
    date_to: date | None = None

    def resolve(self, tz: str, *, now: datetime | None = None) -> DateRange:
        if self.key == CUSTOM:
            assert self.date_from and self.date_to
            return DateRange(self.date_from, self.date_to)
        today = local_today(tz, now=now)
        return DateRange(today - timedelta(days=RANGES[self.key] - 1), today)

    def as_query(self) -> dict[str, str]:
        if self.key == CUSTOM:
            assert self.date_from and self.date_to
            return {
                "range": CUSTOM,
                "date_from": self.date_from.isoformat(),
                "date_to": self.date_to.isoformat(),
            }
        return {"range": self.key}


def parse_range(data: Mapping[str, str], *, default: str = "30d") -> RangeSpec:
    key = (data.get("range") or "").strip()
    raw_from = (data.get("date_from") or "").strip()
    raw_to = (data.get("date_to") or "").strip()
    if not key:
        key = CUSTOM if raw_from or raw_to else default
    if key in RANGES:
        return RangeSpec(key)
    if key != CUSTOM:
        raise Invalid(fields={"range": "Choose the last 7, 30 or 90 days, or custom dates."})
    errors: dict[str, str] = {}
    start = _date(raw_from, "date_from", errors)
    end = _date(raw_to, "date_to", errors)
    if errors:
        raise Invalid(fields=errors)
    assert start and end
    if end < start:
        raise Invalid(fields={"date_to": "The end date is before the start date."})
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(fields={"date_from": f"A range can span at most {MAX_DAYS} days."})
    return RangeSpec(CUSTOM, start, end)


def _date(text: str, name: str, errors: dict) -> date | None:
    if not text:
        errors[name] = "Give a date (YYYY-MM-DD) or choose a preset range."
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{text!r} is not a date; write it as YYYY-MM-DD."
        return None


def parse_unit(value: str | None, *, default: str, allowed=UNITS, field: str = "interval") -> str:
    unit = (value or "").strip() or default
    if unit not in allowed:
        raise Invalid(fields={field: f"Choose one of: {', '.join(allowed)}."})
    return unit


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def local_today(tz: str, *, now: datetime | None = None) -> date:
    moment = now or datetime.now(UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).date()


def local_to_utc(local: datetime, tz: str) -> datetime:
    """Naive local wall-clock time -> naive UTC (the earlier instant when ambiguous)."""
    aware = local.replace(tzinfo=zoneinfo.ZoneInfo(tz))
    return aware.astimezone(UTC).replace(tzinfo=None)


def as_local(value, tz: str = "UTC") -> datetime:
    """A bucket as an engine returns it -> naive local wall-clock time. Both engines give
    the wall-clock time (`dialect.local`): DuckDB as a naive TIMESTAMP, ClickHouse typed
    UTC, so an aware value is read in UTC and its zone dropped."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return _midnight(value)
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def truncate(unit: str, moment: datetime) -> datetime:
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def step(unit: str, moment: datetime, n: int = 1) -> datetime:
    """`moment` (a bucket start) moved by n units."""
    if unit == "hour":
        return moment + timedelta(hours=n)
    if unit == "day":
        return moment + timedelta(days=n)
    if unit == "week":
        return moment + timedelta(weeks=n)
    months = moment.year * 12 + moment.month - 1 + n
    return moment.replace(year=months // 12, month=months % 12 + 1, day=1)


def buckets(unit: str, date_range: DateRange) -> list[datetime]:
    """Every bucket start (local, naive) from the one holding date_from to the one holding
    date_to: the chart's x axis, with empty buckets kept."""
    first = truncate(unit, _midnight(date_range.date_from))
    last = truncate(
        unit,
        _midnight(date_range.date_to) + (timedelta(hours=23) if unit == "hour" else timedelta()),
    )
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = step(unit, current)
    return out


def label(unit: str, moment: datetime) -> str:
    if unit == "hour":
        return moment.strftime("%Y-%m-%d %H:00")
    if unit == "month":
        return moment.strftime("%Y-%m")
    return moment.date().isoformat()


def check_points(unit: str, date_range: DateRange) -> None:
    if unit == "hour" and date_range.days * 24 > MAX_POINTS:
        raise Invalid(
            fields={"interval": "Hourly charts cover at most 31 days: pick day, or fewer days."}
        )
