"""Danger signals kept by caseworkers in `danger.yaml`, compiled once at load.

Each kind of danger (violence, confinement, a passport taken, detention, suicide…) has
regular expressions matched against the message skeleton, phrases that look alike but are
not danger (`unless`), and the topic whose answer must come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from content.problems import Problem
from content.yamlfile import read_yaml


@dataclass(frozen=True)
class DangerKind:
    name: str
    topic: str  # the answer to show first: emergency or trafficking
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]  # phrases that look alike but are not danger



def load_danger(path: Path, topics: set[str], problems: list[Problem]) -> list[DangerKind]:
    """Read the danger signals; a bad pattern is a content problem with its line."""
    if not path.exists():
        return []
    data = read_yaml(path, problems)
    if data is None:
        return []
    kinds: list[DangerKind] = []
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
        kinds.append(DangerKind(str(name), topic, tuple(patterns), tuple(unless)))
    return kinds


def _compile(raw: list, path: Path, line: int, name: str, problems: list[Problem]) -> list[re.Pattern[str]]:
    compiled = []
    lines = getattr(raw, "lines", [line] * len(raw))
    for pattern, pattern_line in zip(raw, lines, strict=False):
        try:
            compiled.append(re.compile(str(pattern)))
        except re.error as error:
            problems.append(Problem(path, pattern_line, f"{name}: bad pattern {pattern!r}: {error}"))
    return compiled
