"""Sending one alert to every subscriber of its countries, at broadcast pace, resumable.

The sender takes a `send(chat_id, reply)` coroutine: the running bot's responder or one
opened by `helpline alerts send`, so it works on both front ends, and 429 and 5xx are
retried by `Delivery` exactly as replies are. It spaces messages at most `rate` a second
overall (Telegram allows about 30), and for each subscriber records "sending" before the
message goes out and the result after. Killed in the middle and restarted, it goes on
with those not yet served; the few it was sending at that moment become "uncertain" and
are not sent again, because the Bot API cannot tell whether they arrived and a second
copy is the one thing we promise never to send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.telegram.delivery import Delivery, RateLimiter
from content import Content, ContentError
from content.alerts import Alert, load_alert, load_alert_words
from handlers.alerts import render_alert
from handlers.conversation import DEFAULT_LANGUAGE
from handlers.replies import Incoming, Outcome, Reply
from storage.database import open_database
from storage.pseudonym import Pseudonymizer
from storage.subscriptions import (
    BLOCKED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    UNCERTAIN,
    AlertRuns,
    RunBusy,
    Subscriptions,
    sender_name,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
SendReply = Callable[[int, Reply], Awaitable[None]]
ALERT_RATE = 30.0  # messages a second, all subscribers together: Telegram's broadcast limit
WORKERS = 8  # messages in flight at once; also the most that can end up "uncertain" after a crash
PROGRESS_SECONDS = 1.0
QUEUE_SECONDS = 5.0
CASEWORKER_LANGUAGE = "ru"
# Telegram's answers that mean the chat will never take a message again.
_GONE = ("bot was blocked", "user is deactivated", "chat not found", "bot was kicked")


def ends_subscription(error: BaseException) -> bool:
    """403 (the person blocked the bot) or a chat that no longer exists, in either library."""
    if type(error).__name__ in ("Forbidden", "TelegramForbiddenError"):
        return True
    return any(words in str(error).lower() for words in _GONE)


@dataclass(frozen=True)
class Progress:
    alert_id: str
    counts: dict[str, int]

    @property
    def left(self) -> int:
        return self.counts[PENDING] + self.counts[SENDING]

    @property
    def failed(self) -> int:
        return self.counts[FAILED] + self.counts[BLOCKED]

    def line(self) -> str:
        extra = f" / uncertain {self.counts[UNCERTAIN]}" if self.counts[UNCERTAIN] else ""
        return f"alert {self.alert_id}: sent {self.counts[SENT]} / left {self.left} / failed {self.failed}{extra}"

    def summary(self, words: dict[str, str]) -> str:
        return words["summary"].format(alert=self.alert_id, **self.counts)


class Pace:
    """At most `rate` starts a second, evenly spaced (no burst), across all workers."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.clock = clock
        self._next = clock()

    async def wait(self) -> None:
        now = self.clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class BroadcastLimiter(RateLimiter):
    """Delivery's limiter for `helpline alerts send`: evenly spaced, and nothing bunches after a flood wait.

    A slot is taken only once no flood wait is on; a slot a flood wait overtook is given
    back and a fresh one taken after it, so the sends held by a 429 leave one by one.
    """

    def __init__(self, rate: float = ALERT_RATE) -> None:
        super().__init__(overall_rate=rate, overall_burst=1)
        self.interval = 1.0 / rate
        self._next = self.clock()

    async def acquire(self, chat_id: int) -> None:
        while True:
            await self.wait_pause()
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
            if start > now:
                await self.sleep(start - now)
            if not self.paused():
                return

    def paused(self) -> bool:
        return self.clock() < self._paused_until


class AlertSender:
    def __init__(
        self,
        database_path: Path,
        pseudonymizer: Pseudonymizer,
        content: Content,
        send: SendReply,
        rate: float = ALERT_RATE,
        workers: int = WORKERS,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        if not 0 < rate <= ALERT_RATE:
            raise ValueError(f"rate must be between 0 and {ALERT_RATE:g} messages a second")
        self.database_path = database_path
        self.pseudonymizer = pseudonymizer
        self.content = content
        self.send = send
        self.rate = rate
        self.workers = workers
        self.on_progress = on_progress or (lambda progress: None)
        self.stopping = asyncio.Event()  # set: finish the messages in flight, start no more

    async def run(self, alert: Alert, resend_uncertain: bool = False) -> Progress:
        """Send `alert` to everyone subscribed to its countries who has not had it yet."""
        words = load_alert_words(self.content)
        replies = {lang: render_alert(alert, lang, self.content, words) for lang in alert.texts}
        db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alerts-db")
        db = await self._in(db_thread, _open, self.database_path)
        subscriptions = Subscriptions(db, self.pseudonymizer)
        runs = AlertRuns(db, owner=f"{sender_name()}:{id(self)}")

        async def call(function: Callable[..., T], *args: Any) -> T:
            return await self._in(db_thread, _retrying, function, *args)

        try:
            audience = [sub.user_key for sub in await call(subscriptions.matching, alert.countries)]
            await call(runs.start, alert.id, audience, resend_uncertain)
            pace = (Pace(self.rate), Pace(self.rate))
            reporter = asyncio.create_task(self._report(alert.id, runs, call))
            try:
                await asyncio.gather(
                    *(self._work(alert, replies, subscriptions, runs, pace, call) for _ in range(self.workers))
                )
            finally:
                reporter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reporter
            progress = Progress(alert.id, await call(runs.tally, alert.id))
            if not progress.left:
                await call(runs.finish, alert.id)
            self.on_progress(progress)
            return progress
        finally:
            await self._in(db_thread, db.conn.close)
            db_thread.shutdown(wait=False)

    async def _work(
        self,
        alert: Alert,
        replies: dict[str, Reply],
        subscriptions: Subscriptions,
        runs: AlertRuns,
        pace: tuple[Pace, Pace],
        call: Callable[..., Awaitable[Any]],
    ) -> None:
        admit, spacing = pace
        while not self.stopping.is_set():
            await admit.wait()  # waiting here, before the claim, keeps the "sending" window short
            user_key = await call(runs.claim, alert.id)  # "sending" is on disk before anything goes out
            if user_key is None:
                return
            subscription = await call(subscriptions.get, user_key)
            chat = await call(subscriptions.chat_of, user_key) if subscription else None
            if subscription is None or chat is None:
                await call(runs.record, alert.id, user_key, SKIPPED)
                continue
            lang = subscription.lang if subscription.lang in replies else DEFAULT_LANGUAGE
            status = SENT
            await spacing.wait()  # a claim that took long must not bunch up with the next ones
            try:
                await self.send(chat, replies[lang])
            except Exception as error:  # noqa: BLE001 - one person's failure never stops the others
                cause = error.__cause__ or error
                status = BLOCKED if ends_subscription(cause) else FAILED
                log.warning("alert %s not delivered to one subscriber: %s", alert.id, type(cause).__name__)
            if status == BLOCKED:
                await call(subscriptions.remove, user_key)
            await call(runs.record, alert.id, user_key, status)

    async def _report(self, alert_id: str, runs: AlertRuns, call: Callable[..., Awaitable[Any]]) -> None:
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            await call(runs.heartbeat, alert_id)
            self.on_progress(Progress(alert_id, await call(runs.tally, alert_id)))

    @staticmethod
    async def _in(executor: ThreadPoolExecutor, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(executor, function, *args)


def _open(path: Path):
    db = open_database(path)
    db.execute("PRAGMA busy_timeout = 5000")  # the sender may wait for the bot's writes; a reply may not
    return db


def _retrying(function: Callable[..., T], *args: Any) -> T:
    """A locked database is waited out (a few times) rather than losing track of a message."""
    for attempt in range(5):
        try:
            return function(*args)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def caseworker_words(content: Content) -> dict[str, str]:
    words = load_alert_words(content)
    return words.get(CASEWORKER_LANGUAGE) or next(iter(words.values()))


# -- `helpline alerts send` and `helpline alerts preview` ------------------------------------


def preview(
    content: Content, alert_id: str, database_path: Path | None, pseudonymizer: Pseudonymizer, out: TextIO
) -> None:
    """Every language version as the bot sends it, buttons in brackets, and who would get it."""
    alert = load_alert(content, alert_id)
    words = load_alert_words(content)
    names = ", ".join(content.countries[code].names.get("en", code) for code in alert.countries)
    print(f"alert {alert.id}: for subscribers in {names}", file=out)
    for lang in content.languages:
        reply = render_alert(alert, lang, content, words)
        buttons = "  ".join(f"[{button.label}]" for row in reply.buttons for button in row)
        print(f"\n── {lang} ──\n{reply.plain}\n{buttons}", file=out)
    if database_path is not None and database_path.exists():
        db = open_database(database_path)
        try:
            audience = len(Subscriptions(db, pseudonymizer).matching(alert.countries))
        finally:
            db.conn.close()
        print(f"\nwould go to {audience} subscriber(s) now", file=out)


async def send_from_cli(
    settings: Any,
    framework: str,
    content: Content,
    alert: Alert,
    pseudonymizer: Pseudonymizer,
    resend_uncertain: bool,
    out: TextIO,
) -> Progress:
    """Open the front end (no updates are fetched), send, post the summary, close."""
    from bot.telegram import make_front
    from bot.telegram.responder import Responder

    front = make_front(framework, settings)
    responder = Responder(_NoUpdates(), front, Delivery(front.classify, BroadcastLimiter()))

    async def send_reply(chat_id: int, reply: Reply) -> None:
        await responder.send_to(chat_id, Outcome([reply], DEFAULT_LANGUAGE))

    sender = AlertSender(
        settings.database_path,
        pseudonymizer,
        content,
        send_reply,
        on_progress=lambda progress: print(progress.line(), file=out, flush=True),
    )
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, sender.stopping.set)
    try:
        await front.open(responder)
        progress = await sender.run(alert, resend_uncertain)
        if not progress.left:
            await post_summary(settings, content, progress, send_reply)
        return progress
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
        await front.close()


class _NoUpdates:
    """The core for a front end opened only to send: it is never asked anything."""

    def handle(self, incoming: Incoming) -> Outcome:
        return Outcome([], DEFAULT_LANGUAGE)


# -- the running bot: /alert ID queues, a job sends ------------------------------------------


def request_alert(
    db: Any, pseudonymizer: Pseudonymizer, content: Content, alert_id: str, lang: str, requested_by: str
) -> Reply:
    """An admin's /alert ID: checked now, sent by the bot's alert job."""
    words = load_alert_words(content)[lang]
    try:
        alert = load_alert(content, alert_id)
    except ContentError:
        return Reply(words["no_alert"].format(alert=alert_id or "?"))
    audience = len(Subscriptions(db, pseudonymizer).matching(alert.countries))
    if not AlertRuns(db, owner=requested_by).request(alert.id, requested_by):
        return Reply(words["busy"].format(alert=alert.id))
    return Reply(words["queued"].format(alert=alert.id, audience=audience))


async def send_queued_alerts(helpline: Any, send: Callable[[int, Outcome], Awaitable[None]]) -> None:
    """The bot's job: send alerts admins asked for, and resume those a crash interrupted."""
    settings = helpline.settings

    async def send_reply(chat_id: int, reply: Reply) -> None:
        await send(chat_id, Outcome([reply], DEFAULT_LANGUAGE))

    db = open_database(settings.database_path)  # its own connection, only read here
    runs = AlertRuns(db, owner="job")
    try:
        while True:
            await asyncio.sleep(QUEUE_SECONDS)
            await _send_waiting(runs, helpline, send_reply)
    finally:
        db.conn.close()


async def _send_waiting(runs: AlertRuns, helpline: Any, send_reply: SendReply) -> None:
    settings = helpline.settings
    conversation = helpline.conversation
    try:
        for alert_id in runs.queued():
            content = conversation.knowledge.content
            alert = load_alert(content, alert_id)
            sender = AlertSender(
                settings.database_path, conversation.pseudonymizer, content, send_reply, on_progress=_log_progress()
            )
            progress = await sender.run(alert)
            await post_summary(settings, content, progress, send_reply)
    except Exception as error:  # noqa: BLE001 - tried again at the next round
        log.warning("alert job failed: %s", type(error).__name__)


async def post_summary(settings: Any, content: Content, progress: Progress, send: SendReply) -> None:
    """The end of a run, for the caseworkers' chat (or the admins when there is none)."""
    text = progress.summary(caseworker_words(content))
    chats = [settings.caseworker_chat_id] if settings.caseworker_chat_id is not None else sorted(settings.admin_ids)
    for chat in chats:
        try:
            await send(chat, Reply(text))
        except Exception as error:  # noqa: BLE001 - the summary is a courtesy; the counts are on disk
            log.warning("alert summary not posted: %s", type(error).__name__)


def _log_progress() -> Callable[[Progress], None]:
    last = [0.0]

    def report(progress: Progress) -> None:
        if time.monotonic() - last[0] >= 10 or not progress.left:
            last[0] = time.monotonic()
            log.info("%s", progress.line())

    return report


__all__ = ["AlertSender", "Progress", "RunBusy", "ends_subscription", "request_alert", "send_queued_alerts"]
