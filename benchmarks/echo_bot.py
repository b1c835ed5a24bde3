"""An echo bot on aiogram or python-telegram-bot, set up like helpline's front ends.

The end-to-end benchmark runs it next to `helpline run` against the same Bot API emulator:
what is left of the difference is helpline's own work. Reads TELEGRAM_BOT_TOKEN and
TELEGRAM_API_URL; stops on SIGINT or SIGTERM.

    python -m benchmarks.echo_bot --framework aiogram|ptb
"""

from __future__ import annotations

import argparse
import asyncio
import os

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_SECONDS = 25
CONCURRENT_UPDATES = 256  # as helpline's PTB front end


def run_aiogram(token: str, api_url: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    async def main() -> None:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
        await bot.delete_webhook()
        await dispatcher.start_polling(bot, polling_timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES)

    asyncio.run(main())


def run_ptb(token: str, api_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(message.text or "?", do_quote=False)

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGES, echo))
    app.run_polling(timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    args = parser.parse_args()
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    api_url = os.environ["TELEGRAM_API_URL"].rstrip("/")
    (run_aiogram if args.framework == "aiogram" else run_ptb)(token, api_url)


if __name__ == "__main__":
    main()
