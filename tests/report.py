"""The report the answers come from, split into its numbered paragraphs.

The French text is kept in the project (content/report/fr.txt), so these checks run from a
fresh clone.
"""

from __future__ import annotations

import re

from content.report import REPORT_FR as REPORT
from content.report import report_paragraphs as paragraphs

__all__ = ["REPORT", "paragraphs", "join_digit_groups", "with_spelled_figures"]
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\u00a0\u202f,](?=\d{3}(?!\d))")
# Figures the report spells out in words, as they appear in it.
_FRENCH_NUMBERS = {
    "quatre-vingt-dix": "90",
    "quatre\u2011vingt\u2011dix": "90",
    "quinze": "15",
    "trente": "30",
    "dix": "10",
    "six": "6",
    "trois": "3",
    "cinq": "5",
}
_FRENCH_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _FRENCH_NUMBERS), key=len, reverse=True)) + r")\b")


def join_digit_groups(text: str) -> str:
    """ "22 368", "22 368" and "22,368" → "22368", so figures compare however they were grouped."""
    return _DIGIT_GAP.sub("", text)


def with_spelled_figures(text: str) -> str:
    """The report's text with figures written in words also given in digits ("trente" → "trente 30")."""
    return _FRENCH_WORD.sub(lambda m: f"{m.group(0)} {_FRENCH_NUMBERS[m.group(0)]}", text)
