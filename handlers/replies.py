"""What goes in and out of the core: an incoming message, and replies with buttons.

Front ends translate their framework's update into `Incoming` and each `Reply` into a
message; the core never sees a framework object, and they never decide what to say.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Incoming:
    """One thing a user did: wrote text, pressed a button, or sent something else."""

    user_id: int
    text: str = ""
    button: str | None = None  # callback data of a pressed inline button
    language_code: str | None = None  # Telegram's guess from the user's app settings
    kind: str = "text"  # text, voice, photo, sticker, document, location, contact, other
    private: bool = True
    addressed: bool = True  # in a group: the bot was mentioned or replied to
    force_lang: str | None = None  # `helpline ask --lang`: answer in this language
    force_country: str | None = None  # `helpline ask --country`: for this host country
    interactive: bool = True  # False for one-shot answers: never stop to ask the country
    chat_id: int | None = None  # the chat it came from, when not the user's private chat
    reply_to_text: str | None = None  # the text of the message this one replies to
    thread: int | None = None  # the forum thread (a ticket's topic) it was written in

    @property
    def chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """A message to send: plain text (the front end escapes it) and rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    title: str | None = None

    @property
    def plain(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    @property
    def html(self) -> str:
        """Telegram HTML: everything escaped, the title in bold."""
        body = html.escape(self.text, quote=False)
        if self.title:
            return f"<b>{html.escape(self.title, quote=False)}</b>\n\n{body}"
        return body


@dataclass(frozen=True)
class NewThread:
    """Open a thread (a forum topic) for a message; `remember` keeps the channel's id for it."""

    title: str
    remember: Callable[[int], None]


@dataclass(frozen=True)
class Forward:
    """A message for another chat: the caseworkers' chat, or a migrant's chat for a reply.

    In a chat with threads (a forum desk) it may go into `thread`, open a new thread
    first (`new_thread`; where the channel cannot, it goes to the chat as a whole), or
    close its thread once sent (`close_thread`)."""

    chat_id: int
    reply: Reply
    thread: int | None = None
    new_thread: NewThread | None = None
    close_thread: bool = False


@dataclass(frozen=True)
class Document:
    """A file to send, such as the weekly report for an admin."""

    filename: str
    data: bytes
    caption: str = ""


@dataclass
class Outcome:
    """The replies to one incoming message, with what the core understood of it."""

    replies: list[Reply]
    lang: str
    topic: str | None = None
    confidence: float = 0.0
    sources: tuple[int, ...] = ()
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    forwards: list[Forward] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    danger: str | None = None  # the kind of danger answered first: such an answer is never held back
