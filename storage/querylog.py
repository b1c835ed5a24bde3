"""The anonymised query log: one row per message, one per rating.

A failing log must never stop a reply. When SQLite is locked, read-only or the disk is
full, rows wait in a bounded queue in memory and are written once the database accepts
them again; `failures` counts the write errors and `lost` the rows dropped because the
queue was full.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections import deque
from dataclasses import asdict, dataclass, field

import sqlite_utils

from storage.redaction import redact

log = logging.getLogger(__name__)
MAX_PENDING = 10_000


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class QueryRecord:
    """What is kept of one message. `text` is redacted before it is stored."""

    user_key: str
    lang: str
    entry: str  # text, menu, deeplink, command, button, media
    text: str
    topic: str | None = None
    confidence: float | None = None
    suggestions: tuple[str, ...] = ()
    fallback: bool = False
    danger: str | None = None  # the kind of danger recognised, if any
    country: str | None = None
    latency_ms: float = 0.0
    ts: dt.datetime = field(default_factory=utc_now)


@dataclass
class FeedbackRecord:
    user_key: str
    topic: str
    helpful: bool
    lang: str
    ts: dt.datetime = field(default_factory=utc_now)


class QueryLog:
    def __init__(self, db: sqlite_utils.Database, max_pending: int = MAX_PENDING) -> None:
        self.db = db
        self._pending: deque[tuple[str, dict]] = deque()
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self.failures = 0
        self.lost = 0
        self._outage = 0  # failed writes since the database last accepted one

    def record_query(self, record: QueryRecord) -> None:
        row = asdict(record)
        row["ts"] = record.ts.isoformat(timespec="milliseconds")
        row["text"] = redact(record.text)
        row["suggestions"] = json.dumps(list(record.suggestions))
        row["fallback"] = int(record.fallback)
        self._write("queries", row)

    def record_feedback(self, record: FeedbackRecord) -> None:
        row = asdict(record)
        row["ts"] = record.ts.isoformat(timespec="milliseconds")
        row["helpful"] = int(record.helpful)
        self._write("feedback", row)

    def record_event(self, kind: str, detail: str = "") -> None:
        """An operational event (error, send failure, log outage) for the health report."""
        self._write("events", {"ts": utc_now().isoformat(timespec="milliseconds"), "kind": kind, "detail": detail})

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> bool:
        """Write every waiting row; True when none is left waiting."""
        with self._lock:
            return self._drain()

    def purge(self, older_than_days: int, now: dt.datetime | None = None) -> int:
        """Delete log rows older than the retention period; return how many went."""
        cutoff = ((now or utc_now()) - dt.timedelta(days=older_than_days)).isoformat(timespec="milliseconds")
        removed = 0
        with self._lock:
            for table in ("queries", "feedback", "events"):
                cursor = self.db.execute(f"DELETE FROM [{table}] WHERE ts < ?", [cutoff])
                removed += cursor.rowcount
            self.db.execute("DELETE FROM profiles WHERE updated < ?", [cutoff])
            self.db.conn.commit()
        return removed

    def _write(self, table: str, row: dict) -> None:
        with self._lock:
            if len(self._pending) >= self._max_pending:
                self._pending.popleft()
                self.lost += 1
            self._pending.append((table, row))
            self._drain()

    def _drain(self) -> bool:
        while self._pending:
            table, row = self._pending[0]
            try:
                with self.db.conn:
                    self.db[table].insert(row)
            except sqlite3.Error as error:
                self.failures += 1
                self._outage += 1
                log.warning("query log write failed (%s); %d rows waiting", type(error).__name__, len(self._pending))
                return False
            self._pending.popleft()
        if self._outage:
            outage, self._outage = self._outage, 0
            self._pending.append(("events", {
                "ts": utc_now().isoformat(timespec="milliseconds"), "kind": "log_failure", "detail": str(outage),
            }))
            return self._drain()
        return True
