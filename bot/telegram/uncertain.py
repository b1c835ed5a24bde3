"""Answers a crash may or may not have delivered, and the tap that sends one again.

The Bot API cannot say whether a message went out, so an update whose answer was being
sent when the bot died (`storage.updates.SENDING`) is not answered again on a guess: that
is how a kill -9 used to send one answer twice. Its person gets one short line instead,
"the bot restarted while answering «…»", with a button; a tap answers the kept update
once, the same way as the first time. A reply that waited in the outbox through an outage
and was being resent is offered the same way. What is kept stays sealed for a day
(`KEEP_UNCERTAIN`), the button works only in the chat it was sent to, and a second tap,
or a tap after that day, gets the core's "write your question again".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import Helpline
from bot.telegram.delivery import Undelivered
from bot.telegram.incoming import sender_of
from bot.telegram.outgoing import in_thread
from bot.telegram.responder import Responder
from handlers.actions import AnswerAgain, button, unpack
from handlers.replies import Button, Incoming, Outcome, Reply
from storage.updates import Held

log = logging.getLogger(__name__)
Store = Callable[..., Awaitable[Any]]  # runs an UpdateStore method on the storage thread
Feed = Callable[[dict[str, Any]], Awaitable[None]]  # the front end parses and answers an update
Count = Callable[[str], Awaitable[None]]  # an event kind for the health figures
HELD = "o"  # AnswerAgain for a reply from the outbox: "o" and its row id
QUOTE_LENGTH = 60  # characters of the person's message quoted in the line


class Uncertain:
    def __init__(self, store: Store, responder: Responder, helpline: Helpline, feed: Feed, count: Count) -> None:
        self.store = store
        self.count = count
        self.responder = responder
        self.feed = feed
        self.helpline = helpline
        self._taking: set[str] = set()  # what is being taken: a double tap finds it gone

    async def offer(self, update_id: int, update: dict[str, Any]) -> None:
        """Tell the person the answer may be missing, and keep the update for their tap."""
        chat = chat_of(update)
        if chat is None:
            await self.store("finish", update_id)  # nobody to tell: nothing more can be done
            return
        lang = await self.responder.on_core_thread(lambda: self.helpline.conversation.language_for(sender_of(update)))
        ui = self.helpline.conversation.knowledge.content.ui[lang]
        text = text_of(update)
        if text:
            quote = text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"
            line = str(ui["restarted_message"]).replace("{quote}", quote)
        else:
            line = str(ui["restarted_button"])
        await self._tell(chat, lang, line, str(update_id))
        await self.store("keep", update_id)
        await self.count("answer_offered_again")

    async def offer_held(self, held: Held) -> None:
        """The same for a reply from the outbox whose resending a crash cut short."""
        chat = held.message["chat"]
        person = Incoming(chat if chat > 0 else 0)  # a private chat's id is its person's
        lang = await self.responder.on_core_thread(lambda: self.helpline.conversation.language_for(person))
        line = str(self.helpline.conversation.knowledge.content.ui[lang]["restarted_reply"])
        await self._tell(chat, lang, line, f"{HELD}{held.id}")
        await self.store("keep_held", held.id)
        await self.count("answer_offered_again")

    async def _tell(self, chat: int, lang: str, line: str, kept: str) -> None:
        label = str(self.helpline.conversation.knowledge.content.ui[lang]["again"])
        again = button(label, AnswerAgain(kept))
        await self.responder.send_to(chat, Outcome([Reply(line, ((again,),))], lang))

    async def answered(self, update: dict[str, Any]) -> bool:
        """A tap on "send the answer again", in the chat it was sent to, while what it names is
        still kept: answered here, once (True). Anything else is left to the core (False)."""
        callback = update.get("callback_query")
        if not isinstance(callback, dict):
            return False
        action = unpack(callback.get("data") if isinstance(callback.get("data"), str) else None)
        if not isinstance(action, AnswerAgain) or action.update in self._taking:
            return False
        self._taking.add(action.update)
        try:
            if action.update.isdigit():
                kept = await self._take_update(int(action.update), chat_of(update))
            elif action.update.startswith(HELD) and action.update[1:].isdigit():
                kept = await self._take_reply(int(action.update[1:]), chat_of(update))
            else:
                kept = None
        finally:
            self._taking.discard(action.update)
        if kept is None:
            return False
        if isinstance(callback.get("id"), str):
            try:
                await self.responder.acknowledge(callback["id"])
            except Exception as error:  # noqa: BLE001 - the spinner stops by itself
                log.debug("could not stop a button's spinner: %s", type(error).__name__)
        if "chat" in kept:
            await self._resend(kept)  # a reply from the outbox
        else:
            await self.feed(kept)  # an update: answered as the first time
        return True

    async def _take_update(self, update_id: int, chat: int | None) -> dict[str, Any] | None:
        kept = await self.store("kept", update_id)
        if kept is None or chat_of(kept) != chat:
            return None
        await self.store("finish", update_id)
        return kept

    async def _take_reply(self, row_id: int, chat: int | None) -> dict[str, Any] | None:
        kept = await self.store("kept_held", row_id)
        if kept is None or kept["chat"] != chat:
            return None
        await self.store("release", row_id)
        return kept

    async def _resend(self, message: dict[str, Any]) -> None:
        rows = [[Button(label, data) for label, data in row] for row in message["rows"]]
        send = in_thread(self.responder.transport.send, message["chat"], message["html"], rows, message.get("thread"))
        try:
            await self.responder.delivery.call("sendMessage", send, message["chat"])
        except Undelivered as error:  # counted lost by Delivery; the person can write again
            log.warning("a reply asked for again could not be sent: %s", error)


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update was written or pressed in, of any kind."""
    payload = _payload(update)
    message = payload.get("message") if "callback_query" in update else payload
    chat = message.get("chat") if isinstance(message, dict) else None
    return chat["id"] if isinstance(chat, dict) and type(chat.get("id")) is int else None


def text_of(update: dict[str, Any]) -> str:
    """The words of a message update; "" for a button press."""
    text = _payload(update).get("text") if "callback_query" not in update else None
    return " ".join(text.split()) if isinstance(text, str) else ""


def _payload(update: dict[str, Any]) -> dict[str, Any]:
    for kind in ("message", "edited_message", "callback_query"):
        payload = update.get(kind)
        if isinstance(payload, dict):
            return payload
    return {}
