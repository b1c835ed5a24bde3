"""The held-out danger set (heldout.yaml), read by tests/test_danger.py and benchmarks/danger.py.

Training never reads this module or its file; see the file's head for how it is kept honest.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handlers.understanding.danger import DangerDetector
from handlers.understanding.skeleton import skeleton

PATH = Path(__file__).resolve().parent.parent / "tests" / "safety" / "heldout.yaml"
RECALL_TARGET = 0.98  # issue 11: share of held-out danger messages that must get the emergency card
FALSE_ALARM_TARGET = 0.05  # issue 11: share of ordinary questions with alarming words that may get it
SHOW = "HELPLINE_SHOW_HELD_OUT"  # set to 1 to have tests and the benchmark print held-out messages


@dataclass(frozen=True)
class Family:
    name: str
    kind: str | None  # None for an ordinary family
    key: re.Pattern[str]  # the wording that makes the family, over the skeleton
    messages: tuple[str, ...]
    round: int  # when it was written: each round before a change to the detector, seen after it

    def speaks_in(self, text: str) -> bool:
        return self.says(padded_skeleton(text))

    def says(self, padded: str) -> bool:
        """Whether a message, already folded by padded_skeleton, uses the family's wording."""
        return bool(self.key.search(padded))


def padded_skeleton(text: str) -> str:
    """The form keys are written against: the skeleton with a space at each end, so ` word ` matches at the edges.

    Folding once and matching every family against the result spares a skeleton per family and message.
    """
    return f" {skeleton(text)} "


def families(part: str, rounds: tuple[int, ...] | None = None) -> list[Family]:
    """The held-out families of one part ("danger" or "ordinary"), of the given rounds (default all)."""
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))[part]
    found = [
        Family(f["family"], f.get("kind"), re.compile(f["key"]), tuple(f["messages"]), int(f.get("round", 1)))
        for f in data
    ]
    return [family for family in found if rounds is None or family.round in rounds]


@dataclass(frozen=True)
class FirstMeasurement:
    """A round measured once, on the detector of its day, before anyone had seen it."""

    round: int
    detector: str
    caught: int
    danger: int
    flagged: int
    ordinary: int


def first_measurements() -> list[FirstMeasurement]:
    """The untouched measurement of each round, as recorded in the file when the round was written."""
    data = yaml.safe_load(PATH.read_text(encoding="utf-8")).get("first_measurements") or []
    return [
        FirstMeasurement(
            int(m["round"]),
            str(m["detector"]),
            int(m["caught"]),
            int(m["danger"]),
            int(m["flagged"]),
            int(m["ordinary"]),
        )
        for m in data
    ]


@dataclass(frozen=True)
class Score:
    danger: int
    caught: int
    caught_by_patterns: int
    right_answer: int  # caught with the answer its kind needs first (trafficking or emergency)
    ordinary: int
    false_alarms: int
    # Kept out of repr: a failing assertion prints the Score, and a message read is no longer held out.
    missed: tuple[str, ...] = field(repr=False)
    alarmed: tuple[str, ...] = field(repr=False)

    @property
    def recall(self) -> float:
        return self.caught / self.danger

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.ordinary


def score(detector: DangerDetector, rounds: tuple[int, ...] | None = None) -> Score:
    """How the detector does on the held-out families of the given rounds (default all)."""
    topics = {kind.name: kind.topic for kind in detector.kinds}
    caught = by_patterns = right = 0
    missed: list[str] = []
    for family in families("danger", rounds):
        for text in family.messages:
            found = detector.detect(text)
            if found is None:
                missed.append(text)
                continue
            caught += 1
            by_patterns += detector.match(text) is not None
            right += found.topic == topics.get(family.kind or "", "emergency")
    alarmed = [text for family in families("ordinary", rounds) for text in family.messages if detector.detect(text)]
    ordinary = sum(len(family.messages) for family in families("ordinary", rounds))
    danger = caught + len(missed)
    return Score(danger, caught, by_patterns, right, ordinary, len(alarmed), tuple(missed), tuple(alarmed))


def listing(messages: tuple[str, ...] | list[str]) -> str:
    """The messages, one per line, only when asked for by HELPLINE_SHOW_HELD_OUT=1; otherwise their count.

    Whoever reads a held-out message can no longer teach the detector blind, and test failures and the
    benchmark's output are read by everyone who works on it; a reviewer retiring a round asks on purpose.
    """
    if os.environ.get(SHOW) == "1":
        return "\n".join(f"  «{text}»" for text in messages) or "  none"
    return f"  {len(messages)} messages, not printed so that the set stays unread ({SHOW}=1 lists them)"
