"""`helpline` with the Telegram rate limiter lifted, to measure what the bot itself can do.

helpline spaces its sends to Telegram's limits (about 30 messages a second overall, one a
second per chat; bot/telegram/delivery.py), so through the emulator its shipped rate is
capped by design; and it slows down one person sending more than about 20 messages a
minute (handlers/flood.py), which a benchmark's simulated users do. This runs the same
`helpline` command with those limits so high they never bind; nothing else changes.

    python -m benchmarks.unlimited_bot run --framework aiogram|ptb
"""

from __future__ import annotations

import functools

from bot import cli
from bot.telegram import delivery
from handlers import conversation

NEVER_BINDS = 1e9


def lift_limits() -> None:
    """Delivery builds its RateLimiter when given none, and the conversation its FloodGate, from module
    attributes; the limiter class itself stays as it is (other classes, the alerts' limiter, extend it)."""
    build_delivery = delivery.Delivery.__init__

    def unlimited(self, classify, limiter=None, *args, **kwargs) -> None:
        limiter = limiter or delivery.RateLimiter(
            overall_rate=NEVER_BINDS, overall_burst=int(NEVER_BINDS), chat_rate=NEVER_BINDS, chat_burst=int(NEVER_BINDS)
        )
        build_delivery(self, classify, limiter, *args, **kwargs)

    delivery.Delivery.__init__ = unlimited  # type: ignore[method-assign]
    conversation.FloodGate = functools.partial(conversation.FloodGate, limit=int(NEVER_BINDS))  # type: ignore[misc]


if __name__ == "__main__":
    lift_limits()
    raise SystemExit(cli.main())
