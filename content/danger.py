"""Danger signals kept by caseworkers in `danger.yaml`, compiled once at load.

Each kind of danger (violence, confinement, a passport taken, detention, suicide, a missing
relative…) has regular expressions matched against the message skeleton, phrases that look
alike but are not danger (`unless`), and the topic whose answer must come first. It also
lists how people in that danger write (`examples`) and ordinary questions that merely sound
alarming (`look_alikes`): the learned detector trains on both, so wording no pattern lists is
still noticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from content.problems import Problem
from content.validation import example_key
from content.yamlfile import read_yaml


@dataclass(frozen=True)
class DangerKind:
    name: str
    topic: str  # the answer to show first: emergency or trafficking
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]  # phrases that look alike but are not danger
    examples: tuple[str, ...] = ()  # messages of people in this danger, for the learned detector
    look_alikes: tuple[str, ...] = ()  # ordinary questions with this kind's alarming words


def load_danger(path: Path, topics: set[str], problems: list[Problem]) -> list[DangerKind]:
    """Read the danger signals; a bad pattern is a content problem with its line."""
    if not path.exists():
        return []
    data = read_yaml(path, problems)
    if data is None:
        return []
    kinds: list[DangerKind] = []
    seen: dict[str, str] = {}  # an example's folded text → where it was first listed
    for name, entry in data.items():
        line = data.line_of(name)
        if not isinstance(entry, dict):
            problems.append(Problem(path, line, f"{name}: expected topic, patterns and unless"))
            continue
        topic = str(entry.get("topic") or "emergency")
        if topic not in topics:
            problems.append(Problem(path, line, f"{name}: unknown topic '{topic}'"))
        patterns = _compile(entry.get("patterns") or [], path, line, name, problems)
        unless = _compile(entry.get("unless") or [], path, line, name, problems)
        if not patterns:
            problems.append(Problem(path, line, f"{name}: no patterns"))
        examples = _messages(entry, "examples", f"{name} examples", path, line, seen, problems)
        look_alikes = _messages(entry, "look_alikes", f"{name} look_alikes", path, line, seen, problems)
        kinds.append(DangerKind(str(name), topic, tuple(patterns), tuple(unless), examples, look_alikes))
    return kinds


def _messages(
    entry: dict, key: str, where: str, path: Path, line: int, seen: dict[str, str], problems: list[Problem]
) -> tuple[str, ...]:
    """A list of messages; one listed twice (as danger and as ordinary, say) is a problem."""
    raw = entry.get(key) or []
    if not isinstance(raw, list):
        problems.append(Problem(path, line, f"{where}: expected a list of messages"))
        return ()
    lines = getattr(raw, "lines", [line] * len(raw))
    messages = []
    for message, message_line in zip(raw, lines, strict=False):
        text = str(message).strip()
        if not text:
            continue
        # the same message as the skeleton reads it: punctuation aside
        first = seen.setdefault(example_key(text) or text, where)
        if first != where:
            problems.append(Problem(path, message_line, f"{where}: '{text}' is listed under {first} too"))
            continue
        messages.append(text)
    return tuple(messages)


# A letter written twice, unless the first is part of an escape such as \b or \w.
_DOUBLED_LETTER = re.compile(r"(?<!\\)([^\W\d_])\1+")


def single_letters(pattern: str) -> str:
    """The pattern with doubled letters written once, as the skeleton spells every word.

    The skeleton folds repeated letters ("рассказывал" → raskazival, "кийин" → kin, "roof" →
    rof), so a pattern that keeps «ss», «ii» or «oo» as typed can never match: caseworkers write
    words as they know them, and the detector reads them the way it reads messages.
    """
    return _DOUBLED_LETTER.sub(r"\1", pattern)


def _compile(raw: list, path: Path, line: int, name: str, problems: list[Problem]) -> list[re.Pattern[str]]:
    compiled = []
    lines = getattr(raw, "lines", [line] * len(raw))
    for pattern, pattern_line in zip(raw, lines, strict=False):
        try:
            compiled.append(re.compile(single_letters(str(pattern))))
        except re.error as error:
            problems.append(Problem(path, pattern_line, f"{name}: bad pattern {pattern!r}: {error}"))
    return compiled
