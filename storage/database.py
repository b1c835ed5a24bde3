"""The SQLite file behind the bot: opened in WAL mode, its schema brought up to date, and
watched so that a deleted or replaced file is noticed instead of written into the void.

The schema has a version (`PRAGMA user_version`). Each entry of `MIGRATIONS` is the SQL
that takes a database from one version to the next; it runs in one transaction that
takes the write lock first, so a database made by any earlier release upgrades in place
on the next start, and two connections opening a fresh file never both migrate it.
Version 1 is the schema every release before versioning created (it read as version 0).
A migration is never edited once released: a change is a new entry.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

log = logging.getLogger(__name__)
DB_FILE = "helpline.sqlite"
# A short busy timeout: a locked database must not hold a reply back; callers keep rows in
# memory (query log) or retry (inbox) instead of waiting.
BUSY_SECONDS = 0.5

MIGRATIONS: list[str] = [
    # 1: the query log, ratings, settings, tickets, events and answered update ids.
    """
    CREATE TABLE IF NOT EXISTS "queries" (
       "id" INTEGER PRIMARY KEY, "ts" TEXT, "user_key" TEXT, "lang" TEXT, "country" TEXT,
       "entry" TEXT, "topic" TEXT, "confidence" REAL, "suggestions" TEXT, "fallback" INTEGER,
       "danger" TEXT, "latency_ms" REAL, "text" TEXT);
    CREATE TABLE IF NOT EXISTS "feedback" (
       "id" INTEGER PRIMARY KEY, "ts" TEXT, "user_key" TEXT, "topic" TEXT, "helpful" INTEGER,
       "lang" TEXT);
    CREATE TABLE IF NOT EXISTS "profiles" (
       "user_key" TEXT PRIMARY KEY, "lang" TEXT, "country" TEXT, "country_asked" INTEGER,
       "updated" TEXT);
    CREATE TABLE IF NOT EXISTS "tickets" (
       "id" INTEGER PRIMARY KEY, "opened" TEXT, "user_key" TEXT, "lang" TEXT, "urgent" INTEGER,
       "status" TEXT, "first_reply" TEXT, "closed" TEXT, "closed_by" TEXT, "rating" INTEGER,
       "messages_in" INTEGER, "messages_out" INTEGER);
    -- The only way back to a migrant's chat, sealed with the hash key.
    CREATE TABLE IF NOT EXISTS "ticket_links" ("ticket_id" INTEGER PRIMARY KEY, "sealed_chat" TEXT);
    -- Operational events for the weekly report's health section: never personal data.
    CREATE TABLE IF NOT EXISTS "events" ("id" INTEGER PRIMARY KEY, "ts" TEXT, "kind" TEXT, "detail" TEXT);
    CREATE TABLE IF NOT EXISTS "updates_done" (
       "bot_id" INTEGER, "update_id" INTEGER, "ts" TEXT, PRIMARY KEY ("bot_id", "update_id"));
    CREATE INDEX IF NOT EXISTS "idx_tickets_user_key_status" ON "tickets" ("user_key", "status");
    CREATE INDEX IF NOT EXISTS "idx_queries_ts" ON "queries" ("ts");
    CREATE INDEX IF NOT EXISTS "idx_queries_user_key_ts" ON "queries" ("user_key", "ts");
    CREATE INDEX IF NOT EXISTS "idx_feedback_ts" ON "feedback" ("ts");
    """,
    # 2: the durable inbox and outbox (sealed, deleted once answered or sent) and the log
    # rows set aside because they could not be written.
    """
    CREATE TABLE "inbox" (
       "bot_id" INTEGER, "update_id" INTEGER, "received" TEXT, "sealed" TEXT,
       PRIMARY KEY ("bot_id", "update_id"));
    CREATE TABLE "outbox" (
       "id" INTEGER PRIMARY KEY, "bot_id" INTEGER, "created" TEXT, "next_try" TEXT,
       "attempts" INTEGER, "sealed" TEXT);
    CREATE INDEX "idx_outbox_bot_id" ON "outbox" ("bot_id", "id");
    CREATE TABLE "dead_letters" (
       "id" INTEGER PRIMARY KEY, "ts" TEXT, "source" TEXT, "reason" TEXT, "row" TEXT);
    CREATE INDEX "idx_dead_letters_ts" ON "dead_letters" ("ts");
    CREATE INDEX IF NOT EXISTS "idx_updates_done_ts" ON "updates_done" ("ts");
    """,
    # 3: alerts: who subscribed (after consent, the chat sealed), what each was sent, who sends.
    """
    CREATE TABLE "alert_subscriptions" (
       "user_key" TEXT PRIMARY KEY, "sealed_chat" TEXT, "countries" TEXT, "lang" TEXT, "since" TEXT,
       "last_active" TEXT);
    CREATE TABLE "alert_deliveries" (
       "alert_id" TEXT, "user_key" TEXT, "status" TEXT, "updated" TEXT, PRIMARY KEY ("alert_id", "user_key"));
    CREATE TABLE "alert_runs" (
       "alert_id" TEXT PRIMARY KEY, "status" TEXT, "requested" TEXT, "requested_by" TEXT, "started" TEXT,
       "finished" TEXT, "heartbeat" TEXT, "owner" TEXT);
    CREATE INDEX "idx_alert_deliveries_alert_id_status" ON "alert_deliveries" ("alert_id", "status");
    """,
    # 4: the desk: a ticket's topic in a forum caseworkers' chat (a topic id, nobody's identity).
    """
    ALTER TABLE "tickets" ADD COLUMN "thread" INTEGER;
    CREATE INDEX "idx_tickets_thread" ON "tickets" ("thread");
    """,
    # 5: how far an inbox update got: 0 received, 1 its answer being sent, 2 the same for an
    # answer with emergency contacts, 3 kept after a restart for the person to ask again;
    # the same for a reply in the outbox (0 waiting, 1 being sent, 3 kept).
    """
    ALTER TABLE "inbox" ADD COLUMN "state" INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE "outbox" ADD COLUMN "state" INTEGER NOT NULL DEFAULT 0;
    """,
    # 6: the line to the emergency contacts under an answer to a message that read close to
    # danger: on that message's row the kind it came close to, and a random tag its button
    # carries; a press of the button is a row of its own with the same tag. The partial index
    # holds those few rows only, so the weekly report finds them without reading the week.
    """
    ALTER TABLE "queries" ADD COLUMN "pointer" TEXT;
    ALTER TABLE "queries" ADD COLUMN "pointer_ref" TEXT;
    CREATE INDEX "idx_queries_pointer_ts" ON "queries" ("ts") WHERE "pointer_ref" IS NOT NULL;
    """,
]


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (or create) the database; WAL keeps readers (reports) from blocking the bot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_SECONDS)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    migrate(connection)
    return db


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, waits: int = 20) -> int:
    """Apply the migrations this database has not had yet; return the version it is at."""
    for attempt in range(waits):
        try:
            return _migrate_once(connection)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == waits - 1:
                raise
            time.sleep(0.1)  # another connection is migrating the same file
    raise AssertionError("unreachable")


def _migrate_once(connection: sqlite3.Connection) -> int:
    latest = len(MIGRATIONS)
    if schema_version(connection) == latest:
        return latest
    if connection.in_transaction:
        connection.commit()
    connection.execute("BEGIN IMMEDIATE")  # the write lock first, then read the version
    try:
        version = schema_version(connection)
        if version > latest:
            raise RuntimeError(
                f"the database has schema version {version}; this helpline knows "
                f"{latest}: upgrade helpline before using it"
            )
        for number in range(version + 1, latest + 1):
            for statement in _statements(MIGRATIONS[number - 1]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
            log.info("database schema migrated to version %d", number)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return latest


def _statements(script: str) -> list[str]:
    """One migration's statements (executescript would commit the open transaction)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


class DatabaseFile:
    """One connection to the database file that notices the file being deleted or replaced.

    SQLite keeps writing into a file that was deleted or swapped underneath it, so every
    row after that would vanish silently. `check` compares the path's device and inode
    with the ones opened; when they differ it opens (and so recreates) the file, swaps the
    new connection into the same `sqlite_utils.Database` object its users hold, logs
    loudly, counts it, and tells the `on_replaced` listeners (the admins' notice).
    """

    def __init__(self, path: Path, check_every: float = 1.0) -> None:
        self.path = path
        self.db = open_database(path)
        self.replaced = 0
        self.on_replaced: list[Callable[[], None]] = []
        self._identity = _identity(path)
        self._lock = threading.Lock()
        self._check_every = check_every
        self._checked = time.monotonic()

    def check(self) -> bool:
        """Reopen the file if it is not the one opened; True when it had to be.

        Called before writes, at most once per `check_every` seconds (one stat call)."""
        now = time.monotonic()
        if now - self._checked < self._check_every:
            return False
        with self._lock:
            self._checked = now
            if _identity(self.path) == self._identity:
                return False
            try:
                fresh = open_database(self.path)
            except (sqlite3.Error, OSError) as error:
                log.error(
                    "the database file %s is gone and could not be recreated (%s)", self.path.name, type(error).__name__
                )
                return False
            old, self.db.conn = self.db.conn, fresh.conn
            self._identity = _identity(self.path)
            self.replaced += 1
        try:
            old.close()
        except sqlite3.Error:
            pass
        log.error(
            "DATABASE FILE %s WAS DELETED OR REPLACED while the bot ran: recreated it; "
            "rows written to the old file are gone (%d time(s) since start)",
            self.path.name,
            self.replaced,
        )
        for listener in self.on_replaced:
            listener()
        return True


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
