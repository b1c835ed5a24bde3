"""Markdown pieces for RESULTS.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One target of the issue and where helpline stands against it."""

    what: str
    target: str
    figure: str
    met: bool | None  # None: not measured
    issues: tuple[int, ...] = (7,)  # the issues that set this target
    reason: str = ""  # why a missed target was missed, from what was measured

    @property
    def verdict(self) -> str:
        verdict = {True: "met", False: "**missed**", None: "not measured"}[self.met]
        return f"{verdict}: {self.reason}" if self.reason and self.met is False else verdict


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f} %"


def checks_table(checks: Sequence[Check]) -> str:
    return table(["what", "target", "helpline", "verdict"], [(c.what, c.target, c.figure, c.verdict) for c in checks])


def targets(checks: Sequence[Check]) -> str:
    """One table of target checks per issue, the newest issue first."""
    issues = sorted({issue for check in checks for issue in check.issues}, reverse=True)
    return "\n\n".join(
        f"## Targets from issue {issue}\n\n" + checks_table([c for c in checks if issue in c.issues])
        for issue in issues
    )
