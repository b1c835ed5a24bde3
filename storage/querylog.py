"""The anonymised query log: one row per message, one per rating.

A failing log must never stop a reply. When SQLite is locked, read-only or the disk is
full, rows wait in a bounded queue in memory and are written once the database accepts
them again; `failures` counts the write errors and `lost` the rows dropped because the
queue was full. A row that fails for a reason of its own (text no encoding can hold, a
value SQLite refuses) is set aside in `dead_letters` with the reason, its text redacted,
and counted in `set_aside`: it never blocks the rows behind it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sqlite3
import threading
from collections import deque
from dataclasses import asdict, dataclass, field

import sqlite_utils

from storage.clock import stamp, utc_now
from storage.database import BUSY_SECONDS, DatabaseFile
from storage.redaction import redact

log = logging.getLogger(__name__)
MAX_PENDING = 10_000


def valid_unicode(text: str) -> str:
    """`text` as valid Unicode: surrogate pairs joined, a lone surrogate replaced by U+FFFD.

    JSON may carry a lone UTF-16 surrogate ("\\ud800"); no UTF-8 encoder accepts it, so it
    would fail every write and every send further on."""
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


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
    # The answer ended with the line to the emergency contacts: the kind of danger the message
    # came close to; `pointer_ref` (a random tag, no identity) ties a press of its button back.
    pointer: str | None = None
    pointer_ref: str | None = None
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
    def __init__(
        self, db: sqlite_utils.Database, max_pending: int = MAX_PENDING, file: DatabaseFile | None = None
    ) -> None:
        self.db = db
        self.file = file  # when given, a deleted or replaced database file is noticed
        self._pending: deque[tuple[str, dict]] = deque()
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self.failures = 0
        self.lost = 0
        self.set_aside = 0
        self._outage = 0  # failed writes since the database last accepted one

    def record_query(self, record: QueryRecord) -> None:
        row = asdict(record)
        row["ts"] = stamp(record.ts)
        row["text"] = redact(valid_unicode(record.text))
        row["suggestions"] = json.dumps(list(record.suggestions))
        row["fallback"] = int(record.fallback)
        self._write("queries", row)

    def record_feedback(self, record: FeedbackRecord) -> None:
        row = asdict(record)
        row["ts"] = stamp(record.ts)
        row["helpful"] = int(record.helpful)
        self._write("feedback", row)

    def record_event(self, kind: str, detail: str = "") -> None:
        """An operational event (error, send failure, log outage) for the health report."""
        self._write("events", {"ts": stamp(), "kind": kind, "detail": detail})

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> bool:
        """Write every waiting row; True when none is left waiting."""
        with self._lock:
            return self._drain()

    def purge(self, older_than_days: int, now: dt.datetime | None = None) -> int:
        """Delete log rows older than the retention period; return how many went."""
        cutoff = stamp((now or utc_now()) - dt.timedelta(days=older_than_days))
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
        if self._pending and self.file is not None:
            self.file.check()
        if not self._outage:
            return self._drain_rows()
        # During an outage the busy wait is paid once, not per message: retries fail fast.
        self.db.conn.execute("PRAGMA busy_timeout = 0")
        try:
            return self._drain_rows()
        finally:
            self.db.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")

    def _drain_rows(self) -> bool:
        while self._pending:
            table, row = self._pending[0]
            try:
                with self.db.conn:
                    self.db.conn.execute(_insert_sql(table, tuple(row)), tuple(row.values()))
            except (sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError) as error:
                self.failures += 1
                self._set_aside(table, row, error)  # a value SQLite refuses: this row's own fault
            except sqlite3.Error as error:  # locked, read-only, disk full… unless the next row goes in
                self.failures += 1
                if not self._next_goes_in():
                    self._outage += 1
                    log.warning(
                        "query log write failed (%s); %d rows waiting", type(error).__name__, len(self._pending)
                    )
                    return False
                self._set_aside(table, row, error)
            except Exception as error:  # noqa: BLE001 - text no encoding holds: this row's own fault
                self.failures += 1
                self._set_aside(table, row, error)
            self._pending.popleft()
        if self._outage:
            outage, self._outage = self._outage, 0
            self._pending.append(
                (
                    "events",
                    {
                        "ts": stamp(),
                        "kind": "log_failure",
                        "detail": str(outage),
                    },
                )
            )
            return self._drain_rows()
        return True

    def _next_goes_in(self) -> bool:
        """Whether the row behind the failing one can be written (then written): if so, the
        failure was the first row's own and the database is fine."""
        if len(self._pending) < 2:
            return False
        table, row = self._pending[1]
        try:
            with self.db.conn:
                self.db.conn.execute(_insert_sql(table, tuple(row)), tuple(row.values()))
        except Exception:  # noqa: BLE001 - an outage after all
            return False
        del self._pending[1]
        return True

    def _set_aside(self, table: str, row: dict, error: Exception) -> None:
        """Keep the row that failed (text redacted, valid Unicode) with the reason; never raise."""
        self.set_aside += 1
        log.warning("query log row set aside (%s)", type(error).__name__)
        kept = {key: valid_unicode(value) if isinstance(value, str) else value for key, value in row.items()}
        if isinstance(kept.get("text"), str):
            kept["text"] = redact(kept["text"])
        try:
            with self.db.conn:
                self.db.conn.execute(
                    "INSERT INTO dead_letters (ts, source, reason, row) VALUES (?, ?, ?, ?)",
                    (stamp(), table, type(error).__name__, json.dumps(kept, ensure_ascii=True, default=str)),
                )
        except Exception as failure:  # noqa: BLE001 - counted above; nothing more to do
            self.lost += 1
            log.warning("set-aside row could not be kept either (%s)", type(failure).__name__)


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """One INSERT per table and column set, built once (sqlite-utils re-reads the schema per insert)."""
    names = ", ".join(f"[{column}]" for column in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"
