"""Answers a crash may or may not have delivered, and the tap that sends one again.

The Bot API cannot say whether a message went out, so an update whose answer was being
sent when the bot died (`storage.updates.SENDING`) is not answered again on a guess: that
is how a kill -9 used to send one answer twice. Its person gets one short line instead,
"the bot restarted while answering «…»", with a button; a tap answers the kept update
once, the same way as the first time. The update stays sealed in the inbox for a day
(`KEEP_UNCERTAIN`), the button works only in the chat it was sent to, and a second tap,
or a tap after that day, gets the core's "write your question again".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import Helpline
from bot.telegram.responder import Responder
from handlers.actions import AnswerAgain, button, unpack
from handlers.replies import Outcome, Reply
from handlers.session import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)
Store = Callable[..., Awaitable[Any]]  # runs an UpdateStore method on the storage thread
QUOTE_LENGTH = 60  # characters of the person's message quoted in the line


class Uncertain:
    def __init__(self, store: Store, responder: Responder, helpline: Helpline) -> None:
        self.store = store
        self.responder = responder
        self.helpline = helpline
        self.offered = 0
        self.answered_again = 0
        self._taking: set[int] = set()  # kept updates being taken: a double tap finds them gone

    async def offer(self, update_id: int, update: dict[str, Any]) -> None:
        """Tell the person the answer may be missing, and keep the update for their tap."""
        chat = chat_of(update)
        if chat is None:
            await self.store("finish", update_id)  # nobody to tell: nothing more can be done
            return
        lang = await self.responder.on_core_thread(lambda: self._language(update))
        ui = self.helpline.conversation.knowledge.content.ui[lang]
        text = text_of(update)
        if text:
            quote = text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"
            line = str(ui["restarted_message"]).replace("{quote}", quote)
        else:
            line = str(ui["restarted_button"])
        again = button(str(ui["again"]), AnswerAgain(str(update_id)))
        await self.responder.send_to(chat, Outcome([Reply(line, ((again,),))], lang))
        await self.store("keep", update_id)
        self.offered += 1

    async def taken(self, update: dict[str, Any]) -> dict[str, Any] | None:
        """For a tap on "send the answer again" in the chat it was sent to, while the update is
        still kept: that update, now finished, to be answered; otherwise None (the core answers
        the tap)."""
        callback = update.get("callback_query")
        if not isinstance(callback, dict):
            return None
        action = unpack(callback.get("data") if isinstance(callback.get("data"), str) else None)
        if not isinstance(action, AnswerAgain) or not action.update.isdigit():
            return None
        update_id = int(action.update)
        if update_id in self._taking:
            return None
        self._taking.add(update_id)
        try:
            kept = await self.store("kept", update_id)
            if kept is None or chat_of(kept) != chat_of(update):
                return None
            await self.store("finish", update_id)
        finally:
            self._taking.discard(update_id)
        if isinstance(callback.get("id"), str):
            try:
                await self.responder.acknowledge(callback["id"])
            except Exception as error:  # noqa: BLE001 - the spinner stops by itself
                log.debug("could not stop a button's spinner: %s", type(error).__name__)
        self.answered_again += 1
        return kept

    def _language(self, update: dict[str, Any]) -> str:
        """The person's saved language, else their app's, else the default."""
        conversation = self.helpline.conversation
        languages = conversation.knowledge.content.languages
        sender = _payload(update).get("from")
        sender = sender if isinstance(sender, dict) else {}
        saved = None
        if type(sender.get("id")) is int:
            saved = conversation.profiles.get(conversation.pseudonymizer.user_key(sender["id"])).lang
        code = str(sender.get("language_code") or "").split("-")[0].lower()
        for candidate in (saved, code, DEFAULT_LANGUAGE):
            if candidate in languages:
                return candidate
        return languages[0]


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
