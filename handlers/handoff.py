"""Handing a migrant over to a caseworker, and relaying messages both ways.

The migrant agrees first, in a private chat with the bot (never in a group, where others
would read the caseworker's answers), by a button only they can press; only then are their
messages copied to the caseworkers' chat, under a ticket number and without name, username
or id. Every piece of a relayed message starts with its ticket mark (`#12: …`, the channel
repeats it on each piece of a split message), so a caseworker's Reply to any piece goes to
that ticket, never to a `#N` the migrant happened to write. Either side can close the
ticket, and the migrant can rate it.

When the caseworkers' chat is a forum (the channel says so at start-up: `use_forum`),
each ticket gets its own thread, named by number, urgency and language only: the migrant's
messages go there, a caseworker's message there goes back to that migrant without a Reply,
and closing the ticket closes the thread. A ticket without a thread (opened before, or
the channel could not make one) keeps the reply relay.

Interface words come with each call (`ui`: the content version of the current exchange).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from content.clock import BISHKEK
from handlers.actions import CloseTicket, Consent, RateTicket, button, owner_tag, unpack
from handlers.replies import Forward, Incoming, NewThread, Reply
from storage.tickets import Ticket, Tickets

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(?:(\w{3})\s*-\s*(\w{3})\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_RELAY_MARK = re.compile(r"\s*#(\d+)\b")  # at the very start: every relayed piece begins so
_NOTICE_MARK = re.compile(r"[^#\n]{0,40}?#(\d+)\b")  # the bot's own notices: "🆕 Ticket #12, …"
UI = Mapping[str, Mapping[str, Any]]  # language → interface words


@dataclass(frozen=True)
class WorkingHours:
    """When caseworkers answer, in Bishkek time, e.g. "Mon-Fri 09:00-18:00"."""

    text: str
    first_day: int
    last_day: int
    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        match = _HOURS.match(text)
        if not match:
            raise ValueError(f"expected hours like 'Mon-Fri 09:00-18:00', got {text!r}")
        first, last = (match.group(1) or "mon").lower(), (match.group(2) or "sun").lower()
        if first not in _DAYS or last not in _DAYS:
            raise ValueError(f"unknown weekday in {text!r}")
        start = dt.time(int(match.group(3)), int(match.group(4)))
        end = dt.time(int(match.group(5)), int(match.group(6)))
        return cls(text.strip(), _DAYS.index(first), _DAYS.index(last), start, end)

    def shown(self, weekdays: Any) -> str:
        """The hours in the reader's language ("пн–пт 09:00–18:00"), from the interface's seven
        day names; as configured when the interface has none."""
        if not (isinstance(weekdays, list) and len(weekdays) == len(_DAYS)):
            return self.text
        times = f"{self.start:%H:%M}–{self.end:%H:%M}"
        if (self.first_day, self.last_day) == (0, len(_DAYS) - 1):
            return times
        days = str(weekdays[self.first_day])
        if self.last_day != self.first_day:
            days += f"–{weekdays[self.last_day]}"
        return f"{days} {times}"

    def open_at(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(BISHKEK)
        return self.first_day <= local.weekday() <= self.last_day and self.start <= local.time() < self.end


@dataclass(frozen=True)
class HandoffSettings:
    caseworker_chat_id: int | None
    hours: WorkingHours | None = None  # None: someone is always there
    caseworker_lang: str = "ru"


class Handoff:
    def __init__(
        self,
        tickets: Tickets,
        settings: HandoffSettings,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.tickets = tickets
        self.settings = settings
        self.now = now
        self.forum = False  # the caseworkers' chat has threads: one per ticket

    def use_forum(self, enabled: bool) -> None:
        """What the channel found at start-up: is the caseworkers' chat a forum?"""
        self.forum = enabled

    @property
    def available(self) -> bool:
        return self.settings.caseworker_chat_id is not None

    def is_caseworker_chat(self, incoming: Incoming) -> bool:
        return self.available and incoming.chat == self.settings.caseworker_chat_id

    def ticket_in(self, incoming: Incoming) -> Ticket | None:
        """The ticket whose thread a caseworker's message was written in, if any."""
        if incoming.thread is None or not self.is_caseworker_chat(incoming):
            return None
        return self.tickets.by_thread(incoming.thread)

    # -- the migrant's side ----------------------------------------------------------

    def request(self, user_key: str, lang: str, ui: UI) -> list[Reply]:
        """Ask for consent, or say a ticket is already open, or that nobody is connected."""
        words = ui[lang]["handoff"]
        if not self.available:
            return [Reply(words["unavailable"])]
        ticket = self.tickets.open_for(user_key)
        if ticket is not None:
            return [Reply(words["already_open"].format(ticket=ticket.id))]
        text = words["consent"]
        hours = self.settings.hours
        if hours is not None and not hours.open_at(self.now()):
            text += "\n\n" + words["off_hours"].format(hours=hours.shown(words.get("weekdays")))
        owner = owner_tag(user_key)
        buttons = ((button(words["agree"], Consent(True, owner)), button(words["decline"], Consent(False, owner))),)
        return [Reply(text, buttons)]

    def consent(
        self, user_key: str, chat_id: int, lang: str, agreed: bool, urgent: bool, ui: UI
    ) -> tuple[list[Reply], list[Forward]]:
        """The migrant's answer to the consent question; `chat_id` must be their private chat."""
        words = ui[lang]["handoff"]
        if not agreed or not self.available:
            return [Reply(words["declined"] if not agreed else words["unavailable"])], []
        existing = self.tickets.open_for(user_key)
        ticket = existing or self.tickets.open(user_key, chat_id, lang, urgent)
        opened = [Reply(words["opened"].format(ticket=ticket.id))]
        cw = self.caseworker_words(ui)
        if not self.forum:
            notice = cw["new"].format(ticket=ticket.id, urgent=self._urgent(ticket, ui), lang=lang)
            return opened, [self.to_caseworkers(notice)]
        notice = Reply(
            cw["new_topic"].format(ticket=ticket.id, urgent=self._urgent(ticket, ui), lang=lang),
            ((button(cw["close_button"], CloseTicket(ticket.id)),),),
        )
        assert self.settings.caseworker_chat_id is not None
        if existing is not None:
            return opened, [Forward(self.settings.caseworker_chat_id, notice, thread=ticket.thread)]
        thread = NewThread(self._title(ticket, ui), functools.partial(self.tickets.set_thread, ticket.id))
        return opened, [Forward(self.settings.caseworker_chat_id, notice, new_thread=thread)]

    def open_ticket(self, user_key: str) -> Ticket | None:
        return self.tickets.open_for(user_key) if self.available else None

    def relay_from_migrant(
        self, ticket: Ticket, text: str, lang: str, urgent: bool, ui: UI
    ) -> tuple[list[Reply], list[Forward]]:
        if urgent and not ticket.urgent:
            self.tickets.mark_urgent(ticket.id)
            ticket = self.tickets.get(ticket.id) or ticket
        self.tickets.count_message(ticket.id, from_caseworker=False)
        message = self.caseworker_words(ui)["message"].format(
            ticket=ticket.id, urgent=self._urgent(ticket, ui), text=text
        )
        words = ui[lang]["handoff"]
        return [Reply(words["forwarded"].format(ticket=ticket.id))], [self.to_caseworkers(message, ticket.thread)]

    def close_by_migrant(self, user_key: str, lang: str, ui: UI) -> tuple[list[Reply], list[Forward]]:
        words = ui[lang]["handoff"]
        ticket = self.open_ticket(user_key)
        if ticket is None:
            return [Reply(words["no_ticket"])], []
        self.tickets.close(ticket.id, "migrant")
        notice = self.caseworker_words(ui)["closed_by_migrant"].format(ticket=ticket.id)
        return [self._rating_request(ticket.id, lang, ui)], [self.to_caseworkers(notice, ticket.thread, close=True)]

    def rate(self, user_key: str, ticket_id: int, stars: int) -> bool:
        """Record 1–5 stars for a ticket, only the migrant's own."""
        if not 1 <= stars <= 5:
            return False
        return self.tickets.rate(ticket_id, user_key, stars)

    # -- the caseworkers' side -------------------------------------------------------

    def from_caseworkers(self, incoming: Incoming, ui: UI) -> list[Forward]:
        """A caseworker wrote in a ticket's thread or replied to a ticket message, or closed a ticket."""
        words = self.caseworker_words(ui)
        here = incoming.thread
        if incoming.button is not None:
            action = unpack(incoming.button)
            return self._close_by_caseworker(action.ticket, ui, here) if isinstance(action, CloseTicket) else []
        text = incoming.text.strip()
        command, _, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()
        in_topic = self.ticket_in(incoming)
        if command == "/close":
            number = re.fullmatch(r"\s*#?(\d{1,9})\s*", argument)
            if number:
                ticket_id: int | None = int(number.group(1))
            else:
                ticket_id = in_topic.id if in_topic else ticket_of(incoming.reply_to_text or "")
            return self._close_by_caseworker(ticket_id, ui, here)
        if in_topic is not None:
            if command.startswith("/"):
                return [self.to_caseworkers(words["topic_commands"], here)]
            return self._to_migrant(in_topic, text, ui, here)
        ticket_id = ticket_of(incoming.reply_to_text or "")
        if ticket_id is None:
            return [self.to_caseworkers(words["unknown_ticket"], here)] if incoming.reply_to_text else []
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            return [self.to_caseworkers(words["closed_ticket"].format(ticket=ticket_id), here)]
        return self._to_migrant(ticket, text, ui, here)

    def _to_migrant(self, ticket: Ticket, text: str, ui: UI, here: int | None) -> list[Forward]:
        words = self.caseworker_words(ui)
        chat = self.tickets.chat_of(ticket.id) if ticket.status == "open" else None
        if chat is None:
            return [self.to_caseworkers(words["closed_ticket"].format(ticket=ticket.id), here)]
        if not text:
            return [self.to_caseworkers(words["text_only"], here)]
        self.tickets.count_message(ticket.id, from_caseworker=True)
        return [Forward(chat, Reply(ui[ticket.lang]["handoff"]["reply"].format(text=text)))]

    def send_to_migrant(self, ticket: Ticket, replies: list[Reply]) -> list[Forward]:
        """Canned answers a caseworker chose for this ticket's migrant (counted as a reply)."""
        chat = self.tickets.chat_of(ticket.id) if ticket.status == "open" else None
        if chat is None:
            return []
        self.tickets.count_message(ticket.id, from_caseworker=True)
        return [Forward(chat, reply) for reply in replies]

    def _close_by_caseworker(self, ticket_id: int | None, ui: UI, here: int | None = None) -> list[Forward]:
        words = self.caseworker_words(ui)
        ticket = self.tickets.get(ticket_id) if ticket_id else None
        if ticket is None:
            return [self.to_caseworkers(words["unknown_ticket"], here)]
        if ticket.status != "open" and ticket.thread is not None:
            return [self.to_caseworkers(words["closed_ticket"].format(ticket=ticket.id), here)]
        chat = self.tickets.chat_of(ticket.id)
        self.tickets.close(ticket.id, "caseworker")
        closed = words["closed"].format(ticket=ticket.id)
        forwards = [self.to_caseworkers(closed, ticket.thread, close=ticket.thread is not None)]
        if ticket.thread is not None and here != ticket.thread:
            forwards.insert(0, self.to_caseworkers(closed, here))  # /close N written elsewhere
        if chat is not None:
            forwards.append(Forward(chat, self._rating_request(ticket.id, ticket.lang, ui)))
        return forwards

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _rating_request(ticket_id: int, lang: str, ui: UI) -> Reply:
        stars = tuple(button(f"{n}⭐", RateTicket(ticket_id, n)) for n in range(1, 6))
        return Reply(ui[lang]["handoff"]["closed"].format(ticket=ticket_id), (stars,))

    def caseworker_words(self, ui: UI) -> Mapping[str, str]:
        return ui[self.settings.caseworker_lang]["caseworkers"]

    def _urgent(self, ticket: Ticket, ui: UI) -> str:
        return self.caseworker_words(ui)["urgent"] if ticket.urgent else ""

    def _title(self, ticket: Ticket, ui: UI) -> str:
        """A thread's name: number, urgency, language, never anything about the person."""
        parts = [f"#{ticket.id}", self.caseworker_words(ui)["topic_urgent"] if ticket.urgent else "", ticket.lang]
        return " · ".join(part for part in parts if part)

    def to_caseworkers(self, text: str, thread: int | None = None, close: bool = False) -> Forward:
        assert self.settings.caseworker_chat_id is not None
        return Forward(
            self.settings.caseworker_chat_id, Reply(text), thread=thread, close_thread=close and thread is not None
        )


def relay_mark(text: str) -> str | None:
    """The ticket mark a relayed message starts with ("#12"), for a channel that splits it."""
    match = _RELAY_MARK.match(text)
    return f"#{match.group(1)}" if match else None


def ticket_of(replied_to: str) -> int | None:
    """The ticket a caseworker's Reply is about: the mark that starts a relayed piece, or the
    one in the first words of the bot's own notice. A `#N` later in the text is the migrant's
    own words and never counts."""
    match = _RELAY_MARK.match(replied_to) or _NOTICE_MARK.match(replied_to)
    return int(match.group(1)) if match and len(match.group(1)) <= 9 else None
