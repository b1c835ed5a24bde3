"""Every update, fetched by polling or posted to the webhook, goes through here once.

`take` stores the updates in the durable inbox (on the storage thread, never on the event
loop) and starts answering the ones not seen before; only then may Telegram be told they
arrived (the next getUpdates offset, or the webhook's 200). An update is answered from the
inbox and then, in one transaction, deleted and recorded as handled. An update the
library cannot read is answered with a polite line where a chat can be found, set aside
and counted; it is never retried. When the database refuses the inbox write (locked,
read-only, full), updates are answered from memory and Telegram is not told, so it keeps
them until they are. An update whose answer was already going out when the bot died is
not answered again on a guess: `uncertain.py` asks the person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from bot.telegram.incoming import has_something_to_answer, reachable_chat, sender_of, unreadable
from handlers.replies import Incoming
from storage.updates import SENDING, UpdateStore

if TYPE_CHECKING:
    from bot.telegram.uncertain import Uncertain

log = logging.getLogger(__name__)
Feed = Callable[[dict[str, Any]], Awaitable[None]]  # the front end parses and answers it
Apologise = Callable[[int, Incoming], Awaitable[None]]  # chat id, who sent the update
Count = Callable[[str], Awaitable[None]]  # an event kind for the health figures
MEMORY_IDS = 10_000
# Updates answered at once; the rest wait their turn in order. Without a bound, a burst of
# hundreds opens hundreds of HTTP requests at once, and the HTTP clients' connection pools
# spend more CPU scanning themselves than the bot spends answering (seen with py-spy).
ANSWERING = 32


class Intake:
    def __init__(self, store: UpdateStore, feed: Feed, apologise: Apologise, count: Count) -> None:
        self.store = store
        self.feed = feed
        self.apologise = apologise
        self.count = count
        self.unreadable = 0
        self.unsaved = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")
        self._active: dict[int, asyncio.Task[None]] = {}
        self._from_memory: set[int] = set()  # answered while the inbox could not be written
        self._done_in_memory: set[int] = set()
        self._turns = asyncio.Semaphore(ANSWERING)  # first come, first served: a chat stays in order
        self.uncertain: Uncertain | None = None  # without it, an uncertain update is answered again

    async def run(self, method: str, *args: Any) -> Any:
        """An `UpdateStore` method on the storage thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, getattr(self.store, method), *args)

    async def resume(self) -> int:
        """Answer what the last run stored but did not finish; before anything new. An answer
        that was already going out is not repeated: its person is asked instead."""
        waiting = await self.run("waiting")
        offered = 0
        for left in waiting:
            if left.state == SENDING and self.uncertain is not None:
                self._active[left.update_id] = asyncio.create_task(self._offer(left.update_id, left.update))
                offered += 1
            else:
                self._start(left.update_id, left.update)
        if waiting:
            log.info(
                "answering %d update(s) left in the inbox; %d whose answer may have gone out are offered again",
                len(waiting) - offered,
                offered,
            )
        return len(waiting)

    async def mark_sending(self, update_id: int, urgent: bool) -> None:
        """The update's first reply is about to go out (the responder's `on_sending`)."""
        if update_id in self._from_memory:
            return  # not in the inbox
        try:
            await self.run("sending", update_id, urgent)
        except Exception as error:  # noqa: BLE001 - the answer goes out all the same
            log.warning("update %s not marked as being answered (%s)", update_id, type(error).__name__)

    async def take(self, updates: list[Any]) -> bool:
        """Store and start answering new updates; False when they could not be stored."""
        pairs = []
        for update in updates:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            if type(update_id) is not int:
                self.unreadable += 1
                log.warning("an update without an id was skipped")
                continue
            if update_id not in self._active and update_id not in self._done_in_memory:
                pairs.append((update_id, update))
        if not pairs:
            return True
        try:
            fresh = set(await self.run("receive", pairs))
        except Exception as error:  # noqa: BLE001 - a storage fault never stops the answers
            self.unsaved += len(pairs)
            log.warning("inbox write failed (%s): answering %d update(s) from memory", type(error).__name__, len(pairs))
            for update_id, update in pairs:
                self._from_memory.add(update_id)
                self._start(update_id, update)
            return False
        for update_id, update in pairs:
            if update_id in fresh:
                self._start(update_id, update)
        return True

    @property
    def unconfirmed(self) -> int | None:
        """The lowest update id answered from memory and not finished: Telegram must keep it."""
        waiting = self._from_memory & self._active.keys()
        return min(waiting) if waiting else None

    async def wait_idle(self, timeout: float) -> bool:
        """Wait for the updates being answered; those left stay in the inbox for next time."""
        tasks = list(self._active.values())
        if not tasks:
            return True
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        return not pending

    async def stop(self) -> None:
        """Stop answering: what is not finished stays in the inbox and goes first next start."""
        tasks = list(self._active.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if tasks:
            log.info("%d update(s) left in the inbox for the next start", len(tasks))

    def close(self) -> None:
        self._thread.shutdown(wait=True)

    def _start(self, update_id: int, update: dict[str, Any]) -> None:
        self._active[update_id] = asyncio.create_task(self._answer(update_id, update))

    async def _answer(self, update_id: int, update: dict[str, Any]) -> None:
        try:
            async with self._turns:
                await self._read_and_answer(update_id, update)
        except asyncio.CancelledError:  # stopped mid-answer: it stays in the inbox for next time
            self._active.pop(update_id, None)
            raise
        except Exception as error:  # noqa: BLE001 - one failing update never stops the others
            log.warning("update %s failed: %s", update_id, type(error).__name__)
        await self._finish(update_id)

    async def _offer(self, update_id: int, update: dict[str, Any]) -> None:
        """An update a crash may have answered: its person is asked; it stays in the inbox."""
        try:
            async with self._turns:
                if self.uncertain is not None:
                    await self.uncertain.offer(update_id, update)
        except asyncio.CancelledError:
            self._active.pop(update_id, None)
            raise
        except Exception as error:  # noqa: BLE001 - asked again at the next start
            log.warning("update %s: could not offer its answer again (%s)", update_id, type(error).__name__)
        self._active.pop(update_id, None)

    async def _read_and_answer(self, update_id: int, update: dict[str, Any]) -> None:
        if self.uncertain is not None and await self.uncertain.answered(update):
            return  # the person asked for an answer a crash may have cut, and got it
        problem = unreadable(update)
        if problem is None and has_something_to_answer(update):
            try:
                await self.feed(update)
            except Exception as error:  # noqa: BLE001 - the library could not read it
                problem = f"library: {type(error).__name__}"
        if problem is not None:
            await self._set_aside(update_id, update, problem)

    async def _finish(self, update_id: int) -> None:
        """Answered (or set aside): out of the inbox, into the record of handled ids."""
        try:
            await self.run("finish", update_id)
        except Exception as error:  # noqa: BLE001 - remembered in memory at least
            log.warning("update %s answered but not recorded (%s)", update_id, type(error).__name__)
        if len(self._done_in_memory) >= MEMORY_IDS:
            self._done_in_memory.clear()  # the inbox's own record covers all but outages
        self._done_in_memory.add(update_id)
        self._from_memory.discard(update_id)
        self._active.pop(update_id, None)

    async def _set_aside(self, update_id: int, update: dict[str, Any], problem: str) -> None:
        self.unreadable += 1
        log.warning("update %s could not be read (%s): set aside", update_id, problem)
        await self.count("update_unreadable")
        chat = reachable_chat(update)
        if chat is not None:
            await self.apologise(chat, sender_of(update))
