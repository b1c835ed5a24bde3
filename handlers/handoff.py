"""Handing a migrant over to a caseworker, and relaying messages both ways.

The migrant agrees first; only then are their messages copied to the caseworkers' chat,
under a ticket number and without name, username or id. A caseworker answers by replying
to a ticket message; the reply goes back to the migrant. Either side can close the ticket,
and the migrant can rate it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from handlers.replies import Button, Forward, Incoming, Reply
from storage.tickets import Ticket, Tickets

BISHKEK = ZoneInfo("Asia/Bishkek")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(?:(\w{3})\s*-\s*(\w{3})\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_TICKET_MARK = re.compile(r"#(\d+)")


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
        self, tickets: Tickets, settings: HandoffSettings, ui: Callable[[str], dict[str, Any]],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.tickets = tickets
        self.settings = settings
        self._ui = ui  # language → interface strings of the current content
        self.now = now

    @property
    def available(self) -> bool:
        return self.settings.caseworker_chat_id is not None

    def is_caseworker_chat(self, incoming: Incoming) -> bool:
        return self.available and incoming.chat == self.settings.caseworker_chat_id

    # -- the migrant's side ----------------------------------------------------------

    def request(self, user_key: str, lang: str) -> list[Reply]:
        """Ask for consent, or say a ticket is already open, or that nobody is connected."""
        words = self._ui(lang)["handoff"]
        if not self.available:
            return [Reply(words["unavailable"])]
        ticket = self.tickets.open_for(user_key)
        if ticket is not None:
            return [Reply(words["already_open"].format(ticket=ticket.id))]
        text = words["consent"]
        hours = self.settings.hours
        if hours is not None and not hours.open_at(self.now()):
            text += "\n\n" + words["off_hours"].format(hours=hours.text)
        buttons = ((Button(words["agree"], "hc:y"), Button(words["decline"], "hc:n")),)
        return [Reply(text, buttons)]

    def consent(self, user_key: str, chat_id: int, lang: str, agreed: bool, urgent: bool) -> tuple[
        list[Reply], list[Forward]
    ]:
        words = self._ui(lang)["handoff"]
        if not agreed or not self.available:
            return [Reply(words["declined"] if agreed is False else words["unavailable"])], []
        ticket = self.tickets.open_for(user_key) or self.tickets.open(user_key, chat_id, lang, urgent)
        notice = self._caseworker_words()["new"].format(ticket=ticket.id, urgent=self._urgent(ticket), lang=lang)
        return [Reply(words["opened"].format(ticket=ticket.id))], [self._to_caseworkers(notice)]

    def open_ticket(self, user_key: str) -> Ticket | None:
        return self.tickets.open_for(user_key) if self.available else None

    def relay_from_migrant(self, ticket: Ticket, text: str, lang: str, urgent: bool) -> tuple[
        list[Reply], list[Forward]
    ]:
        if urgent and not ticket.urgent:
            self.tickets.mark_urgent(ticket.id)
            ticket = self.tickets.get(ticket.id) or ticket
        self.tickets.count_message(ticket.id, from_caseworker=False)
        message = self._caseworker_words()["message"].format(ticket=ticket.id, urgent=self._urgent(ticket), text=text)
        words = self._ui(lang)["handoff"]
        return [Reply(words["forwarded"].format(ticket=ticket.id))], [self._to_caseworkers(message)]

    def close_by_migrant(self, user_key: str, lang: str) -> tuple[list[Reply], list[Forward]]:
        words = self._ui(lang)["handoff"]
        ticket = self.open_ticket(user_key)
        if ticket is None:
            return [Reply(words["no_ticket"])], []
        self.tickets.close(ticket.id, "migrant")
        notice = self._caseworker_words()["closed_by_migrant"].format(ticket=ticket.id)
        return [self._rating_request(ticket.id, lang)], [self._to_caseworkers(notice)]

    def rate(self, user_key: str, data: str) -> bool:
        ticket_id, _, stars = data.partition(":")
        if not (ticket_id.isdigit() and stars in {"1", "2", "3", "4", "5"}):
            return False
        return self.tickets.rate(int(ticket_id), user_key, int(stars))

    # -- the caseworkers' side -------------------------------------------------------

    def from_caseworkers(self, incoming: Incoming) -> list[Forward]:
        """A caseworker replied to a ticket message, or closed a ticket."""
        words = self._caseworker_words()
        text = incoming.text.strip()
        command, _, argument = text.partition(" ")
        if command.split("@", 1)[0].lower() == "/close":
            ticket_id = self._ticket_number(argument) or self._ticket_number(incoming.reply_to_text or "")
            return self._close_by_caseworker(ticket_id)
        ticket_id = self._ticket_number(incoming.reply_to_text or "")
        if ticket_id is None:
            return [self._to_caseworkers(words["unknown_ticket"])] if incoming.reply_to_text else []
        ticket = self.tickets.get(ticket_id)
        chat = self.tickets.chat_of(ticket_id) if ticket else None
        if ticket is None or ticket.status != "open" or chat is None:
            return [self._to_caseworkers(words["closed_ticket"].format(ticket=ticket_id))]
        self.tickets.count_message(ticket_id, from_caseworker=True)
        reply = Reply(self._ui(ticket.lang)["handoff"]["reply"].format(text=text))
        return [Forward(chat, reply)]

    def _close_by_caseworker(self, ticket_id: int | None) -> list[Forward]:
        words = self._caseworker_words()
        ticket = self.tickets.get(ticket_id) if ticket_id else None
        if ticket is None:
            return [self._to_caseworkers(words["unknown_ticket"])]
        chat = self.tickets.chat_of(ticket.id)
        self.tickets.close(ticket.id, "caseworker")
        forwards = [self._to_caseworkers(words["closed"].format(ticket=ticket.id))]
        if chat is not None:
            forwards.append(Forward(chat, self._rating_request(ticket.id, ticket.lang)))
        return forwards

    # -- helpers ---------------------------------------------------------------------

    def _rating_request(self, ticket_id: int, lang: str) -> Reply:
        stars = tuple(Button(f"{n}⭐", f"hr:{ticket_id}:{n}") for n in range(1, 6))
        return Reply(self._ui(lang)["handoff"]["closed"].format(ticket=ticket_id), (stars,))

    def _caseworker_words(self) -> dict[str, str]:
        return self._ui(self.settings.caseworker_lang)["caseworkers"]

    def _urgent(self, ticket: Ticket) -> str:
        return self._caseworker_words()["urgent"] if ticket.urgent else ""

    def _to_caseworkers(self, text: str) -> Forward:
        assert self.settings.caseworker_chat_id is not None
        return Forward(self.settings.caseworker_chat_id, Reply(text))

    @staticmethod
    def _ticket_number(text: str) -> int | None:
        match = _TICKET_MARK.search(text) or re.match(r"\s*(\d+)\s*$", text)
        return int(match.group(1)) if match else None
