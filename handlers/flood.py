"""Per-user flood control: about 20 messages a minute, without punishing long messages.

Telegram cuts a long pasted text into several messages that arrive within a second or
two; those parts count as one message. Over the limit, the user is told once, politely,
and further messages in that minute are not answered.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 20
WINDOW = 60.0
PART_GAP = 2.0  # seconds between the parts of one long message
LONG_PART = 3000  # a part this long is probably followed by more of the same message
MAX_TRACKED = 50_000


@dataclass
class _Sender:
    times: deque[float] = field(default_factory=deque)
    last_time: float = -1e9
    last_length: int = 0
    warned: bool = False


class FloodGate:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._senders: OrderedDict[str, _Sender] = OrderedDict()

    def check(self, user_key: str, length: int) -> str:
        """'pass' to answer, 'warn' to say so once, 'drop' to stay silent."""
        now = self.clock()
        sender = self._senders.pop(user_key, None) or _Sender()
        self._senders[user_key] = sender
        if len(self._senders) > MAX_TRACKED:
            self._senders.popitem(last=False)
        continuation = now - sender.last_time < PART_GAP and sender.last_length >= LONG_PART
        sender.last_time, sender.last_length = now, length
        while sender.times and now - sender.times[0] > self.window:
            sender.times.popleft()
        if continuation:
            return "pass"
        if len(sender.times) >= self.limit:
            if sender.warned:
                return "drop"
            sender.warned = True
            return "warn"
        sender.times.append(now)
        sender.warned = False
        return "pass"
