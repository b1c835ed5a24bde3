"""Report periods: ISO weeks and date ranges in Asia/Bishkek, turned into UTC bounds.

The log stores UTC timestamps, but caseworkers think in local weeks (Monday to Sunday in
Bishkek), so a period is chosen in local dates and queried with UTC bounds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from content.clock import BISHKEK

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Local dates [first, last] (inclusive) in `tz`; `label` names files and headings."""

    first: dt.date
    last: dt.date
    label: str
    tz: ZoneInfo = BISHKEK

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight(self.first, self.tz).astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime:
        """Exclusive end: local midnight after the last day."""
        return local_midnight(self.last + dt.timedelta(days=1), self.tz).astimezone(dt.UTC)

    @property
    def is_iso_week(self) -> bool:
        return _WEEK.match(self.label) is not None

    @property
    def review_options(self) -> str:
        """The `helpline review` options that select this same period."""
        if self.is_iso_week:
            return f"--week {self.label}"
        return f"--since {self.first.isoformat()} --until {self.last.isoformat()}"

    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range(self.days)]

    def shifted(self, periods: int) -> Period:
        """The period of the same length `periods` lengths later (negative: earlier)."""
        delta = dt.timedelta(days=self.days * periods)
        first, last = self.first + delta, self.last + delta
        if self.is_iso_week:
            return iso_week_period(first, self.tz)
        return Period(first, last, _range_label(first, last), self.tz)

    def previous(self) -> Period:
        return self.shifted(-1)


def _aware(now: dt.datetime | None) -> dt.datetime:
    """Now, or the given moment; a naive datetime is taken as UTC, like the log's timestamps."""
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def local_midnight(day: dt.date, tz: ZoneInfo = BISHKEK) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def iso_week_period(day: dt.date, tz: ZoneInfo = BISHKEK) -> Period:
    """The ISO week (Monday–Sunday) that contains `day`."""
    year, week, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return Period(monday, monday + dt.timedelta(days=6), f"{year}-W{week:02d}", tz)


def parse_week(text: str, tz: ZoneInfo = BISHKEK) -> Period:
    """'2026-W48' (or '2026W48') → that ISO week; ValueError when it is no such week."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"expected a week like 2026-W48, got {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    return iso_week_period(monday, tz)


def last_full_week(now: dt.datetime | None = None, tz: ZoneInfo = BISHKEK) -> Period:
    """The last ISO week that has ended in `tz` at `now` (default: the current time)."""
    today = _aware(now).astimezone(tz).date()
    return iso_week_period(today - dt.timedelta(days=7), tz)


def date_range_period(since: dt.date, until: dt.date, tz: ZoneInfo = BISHKEK) -> Period:
    """Local dates since..until, both included."""
    if until < since:
        raise ValueError(f"--until {until} is before --since {since}")
    return Period(since, until, _range_label(since, until), tz)


def _range_label(first: dt.date, last: dt.date) -> str:
    return f"{first.isoformat()}_{last.isoformat()}"


def choose_period(
    week: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    now: dt.datetime | None = None,
    tz: ZoneInfo = BISHKEK,
) -> Period:
    """The period asked for on the command line: a week, a date range, or the last full week."""
    if week and (since or until):
        raise ValueError("give either --week or --since/--until, not both")
    if week:
        return parse_week(week, tz)
    if since or until:
        today = _aware(now).astimezone(tz).date()
        last = until or today - dt.timedelta(days=1)
        first = since or last - dt.timedelta(days=6)
        return date_range_period(first, last, tz)
    return last_full_week(now, tz)


# ---- the weekly delivery time ------------------------------------------------------------

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_FULL_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
DEFAULT_REPORT_TIME = "MON 09:00"
_SCHEDULE = re.compile(r"^([A-Za-z]+)\s+(\d{1,2}):(\d{2})$")


def parse_report_time(spec: str) -> tuple[int, dt.time]:
    """'MON 09:00' → (0, 09:00); the weekday may be written in full ('monday')."""
    match = _SCHEDULE.match(spec.strip())
    if not match:
        raise ValueError(f"expected a weekday and a time like 'MON 09:00', got {spec!r}")
    word, hour, minute = match.group(1).upper(), int(match.group(2)), int(match.group(3))
    if word not in WEEKDAYS and word not in _FULL_WEEKDAYS:
        raise ValueError(f"unknown weekday {match.group(1)!r}; use one of {', '.join(WEEKDAYS)}")
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day: {hour:02d}:{minute:02d}")
    return WEEKDAYS.index(word[:3]), dt.time(hour, minute)


def next_report_time(
    now: dt.datetime,
    spec: str = DEFAULT_REPORT_TIME,
    tz: ZoneInfo = BISHKEK,
) -> dt.datetime:
    """The first scheduled moment strictly after `now`, as an aware datetime in `tz`."""
    weekday, at = parse_report_time(spec)
    local = _aware(now).astimezone(tz)
    days_ahead = (weekday - local.weekday()) % 7
    candidate = dt.datetime.combine(local.date() + dt.timedelta(days=days_ahead), at, tzinfo=tz)
    if candidate <= local:
        candidate += dt.timedelta(days=7)
    return candidate
