"""Noticing a person in danger, whatever topic the message seems to be about.

A message such as "the boss took my passport and locks us in" must get emergency contacts
first even when the router sees a question about documents. The signals live in
`content/danger.yaml` as patterns over the message skeleton, so Cyrillic, Latin letters
and ң/ө/ү typed as н/о/у all match.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.danger import DangerKind
from handlers.understanding.skeleton import skeleton


@dataclass(frozen=True)
class Danger:
    kind: str
    topic: str


class DangerDetector:
    def __init__(self, kinds: list[DangerKind]) -> None:
        self.kinds = kinds

    def detect(self, text: str) -> Danger | None:
        """The first kind of danger the message signals, or None."""
        folded = f" {skeleton(text)} "
        for kind in self.kinds:
            if any(p.search(folded) for p in kind.patterns) and not any(u.search(folded) for u in kind.unless):
                return Danger(kind.name, kind.topic)
        return None
