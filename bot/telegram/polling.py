"""Long polling that never loses an update and never answers one twice.

The libraries' own polling loops confirm a batch of updates to Telegram (by asking for
the next offset) while its answers may still be in flight, so a crash loses them. Here
the offset moves only past updates whose answers have gone out; Telegram redelivers the
rest, and updates already answered (remembered on disk in `UpdateJournal`) are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from storage.updates import UpdateJournal

log = logging.getLogger(__name__)
Fetch = Callable[[int | None, int], Awaitable[list[Any]]]  # the library's update objects
Process = Callable[[Any], Awaitable[None]]
POLL_SECONDS = 25
IDLE_WAIT = 0.5  # when Telegram only redelivers updates still being answered
ERROR_WAIT = (1.0, 2.0, 5.0, 10.0)


class Poller:
    def __init__(self, fetch: Fetch, process: Process, journal: UpdateJournal, timeout: int = POLL_SECONDS) -> None:
        self.fetch = fetch
        self.process = process
        self.journal = journal
        self.timeout = timeout
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; answers already started are left to finish."""
        errors = 0
        while not stop.is_set():
            fetching = asyncio.create_task(self.fetch(self._offset, self.timeout))
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if fetching not in done:
                fetching.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetching
                break
            try:
                updates = fetching.result()
            except Exception as error:  # noqa: BLE001 - network trouble: wait and poll again
                log.warning("getUpdates failed: %s", type(error).__name__)
                await asyncio.sleep(ERROR_WAIT[min(errors, len(ERROR_WAIT) - 1)])
                errors += 1
                continue
            errors = 0
            if not self._take(updates) and updates:
                await self._wait_for_progress()

    async def wait_in_flight(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    def _take(self, updates: list[Any]) -> int:
        """Start answering the new updates; move the offset past finished ones only."""
        fresh = 0
        highest = (self._offset or 1) - 1
        for update in updates:
            update_id = int(update.update_id)
            highest = max(highest, update_id)
            if update_id in self._in_flight or self.journal.is_done(update_id):
                continue
            fresh += 1
            self._in_flight[update_id] = asyncio.create_task(self._answer(update_id, update))
        self._offset = min(self._in_flight) if self._in_flight else highest + 1
        return fresh

    async def _answer(self, update_id: int, update: Any) -> None:
        try:
            await self.process(update)
        except Exception as error:  # noqa: BLE001 - one failing update never stops the others
            log.warning("update %s failed: %s", update_id, type(error).__name__)
        finally:
            self.journal.mark_done(update_id)  # one small insert: quicker than a thread hop
            self._in_flight.pop(update_id, None)

    async def _wait_for_progress(self) -> None:
        waiting = list(self._in_flight.values())
        if waiting:
            await asyncio.wait(waiting, timeout=IDLE_WAIT * 4, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(IDLE_WAIT)
