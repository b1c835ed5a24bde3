"""Section 3b: the weekly report over a query log of a million rows.

Rows are written straight into a temporary SQLite file with the bot's own schema
(`storage.database.open_database`) by `executemany`, spread evenly over the five weeks the
report reads (the reported week, and the four before it: the previous week for comparison
and the baseline for rising terms). Texts are evaluation questions, some with a word added
so most are distinct; about one text message in eight is a fallback.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.timing import Spread
from handlers.knowledge import Knowledge
from storage.database import open_database

if TYPE_CHECKING:
    import sqlite_utils

    from review import Period

WEEKS = 5
ENTRIES = ("text",) * 8 + ("menu", "button", "command", "deeplink")
LANGS = ("ru",) * 5 + ("ky",) * 4 + ("en",)
COUNTRIES = ("RU",) * 6 + ("KZ",) * 2 + ("KR", "TR", "AE", "BY", "", "")
EXTRA_WORDS = ("срочно", "пожалуйста", "bratan", "плиз", "ага", "жардам", "please", "тез", "help", "2026")
FALLBACK_RATE = 0.12
FEEDBACK_SHARE = 0.03
BATCH = 50_000
INSERT = (
    "INSERT INTO queries (ts, user_key, lang, country, entry, topic, confidence, suggestions, fallback, "
    "danger, latency_ms, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class ReportFigures:
    rows: int
    rows_in_week: int
    write_seconds: float
    database_mib: float
    stats: Spread  # compute_week on the reported week
    report: Spread | None  # build_report + render_html, both weeks and unanswered grouping


def _rows(
    count: int, start: dt.datetime, seconds: float, texts: Sequence[str], topics: Sequence[str], rng: random.Random
) -> Iterator[tuple]:
    users = [f"{rng.getrandbits(64):016x}" for _ in range(max(100, count // 20))]
    for _ in range(count):
        ts = (start + dt.timedelta(seconds=rng.random() * seconds)).isoformat(timespec="milliseconds")
        entry = rng.choice(ENTRIES)
        fallback = entry == "text" and rng.random() < FALLBACK_RATE
        text = rng.choice(texts)
        if rng.random() < 0.7:
            text = f"{text} {rng.choice(EXTRA_WORDS)} {rng.randrange(1000)}"
        yield (
            ts,
            rng.choice(users),
            rng.choice(LANGS),
            rng.choice(COUNTRIES),
            entry,
            None if fallback else rng.choice(topics),
            round(rng.random(), 4),
            "[]",
            int(fallback),
            None,
            round(rng.lognormvariate(1.0, 0.6), 2),
            text if entry == "text" else "/start",
        )


def fill(path: Path, rows: int, period_start: dt.datetime, texts: Sequence[str], topics: Sequence[str]) -> float:
    """Write `rows` log rows (plus a few ratings) over the WEEKS weeks ending with the reported one."""
    rng = random.Random(11)
    db = open_database(path)
    conn: sqlite3.Connection = db.conn
    first = period_start - dt.timedelta(weeks=WEEKS - 1)
    started = time.perf_counter()
    generator = _rows(rows, first, WEEKS * 7 * 86400, texts, topics, rng)
    with conn:
        while batch := [row for _, row in zip(range(BATCH), generator, strict=False)]:
            conn.executemany(INSERT, batch)
        conn.executemany(
            "INSERT INTO feedback (ts, user_key, topic, helpful, lang) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    (first + dt.timedelta(seconds=rng.random() * WEEKS * 7 * 86400)).isoformat(timespec="milliseconds"),
                    f"{rng.getrandbits(64):016x}",
                    rng.choice(topics),
                    int(rng.random() < 0.8),
                    rng.choice(LANGS),
                )
                for _ in range(int(rows * FEEDBACK_SHARE))
            ],
        )
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def measure(rows: int, runs: int, knowledge: Knowledge, texts: Sequence[str], full_report: bool) -> ReportFigures:
    from review import compute_week, parse_week

    period = parse_week("2026-W47")
    topics = list(knowledge.content.topics)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "helpline.sqlite"
        write_seconds = fill(path, rows, period.start_utc, texts, topics)
        size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20
        db = open_database(path)
        stats_times, report_times = [], []
        week = 0
        for _ in range(runs):
            started = time.perf_counter()
            week = compute_week(db, period.start_utc, period.end_utc).messages
            stats_times.append(time.perf_counter() - started)
            if full_report:
                report_times.append(_full_report(db, period, knowledge))
        db.conn.close()
    return ReportFigures(
        rows, week, write_seconds, size, Spread.of(stats_times), Spread.of(report_times) if report_times else None
    )


def _full_report(db: sqlite_utils.Database, period: Period, knowledge: Knowledge) -> float:
    from review.report import build_report, render_html

    started = time.perf_counter()
    render_html(build_report(db, period, knowledge=knowledge, now=period.end_utc + dt.timedelta(hours=9)))
    return time.perf_counter() - started
