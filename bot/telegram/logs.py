"""Logging for the Telegram front ends without personal data.

The libraries log at INFO what helpline must not keep: httpx prints every request URL
(with the bot token), aiohttp's access log the secret webhook path, aiogram and PTB
update details. They are held at WARNING; helpline's own lines carry update ids and
error types only.
"""

from __future__ import annotations

import logging

QUIET_LOGGERS = ("aiogram", "telegram", "httpx", "httpcore", "aiohttp", "asyncio")


def configure_logging(level: int = logging.INFO) -> None:
    """For the `helpline` command: timestamped lines on stderr."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries()


def quiet_libraries() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
