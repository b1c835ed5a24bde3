"""One bot's life, whichever library it runs on: start, take updates, stop cleanly.

Start-up opens the inbox and outbox, answers what the last run left in the inbox,
registers the commands and either polls or sets the webhook; stopping stops taking
updates first, then waits for the replies in flight (what does not finish stays in the
inbox for the next start), then flushes the query log, and only then closes the
connection, so a restart loses neither answers nor log rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
from typing import Any, Protocol

from bot.app import Helpline
from bot.config import Settings
from bot.jobs import start_jobs
from bot.telegram.delivery import Delivery, Undelivered
from bot.telegram.inbox import Intake
from bot.telegram.incoming import BotIdentity
from bot.telegram.outbox import Outbox
from bot.telegram.polling import Poller, UpdateFetcher
from bot.telegram.responder import Responder, Transport
from bot.telegram.uncertain import Uncertain
from bot.telegram.webhook import WebhookPlan, serve_webhook
from content import Content
from handlers.conversation import DEFAULT_LANGUAGE
from handlers.replies import Incoming, Outcome, Reply
from storage.database import DatabaseFile
from storage.pseudonym import load_or_create_key
from storage.updates import UpdateStore

log = logging.getLogger(__name__)
FORGET_EVERY_SECONDS = 3600.0
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
DRAIN_SECONDS = 15.0
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
Commands = list[tuple[str, str]]


class FrontEnd(Transport, Protocol):
    """What runner needs from a library besides sending."""

    async def open(self, responder: Responder) -> BotIdentity: ...

    async def set_commands(self, commands: Commands, language_code: str | None) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def set_webhook(self, url: str, secret: str) -> None: ...

    async def feed(self, update: dict[str, Any]) -> None:
        """Parse one update as the Bot API sent it and answer it through the responder."""

    async def close(self) -> None: ...


async def serve(
    front: FrontEnd,
    helpline: Helpline,
    stop: asyncio.Event,
    webhook: WebhookPlan | None = None,
    settings: Settings | None = None,
) -> None:
    """Run until `stop` is set (or the task is cancelled), then stop cleanly.

    `settings` are the front end's (token, API server), by default the helpline's."""
    settings = settings or helpline.settings
    responder = Responder(helpline, front, Delivery(front.classify), settings.caseworker_chat_id)
    count = functools.partial(_count, helpline, responder)
    responder.on_failure = functools.partial(count, "update_failed")
    responder.delivery.on_lost = functools.partial(count, "reply_refused")
    jobs: list[asyncio.Task[None]] = []
    intake: Intake | None = None
    fetcher: UpdateFetcher | None = None
    outbox_stop = asyncio.Event()
    try:
        responder.identity = await front.open(responder)
        await _check_desk(front, responder, helpline, settings.caseworker_chat_id)
        store = await asyncio.to_thread(
            UpdateStore,
            DatabaseFile(settings.database_path),  # its own connection, off the loop
            responder.identity.id,
            load_or_create_key(settings.hash_key, settings.data_dir),
        )
        intake = Intake(store, front.feed, functools.partial(_apologise, helpline, responder), count)
        outbox = Outbox(intake.run, responder.delivery, front.send, dt.timedelta(hours=settings.delivery_retry_hours))
        outbox.on_given_up = lambda n: count("reply_given_up")
        await outbox.load()
        responder.outbox = outbox
        responder.on_sending = intake.mark_sending
        intake.uncertain = Uncertain(intake.run, responder, helpline, front.feed, count)
        outbox.on_uncertain = intake.uncertain.offer_held
        _watch_database(helpline, responder)
        await intake.resume()  # what the last run stored and did not answer goes first
        jobs = start_jobs(helpline, responder.send_to)
        jobs.append(asyncio.create_task(outbox.run(outbox_stop)))
        jobs.append(asyncio.create_task(_forget_hourly(intake)))
        await register_commands(front, responder.delivery, helpline.conversation.knowledge.content)
        if webhook is None:
            await responder.delivery.call("deleteWebhook", front.delete_webhook)
            log.info("polling for updates")
            fetcher = UpdateFetcher(settings.api_url, settings.token or "", ALLOWED_UPDATES)
            await Poller(fetcher, intake).run(stop)
        else:
            set_webhook = functools.partial(
                responder.delivery.call, "setWebhook", functools.partial(front.set_webhook, webhook.url, webhook.secret)
            )
            await serve_webhook(webhook, intake.take, stop, set_webhook)
    finally:
        if intake is not None:
            await intake.wait_idle(DRAIN_SECONDS)
            await intake.stop()  # what did not finish stays in the inbox
        await responder.drain(DRAIN_SECONDS)
        outbox_stop.set()
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if fetcher is not None:
            await fetcher.close()
        helpline.querylog.flush()
        await front.close()
        if intake is not None:
            intake.close()
        log.info(
            "stopped; %d update(s) failed, %d unreadable, %d call(s) retried, %d lost, %d in the outbox",
            responder.failed_updates,
            intake.unreadable if intake else 0,
            responder.delivery.retries,
            responder.delivery.lost,
            responder.outbox.waiting if responder.outbox else 0,
        )


async def _check_desk(front: FrontEnd, responder: Responder, helpline: Helpline, chat_id: int | None) -> None:
    """A forum caseworkers' chat gets one topic per ticket; anything else (or no answer from
    getChat) keeps the reply relay."""
    handoff = helpline.conversation.handoff
    if chat_id is None or handoff is None:
        return
    try:
        forum = await responder.delivery.call("getChat", functools.partial(front.is_forum, chat_id), has_fallback=True)
    except Undelivered:
        forum = False
    handoff.use_forum(forum)
    log.info("caseworkers' chat: %s", "a forum, one topic per ticket" if forum else "replies relayed by Reply")


async def _apologise(helpline: Helpline, responder: Responder, chat_id: int, sender: Incoming) -> None:
    """An update that could not be read: the person is asked to write again, in words, in
    their saved language (read on the core's thread, which owns the database)."""
    try:
        lang = await responder.on_core_thread(lambda: helpline.conversation.language_for(sender))
        text = str(helpline.conversation.knowledge.content.ui[lang]["non_text"])
        await responder.apologise(chat_id, text)
    except Exception as error:  # noqa: BLE001 - the update is set aside either way
        log.warning("could not answer an unreadable update: %s", type(error).__name__)


async def _forget_hourly(intake: Intake) -> None:
    """Handled ids past two days, and updates kept for a tap past a day, leave the database
    on time even when the bot is quiet (otherwise it tidies at start and every 1,000 updates)."""
    while True:
        await asyncio.sleep(FORGET_EVERY_SECONDS)
        try:
            await intake.run("forget_old")
        except Exception as error:  # noqa: BLE001 - tried again in an hour
            log.warning("could not forget old updates: %s", type(error).__name__)


async def _count(helpline: Helpline, responder: Responder, kind: str) -> None:
    """A delivery fault for the health figures (/stats and the weekly report), written on the
    core's thread: the log shares its database connection with the core, which is not safe
    to use from two threads at once."""
    try:
        await responder.on_core_thread(functools.partial(helpline.querylog.record_event, kind))
    except Exception as error:  # noqa: BLE001 - counting never stops an answer
        log.warning("could not count %s: %s", kind, type(error).__name__)


def _watch_database(helpline: Helpline, responder: Responder) -> None:
    """A recreated database file: logged loudly by storage, counted, and the admins told."""
    database = helpline.querylog.file
    if database is None:
        return
    loop = asyncio.get_running_loop()

    def replaced() -> None:  # on a storage thread, inside a write: hand it all to the loop
        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(_tell_admins(helpline, responder)))

    database.on_replaced[:] = [replaced]


async def _tell_admins(helpline: Helpline, responder: Responder) -> None:
    await _count(helpline, responder, "database_replaced")
    content = helpline.conversation.knowledge.content
    lang = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in content.languages else content.languages[0]
    text = str(content.ui[lang]["admin"]["database_replaced"])
    for admin in sorted(helpline.settings.admin_ids):
        try:
            await responder.send_to(admin, Outcome([Reply(text)], lang))
        except Exception as error:  # noqa: BLE001 - the log line stays
            log.warning("could not reach an admin: %s", type(error).__name__)


def command_lists(content: Content) -> dict[str | None, Commands]:
    """setMyCommands lists per language_code from ui `commands:`; None is the default."""
    lists: dict[str | None, Commands] = {}
    for lang in content.languages:
        mapping = content.ui[lang].get("commands") or {}
        commands = [
            (str(name).lower(), str(text).strip()[:256])
            for name, text in mapping.items()
            if _COMMAND.fullmatch(str(name).lower()) and str(text).strip()
        ]
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
            await delivery.call("setMyCommands", functools.partial(front.set_commands, commands, language_code))
        except Undelivered:
            pass
