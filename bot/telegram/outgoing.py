"""Turning a core `Reply` into what Telegram accepts: messages of at most 4096 characters
and an inline keyboard within Telegram's shape limits.

Telegram rejects longer messages instead of cutting them, so a long answer is split at
paragraph boundaries (then lines, then words), never inside an HTML tag or entity; a tag
left open at a cut is closed there and reopened in the next piece so each piece parses.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from handlers.replies import Button, Reply

MESSAGE_LIMIT = 4096  # Telegram counts UTF-16 code units; we count the HTML, which is longer
MAX_ROW = 8  # buttons Telegram shows in one row
MAX_BUTTONS = 100  # buttons in one keyboard
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")
_CLOSING_RESERVE = 64  # room kept for closing tags added at a cut
_SEPARATORS = ("\n\n", "\n", " ")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of `html`, each at most `limit` UTF-16 units and each well-formed on its own."""
    chunks: list[str] = []
    rest = html.strip()
    reopened = 0  # length of the tags reopened at the start of `rest`
    while utf16_units(rest) > limit:
        reserve = min(_CLOSING_RESERVE, limit // 4) if "<" in rest else 0
        cut = _cut_point(rest, limit - reserve, after=reopened)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        still_open = _open_tags(head)
        chunks.append(head + "".join(f"</{name}>" for name, _ in reversed(still_open)))
        opening = "".join(tag for _, tag in still_open)
        rest, reopened = opening + rest, len(opening)
    if rest:
        chunks.append(rest)
    return chunks


def keyboard(reply: Reply) -> list[list[Button]]:
    """The reply's button rows, wrapped at 8 per row and cut at 100 buttons in all."""
    rows: list[list[Button]] = []
    left = MAX_BUTTONS
    for row in reply.buttons:
        for start in range(0, len(row), MAX_ROW):
            piece = list(row[start : start + MAX_ROW])[:left]
            if piece:
                rows.append(piece)
                left -= len(piece)
    return rows


def _cut_point(text: str, budget: int, after: int) -> int:
    """Where to cut: the last paragraph, line or word break that fits, else a hard cut;
    always past `after` (the reopened tags) so that every piece says something."""
    end = _fitting_prefix(text, budget)
    window = text[:end]
    for separator in _SEPARATORS:
        at = window.rfind(separator)
        if at > after:
            safe = _outside_markup(text, at)
            if safe > after:
                return safe
    safe = _outside_markup(text, end)
    return safe if safe > after else max(end, after + 1)


def _fitting_prefix(text: str, budget: int) -> int:
    """How many characters of `text` fit in `budget` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return index
    return len(text)


def _outside_markup(text: str, at: int) -> int:
    """`at`, moved back to the start of a tag or entity that it would fall inside."""
    tag_start = text.rfind("<", 0, at)
    if tag_start > text.rfind(">", 0, at):
        at = tag_start
    entity = re.search(r"&[#a-zA-Z0-9]*$", text[max(0, at - 12) : at])
    if entity:
        at -= len(entity.group(0))
    return at


def _open_tags(html: str) -> list[tuple[str, str]]:
    """Tags opened in `html` and not closed, outermost first, as (name, opening tag)."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if not closing:
            stack.append((name, match.group(0)))
        elif stack and stack[-1][0] == name:
            stack.pop()
    return stack


def in_thread(send: Any, chat_id: int, html: str, rows: Any, thread: int | None) -> Any:
    """A sendMessage call, in forum topic `thread` when there is one (a transport that never
    serves a forum desk need not know the argument)."""
    if thread is None:
        return functools.partial(send, chat_id, html, rows)
    return functools.partial(send, chat_id, html, rows, thread=thread)
