"""The conversation: what helpline answers to each message or button press.

Both Telegram front ends and the console chat call `Conversation.handle`. It settles the
person's profile and session, lets dispatch (handlers/dispatch.py) pick the answer
(handlers/answers.py), and logs the exchange without anything that identifies the person.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from handlers.alerts import AlertDesk
from handlers.countries import CountryFinder
from handlers.dispatch import dispatch
from handlers.flood import FloodGate
from handlers.handoff import Handoff
from handlers.knowledge import Knowledge
from handlers.replies import Button, Incoming, Outcome, Reply
from handlers.session import DEFAULT_LANGUAGE, Sessions, choose_language
from handlers.turn import Services, Turn
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog, QueryRecord


class Conversation:
    def __init__(
        self,
        knowledge: Knowledge,
        querylog: QueryLog,
        profiles: Profiles,
        pseudonymizer: Pseudonymizer,
        today: Callable[[], dt.date] = dt.date.today,
        handoff: Handoff | None = None,
        sessions: Sessions | None = None,
        alerts: AlertDesk | None = None,
    ) -> None:
        self.querylog = querylog
        self.profiles = profiles
        self.pseudonymizer = pseudonymizer
        self.today = today
        self.handoff = handoff
        self.alerts = alerts  # the /alerts dialogue (handlers/alerts.py)
        self.flood = FloodGate()
        self.sessions = sessions or Sessions()
        # One attribute, so a reload swaps the models and the country names together.
        self._current = (knowledge, CountryFinder(knowledge.content))

    @property
    def knowledge(self) -> Knowledge:
        """The content and models answering now; replaced only through `swap_knowledge`."""
        return self._current[0]

    def swap_knowledge(self, knowledge: Knowledge) -> None:
        """Serve new content from the next message on (a message in progress keeps its version)."""
        self._current = (knowledge, CountryFinder(knowledge.content))

    def handle(self, incoming: Incoming) -> Outcome:
        """Everything the bot replies to one incoming message or button press."""
        started = time.perf_counter()
        knowledge, countries = self._current  # one content version for the whole exchange
        profile = self.profiles.get(self.pseudonymizer.user_key(incoming.user_id))
        if incoming.interactive and incoming.button is None and not self._is_caseworker(incoming):
            verdict = self.flood.check(profile.user_key, len(incoming.text))
            if verdict != "pass" and knowledge.danger.detect(incoming.text) is None:  # danger always gets through
                lang = choose_language(knowledge.content, incoming, profile)
                replies = [Reply(str(knowledge.content.ui[lang]["flood"]).strip())] if verdict == "warn" else []
                return Outcome(replies, lang)
        services = Services(
            self.querylog, self.profiles, self.sessions, self.handoff, self.today, countries, self.alerts
        )
        turn = Turn(services, knowledge, profile, self.sessions.get(profile.user_key), incoming)
        outcome = dispatch(turn)
        outcome.danger = turn.danger
        if self.alerts is not None and turn.entry is not None:
            self.alerts.seen(profile.user_key, outcome.lang)
        if turn.entry is not None:
            self.querylog.record_query(
                QueryRecord(
                    user_key=profile.user_key,
                    lang=outcome.lang,
                    entry=turn.entry,
                    text=turn.logged_text,
                    topic=outcome.topic,
                    confidence=round(outcome.confidence, 4) if turn.routed else None,
                    suggestions=outcome.suggestions,
                    fallback=turn.fallback,
                    danger=turn.danger,
                    pointer=turn.pointer,
                    pointer_ref=turn.pointer_ref,
                    country=turn.country,
                    latency_ms=(time.perf_counter() - started) * 1000,
                )
            )
        return outcome

    def language_for(self, incoming: Incoming) -> str:
        """The language to write to this person in: their saved one, else their app's, else Russian."""
        knowledge, _ = self._current
        profile = self.profiles.get(self.pseudonymizer.user_key(incoming.user_id))
        return choose_language(knowledge.content, incoming, profile)

    def _is_caseworker(self, incoming: Incoming) -> bool:
        return self.handoff is not None and self.handoff.is_caseworker_chat(incoming)


__all__ = ["DEFAULT_LANGUAGE", "Button", "Conversation", "Incoming", "Outcome", "Reply"]
