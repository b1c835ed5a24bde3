"""The SQLite file behind the query log, opened in WAL mode with its tables in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

DB_FILE = "helpline.sqlite"


def open_database(path: Path) -> sqlite_utils.Database:
    """Open (or create) the database; WAL keeps readers (reports) from blocking the bot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A short busy timeout: a locked log must not hold a reply back; rows wait in memory instead.
    connection = sqlite3.connect(str(path), check_same_thread=False, timeout=0.5)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    ensure_tables(db)
    return db


def ensure_tables(db: sqlite_utils.Database) -> None:
    db["queries"].create(
        {
            "id": int, "ts": str, "user_key": str, "lang": str, "country": str, "entry": str,
            "topic": str, "confidence": float, "suggestions": str, "fallback": int, "danger": str,
            "latency_ms": float, "text": str,
        },
        pk="id", if_not_exists=True,
    )
    db["feedback"].create(
        {"id": int, "ts": str, "user_key": str, "topic": str, "helpful": int, "lang": str},
        pk="id", if_not_exists=True,
    )
    db["profiles"].create(
        {"user_key": str, "lang": str, "country": str, "country_asked": int, "updated": str},
        pk="user_key", if_not_exists=True,
    )
    db["tickets"].create(
        {
            "id": int, "opened": str, "user_key": str, "lang": str, "urgent": int, "status": str,
            "first_reply": str, "closed": str, "closed_by": str, "rating": int, "messages_in": int,
            "messages_out": int,
        },
        pk="id", if_not_exists=True,
    )
    # The only way back to a migrant's chat, sealed with the hash key; deleted when the
    # ticket closes or ages past the retention period.
    db["ticket_links"].create({"ticket_id": int, "sealed_chat": str}, pk="ticket_id", if_not_exists=True)
    # Operational events for the weekly report's health section: never personal data.
    db["events"].create({"id": int, "ts": str, "kind": str, "detail": str}, pk="id", if_not_exists=True)
    db["tickets"].create_index(["user_key", "status"], if_not_exists=True)
    db["queries"].create_index(["ts"], if_not_exists=True)
    db["queries"].create_index(["user_key", "ts"], if_not_exists=True)  # new vs returning users
    db["feedback"].create_index(["ts"], if_not_exists=True)

