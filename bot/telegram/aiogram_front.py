"""The aiogram 3 front end (the default): Router handlers that hand updates to `Responder`."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)

from bot.config import Settings
from bot.telegram.delivery import Failure
from bot.telegram.incoming import BotIdentity
from bot.telegram.responder import Responder, Rows
from bot.telegram.runner import ALLOWED_UPDATES, Commands
from handlers.replies import Document

REQUEST_TIMEOUT = 30  # seconds for one call
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class AiogramFront:
    def __init__(self, settings: Settings) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_url), timeout=REQUEST_TIMEOUT)
        self.bot = Bot(settings.token or "", session=session)
        self.dispatcher = Dispatcher()

    async def open(self, responder: Responder) -> BotIdentity:
        me = await self.bot.me()
        self.dispatcher.include_router(_router(responder))
        return BotIdentity(me.id, me.username or "")

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook()  # polling and a webhook cannot both be set

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def feed(self, update: dict[str, Any]) -> None:
        """Parsed once, here: polling hands over the Bot API's JSON as it came."""
        await self.dispatcher.feed_raw_update(self.bot, update)

    async def close(self) -> None:
        await self.bot.session.close()

    async def set_commands(self, commands: Commands, language_code: str | None) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in commands],
            language_code=language_code,
        )

    async def send(self, chat_id: int, html: str, rows: Rows, thread: int | None = None) -> None:
        await self.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            message_thread_id=thread,
            reply_markup=_markup(rows),
            link_preview_options=NO_PREVIEW,
        )

    async def create_topic(self, chat_id: int, title: str) -> int:
        return (await self.bot.create_forum_topic(chat_id, title)).message_thread_id

    async def close_topic(self, chat_id: int, thread: int) -> None:
        await self.bot.close_forum_topic(chat_id, thread)

    async def is_forum(self, chat_id: int) -> bool:
        return bool((await self.bot.get_chat(chat_id)).is_forum)

    async def edit(self, chat_id: int, message_id: int, html: str, rows: Rows) -> None:
        await self.bot.edit_message_text(
            html,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(rows),
            link_preview_options=NO_PREVIEW,
        )

    async def typing(self, chat_id: int) -> None:
        await self.bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def answer_callback(self, callback_id: str) -> None:
        await self.bot.answer_callback_query(callback_id)

    async def send_document(self, chat_id: int, document: Document) -> None:
        await self.bot.send_document(
            chat_id,
            BufferedInputFile(document.data, filename=document.filename),
            caption=document.caption[:1024] or None,
        )

    def classify(self, error: BaseException) -> Failure:
        if isinstance(error, TelegramRetryAfter):
            return Failure(retry_after=float(error.retry_after))
        if isinstance(error, TelegramEntityTooLarge):
            return Failure()
        transient = (TelegramServerError, TelegramNetworkError, TimeoutError, OSError)
        return Failure(transient=isinstance(error, transient))


def _router(responder: Responder) -> Router:
    router = Router(name="helpline")

    async def on_message(message: Message, event_update: Update) -> None:
        await responder.on_message(event_update.update_id, message)

    async def on_callback(callback: CallbackQuery, event_update: Update) -> None:
        await responder.on_callback(event_update.update_id, callback)

    router.message.register(on_message)
    router.edited_message.register(on_message)
    router.callback_query.register(on_callback)
    return router


def _markup(rows: Rows) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=button.label, callback_data=button.data) for button in row] for row in rows
        ]
    )
