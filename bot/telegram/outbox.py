"""Replies Telegram could not take within the delivery's retry budget, kept and resent.

A reply that still fails after `Delivery`'s quick retries (Telegram down, a 5xx that
lasts, a long flood wait) goes into the outbox on disk, sealed, with the replies after it
in the same chat (so a chat's replies never overtake each other). The outbox is retried
with growing waits for `retry_for` (HELPLINE_DELIVERY_RETRY_HOURS); a reply still not
taken then is given up and counted. An outage of minutes therefore loses nothing, and a
restart resumes the outbox where it was. A reply whose try was under way when the bot died
may have gone out: it is not resent on a guess but handed to `on_uncertain`
(`uncertain.py`, which asks the person).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from bot.telegram.delivery import Delivery, Undelivered
from bot.telegram.outgoing import in_thread
from handlers.replies import Button
from storage.clock import utc_now
from storage.updates import Held

log = logging.getLogger(__name__)
Send = Callable[..., Awaitable[None]]  # (chat id, html, rows[, thread=forum topic])
Store = Callable[..., Awaitable[Any]]  # runs an UpdateStore method on the storage thread
FIRST_WAIT = 5.0  # seconds before the first retry; doubled each time up to MAX_WAIT
MAX_WAIT = 600.0
TICK = 1.0


class Outbox:
    def __init__(
        self,
        store: Store,
        delivery: Delivery,
        send: Send,
        retry_for: dt.timedelta,
        first_wait: float | None = None,
        max_wait: float = MAX_WAIT,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.delivery = delivery
        self.send = send
        self.retry_for = retry_for
        self.first_wait = FIRST_WAIT if first_wait is None else first_wait
        self.max_wait = max_wait
        self.clock = clock
        self.given_up = 0
        self.resent = 0
        self.on_given_up: Callable[[int], Awaitable[None]] | None = None
        self.on_uncertain: Callable[[Held], Awaitable[None]] | None = None
        self._uncertain: list[Held] = []  # tries cut by the last stop, offered first by `run`
        self._held: Counter[int] = Counter()  # chat id -> replies waiting
        self._next_try: dict[int, dt.datetime] = {}  # outbox row -> when it may go again
        self._wake = asyncio.Event()

    async def load(self) -> None:
        """What the last run left in the outbox: those chats wait for it first."""
        for held in await self.store("held"):
            if held.sending:
                self._uncertain.append(held)
            else:
                self._held[held.message["chat"]] += 1

    def holds(self, chat_id: int) -> bool:
        """Replies to this chat are waiting: a new one must queue behind them."""
        return self._held[chat_id] > 0

    @property
    def waiting(self) -> int:
        return sum(self._held.values())

    async def hold(self, chat_id: int, pieces: list[tuple[str, list[list[Button]]]], thread: int | None = None) -> None:
        """Keep `pieces` for `chat_id` (in forum topic `thread`, on a forum desk)."""
        messages = [
            {
                "chat": chat_id,
                "html": html,
                "rows": [[[b.label, b.data] for b in row] for row in rows],
                "thread": thread,
            }
            for html, rows in pieces
        ]
        await self.store("hold", messages, self.clock())
        self._held[chat_id] += len(messages)
        log.warning("%d message(s) kept in the outbox for a later try", len(messages))
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Offer what a crash may have sent, then resend what is due until `stop` is set."""
        for held in self._uncertain:
            try:
                if self.on_uncertain is not None:
                    await self.on_uncertain(held)
            except Exception as error:  # noqa: BLE001 - offered again at the next start
                log.warning("could not offer a reply a crash may have sent: %s", type(error).__name__)
        while not stop.is_set():
            try:
                await self.resend_due()
            except Exception as error:  # noqa: BLE001 - the outbox is tried again next tick
                log.warning("outbox round failed: %s", type(error).__name__)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, self._wake), TICK)

    async def resend_due(self) -> None:
        """Every reply that is due, oldest first; never one whose last try a crash cut short
        (it may have gone out: its person is offered it instead)."""
        blocked: set[int] = set()  # chats whose oldest reply is not due or failed again
        for held in await self.store("held"):
            chat = held.message["chat"]
            if chat in blocked or held.sending:
                continue
            if self.clock() - held.created > self.retry_for:
                await self._give_up(held)
                continue
            if self._next_try.get(held.id, held.created) > self.clock():
                blocked.add(chat)
                continue
            if not await self._try(held):
                blocked.add(chat)

    async def _try(self, held: Held) -> bool:
        chat, rows = held.message["chat"], held.message["rows"]
        buttons = [[Button(label, data) for label, data in row] for row in rows]
        send = in_thread(self.send, chat, held.message["html"], buttons, held.message.get("thread"))
        await self.store("sending_held", held.id)
        try:
            await self.delivery.call("sendMessage", send, chat, attempts=2, count_lost=False)
        except Undelivered as error:
            if error.retryable:
                wait = min(self.max_wait, self.first_wait * 2**held.attempts)
                self._next_try[held.id] = self.clock() + dt.timedelta(seconds=wait)
                await self.store("tried", held.id, self._next_try[held.id])
                return False
            # Refused for good (the person blocked the bot): counted lost by Delivery.
        else:
            self.resent += 1
        await self._release(held)
        return True

    async def _give_up(self, held: Held) -> None:
        self.given_up += 1
        log.warning("a reply waited longer than %s in the outbox: given up", self.retry_for)
        await self._release(held)
        if self.on_given_up is not None:
            await self.on_given_up(1)

    async def _release(self, held: Held) -> None:
        await self.store("release", held.id)
        self._next_try.pop(held.id, None)
        chat = held.message["chat"]
        self._held[chat] -= 1
        if self._held[chat] <= 0:
            del self._held[chat]


async def _first(stop: asyncio.Event, wake: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
