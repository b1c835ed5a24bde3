"""Telegram front ends: python-telegram-bot (default) and aiogram, over one shared core.

Only this package imports a Telegram library, and only when a bot is started, so the
console chat and the core load fast without them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.config import FRAMEWORKS, Settings
from bot.telegram.logs import configure_logging, quiet_libraries
from bot.telegram.webhook import WebhookPlan, parse_listen, webhook_secret

if TYPE_CHECKING:
    from bot.app import Helpline
    from bot.telegram.runner import FrontEnd

log = logging.getLogger(__name__)


def run_polling(settings: Settings, framework: str, helpline: Helpline) -> int:
    """Long polling until SIGINT/SIGTERM; the exit status for the `helpline` command."""
    return _run(settings, framework, helpline, None)


def run_webhook(settings: Settings, framework: str, helpline: Helpline, listen: str, public_url: str) -> int:
    """Webhook mode: listen on HOST:PORT behind a reverse proxy serving `public_url`."""
    host, port = parse_listen(listen)
    plan = WebhookPlan(host, port, public_url, webhook_secret(settings.token or ""))
    return _run(settings, framework, helpline, plan)


def make_front(framework: str, settings: Settings) -> FrontEnd:
    if framework == "aiogram":
        from bot.telegram.aiogram_front import AiogramFront

        return AiogramFront(settings)
    if framework == "ptb":
        from bot.telegram.ptb_front import PtbFront

        return PtbFront(settings)
    raise ValueError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")


async def serve(
    settings: Settings, framework: str, helpline: Helpline, stop: asyncio.Event, webhook: WebhookPlan | None = None
) -> None:
    """Run one front end until `stop` is set; tests start this as a task."""
    from bot.telegram.runner import serve as serve_front

    quiet_libraries()
    await serve_front(make_front(framework, settings), helpline, stop, webhook, settings)


def _run(settings: Settings, framework: str, helpline: Helpline, webhook: WebhookPlan | None) -> int:
    configure_logging()
    try:
        asyncio.run(_until_signalled(settings, framework, helpline, webhook))
    except ImportError as error:
        print(
            f"helpline: {error.name} is not installed; for --framework aiogram run pip install 'helpline[aiogram]'",
            file=sys.stderr,
        )
        return 2
    except Exception as error:
        print(f"helpline: the Telegram bot stopped: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


async def _until_signalled(settings: Settings, framework: str, helpline: Helpline, webhook: WebhookPlan | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        await serve(settings, framework, helpline, stop, webhook)
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
