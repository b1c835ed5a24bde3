"""Sending within Telegram's limits, and resending what Telegram could not take yet.

Telegram answers 429 with `retry_after` when a bot sends too fast (about 30 messages a
second overall, one a second in one chat) and 5xx or nothing when it is struggling. The
libraries raise on both; here a 429 pauses all sending for `retry_after` and resends, a
5xx or timeout is retried with backoff a bounded number of times. A message that still
cannot go is logged by method and error type only (never chat, user or text); when
Telegram was down or busy it is handed to the outbox (`outbox.py`) to be tried again
later, and when Telegram refused it, it is counted in `lost`, so no reply disappears
without a trace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

OVERALL_RATE = 30.0  # messages a second, all chats together
OVERALL_BURST = 30
CHAT_RATE = 1.0  # messages a second in one chat, sustained
CHAT_BURST = 3  # one answer (text, language buttons, menu) may go out at once
MAX_CHATS_TRACKED = 10_000


@dataclass(frozen=True)
class Failure:
    """What a front end makes of an error: flood wait, worth retrying, or final."""

    retry_after: float | None = None
    transient: bool = False


class Undelivered(Exception):
    """A call that failed after its retries; the original error is its `__cause__`.

    `retryable` when Telegram was down or busy rather than refusing the call: worth
    trying again later (the outbox does)."""

    def __init__(self, what: str, retryable: bool = False) -> None:
        super().__init__(what)
        self.retryable = retryable


class TokenBucket:
    """`rate` sends a second with bursts of `burst`; reserving may go into debt (a queue)."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def reserve(self, now: float) -> float:
        """Take a token; return how long to wait before using it."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    """Spaces out sends per chat and overall, and holds everything during a flood wait."""

    def __init__(
        self,
        overall_rate: float = OVERALL_RATE,
        overall_burst: int = OVERALL_BURST,
        chat_rate: float = CHAT_RATE,
        chat_burst: int = CHAT_BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.chat_rate = chat_rate
        self.chat_burst = chat_burst
        self._overall = TokenBucket(overall_rate, overall_burst, clock())
        self._chats: OrderedDict[int, TokenBucket] = OrderedDict()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram said to wait: nothing is sent to any chat before then."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def wait_pause(self) -> None:
        while (left := self._paused_until - self.clock()) > 0:
            await self.sleep(left)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to `chat_id` may be sent."""
        now = self.clock()
        wait = self._chat_bucket(chat_id, now).reserve(now)
        if wait > 0:
            await self.sleep(wait)
        wait = self._overall.reserve(self.clock())
        if wait > 0:
            await self.sleep(wait)
        await self.wait_pause()

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(self.chat_rate, self.chat_burst, now)
            if len(self._chats) > MAX_CHATS_TRACKED:
                self._chats.popitem(last=False)  # long idle: its bucket is full anyway
        self._chats.move_to_end(chat_id)
        return bucket


class Delivery:
    """Runs Bot API calls through the rate limiter, retrying what may still succeed."""

    def __init__(
        self,
        classify: Callable[[BaseException], Failure],
        limiter: RateLimiter | None = None,
        attempts: int = 5,
        flood_waits: int = 10,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.classify = classify
        self.limiter = limiter or RateLimiter()
        self.attempts = attempts
        self.flood_waits = flood_waits
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.retries = 0
        self.lost = 0
        self.on_lost: Callable[[], Awaitable[None]] | None = None  # for the health figures

    async def call(
        self,
        what: str,
        action: Callable[[], Awaitable[T]],
        chat_id: int | None = None,
        has_fallback: bool = False,
        attempts: int | None = None,
        count_lost: bool = True,
    ) -> T:
        """Run `action` (a message to `chat_id` when given: rate limited) until it succeeds.

        Raises `Undelivered` once retrying is pointless or its budget (`attempts`, default
        the delivery's) is spent; that counts as lost unless the caller `has_fallback` (an
        edit that can be sent anew instead) or keeps the message (`count_lost=False`).
        """
        budget = self.attempts if attempts is None else attempts
        failures = floods = 0
        while True:
            if chat_id is None:
                await self.limiter.wait_pause()
            else:
                await self.limiter.acquire(chat_id)
            try:
                return await action()
            except Exception as error:
                failure = self.classify(error)
                if failure.retry_after is not None and floods < self.flood_waits and budget > 1:
                    floods += 1
                    self.limiter.pause(failure.retry_after)
                elif failure.transient and failures + 1 < budget:
                    await self.limiter.sleep(min(self.max_backoff, self.backoff * 2**failures))
                    failures += 1
                else:
                    retryable = failure.transient or failure.retry_after is not None
                    quiet = has_fallback or (retryable and not count_lost)
                    if not quiet:
                        self.lost += 1
                        if self.on_lost is not None:
                            await self.on_lost()
                    log.log(
                        logging.DEBUG if quiet else logging.WARNING,
                        "%s not delivered after %d attempt(s): %s",
                        what,
                        failures + floods + 1,
                        type(error).__name__,
                    )
                    raise Undelivered(what, retryable) from error
                self.retries += 1
