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
    return encoded[offset * 2:(offset + length) * 2].decode("utf-16-le", errors="replace")


def incoming_message(message: Any, bot: BotIdentity) -> Incoming | None:
    """The core's view of a message; None for messages not from a person (bots, channels)."""
    user = message.from_user
    if user is None or user.is_bot:
        return None
    kind = message_kind(message)
    text = _without_mention(message.text, bot.username) if kind == "text" else ""
    private = message.chat.type == "private"
    replied = getattr(message, "reply_to_message", None)
    return Incoming(
        user_id=user.id, text=text, language_code=user.language_code, kind=kind,
        private=private, addressed=is_addressed(message, bot),
        chat_id=None if private else message.chat.id,
        reply_to_text=(replied.text or replied.caption) if replied is not None else None,
    )


def incoming_button(callback: Any) -> Incoming | None:
    """The core's view of a pressed inline button, or None when there is nothing to answer."""
    message = callback.message
    if callback.data is None or message is None or callback.from_user.is_bot:
        return None
    private = message.chat.type == "private"
    return Incoming(
        user_id=callback.from_user.id, button=callback.data,
        language_code=callback.from_user.language_code,
        private=private, chat_id=None if private else message.chat.id,
    )


def _without_mention(text: str, username: str) -> str:
    """"@helpline_bot patent kerekpi" is a question about patents, not about the bot's name."""
    return re.sub(rf"@{re.escape(username)}\b", "", text, flags=re.IGNORECASE).strip()
