"""Webhook mode: an aiohttp endpoint that only Telegram can find and only Telegram can use.

The path is derived from the secret, so it cannot be guessed from the public URL, and each
request must carry the secret in `X-Telegram-Bot-Api-Secret-Token` (Telegram sends what
setWebhook registered); anything else gets 401 before the body is read. An update is
stored in the durable inbox (shared with polling, so a repeated update id is answered
once) and then answered in the background: Telegram gets its 200 once it is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
SECRET_ENV = "HELPLINE_WEBHOOK_SECRET"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,256}")  # what Telegram accepts, and long enough
Take = Callable[[list[Any]], Awaitable[bool]]  # Intake.take: store, then answer


def webhook_secret(token: str, environ: Mapping[str, str] = os.environ) -> str:
    """HELPLINE_WEBHOOK_SECRET if set, else one derived from the token (stable across restarts)."""
    configured = (environ.get(SECRET_ENV) or "").strip()
    if configured:
        if not _SECRET_SHAPE.fullmatch(configured):
            raise ConfigError(f"{SECRET_ENV} must be 16–256 characters of A-Z, a-z, 0-9, _ and -")
        return configured
    return hmac.new(token.encode(), b"helpline webhook secret", hashlib.sha256).hexdigest()


def webhook_path(secret: str) -> str:
    digest = hmac.new(secret.encode(), b"helpline webhook path", hashlib.sha256).hexdigest()
    return f"/telegram/{digest[:32]}"


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[::1]:PORT`) as given to --listen."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class WebhookPlan:
    host: str
    port: int
    public_url: str
    secret: str

    @property
    def path(self) -> str:
        return webhook_path(self.secret)

    @property
    def url(self) -> str:
        """What setWebhook registers: the reverse proxy must pass the path on unchanged."""
        return self.public_url.rstrip("/") + self.path


def webhook_app(plan: WebhookPlan, take: Take) -> web.Application:
    from aiohttp import web  # only webhook mode needs a server: polling starts without it

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), plan.secret.encode()):
            return web.Response(status=401)
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(update, dict):
            return web.Response(status=400)
        await asyncio.shield(take([update]))  # stored (or answered from memory if the database refuses)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post(plan.path, receive)
    return app


async def serve_webhook(
    plan: WebhookPlan, take: Take, stop: asyncio.Event, listening: Callable[[], Awaitable[None]]
) -> None:
    """Accept updates until `stop` is set.

    `listening` runs once the port is open: the moment to call setWebhook.
    """
    from aiohttp import web

    runner = web.AppRunner(webhook_app(plan, take), access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, plan.host, plan.port).start()
        log.info("webhook listening on %s:%d", plan.host, plan.port)
        await listening()
        await stop.wait()
    finally:
        await runner.cleanup()
