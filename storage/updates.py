"""Which Telegram updates have been answered, so a restart never answers one twice.

Only update ids are kept (no content, nothing about the sender), for two days: Telegram
itself keeps undelivered updates for 24 hours.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import sqlite_utils

from storage.querylog import utc_now

KEEP = dt.timedelta(days=2)


class UpdateJournal:
    """Answered update ids of one bot (ids are counted per bot, so another token starts afresh)."""

    def __init__(self, db: sqlite_utils.Database, bot_id: int) -> None:
        self.db = db
        self.bot_id = bot_id
        self._lock = threading.Lock()
        self.db["updates_done"].create(
            {"bot_id": int, "update_id": int, "ts": str}, pk=("bot_id", "update_id"), if_not_exists=True,
        )
        cutoff = (utc_now() - KEEP).isoformat(timespec="milliseconds")
        with self._lock, self.db.conn:
            self.db.execute("DELETE FROM updates_done WHERE ts < ?", [cutoff])
        rows = self.db.query("SELECT update_id FROM updates_done WHERE bot_id = ?", [bot_id])
        self._done = {row["update_id"] for row in rows}

    def is_done(self, update_id: int) -> bool:
        return update_id in self._done

    def mark_done(self, update_id: int) -> None:
        self._done.add(update_id)
        try:
            with self._lock, self.db.conn:
                self.db.execute(
                    "INSERT OR IGNORE INTO updates_done (bot_id, update_id, ts) VALUES (?, ?, ?)",
                    [self.bot_id, update_id, utc_now().isoformat(timespec="milliseconds")],
                )
        except sqlite3.Error:
            pass  # the memory copy still prevents doubles until the next restart
