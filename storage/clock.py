"""How every table writes a moment: UTC, ISO 8601 to the millisecond, so that the text order
of a column is its time order and SQL compares moments as strings."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime | None = None) -> str:
    """`moment` (default: now) as stored, e.g. 2026-11-30T23:40:12.345+00:00; a naive moment is UTC."""
    moment = moment or utc_now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
