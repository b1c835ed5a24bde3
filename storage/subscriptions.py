"""Alert subscriptions and the progress of each alert sent, in tables of their own.

A subscription holds the pseudonymous user key, the way back to the person's chat sealed
with the hash key (never the raw id), the countries they chose, their language and when
they last used the bot. Every alert sent keeps one row per (alert, subscriber), written
"sending" before the message goes out and "sent" after it, so a sender killed half way
can be restarted without sending anyone a second copy.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from storage.clock import stamp, utc_now
from storage.database import migrate
from storage.pseudonym import Pseudonymizer

# What became of one alert for one subscriber.
PENDING, SENDING, SENT = "pending", "sending", "sent"
FAILED = "failed"  # Telegram refused it for good (after the retries)
BLOCKED = "blocked"  # the person blocked the bot: the subscription ended
SKIPPED = "skipped"  # the person stopped alerts before their turn came
UNCERTAIN = "uncertain"  # the sender died between sending and recording: not sent again
STATUSES = (PENDING, SENDING, SENT, FAILED, BLOCKED, SKIPPED, UNCERTAIN)
LEASE_SECONDS = 30.0  # a run not heard from for this long is taken to have died


@dataclass(frozen=True)
class Subscription:
    user_key: str
    countries: tuple[str, ...]
    lang: str


class Subscriptions:
    """Who asked for alerts, for which countries; only with their explicit consent."""

    def __init__(self, db: sqlite_utils.Database, pseudonymizer: Pseudonymizer) -> None:
        self.db = db
        self.pseudonymizer = pseudonymizer
        self._lock = threading.Lock()
        migrate(db.conn)  # the alert tables are schema version 3

    def get(self, user_key: str) -> Subscription | None:
        rows = list(self.db.query("SELECT * FROM alert_subscriptions WHERE user_key = ?", [user_key]))
        return _subscription(rows[0]) if rows else None

    def add_country(self, user_key: str, chat_id: int, lang: str, country: str) -> Subscription:
        """Subscribe to one more country (the first one creates the subscription)."""
        with self._lock, self.db.conn:
            current = self.get(user_key)
            countries = tuple(dict.fromkeys((*(current.countries if current else ()), country)))
            now = stamp()
            self.db.execute(
                "INSERT INTO alert_subscriptions (user_key, sealed_chat, countries, lang, since, last_active) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_key) DO UPDATE SET "
                "sealed_chat = excluded.sealed_chat, countries = excluded.countries, lang = excluded.lang, "
                "last_active = excluded.last_active",
                [user_key, self.seal(chat_id, user_key), ",".join(countries), lang, now, now],
            )
        return Subscription(user_key, countries, lang)

    def remove(self, user_key: str) -> bool:
        with self._lock, self.db.conn:
            cursor = self.db.execute("DELETE FROM alert_subscriptions WHERE user_key = ?", [user_key])
        return cursor.rowcount == 1

    def seen(self, user_key: str, lang: str, now: dt.datetime | None = None) -> None:
        """The person used the bot: their subscription stays alive, in their current language."""
        with self._lock, self.db.conn:
            self.db.execute(
                "UPDATE alert_subscriptions SET last_active = ?, lang = ? WHERE user_key = ?",
                [stamp(now), lang, user_key],
            )

    def chat_of(self, user_key: str) -> int | None:
        rows = list(self.db.query("SELECT sealed_chat FROM alert_subscriptions WHERE user_key = ?", [user_key]))
        return self.pseudonymizer.unseal_chat_for(rows[0]["sealed_chat"], _purpose(user_key)) if rows else None

    def matching(self, countries: Iterable[str]) -> list[Subscription]:
        """Everyone subscribed to at least one of `countries`."""
        wanted = set(countries)
        rows = self.db.query("SELECT * FROM alert_subscriptions")
        return [sub for sub in map(_subscription, rows) if wanted.intersection(sub.countries)]

    def count_by_country(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.db.query("SELECT countries FROM alert_subscriptions"):
            for code in filter(None, row["countries"].split(",")):
                counts[code] = counts.get(code, 0) + 1
        return counts

    def purge(self, older_than_days: int, now: dt.datetime | None = None) -> int:
        """Subscriptions unused for the retention period, and old delivery records."""
        cutoff = stamp((now or utc_now()) - dt.timedelta(days=older_than_days))
        with self._lock, self.db.conn:
            cursor = self.db.execute("DELETE FROM alert_subscriptions WHERE last_active < ?", [cutoff])
            self.db.execute("DELETE FROM alert_deliveries WHERE updated < ?", [cutoff])
            self.db.execute("DELETE FROM alert_runs WHERE status = 'done' AND finished < ?", [cutoff])
        return cursor.rowcount

    def seal(self, chat_id: int, user_key: str) -> str:
        return self.pseudonymizer.seal_chat_for(chat_id, _purpose(user_key))


class RunBusy(Exception):
    """Another live sender holds this alert."""


class AlertRuns:
    """The sending of alerts: one row per (alert, subscriber) and one lease per alert."""

    def __init__(self, db: sqlite_utils.Database, owner: str) -> None:
        self.db = db
        self.owner = owner
        migrate(db.conn)  # the alert tables are schema version 3

    def request(self, alert_id: str, requested_by: str) -> bool:
        """Queue an alert for the running bot; False when it is already queued or running."""
        with self.db.conn:
            row = self._run(alert_id)
            if row is not None and row["status"] in ("queued", "running"):
                return False
            self.db.execute(
                "INSERT INTO alert_runs (alert_id, status, requested, requested_by) VALUES (?, 'queued', ?, ?) "
                "ON CONFLICT(alert_id) DO UPDATE SET status = 'queued', requested = excluded.requested, "
                "requested_by = excluded.requested_by, owner = NULL",
                [alert_id, stamp(), requested_by],
            )
        return True

    def queued(self) -> list[str]:
        """Alerts waiting for a sender, and runs whose sender died (to resume)."""
        stale = stamp(utc_now() - dt.timedelta(seconds=LEASE_SECONDS))
        rows = self.db.query(
            "SELECT alert_id FROM alert_runs WHERE status = 'queued' "
            "OR (status = 'running' AND requested_by LIKE 'admin%' AND heartbeat < ?) ORDER BY requested",
            [stale],
        )
        return [row["alert_id"] for row in rows]

    def start(self, alert_id: str, audience: Iterable[str], resend_uncertain: bool = False) -> None:
        """Take the lease, settle what a dead sender left, and add every subscriber not yet served.

        A row still "sending" means the sender died after recording it and before recording
        the result: the message may have reached the person. It becomes "uncertain" and is
        not sent again (a second copy is what we promise never to send); `resend_uncertain`
        lets a caseworker choose otherwise.
        """
        now = utc_now()
        with self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            row = self._run(alert_id)
            if (
                row is not None
                and row["status"] == "running"
                and row["owner"] != self.owner
                and row["heartbeat"]
                and row["heartbeat"] > stamp(now - dt.timedelta(seconds=LEASE_SECONDS))
                and not _owner_gone(row["owner"])
            ):
                raise RunBusy(alert_id)
            self.db.execute(
                "UPDATE alert_deliveries SET status = ?, updated = ? WHERE alert_id = ? AND status = ?",
                [UNCERTAIN, stamp(now), alert_id, SENDING],
            )
            if resend_uncertain:
                self.db.execute(
                    "UPDATE alert_deliveries SET status = ?, updated = ? WHERE alert_id = ? AND status = ?",
                    [PENDING, stamp(now), alert_id, UNCERTAIN],
                )
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO alert_deliveries (alert_id, user_key, status, updated) VALUES (?, ?, ?, ?)",
                [(alert_id, key, PENDING, stamp(now)) for key in audience],
            )
            self.db.execute(
                "INSERT INTO alert_runs (alert_id, status, requested, requested_by, started, heartbeat, owner) "
                "VALUES (?, 'running', ?, 'cli', ?, ?, ?) ON CONFLICT(alert_id) DO UPDATE SET status = 'running', "
                "started = excluded.started, heartbeat = excluded.heartbeat, owner = excluded.owner, finished = NULL",
                [alert_id, stamp(now), stamp(now), stamp(now), self.owner],
            )

    def claim(self, alert_id: str) -> str | None:
        """The next subscriber to send to, recorded as "sending" before anything goes out."""
        with self.db.conn:
            rows = list(
                self.db.execute(
                    "UPDATE alert_deliveries SET status = ?, updated = ? WHERE rowid = ("
                    "SELECT rowid FROM alert_deliveries WHERE alert_id = ? AND status = ? LIMIT 1) RETURNING user_key",
                    [SENDING, stamp(), alert_id, PENDING],
                ).fetchall()
            )
        return rows[0][0] if rows else None

    def record(self, alert_id: str, user_key: str, status: str) -> None:
        with self.db.conn:
            self.db.execute(
                "UPDATE alert_deliveries SET status = ?, updated = ? WHERE alert_id = ? AND user_key = ?",
                [status, stamp(), alert_id, user_key],
            )

    def heartbeat(self, alert_id: str) -> None:
        with self.db.conn:
            self.db.execute(
                "UPDATE alert_runs SET heartbeat = ? WHERE alert_id = ? AND owner = ?", [stamp(), alert_id, self.owner]
            )

    def finish(self, alert_id: str) -> None:
        with self.db.conn:
            self.db.execute(
                "UPDATE alert_runs SET status = 'done', finished = ? WHERE alert_id = ? AND owner = ?",
                [stamp(), alert_id, self.owner],
            )

    def tally(self, alert_id: str) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        rows = self.db.query(
            "SELECT status, COUNT(*) AS n FROM alert_deliveries WHERE alert_id = ? GROUP BY status",
            [alert_id],
        )
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    def sent_between(self, since: str, until: str) -> dict[str, dict[str, int]]:
        """Per alert, how its deliveries ended in a period (for the weekly report)."""
        result: dict[str, dict[str, int]] = {}
        rows = self.db.query(
            "SELECT alert_id, status, COUNT(*) AS n FROM alert_deliveries WHERE updated >= ? AND updated < ? "
            "GROUP BY alert_id, status",
            [since, until],
        )
        for row in rows:
            result.setdefault(row["alert_id"], dict.fromkeys(STATUSES, 0))[row["status"]] = row["n"]
        return result

    def _run(self, alert_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM alert_runs WHERE alert_id = ?", [alert_id]))
        return rows[0] if rows else None


def sender_name() -> str:
    """Who holds a lease: host and process, so a restart on the same host sees a dead holder at once."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_gone(owner: str | None) -> bool:
    host, _, pid = (owner or "").partition(":")
    pid = pid.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine: only its heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _purpose(user_key: str) -> str:
    return f"alerts:{user_key}"


def _subscription(row: dict) -> Subscription:
    return Subscription(row["user_key"], tuple(filter(None, row["countries"].split(","))), row["lang"])
