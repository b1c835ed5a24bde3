"""Long polling that fetches each update once, loses none and answers none twice.

getUpdates is called here directly (httpx, the same for both libraries): the batch
comes back as plain JSON, is stored in the durable inbox, and only then does the next
call's offset tell Telegram it arrived. So each update is fetched once, an update no
library can parse cannot hold the offset back, and a crash after the inbox write loses
nothing (the inbox is answered on the next start). Answering runs beside polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import httpx

from bot.telegram.inbox import Intake

log = logging.getLogger(__name__)
POLL_SECONDS = 25
LIMIT = 100
ERROR_WAIT = (1.0, 2.0, 5.0, 10.0)
REQUEST_SLACK = 15  # seconds on top of the long poll before the request is given up


class FetchError(Exception):
    """getUpdates failed; `retry_after` when Telegram said how long to wait."""

    def __init__(self, status: int, retry_after: float | None = None) -> None:
        super().__init__(f"getUpdates answered {status}")
        self.status = status
        self.retry_after = retry_after


class UpdateFetcher:
    """getUpdates over one httpx client (installed with python-telegram-bot, so the default
    front end loads no second HTTP stack); the token stays out of every log line."""

    def __init__(self, api_url: str, token: str, allowed_updates: list[str]) -> None:
        self._url = f"{api_url}/bot{token}/getUpdates"
        self._allowed = json.dumps(allowed_updates)
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, offset: int | None, timeout: int) -> list[Any]:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout + REQUEST_SLACK))
        params = {"timeout": str(timeout), "limit": str(LIMIT), "allowed_updates": self._allowed}
        if offset is not None:
            params["offset"] = str(offset)
        response = await self._client.post(self._url, data=params)
        try:
            body = response.json()
        except ValueError:
            raise FetchError(response.status_code) from None
        if not isinstance(body, dict) or body.get("ok") is not True or not isinstance(body.get("result"), list):
            parameters = body.get("parameters") if isinstance(body, dict) else None
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            raise FetchError(response.status_code, float(retry_after) if isinstance(retry_after, int | float) else None)
        return body["result"]

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class Poller:
    def __init__(self, fetch: Any, intake: Intake, timeout: int = POLL_SECONDS) -> None:
        self.fetch = fetch
        self.intake = intake
        self.timeout = timeout
        self._offset: int | None = None
        self._next: int | None = None  # one past the highest update id seen

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
                wait = ERROR_WAIT[min(errors, len(ERROR_WAIT) - 1)]
                if isinstance(error, FetchError) and error.retry_after is not None:
                    wait = max(wait, error.retry_after)
                log.warning("getUpdates failed: %s", error if isinstance(error, FetchError) else type(error).__name__)
                await _sleep_unless(stop, wait)
                errors += 1
                continue
            errors = 0
            await self._take(updates)

    async def _take(self, updates: list[Any]) -> None:
        """Store the batch, then move the offset past it (unless some could not be stored)."""
        ids = [u["update_id"] for u in updates if isinstance(u, dict) and type(u.get("update_id")) is int]
        stored = await self.intake.take(updates)
        if ids:
            self._next = max(max(ids) + 1, self._next or 0)
        held_back = self.intake.unconfirmed  # answered from memory only: Telegram keeps it until done
        self._offset = held_back if held_back is not None else self._next
        if not stored:
            await asyncio.sleep(0.5)  # the database refused: do not spin on redeliveries


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
