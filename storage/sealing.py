"""Sealing what must wait on disk for a moment (an update not yet answered, a reply not yet
sent): readable and checkable only with the hash key, like the tickets' sealed chat ids.

Encrypt-then-MAC from the standard library: the key stream is HMAC-SHA256 over a random
nonce and a block counter, the tag an HMAC over nonce and ciphertext, each with its own
key derived from the hash key. zlib first, so a sealed update is smaller than its JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import zlib
from typing import Any

_NONCE = 16
_TAG = 16
_BLOCK = hashlib.sha256().digest_size


class SealError(ValueError):
    """A sealed value that was altered, or sealed with another key."""


class Sealer:
    def __init__(self, key: bytes, purpose: str) -> None:
        if len(key) < 16:
            raise ValueError("the hash key must be at least 16 bytes")
        self._cipher_key = hmac.new(key, f"seal-cipher:{purpose}".encode(), hashlib.sha256).digest()
        self._mac_key = hmac.new(key, f"seal-mac:{purpose}".encode(), hashlib.sha256).digest()

    def seal(self, value: Any) -> str:
        """`value` (anything JSON can hold, lone surrogates too) as an opaque ASCII string."""
        plain = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)
        nonce = secrets.token_bytes(_NONCE)
        body = _xor(plain, self._stream(nonce, len(plain)))
        tag = hmac.new(self._mac_key, nonce + body, hashlib.sha256).digest()[:_TAG]
        return base64.b64encode(nonce + tag + body).decode("ascii")

    def unseal(self, sealed: str) -> Any:
        try:
            raw = base64.b64decode(sealed.encode("ascii"), validate=True)
        except ValueError as error:
            raise SealError("not a sealed value") from error
        nonce, tag, body = raw[:_NONCE], raw[_NONCE : _NONCE + _TAG], raw[_NONCE + _TAG :]
        expected = hmac.new(self._mac_key, nonce + body, hashlib.sha256).digest()[:_TAG]
        if len(nonce) != _NONCE or not hmac.compare_digest(tag, expected):
            raise SealError("sealed with another key, or altered")
        return json.loads(zlib.decompress(_xor(body, self._stream(nonce, len(body)))))

    def _stream(self, nonce: bytes, length: int) -> bytes:
        blocks = (length + _BLOCK - 1) // _BLOCK
        return b"".join(
            hmac.new(self._cipher_key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
            for counter in range(blocks)
        )[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")
