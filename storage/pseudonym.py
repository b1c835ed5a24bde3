"""Pseudonymous user keys: a keyed hash of the Telegram id, never the id itself.

Telegram ids are small integers, so a plain hash could be reversed by trying them all; a
secret key kept outside the database prevents that. The key version prefix allows
rotation: deleting an old key makes its pseudonyms unlinkable to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

KEY_FILE = "hash.key"
KEY_VERSION = "k1"
_MASK = (1 << 64) - 1


class Pseudonymizer:
    def __init__(self, key: bytes, version: str = KEY_VERSION) -> None:
        if len(key) < 16:
            raise ValueError("the hash key must be at least 16 bytes")
        self._key = key
        self._version = version

    def user_key(self, user_id: int) -> str:
        digest = hmac.new(self._key, str(int(user_id)).encode(), hashlib.sha256).hexdigest()
        return f"{self._version}:{digest[:32]}"

    def seal_chat(self, chat_id: int, ticket_id: int) -> str:
        """A chat id that only the key holder can read back, different for every ticket.

        A caseworker's reply must reach the migrant after a restart, so the way back is
        stored; sealed, it is no raw Telegram id on disk.
        """
        pad = self._pad(ticket_id)
        return (int(chat_id) & _MASK ^ pad).to_bytes(8, "big").hex()

    def unseal_chat(self, sealed: str, ticket_id: int) -> int:
        value = int.from_bytes(bytes.fromhex(sealed), "big") ^ self._pad(ticket_id)
        return value - (1 << 64) if value >= 1 << 63 else value

    def _pad(self, ticket_id: int) -> int:
        return self._labelled_pad(f"ticket-chat:{ticket_id}")

    def seal_chat_for(self, chat_id: int, purpose: str) -> str:
        """As `seal_chat`, for a way back kept for another purpose (an alert subscription)."""
        return (int(chat_id) & _MASK ^ self._labelled_pad(purpose)).to_bytes(8, "big").hex()

    def unseal_chat_for(self, sealed: str, purpose: str) -> int:
        value = int.from_bytes(bytes.fromhex(sealed), "big") ^ self._labelled_pad(purpose)
        return value - (1 << 64) if value >= 1 << 63 else value

    def _labelled_pad(self, label: str) -> int:
        digest = hmac.new(self._key, label.encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")


def load_or_create_key(configured: str | None, data_dir: Path) -> bytes:
    """The key from HELPLINE_HASH_KEY, else one created once in the data dir (mode 0600)."""
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    print(
        f"helpline: HELPLINE_HASH_KEY is not set; created a random key in {path}. "
        "Keep it secret and back it up: without it, returning users look new.",
        file=sys.stderr,
    )
    return key
