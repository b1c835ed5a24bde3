"""Answering updates, the same way whichever library fetched them.

A front end hands each message or button press here with its update id. The core is
asked on one worker thread (so a slow SQLite write never blocks the event loop, and the
core sees one caller at a time, as in the console), the replies go out through
`Delivery` one chat at a time in order, and an update that fails is logged by id and
error type only, without stopping any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from bot.telegram.delivery import Delivery, Failure, Undelivered
from bot.telegram.incoming import BotIdentity, incoming_button, incoming_message, topic_thread
from bot.telegram.outbox import Outbox
from bot.telegram.outgoing import MESSAGE_LIMIT, in_thread, keyboard, split_html
from handlers.actions import NAVIGATION, OpenTopic, unpack
from handlers.handoff import relay_mark
from handlers.replies import Button, Document, Forward, Incoming, Outcome, Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
Rows = Sequence[Sequence[Button]]
Sending = Callable[[int, bool], Awaitable[None]]  # update id, whether the answer has emergency contacts
_MARK_ROOM = 24  # room for "#123456789 (99/99): " before each later piece of a relay


class Transport(Protocol):
    """The Bot API calls a front end makes with its library."""

    async def send(self, chat_id: int, html: str, rows: Rows, thread: int | None = None) -> None: ...

    async def create_topic(self, chat_id: int, title: str) -> int:
        """A new forum topic in `chat_id`; its message_thread_id."""

    async def close_topic(self, chat_id: int, thread: int) -> None: ...

    async def is_forum(self, chat_id: int) -> bool:
        """getChat: is this a supergroup with topics enabled?"""

    async def edit(self, chat_id: int, message_id: int, html: str, rows: Rows) -> None: ...

    async def typing(self, chat_id: int) -> None: ...

    async def answer_callback(self, callback_id: str) -> None: ...

    async def send_document(self, chat_id: int, document: Document) -> None: ...

    def classify(self, error: BaseException) -> Failure: ...


def is_navigation(data: str | None) -> bool:
    """Menu buttons (the menu, a group's page) move through the menu rather than ask for an answer."""
    return isinstance(unpack(data), NAVIGATION)


def shows_menu(message: Any) -> bool:
    """A message holding only menu buttons may be redrawn; an answer must stay readable."""
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None) or ()
    actions = [unpack(getattr(button, "callback_data", None)) for row in rows for button in row]
    return bool(actions) and all(isinstance(action, (*NAVIGATION, OpenTopic)) for action in actions)


def relay_pieces(html: str, mark: str | None) -> list[str]:
    """A message cut to Telegram's size; for a relay to caseworkers every later piece repeats
    the ticket mark, so a Reply to any piece reaches that ticket and no other."""
    if mark is None:
        return split_html(html)
    pieces = split_html(html, MESSAGE_LIMIT - _MARK_ROOM)
    return [pieces[0]] + [f"{mark} ({n}/{len(pieces)}): {piece}" for n, piece in enumerate(pieces[1:], start=2)]


class Core(Protocol):
    """The framework-agnostic side: `bot.app.Helpline` in the running bot."""

    def handle(self, incoming: Incoming) -> Outcome: ...


class Responder:
    def __init__(
        self, core: Core, transport: Transport, delivery: Delivery, caseworker_chat_id: int | None = None
    ) -> None:
        self.core = core
        self.caseworker_chat_id = caseworker_chat_id
        self.transport = transport
        self.delivery = delivery
        self.identity = BotIdentity(0, "")  # set from getMe before the first update
        self.outbox: Outbox | None = None  # keeps replies Telegram cannot take yet
        self.on_sending: Sending | None = None  # told before an update's first reply goes out
        self.on_failure: Callable[[], Awaitable[None]] | None = None  # an update failed: counted
        self.failed_updates = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conversation")
        self._chats: dict[int, list[Any]] = {}  # chat id -> [lock, users]
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def on_message(self, update_id: int, message: Any) -> None:
        """A new or edited message: edits are answered like new ones."""
        async with self._update(update_id, message.chat.id):
            incoming = incoming_message(message, self.identity)
            caseworkers = message.chat.id == self.caseworker_chat_id
            if incoming is None or not (incoming.private or incoming.addressed or caseworkers):
                return  # groups: silent unless spoken to (the core would say nothing either)
            typing = None if caseworkers else asyncio.create_task(self._typing(message.chat.id))
            outcome = await self._ask(incoming)  # answered while the typing action goes out
            if typing is not None:
                await typing
            await self._before_sending(update_id, outcome)
            await self._send_outcome(message.chat.id, outcome, topic_thread(message))

    async def on_callback(self, update_id: int, callback: Any) -> None:
        """A pressed button: stop the button's spinner first, then answer."""
        chat_id = callback.message.chat.id if callback.message is not None else 0
        async with self._update(update_id, chat_id):
            try:
                await self.acknowledge(callback.id)
            except Undelivered:  # a press answered late ("query is too old") is still answered
                log.debug("a button's spinner could not be stopped")
            incoming = incoming_button(callback)
            if incoming is None:
                return
            typing = asyncio.create_task(self._typing(chat_id))
            outcome = await self._ask(incoming)
            await typing
            await self._before_sending(update_id, outcome)
            menu_tap = is_navigation(callback.data) and shows_menu(callback.message)
            if menu_tap and len(outcome.replies) == 1 and not outcome.forwards:
                if await self._edit(chat_id, callback.message.message_id, outcome.replies[0]):
                    return
            await self._send_outcome(chat_id, outcome, incoming.thread)

    async def acknowledge(self, callback_id: str) -> None:
        """Stop a pressed button's spinner when the press is answered outside the core."""
        answer = functools.partial(self.transport.answer_callback, callback_id)
        await self.delivery.call("answerCallbackQuery", answer, has_fallback=True)  # a courtesy: never counted lost

    async def on_core_thread(self, work: Callable[[], T]) -> T:
        """`work` on the thread the core runs on: its SQLite connections live there."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work)

    async def drain(self, timeout: float) -> bool:
        """Wait for the replies in flight; True when all went out in time."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.warning("stopped with %d update(s) still being answered", self._in_flight)
            return False
        finally:
            self._executor.shutdown(wait=False)
        return True

    # -- steps ------------------------------------------------------------------------

    async def _ask(self, incoming: Incoming) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.core.handle, incoming)

    async def _before_sending(self, update_id: int, outcome: Outcome) -> None:
        if self.on_sending is not None and (outcome.replies or outcome.forwards or outcome.documents):
            await self.on_sending(update_id, outcome.danger is not None)

    async def _typing(self, chat_id: int) -> None:
        """A courtesy only: never retried, never allowed to stop the answer."""
        try:
            await self.transport.typing(chat_id)
        except Exception as error:
            log.debug("typing action failed: %s", type(error).__name__)

    async def _send_outcome(self, chat_id: int, outcome: Outcome, thread: int | None = None) -> None:
        """The replies in this chat (in the forum topic it was written in), then files, then
        messages for other chats (hand-offs)."""
        await self._send_all(chat_id, outcome.replies, thread)
        for document in outcome.documents:
            send = functools.partial(self.transport.send_document, chat_id, document)
            await self.delivery.call("sendDocument", send, chat_id)
        for forward in outcome.forwards:
            await self._forward(forward)

    async def _forward(self, forward: Forward) -> None:
        """A message for another chat; on a forum desk, in the ticket's topic, which it may
        first open (a topic Telegram will not make leaves the message in the chat itself,
        where the reply relay still works) or close once sent."""
        thread = forward.thread
        if forward.new_thread is not None:
            thread = await self._open_topic(forward.chat_id, forward.new_thread.title)
            if thread is not None:
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(self._executor, forward.new_thread.remember, thread)
        await self._send_all(forward.chat_id, [forward.reply], thread)
        if forward.close_thread and thread is not None:
            close = functools.partial(self.transport.close_topic, forward.chat_id, thread)
            try:
                await self.delivery.call("closeForumTopic", close, has_fallback=True)
            except Undelivered as error:
                log.warning("could not close a ticket's topic: %s", error)

    async def _open_topic(self, chat_id: int, title: str) -> int | None:
        create = functools.partial(self.transport.create_topic, chat_id, title)
        try:
            return await self.delivery.call("createForumTopic", create, has_fallback=True)
        except Undelivered as error:
            log.warning("could not open a topic for a ticket, relaying in the chat: %s", error)
            return None

    async def send_to(self, chat_id: int, outcome: Outcome) -> None:
        """Messages the bot starts itself (weekly report, content problems for admins)."""
        await self._send_outcome(chat_id, outcome)

    async def apologise(self, chat_id: int, text: str) -> None:
        """The polite line for an update that could not be read."""
        await self._send_all(chat_id, [Reply(text)])

    async def _send_all(self, chat_id: int, replies: list[Reply], thread: int | None = None) -> None:
        """Each reply in pieces Telegram accepts; from the first piece Telegram cannot take
        yet (or when this chat already has replies waiting), into the outbox, in order."""
        pieces: list[tuple[str, Any]] = []
        for reply in replies:
            mark = relay_mark(reply.text) if chat_id == self.caseworker_chat_id else None
            parts = relay_pieces(reply.html, mark)
            rows = keyboard(reply)
            pieces += [(part, rows if number == len(parts) else []) for number, part in enumerate(parts, start=1)]
        for index, (piece, rows) in enumerate(pieces):
            if self.outbox is not None and self.outbox.holds(chat_id):
                await self.outbox.hold(chat_id, pieces[index:], thread)
                return
            send = in_thread(self.transport.send, chat_id, piece, rows, thread)
            try:
                await self.delivery.call("sendMessage", send, chat_id, count_lost=self.outbox is None)
            except Undelivered as error:
                if self.outbox is None or not error.retryable:
                    raise
                await self.outbox.hold(chat_id, pieces[index:], thread)
                return

    async def _edit(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        """Show `reply` in place of the menu message; False when it has to be sent anew."""
        pieces = split_html(reply.html)
        if len(pieces) != 1:
            return False
        edit = functools.partial(self.transport.edit, chat_id, message_id, pieces[0], keyboard(reply))
        try:
            # An edit answers one tap and adds no message: not held to the 1/s chat pace.
            await self.delivery.call("editMessageText", edit, has_fallback=True)
        except Undelivered:
            return False
        return True

    # -- bookkeeping --------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _update(self, update_id: int, chat_id: int) -> AsyncIterator[None]:
        """Counts the update in flight, answers one update per chat at a time, logs failures."""
        self._in_flight += 1
        self._idle.clear()
        entry = self._chats.setdefault(chat_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        except Exception as error:
            self.failed_updates += 1
            log.warning("update %s failed: %s", update_id, type(error).__name__)
            if self.on_failure is not None:
                await self.on_failure()
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._chats[chat_id]
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
