"""The calculators: answers computed from the dates in a message. One registry, two users.

Each `Calculator` names what it hands to its topic's template as `calc` (`provides`), with
sample values that validation renders every answer with, so a template using a name the
calculator does not provide is caught before it reaches a migrant. Its `compute` function
belongs to the core: content is the lowest layer and cannot import handlers, so
handlers/understanding/calculators.py attaches each function to its entry here with
`@implements(name)`. The validator reads names and samples; the core calls `compute`.
A new calculator is one entry here and one function there; a topic names it in
`calculator:`, and an unknown name is a validation problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Compute = Callable[[Any, dt.date], "dict[str, Any] | None"]  # (DateScan, today) → calc


@dataclass
class Calculator:
    name: str
    provides: tuple[str, ...]
    samples: tuple[dict[str, Any], ...]
    compute: Compute | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for sample in self.samples:
            if set(sample) != set(self.provides):
                raise ValueError(f"{self.name}: a sample gives {sorted(sample)}, not {sorted(self.provides)}")

    def __call__(self, scan: Any, today: dt.date) -> dict[str, Any] | None:
        if self.compute is None:
            raise LookupError(f"calculator '{self.name}' has no implementation (see @implements)")
        return self.compute(scan, today)


def implements(name: str) -> Callable[[Compute], Compute]:
    """Attach the core's function to the calculator `name` declared below."""

    def attach(function: Compute) -> Compute:
        CALCULATORS[name].compute = function
        return function

    return attach


_TIMING = ("deadline", "year_guessed", "passed", "days_left", "days_ago")
D = dt.date

CALCULATORS: dict[str, Calculator] = {
    calculator.name: calculator
    for calculator in (
        Calculator(
            "registration_deadline",
            provides=("arrival", *_TIMING),
            samples=(
                {
                    "arrival": D(2026, 11, 3),
                    "deadline": D(2026, 12, 2),
                    "year_guessed": False,
                    "passed": False,
                    "days_left": 3,
                    "days_ago": None,
                },
                {
                    "arrival": D(2026, 10, 31),
                    "deadline": D(2026, 11, 29),
                    "year_guessed": False,
                    "passed": False,
                    "days_left": 0,
                    "days_ago": None,
                },
                {
                    "arrival": D(2024, 2, 29),
                    "deadline": D(2024, 3, 29),
                    "year_guessed": True,
                    "passed": True,
                    "days_left": None,
                    "days_ago": 975,
                },
            ),
        ),
        Calculator(
            "job_change_deadline",
            provides=("arrival", "end", "days_in_country", "rule_applies", "rule_from", *_TIMING),
            samples=(
                {
                    "arrival": D(2026, 8, 1),
                    "end": D(2026, 11, 20),
                    "days_in_country": 111,
                    "rule_applies": True,
                    "rule_from": D(2026, 10, 30),
                    "deadline": D(2026, 12, 5),
                    "year_guessed": False,
                    "passed": False,
                    "days_left": 6,
                    "days_ago": None,
                },
                {
                    "arrival": D(2025, 12, 10),
                    "end": D(2026, 3, 20),
                    "days_in_country": 100,
                    "rule_applies": True,
                    "rule_from": D(2026, 3, 10),
                    "deadline": D(2026, 4, 4),
                    "year_guessed": True,
                    "passed": True,
                    "days_left": None,
                    "days_ago": 239,
                },
                {
                    "arrival": D(2026, 6, 1),
                    "end": D(2026, 7, 10),
                    "days_in_country": 39,
                    "rule_applies": False,
                    "rule_from": D(2026, 8, 30),
                    "deadline": D(2026, 7, 25),
                    "year_guessed": False,
                    "passed": True,
                    "days_left": None,
                    "days_ago": 127,
                },
                {
                    "arrival": None,
                    "end": D(2026, 11, 14),
                    "days_in_country": None,
                    "rule_applies": None,
                    "rule_from": None,
                    "deadline": D(2026, 11, 29),
                    "year_guessed": False,
                    "passed": False,
                    "days_left": 0,
                    "days_ago": None,
                },
                {
                    "arrival": None,
                    "end": D(2026, 1, 31),
                    "days_in_country": None,
                    "rule_applies": None,
                    "rule_from": None,
                    "deadline": D(2026, 2, 15),
                    "year_guessed": False,
                    "passed": True,
                    "days_left": None,
                    "days_ago": 287,
                },
                {
                    "arrival": D(2026, 11, 3),
                    "end": None,
                    "days_in_country": None,
                    "rule_applies": None,
                    "rule_from": D(2027, 2, 1),
                    "deadline": None,
                    "year_guessed": False,
                    "passed": None,
                    "days_left": None,
                    "days_ago": None,
                },
            ),
        ),
    )
}
