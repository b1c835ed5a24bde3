"""Per-user settings (language, host country), stored under the pseudonymous key only."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass

import sqlite_utils

from storage.clock import stamp

log = logging.getLogger(__name__)


@dataclass
class Profile:
    user_key: str
    lang: str | None = None
    country: str | None = None
    country_asked: bool = False


class Profiles:
    """Settings survive restarts; a database fault falls back to memory, never to an error."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._cache: dict[str, Profile] = {}
        self._lock = threading.Lock()

    def get(self, user_key: str) -> Profile:
        with self._lock:
            if user_key in self._cache:
                return self._cache[user_key]
            profile = Profile(user_key)
            try:
                rows = self.db.conn.execute(
                    "SELECT lang, country, country_asked FROM profiles WHERE user_key = ?",
                    [user_key],
                ).fetchall()
            except sqlite3.Error as error:
                log.warning("profile read failed (%s)", type(error).__name__)
                rows = []
            if rows:
                lang, country, asked = rows[0]
                profile = Profile(user_key, lang, country, bool(asked))
            self._cache[user_key] = profile
            return profile

    def save(self, profile: Profile) -> None:
        with self._lock:
            self._cache[profile.user_key] = profile
            row = {
                "user_key": profile.user_key,
                "lang": profile.lang,
                "country": profile.country,
                "country_asked": int(profile.country_asked),
                "updated": stamp(),
            }
            try:
                with self.db.conn:  # plain SQL: sqlite-utils' upsert re-reads the schema each time
                    self.db.conn.execute(
                        "INSERT INTO profiles (user_key, lang, country, country_asked, updated) "
                        "VALUES (:user_key, :lang, :country, :country_asked, :updated) "
                        "ON CONFLICT (user_key) DO UPDATE SET lang = excluded.lang, country = excluded.country, "
                        "country_asked = excluded.country_asked, updated = excluded.updated",
                        row,
                    )
            except sqlite3.Error as error:
                log.warning("profile write failed (%s); kept in memory", type(error).__name__)
