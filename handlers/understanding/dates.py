"""Dates as migrants type them: 03.11, 3.11.2026, 2026-11-03, 3 ноября, 3-ноябрь, 3 November.

Month names are matched on the skeleton, so Russian, Kyrgyz, English and their Latin
spellings ("3 noyabrya", "3-noyabr") all work. A date written without a year is placed in
the year that makes sense for what is asked (see `resolve`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from handlers.understanding.skeleton import skeleton

# Skeleton prefixes of month names: Russian/Kyrgyz (Cyrillic or Latin) and English.
_MONTH_PREFIXES = (
    ("ianv", 1), ("jan", 1), ("fev", 2), ("feb", 2), ("mart", 3), ("mar", 3), ("apr", 4),
    ("mai", 5), ("iiun", 6), ("iun", 6), ("jun", 6), ("iiul", 7), ("iul", 7), ("jul", 7),
    ("avg", 8), ("aug", 8), ("sent", 9), ("sep", 9), ("okt", 10), ("oct", 10), ("noia", 11),
    ("noi", 11), ("nov", 11), ("dek", 12), ("dec", 12),
)
_ISO = re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2,4}))?\b")
_MONTH_WORD = re.compile(rf"(?:{'|'.join(prefix for prefix, _ in _MONTH_PREFIXES)})[a-z]*")
_DAY_DASH = re.compile(r"\b(\d{1,2})-(?=[^\W\d_])")
_TOKEN = re.compile(r"[^\s,;:()]+")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|-?го|-?е|-?чи|-?чу|-?си)?\.?")
_YEAR = re.compile(r"\d{4}")
_FILLERS = frozenset({"го", "е", "of", "the", "числа"})


@dataclass(frozen=True, order=True)
class TypedDate:
    """A date as typed: the year may be missing."""

    position: int
    day: int
    month: int
    year: int | None


@dataclass(frozen=True)
class DateScan:
    dates: tuple[TypedDate, ...]
    unreadable: bool  # something looked like a date but is not a real one (31.02, 45 ноября)


def _month_of(token: str) -> int | None:
    """The month a word names, in any of the three languages or their Latin spellings."""
    folded = skeleton(token)
    if not _MONTH_WORD.fullmatch(folded):
        return None
    return next(number for prefix, number in _MONTH_PREFIXES if folded.startswith(prefix))


def _full_year(year: str | None) -> int | None:
    if not year:
        return None
    number = int(year)
    return number + 2000 if number < 100 else number


def scan_dates(text: str) -> DateScan:
    """Find every date in a message, in the order written."""
    found: list[TypedDate] = []
    unreadable = False
    taken: list[tuple[int, int]] = []

    def add(position: int, span: tuple[int, int], day: int, month: int, year: int | None) -> None:
        nonlocal unreadable
        if any(start < span[1] and span[0] < end for start, end in taken):
            return
        taken.append(span)
        if _is_real(day, month, year):
            found.append(TypedDate(position, day, month, year))
        else:
            unreadable = True

    raw = text.lower()
    for match in _ISO.finditer(raw):
        add(match.start(), match.span(), int(match.group(3)), int(match.group(2)), int(match.group(1)))
    for match in _NUMERIC.finditer(raw):
        add(match.start(), match.span(), int(match.group(1)), int(match.group(2)), _full_year(match.group(3)))
    # "3-ноябрь" and "3 ноября" alike: split a day from its month, keeping positions.
    spaced = _DAY_DASH.sub(lambda m: m.group(1) + " ", raw)
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(spaced)]
    for index, (position, token) in enumerate(tokens):
        rest = [t for _, t in tokens[index + 1:index + 4] if t not in _FILLERS]
        following = rest[0] if rest else ""
        after = rest[1] if len(rest) > 1 else ""
        day = _DAY.fullmatch(token)
        month = _month_of(following)
        if day and month:
            year = after if _YEAR.fullmatch(after) else None
            add(position, (position, position + len(token) + 1), int(day.group(1)), month, _full_year(year))
            continue
        month = _month_of(token)
        day = _DAY.fullmatch(following)
        if month and day and not _DAY.fullmatch(tokens[index - 1][1] if index else ""):
            year = after if _YEAR.fullmatch(after) else None
            add(position, (position, position + len(token) + 1), int(day.group(1)), month, _full_year(year))
    return DateScan(tuple(sorted(found)), unreadable)


def _is_real(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    try:
        dt.date(year or 2024, month, day)  # 2024 is a leap year: 29.02 without a year is real
    except ValueError:
        return False
    return year is None or 1990 <= year <= 2100


def resolve(typed: TypedDate, today: dt.date, past_only: bool) -> dt.date:
    """Give a yearless date its year: the latest one not after today, or the nearest one."""
    if typed.year is not None:
        return dt.date(typed.year, typed.month, typed.day)
    candidates = []
    for year in range(today.year - 4, today.year + 2):
        try:
            candidates.append(dt.date(year, typed.month, typed.day))
        except ValueError:
            continue
    if past_only:
        past = [d for d in candidates if d <= today]
        return max(past) if past else min(candidates)
    return min(candidates, key=lambda d: abs((d - today).days))
