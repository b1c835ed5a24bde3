"""The conversation: what helpline answers to each message or button press.

Both Telegram front ends and the console chat call `Conversation.handle`; it picks the
language, routes free text to a topic, renders the answer for the user's host country,
builds the buttons, and logs the exchange without anything that identifies the person.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from content.library import CONVERSATION_MENU
from handlers.alerts import AlertDesk
from handlers.flood import FloodGate
from handlers.handoff import Handoff
from handlers.knowledge import Knowledge
from handlers.menus import Menus
from handlers.replies import Button, Forward, Incoming, Outcome, Reply
from handlers.understanding.calculators import CALCULATORS
from handlers.understanding.danger import Danger
from handlers.understanding.dates import scan_dates
from handlers.understanding.skeleton import skeleton
from storage.profiles import Profile, Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import FeedbackRecord, QueryLog, QueryRecord
from storage.tickets import Ticket

MAX_INPUT = 4000  # longer messages are read up to here
DEFAULT_LANGUAGE = "ru"
MAX_WAITING_QUESTIONS = 10_000
# Words that name a language, on the skeleton: "по-русски", "kyrgyzcha", "in English".
_LANGUAGE_WORDS = {
    "ru": ("rus", "orus"),
    "ky": ("kirg", "kyrg", "kirgiz", "kyrgyz"),
    "en": ("angl", "engl", "inglis"),
}


class Conversation:
    def __init__(
        self,
        knowledge: Knowledge,
        querylog: QueryLog,
        profiles: Profiles,
        pseudonymizer: Pseudonymizer,
        today: Callable[[], dt.date] = dt.date.today,
        handoff: Handoff | None = None,
        alerts: AlertDesk | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.querylog = querylog
        self.profiles = profiles
        self.pseudonymizer = pseudonymizer
        self.today = today
        self.handoff = handoff
        self.alerts = alerts  # hook: the /alerts dialogue (handlers/alerts.py)
        self.flood = FloodGate()
        # Users whose last message signalled danger: a ticket they open is urgent. Memory only.
        self._in_danger: OrderedDict[str, None] = OrderedDict()
        # A question asked before the host country was known, answered once it is chosen.
        # Held in memory only, never written anywhere.
        self._waiting: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def handle(self, incoming: Incoming) -> Outcome:
        """Everything the bot replies to one incoming message or button press."""
        started = time.perf_counter()
        knowledge = self.knowledge  # one content version for the whole exchange
        profile = self.profiles.get(self.pseudonymizer.user_key(incoming.user_id))
        if incoming.interactive and incoming.button is None and not self._is_caseworker(incoming):
            verdict = self.flood.check(profile.user_key, len(incoming.text))
            if verdict != "pass" and knowledge.danger.detect(incoming.text) is None:  # danger always gets through
                lang = profile.lang if profile.lang in knowledge.content.languages else DEFAULT_LANGUAGE
                replies = [Reply(str(knowledge.content.ui[lang]["flood"]).strip())] if verdict == "warn" else []
                return Outcome(replies, lang)
        turn = _Turn(self, knowledge, profile, incoming)
        outcome = turn.run()
        if self.alerts is not None and turn.entry is not None:
            self.alerts.seen(profile.user_key, outcome.lang)
        if turn.entry is not None:
            self.querylog.record_query(QueryRecord(
                user_key=profile.user_key, lang=outcome.lang, entry=turn.entry,
                text=turn.logged_text, topic=outcome.topic,
                confidence=round(outcome.confidence, 4) if turn.routed else None,
                suggestions=outcome.suggestions, fallback=turn.fallback, danger=turn.danger,
                country=turn.country, latency_ms=(time.perf_counter() - started) * 1000,
            ))
        return outcome

    def _is_caseworker(self, incoming: Incoming) -> bool:
        return self.handoff is not None and self.handoff.is_caseworker_chat(incoming)

    def mark_danger(self, user_key: str) -> None:
        self._in_danger[user_key] = None
        self._in_danger.move_to_end(user_key)
        while len(self._in_danger) > MAX_WAITING_QUESTIONS:
            self._in_danger.popitem(last=False)

    def in_danger(self, user_key: str) -> bool:
        return user_key in self._in_danger

    def remember_question(self, user_key: str, topic_id: str, text: str) -> None:
        self._waiting[user_key] = (topic_id, text)
        self._waiting.move_to_end(user_key)
        while len(self._waiting) > MAX_WAITING_QUESTIONS:
            self._waiting.popitem(last=False)

    def take_question(self, user_key: str, topic_id: str) -> str:
        """The question waiting for a country, if it was about this topic."""
        waiting_topic, text = self._waiting.pop(user_key, ("", ""))
        return text if waiting_topic == topic_id else ""


class _Turn:
    """One exchange: holds the per-message state so the steps stay small."""

    def __init__(self, conversation: Conversation, knowledge: Knowledge, profile: Profile, incoming: Incoming) -> None:
        self.conversation = conversation
        self.content = knowledge.content
        self.knowledge = knowledge
        self.profile = profile
        self.incoming = incoming
        self.menus = Menus(knowledge.content)
        self.entry: str | None = "text"
        self.logged_text = ""
        self.routed = False
        self.fallback = False
        self.danger: str | None = None
        self.lang = self._settled_language()
        forced = incoming.force_country
        self.country = forced if forced in self.content.countries else profile.country

    # -- dispatch -----------------------------------------------------------------

    def run(self) -> Outcome:
        incoming = self.incoming
        handoff = self.conversation.handoff
        if handoff is not None and handoff.is_caseworker_chat(incoming):
            self.entry = None  # caseworkers' messages are relayed, never logged
            return Outcome([], self.lang, forwards=handoff.from_caseworkers(incoming))
        if incoming.button is not None:
            return self.on_button(incoming.button)
        if not incoming.private and not incoming.addressed:
            self.entry = None
            return Outcome([], self.lang)
        if incoming.kind != "text":
            self.entry = "media"
            self.logged_text = f"[{incoming.kind}]"
            return self.outcome([Reply(self.ui("non_text"))])
        text = incoming.text.strip()
        if text.startswith("/"):
            return self.on_command(text)
        return self.on_text(text)

    def on_command(self, text: str) -> Outcome:
        self.entry = "command"
        command, _, argument = text[1:].partition(" ")
        command = command.split("@", 1)[0].lower()
        argument = argument.strip()
        self.logged_text = f"/{command}"
        if command == "start":
            if argument in self.content.topics:
                self.entry = "deeplink"
                self.logged_text = f"/start {argument}"
                return self.answer_topic(argument, "")
            return self.greeting()
        if command in ("help", "topics", "menu"):
            return self.outcome([self.menus.main(self.lang)])
        if command == "language":
            return self.outcome([self.menus.languages()])
        if command == "country":
            return self.outcome([self.menus.countries(self.lang, self.ui("ask_country"), None)])
        if command == "about":
            return self.outcome([Reply(self.ui("about"), self.menus.footer(self.lang))])
        if command == "human":
            return self.request_handoff()
        if command == "close":
            return self.close_ticket()
        if command == "alerts" and self.conversation.alerts is not None:
            return self.outcome(self.conversation.alerts.on_command(
                self.profile.user_key, self.incoming.chat, self.lang, argument, self.incoming.private))
        return self.outcome([Reply(self.ui("unknown_command"), self.menus.footer(self.lang))])

    def on_button(self, data: str) -> Outcome:
        self.entry = "menu" if data.startswith(("t:", "g:", "m")) else "button"
        self.logged_text = data
        kind, _, rest = data.partition(":")
        if kind == "t" and rest in self.content.topics:
            return self.answer_topic(rest, "")
        if kind == "m":
            return self.outcome([self.menus.main(self.lang)])
        if kind == "g":
            group, _, page = rest.partition(":")
            return self.outcome([self.menus.group(self.lang, group, int(page) if page.isdigit() else 0)])
        if kind == "l" and rest in self.content.languages:
            self.lang = rest
            self.profile.lang = rest
            self.save_profile()
            return self.outcome([self.menus.main(rest, self.ui("language_saved"))])
        if kind == "c":
            return self.on_country(rest)
        if kind == "al" and self.conversation.alerts is not None:
            return self.outcome(self.conversation.alerts.on_button(
                self.profile.user_key, self.incoming.chat, self.lang, rest, self.incoming.private))
        if kind == "f":
            return self.on_feedback(rest)
        if kind == "h":
            return self.request_handoff()
        if kind == "hc" and self.conversation.handoff is not None:
            self.entry = "handoff"
            replies, forwards = self.conversation.handoff.consent(
                self.profile.user_key, self.incoming.chat, self.lang, rest == "y",
                self.conversation.in_danger(self.profile.user_key),
            )
            return self.outcome(replies, topic="human_handoff", forwards=forwards)
        if kind == "hr" and self.conversation.handoff is not None:
            self.entry = None
            self.conversation.handoff.rate(self.profile.user_key, rest)
            return self.outcome([Reply(self.ui("feedback_thanks"))])
        # A button from an older version of the menu: show the current one.
        return self.outcome([self.menus.main(self.lang)])

    def on_country(self, rest: str) -> Outcome:
        code, _, topic_id = rest.partition(":")
        if code not in self.content.countries:
            return self.outcome([self.menus.countries(self.lang, self.ui("ask_country"), None)])
        self.profile.country = self.country = code
        self.profile.country_asked = True
        self.save_profile()
        name = self.content.countries[code].names.get(self.lang, code)
        saved = Reply(self.ui("country_saved").format(country=name))
        if topic_id in self.content.topics:
            question = self.conversation.take_question(self.profile.user_key, topic_id)
            answered = self.answer_topic(topic_id, question)
            answered.replies.insert(0, saved)
            return answered
        return self.outcome([saved, self.menus.main(self.lang)])

    def on_feedback(self, rest: str) -> Outcome:
        vote, _, topic_id = rest.partition(":")
        self.entry = None  # a rating is logged in its own table
        if topic_id in self.content.topics and vote in ("0", "1"):
            self.conversation.querylog.record_feedback(FeedbackRecord(
                self.profile.user_key, topic_id, vote == "1", self.lang,
            ))
        return self.outcome([Reply(self.ui("feedback_thanks"))], topic=topic_id or None)

    def on_text(self, text: str) -> Outcome:
        self.logged_text = text[:MAX_INPUT]
        if not text:
            return self.outcome([Reply(self.ui("empty_message"))])
        notes: list[Reply] = []
        if len(text) > MAX_INPUT:
            text = text[:MAX_INPUT]
            notes.append(Reply(self.ui("too_long")))
        detected = self.knowledge.detector.detect(text)
        if detected and detected != self.lang and not self.incoming.force_lang:
            self.lang = detected
            self.profile.lang = detected
            self.save_profile()
        danger = self.knowledge.danger.detect(text)
        if danger is not None:
            self.conversation.mark_danger(self.profile.user_key)
        ticket = self.conversation.handoff.open_ticket(self.profile.user_key) if self.conversation.handoff else None
        if ticket is not None:
            return self.relay_to_caseworker(ticket, text, danger, notes)
        route = self.knowledge.router.route(text)
        self.routed = True
        if danger is not None:
            outcome = self.answer_danger(danger, route.topic, text)
        elif route.topic is None:
            self.fallback = True
            outcome = self.outcome(
                [Reply(self.ui("fallback"), self.menus.suggestions(self.lang, route.suggestions))],
                confidence=route.confidence, suggestions=route.suggestions,
            )
            outcome.replies.append(Reply(self.ui("fallback_hint"), self.menus.footer(self.lang)))
        elif route.topic == "change_language":
            outcome = self.change_language(text)
        elif route.topic == "human_handoff":
            outcome = self.request_handoff()
        else:
            outcome = self.answer_topic(route.topic, text)
        outcome.confidence = route.confidence
        if not self.incoming.private:
            notes.append(Reply(self.ui("group_chat")))
        outcome.replies.extend(notes)
        return outcome

    # -- answers --------------------------------------------------------------------

    def request_handoff(self) -> Outcome:
        """Offer a caseworker: ask consent first (without a hand-off, explain the topic)."""
        handoff = self.conversation.handoff
        if handoff is None:
            return self.answer_topic("human_handoff", "")
        return self.outcome(handoff.request(self.profile.user_key, self.lang), topic="human_handoff")

    def close_ticket(self) -> Outcome:
        handoff = self.conversation.handoff
        if handoff is None:
            return self.outcome([Reply(self.ui("unknown_command"), self.menus.footer(self.lang))])
        replies, forwards = handoff.close_by_migrant(self.profile.user_key, self.lang)
        return self.outcome(replies, topic="human_handoff", forwards=forwards)

    def relay_to_caseworker(self, ticket: Ticket, text: str, danger: Danger | None, notes: list[Reply]) -> Outcome:
        """With a ticket open, the migrant's messages go to the caseworkers (danger still answered first)."""
        assert self.conversation.handoff is not None
        self.entry = "handoff"
        replies, forwards = self.conversation.handoff.relay_from_migrant(ticket, text, self.lang, danger is not None)
        if danger is not None:
            self.danger = danger.kind
            replies = self.answer_topic(danger.topic, "").replies + replies
        return self.outcome(replies + notes, topic="human_handoff", forwards=forwards)

    def answer_danger(self, danger: Danger, routed: str | None, text: str) -> Outcome:
        """Emergency contacts first, then the answer to what was asked, then a caseworker."""
        self.danger = danger.kind
        outcome = self.answer_topic(danger.topic, "")
        related = self.content.topics.get(routed) if routed else None
        if related is not None and routed != danger.topic and related.menu != CONVERSATION_MENU:
            outcome.replies.extend(self.answer_topic(routed, text).replies)
        outcome.replies.append(Reply(self.ui("danger_offer"), self.menus.footer(self.lang)))
        return outcome

    def greeting(self) -> Outcome:
        text = f"{self.ui('greeting').strip()}\n\n{self.ui('about').strip()}"
        return self.outcome([Reply(text), self.menus.languages(), self.menus.main(self.lang)],
                            topic="greeting")

    def change_language(self, text: str) -> Outcome:
        folded = skeleton(text)
        named = [lang for lang, stems in _LANGUAGE_WORDS.items()
                 if lang in self.content.languages and any(stem in folded for stem in stems)]
        if len(named) == 1:
            self.lang = named[0]
            self.profile.lang = named[0]
            self.save_profile()
            return self.outcome([self.menus.main(self.lang, self.ui("language_saved"))],
                                topic="change_language")
        return self.outcome([self.menus.languages()], topic="change_language")

    def answer_topic(self, topic_id: str, text: str) -> Outcome:
        topic = self.content.topics[topic_id]
        if topic_id == "greeting" and not text:
            return self.greeting()
        if topic_id == "menu":
            return self.outcome([self.menus.main(self.lang)], topic="menu")
        if topic_id == "human_handoff" and self.conversation.handoff is not None:
            return self.request_handoff()
        if (topic.needs_country and self.country is None and not self.profile.country_asked
                and self.incoming.interactive):
            self.profile.country_asked = True
            self.save_profile()
            self.conversation.remember_question(self.profile.user_key, topic_id, text)
            return self.outcome(
                [self.menus.countries(self.lang, self.ui("ask_country"), topic_id)], topic=topic_id,
            )
        calc, notes = self.calculate(topic.calculator, text)
        rendered = self.content.render(topic_id, self.lang, self.country, calc)
        footer: list[str] = []
        if rendered.sources:
            paragraphs = ", ".join(f"§{n}" for n in rendered.sources)
            footer.append(self.ui("source_line").format(paragraphs=paragraphs))
        if topic.menu != CONVERSATION_MENU:
            footer.append(self.ui("as_of_line").format(as_of=rendered.as_of))
        if topic.needs_country and self.country is None:
            footer.append(self.ui("country_unknown_note"))
        body = rendered.body + ("\n\n" + "\n".join(footer) if footer else "")
        replies = [Reply(note) for note in notes]
        buttons = self.menus.answer_buttons(self.lang, topic)
        if topic.needs_country and self.conversation.alerts is not None and self.incoming.private:
            buttons = self.conversation.alerts.with_offer(buttons, self.profile.user_key, self.lang)
        replies.append(Reply(body, buttons, title=rendered.title))
        return self.outcome(replies, topic=topic_id, sources=rendered.sources)

    def calculate(self, calculator: str | None, text: str) -> tuple[dict[str, Any] | None, list[str]]:
        if not calculator or not text:
            return None, []
        scan = scan_dates(text)
        calc = CALCULATORS[calculator](scan, self.conversation.today())
        if calc is None and scan.unreadable:
            return None, [self.ui("date_hint")]
        return calc, []

    # -- helpers --------------------------------------------------------------------

    def outcome(self, replies: list[Reply], topic: str | None = None, confidence: float = 0.0,
                sources: tuple[int, ...] = (), suggestions: tuple[str, ...] = (),
                forwards: list[Forward] | None = None) -> Outcome:
        return Outcome(replies, self.lang, topic, confidence, sources, suggestions, forwards or [])

    def ui(self, key: str) -> str:
        return str(self.content.ui[self.lang][key]).strip()

    def save_profile(self) -> None:
        self.conversation.profiles.save(self.profile)

    def _settled_language(self) -> str:
        """The forced or saved choice, else Telegram's language_code, else Russian."""
        languages = self.content.languages
        if self.incoming.force_lang in languages:
            return self.incoming.force_lang
        if self.profile.lang in languages:
            return self.profile.lang
        code = (self.incoming.language_code or "").split("-")[0].lower()
        if code in languages:
            return code
        return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in languages else languages[0]


__all__ = ["Button", "Conversation", "Incoming", "Outcome", "Reply"]
