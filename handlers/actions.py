"""Button actions: what pressing a button asks for, as small typed values.

Each action has one short prefix and packs to `prefix:field:field` (at most 64 bytes, the
smallest limit of the channels we serve). `unpack` is the only place button data is parsed:
it returns an action only when every field is well-formed (ids of ASCII letters, digits and
underscores; numbers of at most four ASCII digits), so data from an older version, a
tampered client or a stranger's paste becomes None and gets a polite reply, never an
exception. Tests build actions directly and never need the wire form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields
from typing import ClassVar

from handlers.replies import MAX_CALLBACK_BYTES, Button

_ID = re.compile(r"[A-Za-z0-9_]{1,40}")
_NUMBER = re.compile(r"[0-9]{1,4}")
_FLAG = {"1": True, "0": False}


@dataclass(frozen=True)
class Action:
    """Base of every action; subclasses set `prefix` and declare their fields in order.

    A field typed `str` or `int` is required unless it has a default; a trailing field left
    at its default ("" or None) is not written, so "c:RU" and "c:RU:registration" are both
    ChooseCountry.
    """

    prefix: ClassVar[str] = ""

    def pack(self) -> str:
        parts = [self.prefix]
        values = [getattr(self, f.name) for f in fields(self)]
        while values and values[-1] in ("", None):
            values.pop()
        for value in values:
            parts.append(("1" if value else "0") if isinstance(value, bool) else str(value))
        data = ":".join(parts)
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"action over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data


@dataclass(frozen=True)
class ShowMenu(Action):
    prefix: ClassVar[str] = "m"


@dataclass(frozen=True)
class ShowGroup(Action):
    prefix: ClassVar[str] = "g"
    group: str
    page: int | None = None


@dataclass(frozen=True)
class OpenTopic(Action):
    prefix: ClassVar[str] = "t"
    topic: str


@dataclass(frozen=True)
class FollowPointer(Action):
    """The 🆘 button of the line under an answer that read close to danger: opens the
    emergency topic like `OpenTopic`, and `ref` (the random tag logged with that message)
    lets the weekly report count whose line was pressed."""

    prefix: ClassVar[str] = "p"
    topic: str
    ref: str


@dataclass(frozen=True)
class ChooseLanguage(Action):
    prefix: ClassVar[str] = "l"
    lang: str


@dataclass(frozen=True)
class ChooseCountry(Action):
    """A host country, and the topic whose answer waits for it (if any)."""

    prefix: ClassVar[str] = "c"
    country: str
    topic: str = ""


@dataclass(frozen=True)
class RateAnswer(Action):
    prefix: ClassVar[str] = "f"
    helpful: bool
    topic: str


@dataclass(frozen=True)
class AskHuman(Action):
    prefix: ClassVar[str] = "h"


@dataclass(frozen=True)
class Consent(Action):
    """Yes or no to a hand-off; `owner` ties the button to the person it was offered to."""

    prefix: ClassVar[str] = "hc"
    agreed: bool
    owner: str


@dataclass(frozen=True)
class RateTicket(Action):
    prefix: ClassVar[str] = "hr"
    ticket: int
    stars: int


@dataclass(frozen=True)
class CloseTicket(Action):
    """The close button in a ticket's topic on a forum desk."""

    prefix: ClassVar[str] = "hx"
    ticket: int


@dataclass(frozen=True)
class AlertStep(Action):
    """A step of the /alerts dialogue: "ask", "y" (agreed), "n" (declined), "a" with a country, "off"."""

    prefix: ClassVar[str] = "al"
    step: str
    country: str = ""


@dataclass(frozen=True)
class AnswerAgain(Action):
    """After a restart cut an answer short: send the answer to update `update` once more.

    The channel takes the press while it still keeps that update (bot/telegram/uncertain.py);
    a press the channel no longer serves reaches the core, which asks the person to write again.
    """

    prefix: ClassVar[str] = "ag"
    update: str  # the update id in digits, or "o" and the row of a reply kept in the outbox


ACTIONS: dict[str, type[Action]] = {
    cls.prefix: cls
    for cls in (
        ShowMenu,
        ShowGroup,
        OpenTopic,
        FollowPointer,
        ChooseLanguage,
        ChooseCountry,
        RateAnswer,
        AskHuman,
        Consent,
        RateTicket,
        CloseTicket,
        AlertStep,
        AnswerAgain,
    )
}
NAVIGATION = (ShowMenu, ShowGroup)  # moving through the menu, not asking for an answer


def unpack(data: str | None) -> Action | None:
    """The action `data` stands for, or None when it is not exactly one of ours."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
        return None
    prefix, *parts = data.split(":")
    cls = ACTIONS.get(prefix)
    if cls is None:
        return None
    declared = fields(cls)
    required = sum(1 for f in declared if f.default is MISSING)
    if not required <= len(parts) <= len(declared):
        return None
    values = {}
    for field, part in zip(declared, parts, strict=False):
        value = _read(field.type, part)
        if value is None:
            return None
        values[field.name] = value
    return cls(**values)


def _read(kind: object, part: str) -> object | None:
    """One field from its text; None when it is not of its declared kind."""
    kind = str(kind)
    if kind == "bool":
        return _FLAG.get(part)
    if kind.startswith("int"):
        return int(part) if _NUMBER.fullmatch(part) else None
    return part if _ID.fullmatch(part) else None


def button(label: str, action: Action) -> Button:
    """A button that performs `action` when pressed."""
    return Button(label, action.pack())


def actions_of(rows: Iterable[Iterable[Button]]) -> list[Action]:
    """The actions behind rows of buttons, in the order shown; malformed ones left out."""
    found = []
    for row in rows:
        for item in row:
            action = unpack(item.data)
            if action is not None:
                found.append(action)
    return found


def owner_tag(user_key: str) -> str:
    """A short tag of a pseudonym: enough to tell whose button it is, useless for anything else."""
    return hashlib.sha256(user_key.encode()).hexdigest()[:10]
