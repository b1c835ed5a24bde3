"""The report the answers come from, split into its numbered paragraphs.

It lives outside the repository (`../shared/seed/`); tests that need it skip with a reason
when it is absent.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

# HELPLINE_REPORT points elsewhere, e.g. from a git worktree that is not beside shared/.
REPORT = Path(
    os.environ.get("HELPLINE_REPORT")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_a1602c65baf75138.txt"
)
_NUMBERED = re.compile(r"^(?:\[bookmark:[^\]]*\])?\s*(\d+)\.\s+(.*)$")
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\u00a0\u202f,](?=\d{3}(?!\d))")
# Figures the report spells out in words, as they appear in it.
_FRENCH_NUMBERS = {
    "quatre-vingt-dix": "90", "quatre\u2011vingt\u2011dix": "90", "quinze": "15", "trente": "30",
    "dix": "10", "six": "6", "trois": "3", "cinq": "5",
}
_FRENCH_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _FRENCH_NUMBERS), key=len, reverse=True)) + r")\b")


@cache
def paragraphs() -> dict[int, str]:
    """Paragraph number → text; unnumbered lines belong to the paragraph above them."""
    result: dict[int, str] = {}
    current = 0
    for line in REPORT.read_text(encoding="utf-8").splitlines():
        match = _NUMBERED.match(line)
        if match and int(match.group(1)) == current + 1:
            current = int(match.group(1))
            result[current] = match.group(2)
        elif current:
            result[current] += "\n" + line
    return result


def join_digit_groups(text: str) -> str:
    """"22 368", "22 368" and "22,368" → "22368", so figures compare however they were grouped."""
    return _DIGIT_GAP.sub("", text)


def with_spelled_figures(text: str) -> str:
    """The report's text with figures written in words also given in digits ("trente" → "trente 30")."""
    return _FRENCH_WORD.sub(lambda m: f"{m.group(0)} {_FRENCH_NUMBERS[m.group(0)]}", text)
