"""What the bot remembers about one person between messages, as a small state machine.

After the bot asks for a country, a date, a choice or consent to a caseworker, the next
message is read as the answer ("Россия", "3 ноября", "2", «да»); after it answers, a short
follow-up ("а в Казахстане?", "а если я приехал 3 ноября?") stays on that topic. This lasts
`FOLLOW_UP_SECONDS`; then the person is back to `IDLE`. Sessions live in memory only, under
the pseudonymous user key, and the oldest are forgotten past `MAX_SESSIONS`.
docs/conversation.md draws the table.

Kept elsewhere on purpose: the language and host country (storage/profiles.py, they outlast
a restart), an open ticket (storage/tickets.py) and the flood gate (handlers/flood.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from content import Content
from handlers.replies import Incoming
from storage.profiles import Profile

FOLLOW_UP_SECONDS = 600.0
MAX_SESSIONS = 10_000
DEFAULT_LANGUAGE = "ru"


class State(Enum):
    IDLE = "idle"  # nothing asked: a message is a new question
    ASKED_COUNTRY = "asked_country"  # a question waits for the host country
    ASKED_DATE = "asked_date"  # a topic with a calculator was answered without a date
    OFFERED_CHOICES = "offered_choices"  # "not sure": topics offered, a number picks one
    ANSWERED = "answered"  # a topic was answered: a country or a date refines it
    OFFERED_HANDOFF = "offered_handoff"  # asked consent to pass messages to a caseworker


class Event(Enum):
    ASK_COUNTRY = "ask_country"
    ASK_DATE = "ask_date"
    OFFER_CHOICES = "offer_choices"
    ANSWER = "answer"
    OFFER_HANDOFF = "offer_handoff"
    RESET = "reset"  # a command, the menu, a hand-off: start afresh
    EXPIRE = "expire"  # FOLLOW_UP_SECONDS without a message


class Cue(Enum):
    """What a message may hold that answers the last question."""

    COUNTRY = "country"
    DATE = "date"
    NUMBER = "number"
    CONSENT = "consent"  # a typed yes or no ("да", «жок», "ok"), as good as the button


_ANSWERING = {
    Event.ASK_COUNTRY: State.ASKED_COUNTRY,
    Event.ASK_DATE: State.ASKED_DATE,
    Event.OFFER_CHOICES: State.OFFERED_CHOICES,
    Event.ANSWER: State.ANSWERED,
    Event.OFFER_HANDOFF: State.OFFERED_HANDOFF,
    Event.RESET: State.IDLE,
}
# (state, event) → next state. Every state can ask, offer, answer or be reset; only a
# state that waits for something expires.
TRANSITIONS: dict[tuple[State, Event], State] = {
    **{(state, event): target for state in State for event, target in _ANSWERING.items()},
    **{(state, Event.EXPIRE): State.IDLE for state in State if state is not State.IDLE},
}
# What each state takes as the answer to its question.
ACCEPTS: dict[State, frozenset[Cue]] = {
    State.IDLE: frozenset(),
    State.ASKED_COUNTRY: frozenset({Cue.COUNTRY, Cue.NUMBER}),
    State.ASKED_DATE: frozenset({Cue.DATE, Cue.COUNTRY}),
    State.OFFERED_CHOICES: frozenset({Cue.NUMBER}),
    State.ANSWERED: frozenset({Cue.DATE, Cue.COUNTRY}),
    State.OFFERED_HANDOFF: frozenset({Cue.CONSENT}),
}


@dataclass
class Session:
    """One person's place in the conversation."""

    user_key: str
    state: State = State.IDLE
    topic: str | None = None  # asked about or just answered
    question: str = ""  # the words of that question: kept for its dates and for the country answer
    choices: tuple[str, ...] = ()  # topics offered, in the order shown
    in_danger: bool = False  # the person signalled danger: a ticket they open is urgent
    changed: float = field(default=0.0, repr=False)

    def fire(
        self, event: Event, now: float, topic: str | None = None, question: str = "", choices: tuple[str, ...] = ()
    ) -> None:
        """Move along the table; the details of the new state replace the old ones."""
        self.state = TRANSITIONS[(self.state, event)]
        self.topic = topic if self.state is not State.IDLE else None
        self.question = question if self.state is not State.IDLE else ""
        self.choices = choices if self.state is State.OFFERED_CHOICES else ()
        self.changed = now

    def accepts(self, cue: Cue) -> bool:
        return cue in ACCEPTS[self.state]

    def awaits_answer(self) -> bool:
        return bool(ACCEPTS[self.state])


class Sessions:
    """Everyone's sessions, in memory only, keyed by the pseudonym."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, lifetime: float = FOLLOW_UP_SECONDS) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def get(self, user_key: str) -> Session:
        """The person's session, expired back to IDLE when they have been away too long."""
        session = self._sessions.pop(user_key, None) or Session(user_key, changed=self.clock())
        self._sessions[user_key] = session
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        now = self.clock()
        if session.state is not State.IDLE and now - session.changed > self.lifetime:
            session.fire(Event.EXPIRE, now)
        return session

    def now(self) -> float:
        return self.clock()


def choose_language(content: Content, incoming: Incoming, profile: Profile) -> str:
    """The language to answer in: forced, else saved, else Telegram's app language, else Russian."""
    languages = content.languages
    code = (incoming.language_code or "").split("-")[0].lower()
    for candidate in (incoming.force_lang, profile.lang, code, DEFAULT_LANGUAGE):
        if candidate in languages:
            return candidate
    return languages[0]
