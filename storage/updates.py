"""The durable inbox, the record of handled update ids, and the outbox, for one bot.

An update is stored here (sealed) the moment it arrives, before Telegram is told it was
received; it is deleted, and its id recorded as handled, in one transaction once it is
answered. So a crash loses nothing (the inbox is answered first on the next start) and a
repeated update id, from polling or a webhook, at once or days apart, is taken only once.
Handled ids (no content, nothing about the sender) are kept for two days: Telegram keeps
undelivered updates for 24 hours.

A kill can land after Telegram took a reply and before the update was recorded as
answered; the Bot API has no way to ask whether it did. So an update is marked `SENDING`
before its first reply goes out: after a restart, an update still in that state may or may
not have reached the person, and it is not answered again on a guess. The person is told
and may ask for it with one tap (`KEPT`, for `KEEP_UNCERTAIN`); an answer that carried
emergency contacts (`SENDING_URGENT`) is sent again, since a second card costs less than a
missing one.

The outbox holds replies Telegram could not take yet, sealed, until they go out or their
retry time runs out. Every method runs on one storage thread (`bot/telegram/inbox.py`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from storage.clock import stamp, utc_now
from storage.database import DatabaseFile
from storage.sealing import Sealer, SealError

log = logging.getLogger(__name__)
KEEP_HANDLED = dt.timedelta(days=2)
KEEP_UNCERTAIN = dt.timedelta(days=1)  # how long an uncertain update can be asked for again
RECEIVED, SENDING, SENDING_URGENT, KEPT = range(4)  # the inbox `state` column
FORGET_EVERY = 1000  # handled updates between two clean-ups of old ids
# Values a reply never needs that would identify the sender or their chat.
_IDENTIFYING = frozenset(
    {
        "first_name",
        "last_name",
        "username",
        "title",
        "phone_number",
        "vcard",
        "bio",
        "sender_user_name",
        "author_signature",
        "active_usernames",
    }
)


def without_names(value: Any) -> Any:
    """The update with every name, username, title and phone number blanked (kept as "",
    since the libraries require some of those fields to be present)."""
    if isinstance(value, dict):
        return {
            key: "" if key in _IDENTIFYING and isinstance(item, str) else without_names(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_names(item) for item in value]
    return value


@dataclass(frozen=True)
class Waiting:
    """An update stored and not finished, with how far its answer got."""

    update_id: int
    update: dict[str, Any]
    state: int


@dataclass(frozen=True)
class Held:
    """A reply waiting in the outbox."""

    id: int
    created: dt.datetime
    attempts: int
    message: dict[str, Any]
    sending: bool = False  # a try was under way when the bot stopped: it may have gone out


class UpdateStore:
    def __init__(self, file: DatabaseFile, bot_id: int, key: bytes) -> None:
        self.file = file
        self.bot_id = bot_id
        self._inbox_seal = Sealer(key, "inbox")
        self._outbox_seal = Sealer(key, "outbox")
        self._finished = 0
        self.unreadable_rows = 0  # inbox rows sealed with another key: set aside, logged
        self.forget_old()

    @property
    def _conn(self) -> Any:
        self.file.check()
        return self.file.db.conn

    # -- inbox ---------------------------------------------------------------------------

    def receive(self, updates: list[tuple[int, dict[str, Any]]]) -> list[int]:
        """Store the updates not seen before (neither waiting nor handled); return their ids."""
        received = stamp()
        rows = [(update_id, self._inbox_seal.seal(without_names(update))) for update_id, update in updates]
        fresh = []
        conn = self._conn
        with conn:
            for update_id, sealed in rows:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO inbox (bot_id, update_id, received, sealed) SELECT ?, ?, ?, ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM updates_done WHERE bot_id = ? AND update_id = ?)",
                    (self.bot_id, update_id, received, sealed, self.bot_id, update_id),
                )
                if cursor.rowcount:
                    fresh.append(update_id)
        return fresh

    def waiting(self) -> list[Waiting]:
        """Updates stored but not finished (the bot stopped or died meanwhile), oldest first;
        those kept for the person to ask again are not among them."""
        rows = self._conn.execute(
            "SELECT update_id, sealed, state FROM inbox WHERE bot_id = ? AND state != ? ORDER BY update_id",
            (self.bot_id, KEPT),
        ).fetchall()
        waiting = []
        for update_id, sealed, state in rows:
            try:
                waiting.append(Waiting(update_id, self._inbox_seal.unseal(sealed), state))
            except SealError:
                self.unreadable_rows += 1  # the hash key changed: nobody can read it any more
                log.warning("inbox update %s sealed with another key: set aside", update_id)
                self.finish(update_id)
        return waiting

    def sending(self, update_id: int, urgent: bool) -> None:
        """The update's answer is about to go out: from here on, a crash leaves it uncertain."""
        conn = self._conn
        with conn:
            conn.execute(
                "UPDATE inbox SET state = ? WHERE bot_id = ? AND update_id = ? AND state = ?",
                (SENDING_URGENT if urgent else SENDING, self.bot_id, update_id, RECEIVED),
            )

    def keep(self, update_id: int) -> None:
        """The person was told the answer may be missing: kept until they ask for it."""
        conn = self._conn
        with conn:
            conn.execute(
                "UPDATE inbox SET state = ? WHERE bot_id = ? AND update_id = ?", (KEPT, self.bot_id, update_id)
            )

    def kept(self, update_id: int) -> dict[str, Any] | None:
        """A kept update, or None when it was answered, expired or never kept."""
        row = self._conn.execute(
            "SELECT sealed FROM inbox WHERE bot_id = ? AND update_id = ? AND state = ?",
            (self.bot_id, update_id, KEPT),
        ).fetchone()
        if row is None:
            return None
        try:
            return self._inbox_seal.unseal(row[0])
        except SealError:
            return None

    def finish(self, update_id: int) -> None:
        """The update is answered (or set aside): forget its content, remember its id."""
        conn = self._conn
        with conn:
            self._finish_in(conn, update_id)
        self._finished += 1
        if self._finished % FORGET_EVERY == 0:
            self.forget_old()

    def _finish_in(self, conn: Any, update_id: int) -> None:
        conn.execute("DELETE FROM inbox WHERE bot_id = ? AND update_id = ?", (self.bot_id, update_id))
        conn.execute(
            "INSERT OR IGNORE INTO updates_done (bot_id, update_id, ts) VALUES (?, ?, ?)",
            (self.bot_id, update_id, stamp()),
        )

    def forget_old(self, now: dt.datetime | None = None) -> None:
        """Handled ids older than two days, and kept updates and replies nobody asked for in a day."""
        now = now or utc_now()
        conn = self._conn
        with conn:
            conn.execute("DELETE FROM updates_done WHERE ts < ?", (stamp(now - KEEP_HANDLED),))
            expired = conn.execute(
                "SELECT update_id FROM inbox WHERE bot_id = ? AND state = ? AND received < ?",
                (self.bot_id, KEPT, stamp(now - KEEP_UNCERTAIN)),
            ).fetchall()
            for (update_id,) in expired:
                self._finish_in(conn, update_id)
            conn.execute(
                "DELETE FROM outbox WHERE bot_id = ? AND state = ? AND created < ?",
                (self.bot_id, KEPT, stamp(now - KEEP_UNCERTAIN)),
            )

    # -- outbox --------------------------------------------------------------------------

    def hold(self, messages: list[dict[str, Any]], at: dt.datetime | None = None) -> None:
        """Keep replies Telegram could not take yet, in order; the first try is due at once."""
        now = stamp(at)
        conn = self._conn
        with conn:
            conn.executemany(
                "INSERT INTO outbox (bot_id, created, next_try, attempts, sealed) VALUES (?, ?, ?, 0, ?)",
                [(self.bot_id, now, now, self._outbox_seal.seal(message)) for message in messages],
            )

    def held(self) -> list[Held]:
        """Every reply in the outbox, oldest first (a chat's replies stay in order); those kept
        for the person to ask again are not among them."""
        rows = self._conn.execute(
            "SELECT id, created, attempts, sealed, state FROM outbox WHERE bot_id = ? AND state != ? ORDER BY id",
            (self.bot_id, KEPT),
        ).fetchall()
        held = []
        for row_id, created, attempts, sealed, state in rows:
            try:
                message = self._outbox_seal.unseal(sealed)
            except SealError:
                self.release(row_id)
                continue
            held.append(Held(row_id, dt.datetime.fromisoformat(created), attempts, message, state == SENDING))
        return held

    def sending_held(self, row_id: int) -> None:
        """A reply from the outbox is about to go out: a crash from here on leaves it uncertain."""
        self._set_held(row_id, SENDING)

    def tried(self, row_id: int, next_try: dt.datetime) -> None:
        """Telegram did not take it: waiting again, for `next_try`."""
        conn = self._conn
        with conn:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_try = ?, state = ? WHERE id = ?",
                (stamp(next_try), RECEIVED, row_id),
            )

    def keep_held(self, row_id: int) -> None:
        """The person was told this reply may be missing: kept until they ask for it."""
        self._set_held(row_id, KEPT)

    def kept_held(self, row_id: int) -> dict[str, Any] | None:
        """A kept reply, or None when it was sent again, expired or never kept."""
        row = self._conn.execute(
            "SELECT sealed FROM outbox WHERE bot_id = ? AND id = ? AND state = ?", (self.bot_id, row_id, KEPT)
        ).fetchone()
        try:
            return None if row is None else self._outbox_seal.unseal(row[0])
        except SealError:
            return None

    def _set_held(self, row_id: int, state: int) -> None:
        conn = self._conn
        with conn:
            conn.execute("UPDATE outbox SET state = ? WHERE bot_id = ? AND id = ?", (state, self.bot_id, row_id))

    def release(self, row_id: int) -> None:
        """Sent, or given up: the reply leaves the outbox."""
        conn = self._conn
        with conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (row_id,))
