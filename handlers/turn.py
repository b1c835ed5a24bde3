"""One exchange: what dispatch and the answers share while one message is handled.

A `Turn` is made per message or button press and thrown away after it. It holds the
content version, the person's profile and session, the language and country settled for
this exchange, and what will be logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from content import Content
from handlers.alerts import AlertDesk
from handlers.countries import CountryFinder
from handlers.handoff import Handoff
from handlers.knowledge import Knowledge
from handlers.menus import Menus
from handlers.replies import Forward, Incoming, Outcome, Reply
from handlers.session import Event, Session, Sessions, choose_language
from storage.profiles import Profile, Profiles
from storage.querylog import QueryLog


@dataclass(frozen=True)
class Services:
    """The long-lived parts a turn talks to, handed over by the conversation."""

    querylog: QueryLog
    profiles: Profiles
    sessions: Sessions
    handoff: Handoff | None
    today: Callable[[], dt.date]
    countries: CountryFinder
    alerts: AlertDesk | None = None


class Turn:
    def __init__(
        self, services: Services, knowledge: Knowledge, profile: Profile, session: Session, incoming: Incoming
    ) -> None:
        self.services = services
        self.knowledge = knowledge
        self.content: Content = knowledge.content
        self.profile = profile
        self.session = session
        self.incoming = incoming
        self.menus = Menus(knowledge.content)
        self.roles = {topic.role: topic.id for topic in self.content.topics.values() if topic.role}
        # What is logged about this exchange; entry None means nothing is.
        self.entry: str | None = "text"
        self.logged_text = ""
        self.routed = False
        self.fallback = False
        self.danger: str | None = None
        self.pointer: str | None = None  # the kind the line to the emergency contacts pointed to
        self.pointer_ref: str | None = None  # the tag of that line's button, shown or pressed
        self.lang = choose_language(self.content, incoming, profile)
        forced = incoming.force_country
        self.country = forced if forced in self.content.countries else profile.country

    @property
    def handoff(self) -> Handoff | None:
        return self.services.handoff

    def role(self, topic_id: str | None) -> str | None:
        topic = self.content.topics.get(topic_id) if topic_id else None
        return topic.role if topic else None

    def switch_language(self, lang: str) -> None:
        """Answer in `lang` from now on, and remember it."""
        self.lang = lang
        self.profile.lang = lang
        self.save_profile()

    def set_country(self, code: str) -> None:
        """Answer for `code` from now on, and remember it."""
        self.profile.country = self.country = code
        self.profile.country_asked = True
        self.save_profile()

    def fire(self, event: Event, topic: str | None = None, question: str = "", choices: tuple[str, ...] = ()) -> None:
        self.session.fire(event, self.services.sessions.now(), topic, question, choices)

    def outcome(
        self,
        replies: list[Reply],
        topic: str | None = None,
        confidence: float = 0.0,
        sources: tuple[int, ...] = (),
        suggestions: tuple[str, ...] = (),
        forwards: list[Forward] | None = None,
    ) -> Outcome:
        return Outcome(replies, self.lang, topic, confidence, sources, suggestions, forwards or [])

    def ui(self, key: str) -> str:
        return str(self.content.ui[self.lang][key]).strip()

    def save_profile(self) -> None:
        self.services.profiles.save(self.profile)
