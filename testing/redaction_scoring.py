"""How well redaction does on the labelled set (redaction_set.yaml): the quality gate in
tests/test_redaction.py and the figures in the benchmark both come from here.

A labelled name or address counts as redacted when none of its words and numbers is left
in the logged text. Precision is counted in words: of the words redaction removed, the
share that belonged to a labelled name or address. An ordinary message counts as altered
when the logged text differs from it at all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SET_FILE = Path(__file__).resolve().parent.parent / "tests" / "privacy" / "redaction_set.yaml"
_TOKEN_RE = re.compile(r"<[a-z_]+>|[^\W_]+|\S")
_CONTENT_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Labelled:
    text: str
    lang: str
    script: str
    part: str  # tuning or held_out
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def ordinary(self) -> bool:
        return not self.names and not self.addresses


def load_set(path: Path = SET_FILE) -> list[Labelled]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages = []
    for item in data["messages"]:
        message = Labelled(
            str(item["text"]),
            item["lang"],
            item["script"],
            item["part"],
            tuple(item.get("names") or ()),
            tuple(item.get("addresses") or ()),
        )
        for span in message.names + message.addresses:
            if span not in message.text:
                raise ValueError(f"{span!r} is not in {message.text!r}")
        messages.append(message)
    return messages


@dataclass
class Tally:
    found: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.found / self.total if self.total else None


@dataclass
class Score:
    names: Tally = field(default_factory=Tally)
    addresses: Tally = field(default_factory=Tally)
    ordinary_altered: Tally = field(default_factory=Tally)  # found: ordinary messages that were altered
    removed_words: int = 0
    removed_in_spans: int = 0
    altered_examples: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.removed_in_spans / self.removed_words if self.removed_words else None


def _removed_positions(text: str, logged: str) -> list[tuple[int, int]]:
    """Character spans of the words of `text` that are gone from `logged`."""
    before = list(_TOKEN_RE.finditer(text))
    after = [m.group() for m in _TOKEN_RE.finditer(logged)]
    matcher = difflib.SequenceMatcher(None, [m.group() for m in before], after, autojunk=False)
    kept = set()
    for block in matcher.get_matching_blocks():
        kept.update(range(block.a, block.a + block.size))
    return [(m.start(), m.end()) for i, m in enumerate(before) if i not in kept and _CONTENT_RE.fullmatch(m.group())]


def _span_positions(text: str, span: str) -> list[tuple[int, int]]:
    found = re.search(rf"(?<![^\W_]){re.escape(span)}(?![^\W_])", text)
    start = found.start() if found else text.index(span)
    return [(start + m.start(), start + m.end()) for m in _CONTENT_RE.finditer(span)]


def score(messages: Iterable[Labelled], redact: Callable[[str], str]) -> Score:
    result = Score()
    for message in messages:
        logged = redact(message.text)
        removed = set(_removed_positions(message.text, logged))
        if message.ordinary:
            result.ordinary_altered.total += 1
            if logged != message.text:
                result.ordinary_altered.found += 1
                result.altered_examples.append(f"{message.text} → {logged}")
        labelled: set[tuple[int, int]] = set()
        for spans, tally in ((message.names, result.names), (message.addresses, result.addresses)):
            for span in spans:
                positions = _span_positions(message.text, span)
                labelled.update(positions)
                tally.total += 1
                if all(p in removed for p in positions):
                    tally.found += 1
                else:
                    tally.misses.append(f"{span} in: {logged}")
        result.removed_words += len(removed)
        result.removed_in_spans += len(removed & labelled)
    return result
