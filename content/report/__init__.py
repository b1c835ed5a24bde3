"""The report every answer rests on, kept in the project and split into numbered paragraphs.

`fr.txt` is the French text of Kyrgyzstan's report to the UN Committee on Migrant Workers (a
public UN document). Answers cite it as §N; the sign-off sheet shows caseworkers the cited
paragraphs beside each answer, and the tests check answers against them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

REPORT_FR = Path(__file__).resolve().parent / "fr.txt"
# "12.\ttext", sometimes behind a Word bookmark: "[bookmark: _Hlk1]221.\ttext".
_NUMBERED = re.compile(r"^(?:\[bookmark:[^\]]*\])?\s*(\d+)\.\s+(.*)$")


@cache
def report_paragraphs(path: Path = REPORT_FR) -> dict[int, str]:
    """Paragraph number → text. A line that does not open the next paragraph (a list item,
    a number inside the text) belongs to the paragraph above it."""
    result: dict[int, str] = {}
    current = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _NUMBERED.match(line)
        if match and int(match.group(1)) == current + 1:
            current = int(match.group(1))
            result[current] = match.group(2)
        elif current:
            result[current] += "\n" + line
    return result
