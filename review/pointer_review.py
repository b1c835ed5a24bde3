"""The review's second pass: the messages answered with the line to the emergency contacts.

The danger detector read each of them as close to a kind of danger, but below the emergency
card, so the answer ended with a pointer to the emergency contacts. A reviewer decides, once
per wording, whether it was danger (it becomes one of that kind's `examples` in
content/danger.yaml, and the learned detector raises the card for it after the next content
load), an ordinary question with alarming words (one of the kind's `look_alikes`, so it stops
reading as close), or neither (skip). Questions and answers go through the same plain text
streams as the first pass.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import sqlite_utils

from content import Content
from content.examples import EditError, append_item, one_line
from content.validation import example_key
from review.period import Period
from review.stats import UNANSWERED_LIMIT, pointed_texts
from review.walk import SKIP, Walked, prompt, walk
from storage.redaction import redact

DANGER_FILE = "danger.yaml"
DANGER, ORDINARY = "examples", "look_alikes"  # the lists of a kind in danger.yaml


@dataclass
class PointerItem:
    """One wording to decide on (redacted), with what the log says of it."""

    lang: str
    text: str
    kind: str  # the kind of danger it came closest to, the most frequent when several
    count: int
    pressed: int  # pointer lines whose 🆘 button was pressed
    topics: list[str] = field(default_factory=list)  # what it was answered with, most frequent first


@dataclass(frozen=True)
class Marked:
    """One message written to danger.yaml."""

    kind: str
    key: str  # DANGER or ORDINARY
    lang: str
    text: str


def review_pointers(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    period: Period,
    answers: Iterator[str],
    out: TextIO,
    root: Path,
    content: Content,
    limit: int = UNANSWERED_LIMIT,
) -> Walked[Marked]:
    """Walk through the period's messages answered with the emergency pointer."""
    listed = _listed(content)
    kinds = [kind.name for kind in content.danger]
    items, handled = _items(pointed_texts(db, period.start_utc, period.end_utc, limit), listed)
    out.write(
        f"\nClose to danger, {period.label}: {len(items)} message(s) answered with the emergency pointer to review"
        f"{f' ({handled} already in {DANGER_FILE})' if handled else ''}.\n"
    )
    if not items:
        out.write("Nothing to do.\n")
        return Walked()
    out.write(
        "d = danger of the kind shown, a kind's name = danger of that kind, o = an ordinary question "
        "(look-alike), s = skip, q = quit, ? = help.\n"
    )

    def decide(position: int, item: PointerItem) -> tuple[str, str] | str | None:
        _show(out, position, len(items), item)
        return _ask(out, answers, item, kinds)

    return walk(items, decide, lambda verdict, item: _apply(verdict, item, root / DANGER_FILE, listed, out))


def _listed(content: Content) -> dict[str, tuple[str, str]]:
    """Every message danger.yaml lists (folded) → (kind, list), kept current as edits are made."""
    listed: dict[str, tuple[str, str]] = {}
    for kind in content.danger:
        for key, messages in ((DANGER, kind.examples), (ORDINARY, kind.look_alikes)):
            for message in messages:
                listed.setdefault(example_key(message), (kind.name, key))
    return listed


def _items(rows, listed: dict[str, tuple[str, str]]) -> tuple[list[PointerItem], int]:
    """One item per wording (rows differ by kind and topic too), and how many rows danger.yaml
    already lists. The rows come most frequent first, so each item keeps its most frequent kind."""
    items: dict[str, PointerItem] = {}
    handled = 0
    for row in rows:
        text = one_line(redact(row.text))
        key = example_key(text)
        if not text or key in listed:
            handled += 1
            continue
        item = items.setdefault(key, PointerItem(row.lang, text, row.kind, 0, 0))
        item.count += row.count
        item.pressed += row.pressed
        if row.topic and row.topic not in item.topics:
            item.topics.append(row.topic)
    return sorted(items.values(), key=lambda item: -item.count), handled


def _show(out: TextIO, position: int, total: int, item: PointerItem) -> None:
    answered = f", answered with {', '.join(item.topics)}" if item.topics else ""
    pressed = f", 🆘 pressed {item.pressed}" if item.pressed else ""
    out.write(f"\n[{position}/{total}] {item.lang or '?'} ×{item.count}  «{item.text}»\n")
    out.write(f"  close to: {item.kind}{answered}{pressed}\n")


def _ask(out: TextIO, answers: Iterator[str], item: PointerItem, kinds: list[str]) -> tuple[str, str] | str | None:
    """(list, kind) to write to, 's' to skip, or None to stop (quit or end of input)."""
    while True:
        answer = prompt(out, answers)
        if answer is None:
            return None
        words = answer.lower().split()
        choice, named = (words[0], words[1:]) if words else ("", [])
        if choice in ("q", "quit") and not named:
            return None
        if choice in ("s", "skip") and not named:
            return SKIP
        if choice in ("?", "h", "help"):
            out.write(
                f"  d marks it as danger of the kind shown ({item.kind}); a kind's name marks it as danger of that\n"
                f"  kind; o marks it as an ordinary question with alarming words (a look-alike of {item.kind},\n"
                "  or of the kind named after it: o violence); s skips it, q stops here. Kinds: "
                + ", ".join(kinds)
                + "\n"
            )
            continue
        key = {"d": DANGER, "danger": DANGER, "o": ORDINARY, "ordinary": ORDINARY, "look-alike": ORDINARY}.get(choice)
        if key is None and choice in kinds and not named:
            key, named = DANGER, [choice]
        kind = named[0] if len(named) == 1 else item.kind if not named else None
        if key is None or kind is None:
            out.write(f"  '{answer}' is not one of d, o, s, q or a kind's name; ? shows the choices.\n")
        elif kind not in kinds:
            out.write(f"  '{kind}' is not a kind in {DANGER_FILE}; name one of: {', '.join(kinds)}.\n")
        else:
            return key, kind


def _apply(
    verdict: tuple[str, str], item: PointerItem, path: Path, listed: dict[str, tuple[str, str]], out: TextIO
) -> Marked | None:
    """Write the message where the reviewer put it, unless danger.yaml already lists it."""
    key, kind = verdict
    where = listed.get(example_key(item.text))
    if where is not None:
        out.write(f"  not added: {DANGER_FILE} already lists it under {where[0]}: {where[1]}.\n")
        return None
    try:
        append_item(path, key, item.text, under=kind)
    except (EditError, OSError) as error:
        out.write(f"  not added: {error}\n")
        return None
    listed[example_key(item.text)] = (kind, key)
    out.write(f"  added to {DANGER_FILE} under {kind}: {key}\n")
    return Marked(kind, key, item.lang, item.text)
