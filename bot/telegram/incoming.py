"""Reading a Telegram message into the core's `Incoming`.

aiogram and python-telegram-bot both name message fields as the Bot API does (`text`,
`voice`, `chat.type`, `entities`, …), so one reader serves both front ends and they
cannot drift apart in what they understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.replies import Incoming
from storage.querylog import valid_unicode

# Checked in this order: a venue also carries a location, a caption never makes media text.
_MEDIA_KINDS = ("voice", "photo", "sticker", "document", "location", "contact")


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is, from getMe: needed to tell when a group message is meant for it."""

    id: int
    username: str


def message_kind(message: Any) -> str:
    if getattr(message, "text", None) is not None:
        return "text"
    for kind in _MEDIA_KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"


def is_addressed(message: Any, bot: BotIdentity) -> bool:
    """In a private chat always; in a group only a @mention, a reply to the bot or a /command."""
    if message.chat.type == "private":
        return True
    replied = getattr(message, "reply_to_message", None)
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    text = message.text or message.caption or ""
    mine = bot.username.lower()
    for entity in message.entities or message.caption_entities or ():
        piece = entity_text(text, entity.offset, entity.length).lower()
        if entity.type == "mention" and piece == f"@{mine}":
            return True
        if entity.type == "bot_command" and entity.offset == 0:
            _, _, target = piece.partition("@")
            if target in ("", mine):
                return True
    return False


def entity_text(text: str, offset: int, length: int) -> str:
    """The text an entity covers; Telegram counts offsets in UTF-16 code units."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def incoming_message(message: Any, bot: BotIdentity) -> Incoming | None:
    """The core's view of a message; None for messages not from a person (bots, channels)."""
    user = message.from_user
    if user is None or user.is_bot:
        return None
    kind = message_kind(message)
    text = _without_mention(valid_unicode(message.text), bot.username) if kind == "text" else ""
    private = message.chat.type == "private"
    replied = getattr(message, "reply_to_message", None)
    return Incoming(
        user_id=user.id,
        text=text,
        language_code=user.language_code,
        kind=kind,
        private=private,
        addressed=is_addressed(message, bot),
        chat_id=None if private else message.chat.id,
        reply_to_text=_clean(replied.text or replied.caption) if replied is not None else None,
        thread=topic_thread(message),
    )


def incoming_button(callback: Any) -> Incoming | None:
    """The core's view of a pressed inline button, or None when there is nothing to answer."""
    message = callback.message
    if callback.data is None or message is None or callback.from_user.is_bot:
        return None
    private = message.chat.type == "private"
    return Incoming(
        user_id=callback.from_user.id,
        button=valid_unicode(callback.data),
        language_code=callback.from_user.language_code,
        private=private,
        chat_id=None if private else message.chat.id,
        thread=topic_thread(message),
    )


def topic_thread(message: Any) -> int | None:
    """The forum topic a message is in (Telegram's message_thread_id), only for topic messages:
    outside a forum the same field names a reply thread, which is not a ticket's topic."""
    if not getattr(message, "is_topic_message", False):
        return None
    thread = getattr(message, "message_thread_id", None)
    return thread if isinstance(thread, int) else None


def _without_mention(text: str, username: str) -> str:
    """ "@helpline_bot patent kerekpi" is a question about patents, not about the bot's name."""
    return re.sub(rf"@{re.escape(username)}\b", "", text, flags=re.IGNORECASE).strip()


def _clean(text: str | None) -> str | None:
    return None if text is None else valid_unicode(text)


# -- updates the libraries may not read ---------------------------------------------------

UPDATE_KINDS = ("message", "edited_message", "callback_query")  # what the bot answers


def has_something_to_answer(update: dict[str, Any]) -> bool:
    """False for kinds the bot never asked for (a channel post, a member change)."""
    return any(kind in update for kind in UPDATE_KINDS)


def unreadable(update: dict[str, Any]) -> str | None:
    """Why this update cannot be answered as it is (a shape another Bot API version might
    send), or None. Only the fields the bot reads are checked, the way it reads them."""
    for kind in ("message", "edited_message"):
        if kind in update:
            return _message_problem(update[kind], kind)
    if "callback_query" in update:
        query = update["callback_query"]
        if not isinstance(query, dict):
            return "callback_query is not an object"
        if not isinstance(query.get("id"), str):
            return "callback_query.id"
        if _user_problem(query.get("from")):
            return "callback_query.from"
        if "data" in query and not isinstance(query["data"], str):
            return "callback_query.data"
        if query.get("message") is not None:
            return _message_problem(query["message"], "callback_query.message")
    return None


def _message_problem(message: Any, where: str) -> str | None:
    if not isinstance(message, dict):
        return f"{where} is not an object"
    chat = message.get("chat")
    if not isinstance(chat, dict) or type(chat.get("id")) is not int or not isinstance(chat.get("type"), str):
        return f"{where}.chat"
    if type(message.get("date")) is not int or type(message.get("message_id")) is not int:
        return f"{where}.date/message_id"
    if "from" in message and _user_problem(message["from"]):
        return f"{where}.from"
    for field in ("text", "caption"):
        if field in message and not isinstance(message[field], str):
            return f"{where}.{field}"
    for field in ("entities", "caption_entities"):
        if field in message and not _entities_ok(message[field]):
            return f"{where}.{field}"
    replied = message.get("reply_to_message")
    if replied is not None and where != "reply":
        return _message_problem(replied, "reply")
    return None


def _user_problem(user: Any) -> bool:
    return not isinstance(user, dict) or type(user.get("id")) is not int or not isinstance(user.get("is_bot"), bool)


def _entities_ok(entities: Any) -> bool:
    return isinstance(entities, list) and all(
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and type(entity.get("offset")) is int
        and type(entity.get("length")) is int
        for entity in entities
    )


def reachable_chat(update: dict[str, Any]) -> int | None:
    """A chat an unreadable update can still be answered in: its chat, else the sender's
    private chat (same id as the person)."""
    for kind in ("message", "edited_message", "callback_query"):
        payload = update.get(kind)
        if not isinstance(payload, dict):
            continue
        message = payload.get("message") if kind == "callback_query" else payload
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and type(chat.get("id")) is int:
            return chat["id"] if chat.get("type") == "private" else None  # a group: stay silent
        sender = payload.get("from")
        if isinstance(sender, dict) and type(sender.get("id")) is int and sender.get("is_bot") is not True:
            return sender["id"]
    return None


def sender_of(update: dict[str, Any]) -> Incoming:
    """Who sent an update, as far as its raw fields tell (id 0 and no language when they do
    not): enough to choose the language to write back in, also for an update set aside."""
    for kind in UPDATE_KINDS:
        payload = update.get(kind)
        sender = payload.get("from") if isinstance(payload, dict) else None
        if isinstance(sender, dict):
            user_id = sender.get("id") if type(sender.get("id")) is int else 0
            code = sender.get("language_code")
            return Incoming(user_id, language_code=code if isinstance(code, str) else None)
    return Incoming(0)
