"""One bot's life, whichever library it runs on: start, take updates, stop cleanly.

Start-up registers the commands and either polls or sets the webhook; stopping stops
taking updates first, then waits for the replies in flight, then flushes the query log,
and only then closes the connection, so a restart loses neither answers nor log rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from typing import Any, Protocol

from bot.app import Helpline
from bot.jobs import start_jobs
from bot.telegram.delivery import Delivery, Undelivered
from bot.telegram.incoming import BotIdentity
from bot.telegram.polling import Poller
from bot.telegram.responder import Responder, Transport
from bot.telegram.webhook import WebhookPlan, serve_webhook
from content import Content
from handlers.conversation import DEFAULT_LANGUAGE
from storage.database import open_database
from storage.updates import UpdateJournal

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
DRAIN_SECONDS = 15.0
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
Commands = list[tuple[str, str]]


class FrontEnd(Transport, Protocol):
    """What runner needs from a library besides sending."""

    async def open(self, responder: Responder) -> BotIdentity: ...

    async def set_commands(self, commands: Commands, language_code: str | None) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def fetch_updates(self, offset: int | None, timeout: int) -> list[Any]: ...

    async def process(self, update: Any) -> None: ...

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def feed(self, update: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


async def serve(front: FrontEnd, helpline: Helpline, stop: asyncio.Event,
                webhook: WebhookPlan | None = None) -> None:
    """Run until `stop` is set (or the task is cancelled), then stop cleanly."""
    responder = Responder(helpline, front, Delivery(front.classify), helpline.settings.caseworker_chat_id)
    jobs: list[asyncio.Task[None]] = []
    poller: Poller | None = None
    try:
        responder.identity = await front.open(responder)
        # Its own connection: the core writes the log from its worker thread meanwhile.
        journal = UpdateJournal(open_database(helpline.settings.database_path), responder.identity.id)
        poller = Poller(front.fetch_updates, front.process, journal)
        await register_commands(front, responder.delivery, helpline.conversation.knowledge.content)
        jobs = start_jobs(helpline, responder.send_to)
        if webhook is None:
            await responder.delivery.call("deleteWebhook", front.delete_webhook)
            log.info("polling for updates")
            await poller.run(stop)
        else:
            set_webhook = functools.partial(
                responder.delivery.call, "setWebhook",
                functools.partial(front.set_webhook, webhook.url, webhook.secret))
            await serve_webhook(webhook, front.feed, stop, set_webhook)
    finally:
        for job in jobs:
            job.cancel()
        await responder.drain(DRAIN_SECONDS)
        if poller is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poller.wait_in_flight(), DRAIN_SECONDS)  # journal the last answers
        helpline.querylog.flush()
        await front.close()
        log.info("stopped; %d update(s) failed, %d call(s) retried, %d lost",
                 responder.failed_updates, responder.delivery.retries, responder.delivery.lost)


def command_lists(content: Content) -> dict[str | None, Commands]:
    """setMyCommands lists per language_code from ui `commands:`; None is the default."""
    lists: dict[str | None, Commands] = {}
    for lang in content.languages:
        mapping = content.ui[lang].get("commands") or {}
        commands = [(str(name).lower(), str(text).strip()[:256]) for name, text in mapping.items()
                    if _COMMAND.fullmatch(str(name).lower()) and str(text).strip()]
        if commands:
            lists[lang] = commands
    fallback = lists.get(DEFAULT_LANGUAGE) or next(iter(lists.values()), None)
    if fallback:
        lists[None] = fallback
    return lists


async def register_commands(front: FrontEnd, delivery: Delivery, content: Content) -> None:
    """The command menu is a convenience: a failure is logged and the bot runs on."""
    for language_code, commands in command_lists(content).items():
        try:
            await delivery.call("setMyCommands",
                                functools.partial(front.set_commands, commands, language_code))
        except Undelivered:
            pass
