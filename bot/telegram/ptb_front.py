"""The python-telegram-bot 22 front end: behaves exactly as the aiogram one, for PTB users."""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.telegram.delivery import Failure
from bot.telegram.incoming import BotIdentity
from bot.telegram.responder import Responder, Rows
from bot.telegram.runner import ALLOWED_UPDATES, Commands
from handlers.replies import Document

# PTB 22 warns, on every flood-control error, that time periods such as `retry_after` will become
# timedeltas; opting in now silences that warning and `classify` reads either type.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 256  # Responder keeps each chat in order; chats run side by side
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class PtbFront:
    def __init__(self, settings: Settings) -> None:
        root = settings.api_url
        self.app: Application = (
            ApplicationBuilder()
            .token(settings.token or "")
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .concurrent_updates(CONCURRENT_UPDATES)
            .build()
        )

    async def open(self, responder: Responder) -> BotIdentity:
        async def on_message(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
            await responder.on_message(update.update_id, update.effective_message)

        async def on_callback(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
            await responder.on_callback(update.update_id, update.callback_query)

        self.app.add_handler(MessageHandler(filters.UpdateType.MESSAGES, on_message))
        self.app.add_handler(CallbackQueryHandler(on_callback))
        self.app.add_error_handler(_on_error)
        await self.app.initialize()  # getMe
        await self.app.start()
        return BotIdentity(self.app.bot.id, self.app.bot.username or "")

    async def delete_webhook(self) -> None:
        await self.app.bot.delete_webhook()  # polling and a webhook cannot both be set

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed(self, update: dict[str, Any]) -> None:
        """Parsed once, here: polling hands over the Bot API's JSON as it came."""
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def close(self) -> None:
        if self.app.running:
            await self.app.stop()  # waits for updates being processed
        await self.app.shutdown()

    async def set_commands(self, commands: Commands, language_code: str | None) -> None:
        await self.app.bot.set_my_commands(
            [BotCommand(name, text) for name, text in commands], language_code=language_code
        )

    async def send(self, chat_id: int, html: str, rows: Rows, thread: int | None = None) -> None:
        await self.app.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            reply_markup=_markup(rows),
            link_preview_options=NO_PREVIEW,
        )

    async def create_topic(self, chat_id: int, title: str) -> int:
        return (await self.app.bot.create_forum_topic(chat_id, title)).message_thread_id

    async def close_topic(self, chat_id: int, thread: int) -> None:
        await self.app.bot.close_forum_topic(chat_id, thread)

    async def is_forum(self, chat_id: int) -> bool:
        return bool((await self.app.bot.get_chat(chat_id)).is_forum)

    async def edit(self, chat_id: int, message_id: int, html: str, rows: Rows) -> None:
        await self.app.bot.edit_message_text(
            html,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(rows),
            link_preview_options=NO_PREVIEW,
        )

    async def typing(self, chat_id: int) -> None:
        await self.app.bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def answer_callback(self, callback_id: str) -> None:
        await self.app.bot.answer_callback_query(callback_id)

    async def send_document(self, chat_id: int, document: Document) -> None:
        await self.app.bot.send_document(
            chat_id,
            InputFile(document.data, filename=document.filename),
            caption=document.caption[:1024] or None,
        )

    def classify(self, error: BaseException) -> Failure:
        if isinstance(error, RetryAfter):
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            return Failure(retry_after=seconds)
        if isinstance(error, BadRequest):  # a NetworkError subclass, but final
            return Failure()
        return Failure(transient=isinstance(error, NetworkError | TimeoutError | OSError))


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """PTB would log the whole update; log its id and the error type only."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.warning("update %s failed: %s", update_id, type(context.error).__name__)


def _markup(rows: Rows) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.data) for button in row] for row in rows]
    )
