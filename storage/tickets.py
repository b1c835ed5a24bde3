"""Caseworker tickets: who asked for a person, when, and whether it was answered.

A ticket row holds only the pseudonym and timestamps. The way back to the migrant's chat
is kept apart, sealed with the hash key, and deleted when the ticket closes.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import sqlite_utils

from storage.clock import stamp, utc_now
from storage.pseudonym import Pseudonymizer


@dataclass(frozen=True)
class Ticket:
    id: int
    user_key: str
    lang: str
    urgent: bool
    status: str  # open or closed
    first_reply: str | None
    thread: int | None = None  # its topic in a forum caseworkers' chat


class Tickets:
    def __init__(self, db: sqlite_utils.Database, pseudonymizer: Pseudonymizer) -> None:
        self.db = db
        self.pseudonymizer = pseudonymizer
        self._lock = threading.Lock()

    def open(self, user_key: str, chat_id: int, lang: str, urgent: bool) -> Ticket:
        with self._lock, self.db.conn:
            table = self.db["tickets"]
            table.insert(
                {
                    "opened": stamp(),
                    "user_key": user_key,
                    "lang": lang,
                    "urgent": int(urgent),
                    "status": "open",
                    "messages_in": 0,
                    "messages_out": 0,
                }
            )
            ticket_id = table.last_pk
            self.db["ticket_links"].insert(
                {
                    "ticket_id": ticket_id,
                    "sealed_chat": self.pseudonymizer.seal_chat(chat_id, ticket_id),
                }
            )
        return Ticket(ticket_id, user_key, lang, urgent, "open", None)

    def open_for(self, user_key: str) -> Ticket | None:
        rows = list(
            self.db.query(
                "SELECT * FROM tickets WHERE user_key = ? AND status = 'open' ORDER BY id DESC LIMIT 1",
                [user_key],
            )
        )
        return self._ticket(rows[0]) if rows else None

    def get(self, ticket_id: int) -> Ticket | None:
        rows = list(self.db.query("SELECT * FROM tickets WHERE id = ?", [ticket_id]))
        return self._ticket(rows[0]) if rows else None

    def by_thread(self, thread: int) -> Ticket | None:
        """The ticket whose topic this is in a forum caseworkers' chat."""
        rows = list(self.db.query("SELECT * FROM tickets WHERE thread = ? ORDER BY id DESC LIMIT 1", [thread]))
        return self._ticket(rows[0]) if rows else None

    def set_thread(self, ticket_id: int, thread: int) -> None:
        with self._lock, self.db.conn:
            self.db.execute("UPDATE tickets SET thread = ? WHERE id = ?", [thread, ticket_id])

    def chat_of(self, ticket_id: int) -> int | None:
        rows = list(self.db.query("SELECT sealed_chat FROM ticket_links WHERE ticket_id = ?", [ticket_id]))
        return self.pseudonymizer.unseal_chat(rows[0]["sealed_chat"], ticket_id) if rows else None

    def mark_urgent(self, ticket_id: int) -> None:
        with self._lock, self.db.conn:
            self.db.execute("UPDATE tickets SET urgent = 1 WHERE id = ?", [ticket_id])

    def count_message(self, ticket_id: int, from_caseworker: bool) -> None:
        with self._lock, self.db.conn:
            if from_caseworker:
                self.db.execute(
                    "UPDATE tickets SET messages_out = messages_out + 1, "
                    "first_reply = COALESCE(first_reply, ?) WHERE id = ?",
                    [stamp(), ticket_id],
                )
            else:
                self.db.execute("UPDATE tickets SET messages_in = messages_in + 1 WHERE id = ?", [ticket_id])

    def close(self, ticket_id: int, closed_by: str) -> None:
        with self._lock, self.db.conn:
            self.db.execute(
                "UPDATE tickets SET status = 'closed', closed = ?, closed_by = ? WHERE id = ? AND status = 'open'",
                [stamp(), closed_by, ticket_id],
            )
            self.db.execute("DELETE FROM ticket_links WHERE ticket_id = ?", [ticket_id])

    def rate(self, ticket_id: int, user_key: str, rating: int) -> bool:
        with self._lock, self.db.conn:
            cursor = self.db.execute(
                "UPDATE tickets SET rating = ? WHERE id = ? AND user_key = ?",
                [rating, ticket_id, user_key],
            )
        return cursor.rowcount == 1

    def purge(self, older_than_days: int, now: dt.datetime | None = None) -> int:
        """Close tickets and drop their links past the retention period; delete old rows."""
        cutoff = stamp((now or utc_now()) - dt.timedelta(days=older_than_days))
        with self._lock, self.db.conn:
            self.db.execute(
                "DELETE FROM ticket_links WHERE ticket_id IN (SELECT id FROM tickets WHERE opened < ?)",
                [cutoff],
            )
            cursor = self.db.execute("DELETE FROM tickets WHERE opened < ?", [cutoff])
        return cursor.rowcount

    @staticmethod
    def _ticket(row: dict) -> Ticket:
        return Ticket(
            row["id"],
            row["user_key"],
            row["lang"],
            bool(row["urgent"]),
            row["status"],
            row["first_reply"],
            row.get("thread"),
        )
