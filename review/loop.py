"""`helpline review`: a caseworker walks through the week's unanswered questions, then through
the messages answered with the emergency pointer (review/pointer_review.py).

Each question can be assigned to a topic (it becomes one of that topic's example
questions in the language it was asked in), marked off-topic (it teaches the router what
not to answer), or skipped. The router learns the new examples on the next content reload.
Everything is read from and written to plain text streams, so it works the same in a
terminal, through a pipe, and in tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import sqlite_utils

from content import Content
from content.examples import EditError, append_item, one_line
from content.library import DEFAULT_DIR, check_content, load_content
from content.validation import example_key
from review.period import Period
from review.pointer_review import DANGER, DANGER_FILE, Marked, review_pointers
from review.similar import closest_topics
from review.stats import UNANSWERED_LIMIT, Unanswered, unanswered_texts
from review.walk import SKIP, Walked, answer_lines, prompt, walk
from storage.redaction import redact

CHOICES = 5  # numbered topic suggestions shown for each question
OFF_TOPIC_FILE = "off_topic.yaml"
PASSES = ("unanswered", "pointer")  # the review's passes, in the order they run


@dataclass(frozen=True)
class Change:
    """One edit made during the review."""

    kind: str  # "example" or "off_topic"
    lang: str
    text: str
    path: Path
    topic: str | None = None


class _Index:
    """Which topic (or off-topic) already holds each question, kept current as edits are made."""

    def __init__(self, content: Content) -> None:
        self.owner: dict[str, str] = {}
        for topic in content.topics.values():
            for text in topic.texts.values():
                for question in text.examples:
                    self.owner.setdefault(example_key(question), topic.id)
        for questions in content.off_topic.values():
            for question in questions:
                self.owner.setdefault(example_key(question), "")

    def holder(self, question: str) -> str | None:
        """The topic id that lists the question, "" for off-topic, None when it is new."""
        return self.owner.get(example_key(question))


def run_review(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    period: Period,
    inp: TextIO,
    out: TextIO,
    *,
    content_dir: Path | str | None = None,
    limit: int = UNANSWERED_LIMIT,
    model_cache: Path | None = None,
    passes: Sequence[str] = PASSES,
) -> int:
    """Walk through the period's unanswered questions, then through its messages answered with
    the emergency pointer (either pass alone with `passes`); 0 when the content is still valid after.

    Quitting (or the end of the input) stops the whole review, the second pass included.
    """
    root = Path(content_dir) if content_dir else DEFAULT_DIR
    content = load_content(root)
    answers = answer_lines(inp, out)
    first = second = None
    if "unanswered" in passes:
        first = _review_unanswered(db, period, answers, out, root, content, limit, model_cache)
    if "pointer" in passes and not (first and first.stopped):
        second = review_pointers(db, period, answers, out, root, content, limit)
    return _summary(out, first, second, root)


def _review_unanswered(
    db, period: Period, answers: Iterator[str], out: TextIO, root: Path, content: Content, limit: int, model_cache
) -> Walked[Change]:
    from handlers.knowledge import build_knowledge

    knowledge = build_knowledge(content, cache_dir=model_cache)
    router = knowledge.router
    index = _Index(content)
    rows = unanswered_texts(db, period.start_utc, period.end_utc, limit)
    items, handled = [], 0
    for row in rows:
        text = one_line(redact(row.text))
        if not text or index.holder(text) is not None:
            handled += 1
            continue
        items.append(Unanswered(_language(row.lang, text, content, knowledge.detector), text, row.count))
    out.write(
        f"Unanswered questions, {period.label}: {len(items)} to review"
        f"{f' ({handled} already in the content)' if handled else ''}.\n"
    )
    if not items:
        out.write("Nothing to do.\n")
        return Walked()
    out.write("Type a number or a topic id to assign, o = off-topic, s = skip, q = quit, ? = help.\n")

    def decide(position: int, item: Unanswered) -> str | None:
        ranked, off_topic = closest_topics(router, item.text, CHOICES)
        _show(out, position, len(items), item, ranked, off_topic, content)
        return _ask(out, answers, [topic for topic, _ in ranked], content)

    return walk(items, decide, lambda verdict, item: _apply(verdict, item, root, content, index, out))


def _language(lang: str, text: str, content: Content, detector) -> str:
    """The row's language; a row logged without a known one is detected from its text."""
    if lang in content.languages:
        return lang
    detected = detector.detect(text)
    return detected if detected in content.languages else content.languages[0]


def _show(out: TextIO, position: int, total: int, item: Unanswered, ranked, off_topic: bool, content: Content) -> None:
    out.write(f"\n[{position}/{total}] {item.lang} ×{item.count}  «{item.text}»\n")
    if ranked:
        best, confidence = ranked[0]
        note = " — the router thinks it is off-topic" if off_topic else ""
        out.write(f"  router's best guess: {best} ({confidence:.0%}){note}\n")
    for number, (topic, confidence) in enumerate(ranked, 1):
        out.write(f"  {number}) {topic:<28} {_title(content, topic, item.lang)}  {confidence:.0%}\n")


def _title(content: Content, topic: str, lang: str) -> str:
    texts = content.topics[topic].texts
    return (texts.get(lang) or next(iter(texts.values()))).title if texts else topic


def _ask(out: TextIO, answers: Iterator[str], numbered: list[str], content: Content) -> str | None:
    """A topic id, 'o', SKIP, or None to stop (quit or end of input)."""
    while True:
        answer = prompt(out, answers)
        choice = "q" if answer is None else answer.lower()
        if choice in ("q", "quit"):
            return None
        if choice in ("s", "skip", "o", "off", "off-topic"):
            return SKIP if choice in ("s", "skip") else "o"
        if choice.isdigit() and 1 <= int(choice) <= len(numbered):
            return numbered[int(choice) - 1]
        if answer in content.topics:
            return answer
        if choice in ("?", "h", "help"):
            out.write(
                "  a number from the list or any topic id assigns the question to that topic;\n"
                "  o marks it off-topic, s skips it, q stops here. Topic ids: "
                + ", ".join(sorted(content.topics))
                + "\n"
            )
        else:
            out.write(f"  '{answer}' is neither a listed number nor a topic id; ? shows the choices.\n")


def _apply(verdict: str, item: Unanswered, root: Path, content: Content, index: _Index, out: TextIO) -> Change | None:
    """Write the question where the caseworker put it, unless that would contradict the content."""
    holder = index.holder(item.text)
    target = "" if verdict == "o" else verdict
    if holder is not None:
        where = "off-topic" if holder == "" else f"'{holder}'"
        if holder == target:
            out.write(f"  already listed as {where}; nothing to add.\n")
        else:
            out.write(f"  not added: it is already listed as {where}, and one question may teach only one thing.\n")
        return None
    if verdict == "o":
        path, key = root / OFF_TOPIC_FILE, item.lang
        change = Change("off_topic", item.lang, item.text, path)
    else:
        text = content.topics[verdict].texts.get(item.lang)
        if text is None:
            out.write(f"  not added: topic '{verdict}' has no {item.lang} file.\n")
            return None
        path, key, change = text.path, "examples", Change("example", item.lang, item.text, text.path, verdict)
    try:
        append_item(Path(path), key, item.text)
    except (EditError, OSError) as error:
        out.write(f"  not added: {error}\n")
        return None
    index.owner[example_key(item.text)] = target
    out.write(f"  added to {_relative(Path(path), root)}\n")
    return change


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def _summary(out: TextIO, first: Walked[Change] | None, second: Walked[Marked] | None, root: Path) -> int:
    changes = first.added if first else []
    marked = second.added if second else []
    out.write("\n")
    if first is not None:
        examples = [c for c in changes if c.kind == "example"]
        out.write(
            f"Review done: {len(examples)} example(s) added, {len(changes) - len(examples)} marked off-topic, "
            f"{first.skipped} skipped, {first.left} not reached.\n"
        )
    if second is not None:
        danger = [m for m in marked if m.key == DANGER]
        out.write(
            f"Close to danger: {len(danger)} danger example(s) added, {len(marked) - len(danger)} look-alike(s) "
            f"added, {second.skipped} skipped, {second.left} not reached.\n"
        )
    elif first is not None and first.stopped:
        out.write("Close to danger: not reached (the review stopped before it).\n")
    for change in changes:
        label = change.topic if change.kind == "example" else "off-topic"
        out.write(f"  + {label} ({change.lang}): {change.text}  → {_relative(change.path, root)}\n")
    for mark in marked:
        label = f"{mark.kind} {'example' if mark.key == DANGER else 'look-alike'}"
        out.write(f"  + {label} ({mark.lang}): {mark.text}  → {DANGER_FILE}\n")
    if not changes and not marked:
        return 0
    _, problems = check_content(root)
    if problems:
        out.write("The content now has problems; fix them before the next reload:\n")
        for problem in problems:
            out.write(f"  {problem}\n")
        return 1
    out.write("Content check passed. The bot learns the new examples on its next content reload.\n")
    return 0
