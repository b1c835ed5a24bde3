"""Handing a migrant over to a caseworker, and relaying messages both ways.

The migrant agrees first, in a private chat with the bot (never in a group, where others
would read the caseworker's answers), by a button only they can press; only then are their
messages copied to the caseworkers' chat, under a ticket number and without name, username
or id. Every piece of a relayed message starts with its ticket mark (`#12: …`, the channel
repeats it on each piece of a split message), so a caseworker's Reply to any piece goes to
that ticket, never to a `#N` the migrant happened to write. Either side can close the
ticket, and the migrant can rate it.

Interface words come with each call (`ui`: the content version of the current exchange).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from handlers.actions import Consent, RateTicket, button, owner_tag
from handlers.replies import Forward, Incoming, Reply
from storage.tickets import Ticket, Tickets

BISHKEK = ZoneInfo("Asia/Bishkek")
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
        self, tickets: Tickets, settings: HandoffSettings,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.tickets = tickets
        self.settings = settings
        self.now = now

    @property
    def available(self) -> bool:
        return self.settings.caseworker_chat_id is not None

    def is_caseworker_chat(self, incoming: Incoming) -> bool:
        return self.available and incoming.chat == self.settings.caseworker_chat_id

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
            text += "\n\n" + words["off_hours"].format(hours=hours.text)
        owner = owner_tag(user_key)
        buttons = ((button(words["agree"], Consent(True, owner)), button(words["decline"], Consent(False, owner))),)
        return [Reply(text, buttons)]

    def consent(self, user_key: str, chat_id: int, lang: str, agreed: bool, urgent: bool, ui: UI) -> tuple[
        list[Reply], list[Forward]
    ]:
        """The migrant's answer to the consent question; `chat_id` must be their private chat."""
        words = ui[lang]["handoff"]
        if not agreed or not self.available:
            return [Reply(words["declined"] if not agreed else words["unavailable"])], []
        ticket = self.tickets.open_for(user_key) or self.tickets.open(user_key, chat_id, lang, urgent)
        notice = self._caseworker_words(ui)["new"].format(ticket=ticket.id, urgent=self._urgent(ticket, ui), lang=lang)
        return [Reply(words["opened"].format(ticket=ticket.id))], [self._to_caseworkers(notice)]

    def open_ticket(self, user_key: str) -> Ticket | None:
        return self.tickets.open_for(user_key) if self.available else None

    def relay_from_migrant(self, ticket: Ticket, text: str, lang: str, urgent: bool, ui: UI) -> tuple[
        list[Reply], list[Forward]
    ]:
        if urgent and not ticket.urgent:
            self.tickets.mark_urgent(ticket.id)
            ticket = self.tickets.get(ticket.id) or ticket
        self.tickets.count_message(ticket.id, from_caseworker=False)
        message = self._caseworker_words(ui)["message"].format(ticket=ticket.id, urgent=self._urgent(ticket, ui),
                                                               text=text)
        words = ui[lang]["handoff"]
        return [Reply(words["forwarded"].format(ticket=ticket.id))], [self._to_caseworkers(message)]

    def close_by_migrant(self, user_key: str, lang: str, ui: UI) -> tuple[list[Reply], list[Forward]]:
        words = ui[lang]["handoff"]
        ticket = self.open_ticket(user_key)
        if ticket is None:
            return [Reply(words["no_ticket"])], []
        self.tickets.close(ticket.id, "migrant")
        notice = self._caseworker_words(ui)["closed_by_migrant"].format(ticket=ticket.id)
        return [self._rating_request(ticket.id, lang, ui)], [self._to_caseworkers(notice)]

    def rate(self, user_key: str, ticket_id: int, stars: int) -> bool:
        """Record 1–5 stars for a ticket, only the migrant's own."""
        if not 1 <= stars <= 5:
            return False
        return self.tickets.rate(ticket_id, user_key, stars)

    # -- the caseworkers' side -------------------------------------------------------

    def from_caseworkers(self, incoming: Incoming, ui: UI) -> list[Forward]:
        """A caseworker replied to a ticket message, or closed a ticket."""
        words = self._caseworker_words(ui)
        text = incoming.text.strip()
        command, _, argument = text.partition(" ")
        if command.split("@", 1)[0].lower() == "/close":
            number = re.fullmatch(r"\s*#?(\d{1,9})\s*", argument)
            ticket_id = int(number.group(1)) if number else ticket_of(incoming.reply_to_text or "")
            return self._close_by_caseworker(ticket_id, ui)
        ticket_id = ticket_of(incoming.reply_to_text or "")
        if ticket_id is None:
            return [self._to_caseworkers(words["unknown_ticket"])] if incoming.reply_to_text else []
        ticket = self.tickets.get(ticket_id)
        chat = self.tickets.chat_of(ticket_id) if ticket else None
        if ticket is None or ticket.status != "open" or chat is None:
            return [self._to_caseworkers(words["closed_ticket"].format(ticket=ticket_id))]
        self.tickets.count_message(ticket_id, from_caseworker=True)
        reply = Reply(ui[ticket.lang]["handoff"]["reply"].format(text=text))
        return [Forward(chat, reply)]

    def _close_by_caseworker(self, ticket_id: int | None, ui: UI) -> list[Forward]:
        words = self._caseworker_words(ui)
        ticket = self.tickets.get(ticket_id) if ticket_id else None
        if ticket is None:
            return [self._to_caseworkers(words["unknown_ticket"])]
        chat = self.tickets.chat_of(ticket.id)
        self.tickets.close(ticket.id, "caseworker")
        forwards = [self._to_caseworkers(words["closed"].format(ticket=ticket.id))]
        if chat is not None:
            forwards.append(Forward(chat, self._rating_request(ticket.id, ticket.lang, ui)))
        return forwards

    # -- helpers ---------------------------------------------------------------------

    @staticmethod
    def _rating_request(ticket_id: int, lang: str, ui: UI) -> Reply:
        stars = tuple(button(f"{n}⭐", RateTicket(ticket_id, n)) for n in range(1, 6))
        return Reply(ui[lang]["handoff"]["closed"].format(ticket=ticket_id), (stars,))

    def _caseworker_words(self, ui: UI) -> Mapping[str, str]:
        return ui[self.settings.caseworker_lang]["caseworkers"]

    def _urgent(self, ticket: Ticket, ui: UI) -> str:
        return self._caseworker_words(ui)["urgent"] if ticket.urgent else ""

    def _to_caseworkers(self, text: str) -> Forward:
        assert self.settings.caseworker_chat_id is not None
        return Forward(self.settings.caseworker_chat_id, Reply(text))


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
