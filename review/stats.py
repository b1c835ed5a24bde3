"""The week's figures, computed in SQL over the query log.

Entry point, also for benchmarks:

    compute_week(db, start_utc, end_utc, *, tz=BISHKEK, baseline_periods=4, unanswered_limit=500) -> WeekStats
    compute_rising(db, start_utc, end_utc, baseline_periods=4) -> (rising terms, baseline messages)

`db` is a path to the SQLite file, a sqlite_utils.Database or a sqlite3.Connection;
`start_utc` (inclusive) and `end_utc` (exclusive) are aware datetimes (naive ones are taken
as UTC). Days and hours are counted in `tz`. `baseline_periods` periods of the same length
before `start_utc` are the baseline for rising terms (0 skips them). Every aggregate runs in
SQL on the `ts` index; Python only sees grouped rows (one per day, topic, distinct text…).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from content.clock import BISHKEK
from review.terms import RisingTerm, count_terms, rising_terms
from storage.clock import stamp

STALE_AFTER = dt.timedelta(hours=24)  # a ticket open longer than this at the period's end is overdue
UNANSWERED_LIMIT = 500  # distinct unanswered texts kept for grouping and review, most frequent first


@dataclass(frozen=True)
class Unanswered:
    """One distinct unanswered text (already redacted) and how often it was sent."""

    lang: str
    text: str
    count: int


@dataclass(frozen=True)
class Pointed:
    """One distinct message (already redacted) answered with the line to the emergency
    contacts: the kind of danger it came close to, the topic it was answered with, how
    often it was sent and how many of those lines had their button pressed."""

    lang: str
    text: str
    kind: str
    topic: str
    count: int
    pressed: int


@dataclass
class WeekStats:
    """Every figure of one period; counts only, never a user key."""

    start_utc: dt.datetime
    end_utc: dt.datetime
    messages: int = 0
    by_day: dict[str, int] = field(default_factory=dict)  # local date (ISO) → messages, every day present
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)  # local hour of day → messages
    users: int = 0
    new_users: int = 0
    returning_users: int = 0
    by_lang: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)  # "" when the host country is unknown
    by_entry: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)  # most asked first
    text_messages: int = 0  # free-text messages: what the router had to understand
    fallbacks: int = 0  # free-text messages it did not answer with a topic
    unanswered: list[Unanswered] = field(default_factory=list)
    unanswered_distinct: int = 0
    feedback: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic → (👍, 👎)
    danger: dict[str, int] = field(default_factory=dict)  # kind → danger answers given
    pointers: int = 0  # answers ending with the line to the emergency contacts (close to danger)
    pointers_pressed: int = 0  # of those, the ones whose button was pressed (at any time since)
    pointed: list[Pointed] = field(default_factory=list)  # their distinct texts, most frequent first
    handoffs_asked: int = 0
    handoffs_answered: int = 0
    handoffs_urgent: int = 0
    handoffs_closed: int = 0  # tickets closed in the period, whenever they were opened
    handoffs_stale: int = 0  # tickets still open at the period's end, opened over 24 h before it
    median_first_reply_min: float | None = None
    latency_p50: float | None = None
    latency_p95: float | None = None
    errors: int = 0  # updates whose answer failed with an error
    send_failures: int = 0  # replies Telegram refused, or that outlived the outbox's retry time
    log_failures: int = 0
    unreadable_updates: int = 0  # updates no library could read: set aside with a polite line
    offered_again: int = 0  # answers a crash may have cut, offered with one tap after a restart
    database_replaced: int = 0  # the database file deleted or replaced under the running bot
    rising: list[RisingTerm] = field(default_factory=list)
    rising_baseline_messages: int = 0  # free-text messages in the baseline periods

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.text_messages if self.text_messages else None

    @property
    def feedback_up(self) -> int:
        return sum(up for up, _ in self.feedback.values())

    @property
    def feedback_down(self) -> int:
        return sum(down for _, down in self.feedback.values())

    @property
    def danger_total(self) -> int:
        return sum(self.danger.values())


@contextmanager
def reading(db: sqlite_utils.Database | sqlite3.Connection | Path | str) -> Iterator[sqlite3.Connection]:
    """A connection to the log; one opened here from a path is closed afterwards.

    A missing file is read as an empty log rather than created as a side effect.
    """
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    if isinstance(db, sqlite_utils.Database):
        yield db.conn
        return
    from storage.database import migrate, open_database

    if not Path(db).exists():
        empty = sqlite_utils.Database(memory=True)
        migrate(empty.conn)
        conn = empty.conn
    else:
        conn = open_database(Path(db)).conn
        # A report reads the same week's pages several times and sorts in memory: a bigger
        # page cache for this connection only (the bot's own connections keep their settings).
        conn.execute("PRAGMA cache_size = -131072")
        conn.execute("PRAGMA temp_store = MEMORY")
    try:
        yield conn
    finally:
        conn.close()


def compute_week(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    *,
    tz: ZoneInfo = BISHKEK,
    baseline_periods: int = 4,
    unanswered_limit: int = UNANSWERED_LIMIT,
) -> WeekStats:
    """All figures for [start_utc, end_utc); see the module docstring."""
    with reading(db) as conn:
        return _compute(conn, start_utc, end_utc, tz, baseline_periods, unanswered_limit)


def _compute(
    conn: sqlite3.Connection,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    tz: ZoneInfo,
    baseline_periods: int,
    unanswered_limit: int,
) -> WeekStats:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    stats = WeekStats(_aware(start_utc), _aware(end_utc))
    bounds = (stamp(start_utc), stamp(end_utc))
    shift = _local_shift(stats.start_utc, tz)
    stats.by_day = {day: 0 for day in _local_days(stats.start_utc, stats.end_utc, tz)}
    if "queries" in tables:
        _traffic(conn, stats, bounds, shift)
        _unanswered(conn, stats, bounds, unanswered_limit)
        _pointers(conn, stats, bounds, unanswered_limit)
        if baseline_periods > 0:
            _rising(conn, stats, bounds, baseline_periods)
    if "feedback" in tables:
        rows = conn.execute(
            "SELECT topic, SUM(helpful = 1), SUM(helpful = 0) FROM feedback WHERE ts >= ? AND ts < ? "
            "GROUP BY topic ORDER BY topic",
            bounds,
        )
        stats.feedback = {topic or "": (int(up or 0), int(down or 0)) for topic, up, down in rows}
    if "tickets" in tables:
        _handoffs(conn, stats, bounds)
    if "events" in tables:
        _health_events(conn, stats, bounds)
    if "dead_letters" in tables:  # rows set aside because they could not be written
        stats.log_failures += conn.execute(
            "SELECT COUNT(*) FROM dead_letters WHERE ts >= ? AND ts < ?", bounds
        ).fetchone()[0]
    return stats


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _local_shift(moment: dt.datetime, tz: ZoneInfo) -> str:
    """SQLite modifier from UTC to local time. Asia/Bishkek has kept +06:00 since 2005, so one
    offset per period is exact there; a zone that changes offset inside a period would need more."""
    offset = moment.astimezone(tz).utcoffset() or dt.timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _local_days(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> list[str]:
    first = start.astimezone(tz).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _one(conn: sqlite3.Connection, sql: str, params: Sequence) -> int:
    value = conn.execute(sql, params).fetchone()[0]
    return int(value or 0)


def _grouped(conn: sqlite3.Connection, column: str, bounds: tuple[str, str], where: str = "") -> dict[str, int]:
    rows = conn.execute(
        f"SELECT COALESCE({column}, ''), COUNT(*) AS n FROM queries WHERE ts >= ? AND ts < ? {where} "
        f"GROUP BY 1 ORDER BY n DESC, 1",
        bounds,
    )
    return {str(key): int(n) for key, n in rows}


def _traffic(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str], shift: str) -> None:
    stats.messages = _one(conn, "SELECT COUNT(*) FROM queries WHERE ts >= ? AND ts < ?", bounds)
    if not stats.messages:
        return
    for day_hour, n in conn.execute(
        "SELECT strftime('%Y-%m-%d %H', ts, ?), COUNT(*) FROM queries WHERE ts >= ? AND ts < ? GROUP BY 1",
        (shift, *bounds),
    ):
        day, hour = day_hour.split(" ")
        stats.by_day[day] = stats.by_day.get(day, 0) + int(n)
        stats.by_hour[int(hour)] += int(n)
    # Returning: seen before the period within the retained log (rows older than the
    # retention period are gone, so a person back after half a year counts as new).
    users, returning = conn.execute(
        "SELECT COUNT(*), SUM(user_key IN (SELECT user_key FROM queries WHERE ts < ?)) "
        "FROM (SELECT DISTINCT user_key FROM queries WHERE ts >= ? AND ts < ?)",
        (bounds[0], *bounds),
    ).fetchone()
    stats.users, stats.returning_users = int(users), int(returning or 0)
    stats.new_users = stats.users - stats.returning_users
    stats.by_lang = _grouped(conn, "lang", bounds)
    stats.by_country = _grouped(conn, "country", bounds)
    stats.by_entry = _grouped(conn, "entry", bounds)
    stats.topics = _grouped(conn, "topic", bounds, "AND topic IS NOT NULL AND topic != ''")
    stats.danger = _grouped(conn, "danger", bounds, "AND danger IS NOT NULL AND danger != ''")
    stats.text_messages, stats.fallbacks = (
        int(v or 0)
        for v in conn.execute(
            "SELECT COUNT(*), SUM(fallback = 1) FROM queries WHERE ts >= ? AND ts < ? AND entry = 'text'",
            bounds,
        ).fetchone()
    )
    stats.latency_p50, stats.latency_p95 = _percentiles(conn, bounds, (50, 95))


def _percentiles(conn: sqlite3.Connection, bounds: tuple[str, str], ranks: Sequence[int]) -> list[float | None]:
    """Nearest-rank percentiles of reply latency, picked in SQL with one sort: no rows reach Python."""
    wanted = " OR ".join(f"rn = MAX(1, ({int(rank)} * n + 99) / 100)" for rank in ranks)
    rows = conn.execute(
        "SELECT rn, n, latency_ms FROM (SELECT latency_ms, ROW_NUMBER() OVER (ORDER BY latency_ms) AS rn, "
        "COUNT(*) OVER () AS n FROM queries WHERE ts >= ? AND ts < ? AND latency_ms IS NOT NULL) "
        f"WHERE {wanted}",
        bounds,
    ).fetchall()
    by_rank = {rn: value for rn, _, value in rows}
    if not rows:
        return [None for _ in ranks]
    n = rows[0][1]
    return [float(by_rank[max(1, (rank * n + 99) // 100)]) for rank in ranks]


_UNANSWERED = "ts >= ? AND ts < ? AND entry = 'text' AND fallback = 1 AND COALESCE(text, '') != ''"


def _unanswered(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str], limit: int) -> None:
    stats.unanswered_distinct = _one(
        conn,
        f"SELECT COUNT(*) FROM (SELECT 1 FROM queries WHERE {_UNANSWERED} GROUP BY lang, text)",
        bounds,
    )
    stats.unanswered = _unanswered_rows(conn, bounds, limit)


def _unanswered_rows(conn: sqlite3.Connection, bounds: tuple[str, str], limit: int) -> list[Unanswered]:
    rows = conn.execute(
        f"SELECT COALESCE(lang, ''), text, COUNT(*) AS n FROM queries WHERE {_UNANSWERED} "
        "GROUP BY lang, text ORDER BY n DESC, text LIMIT ?",
        (*bounds, limit),
    )
    return [Unanswered(lang, text, int(n)) for lang, text, n in rows]


def unanswered_texts(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    limit: int = UNANSWERED_LIMIT,
) -> list[Unanswered]:
    """Distinct free-text messages the router did not answer, most frequent first (for review)."""
    with reading(db) as conn:
        return _unanswered_rows(conn, (stamp(start_utc), stamp(end_utc)), limit)


# Lines whose button was pressed: a press is its own row carrying the line's tag, logged
# after the message it answers (possibly after the period's end). Every condition on these
# rows names `pointer_ref IS NOT NULL`, so SQLite reads them through their partial index.
_PRESSED = "SELECT pointer_ref FROM queries WHERE ts >= ? AND entry = 'pointer' AND pointer_ref IS NOT NULL"


def _pointers(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str], limit: int) -> None:
    """The answers that ended with the line to the emergency contacts, and whose line was pressed."""
    shown, hit = conn.execute(
        f"SELECT COUNT(*), SUM({_PRESSED_LINE}) FROM queries WHERE {_POINTED}", (bounds[0], *bounds)
    ).fetchone()
    stats.pointers, stats.pointers_pressed = int(shown), int(hit or 0)
    if not stats.pointers or limit <= 0:
        return
    stats.pointed = _pointed_rows(conn, bounds, limit)


_POINTED = "ts >= ? AND ts < ? AND pointer_ref IS NOT NULL AND pointer IS NOT NULL AND pointer != ''"
_PRESSED_LINE = f"pointer_ref IN ({_PRESSED})"


def _pointed_rows(conn: sqlite3.Connection, bounds: tuple[str, str], limit: int) -> list[Pointed]:
    rows = conn.execute(
        f"SELECT COALESCE(lang, ''), COALESCE(text, ''), pointer, COALESCE(topic, ''), COUNT(*) AS n, "
        f"SUM({_PRESSED_LINE}) FROM queries WHERE {_POINTED} GROUP BY lang, text, pointer, topic "
        "ORDER BY n DESC, text LIMIT ?",
        (bounds[0], *bounds, limit),
    )
    return [Pointed(lang, text, kind, topic, int(n), int(hit or 0)) for lang, text, kind, topic, n, hit in rows]


def pointed_texts(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    limit: int = UNANSWERED_LIMIT,
) -> list[Pointed]:
    """Distinct messages answered with the line to the emergency contacts, most frequent first
    (for review): one row per language, text, kind and topic answered with."""
    with reading(db) as conn:
        return _pointed_rows(conn, (stamp(start_utc), stamp(end_utc)), limit)


def _rising(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str], periods: int) -> None:
    stats.rising, stats.rising_baseline_messages = _rising_terms(conn, stats.start_utc, stats.end_utc, periods)


def _rising_terms(
    conn: sqlite3.Connection,
    start: dt.datetime,
    end: dt.datetime,
    periods: int,
) -> tuple[list[RisingTerm], int]:
    # One string per period, built by SQLite: no Python object per message.
    sql = (
        "SELECT COALESCE(group_concat(text, char(10)), ''), COUNT(*) FROM queries "
        "WHERE ts >= ? AND ts < ? AND entry = 'text'"
    )
    current = count_terms(*conn.execute(sql, (stamp(start), stamp(end))).fetchone())
    before = count_terms(*conn.execute(sql, (stamp(start - (end - start) * periods), stamp(start))).fetchone())
    return rising_terms(current, before, periods), before.messages


def compute_rising(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    start_utc: dt.datetime,
    end_utc: dt.datetime,
    baseline_periods: int = 4,
) -> tuple[list[RisingTerm], int]:
    """Rising terms of [start_utc, end_utc) against the periods before, and the baseline's
    free-text message count; what compute_week fills in, callable on its own connection."""
    with reading(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'queries'").fetchone():
            return [], 0
        return _rising_terms(conn, _aware(start_utc), _aware(end_utc), baseline_periods)


def _handoffs(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str]) -> None:
    asked, answered, urgent = conn.execute(
        "SELECT COUNT(*), COUNT(first_reply), SUM(urgent = 1) FROM tickets WHERE opened >= ? AND opened < ?",
        bounds,
    ).fetchone()
    stats.handoffs_asked, stats.handoffs_answered, stats.handoffs_urgent = int(asked), int(answered), int(urgent or 0)
    if answered:
        # Median of an even count: the mean of the two middle waits.
        middle = conn.execute(
            "SELECT (julianday(first_reply) - julianday(opened)) * 1440 AS wait FROM tickets "
            "WHERE opened >= ? AND opened < ? AND first_reply IS NOT NULL ORDER BY wait LIMIT ? OFFSET ?",
            (*bounds, 2 - answered % 2, (answered - 1) // 2),
        ).fetchall()
        stats.median_first_reply_min = round(sum(row[0] for row in middle) / len(middle), 1)
    stats.handoffs_closed = _one(conn, "SELECT COUNT(*) FROM tickets WHERE closed >= ? AND closed < ?", bounds)
    day_before_end = stamp(dt.datetime.fromisoformat(bounds[1]) - STALE_AFTER)
    stats.handoffs_stale = _one(
        conn,
        "SELECT COUNT(*) FROM tickets WHERE opened < ? AND (closed IS NULL OR closed >= ?)",
        (day_before_end, bounds[1]),
    )


# Event kinds the running bot records (bot/telegram/runner.py, uncertain.py), by the figure they count.
_HEALTH_EVENTS = {
    "update_failed": "errors",
    "reply_refused": "send_failures",
    "reply_given_up": "send_failures",
    "update_unreadable": "unreadable_updates",
    "answer_offered_again": "offered_again",
    "database_replaced": "database_replaced",
}


def _health_events(conn: sqlite3.Connection, stats: WeekStats, bounds: tuple[str, str]) -> None:
    rows = conn.execute(
        "SELECT kind, COUNT(*), SUM(CASE WHEN kind = 'log_failure' THEN CAST(detail AS INTEGER) END) "
        "FROM events WHERE ts >= ? AND ts < ? GROUP BY kind",
        bounds,
    )
    for kind, n, failed_writes in rows:
        if kind == "log_failure":
            stats.log_failures = int(failed_writes or 0)
        elif kind in _HEALTH_EVENTS:
            setattr(stats, _HEALTH_EVENTS[kind], getattr(stats, _HEALTH_EVENTS[kind]) + int(n))
