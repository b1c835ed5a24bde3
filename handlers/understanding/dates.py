"""Dates as migrants type them: 03.11, 3.11.2026, 2026-11-03, 3 ноября, 3-ноябрь, 3 November.

Month names are matched on the skeleton, so Russian, Kyrgyz, English and their Latin
spellings ("3 noyabrya", "3-noyabr", "5-ноябрдан") all work. Kyrgyz case endings are often
glued to a date ("03.11де", "29.01.2025те", "2025-жылдын 3-ноябрында"); the ending is skipped
and the year kept. A date written without a year gets the most recent year that makes sense
for what is asked (see `latest_on_or_before`).

The scan also notes where the message first speaks of arriving and of a job ending, so the
calculators can tell which date is which whatever order they were written in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from content.language_data import Language, bundled_languages
from handlers.understanding.skeleton import skeleton

# Month names and the words that say "I arrived" / "my job ended" come from each
# language's data file (content/languages/<lang>.yaml); see `DateWords`.
_SKELETON_WORD = re.compile(r"[a-zčš]+")
# A separator, then day.month(.year); the same separator throughout. A Kyrgyz ending may
# follow ("03.11де"), a digit may not.
_ISO = re.compile(r"(?<![\d.,/-])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?!\d)(?![./-]\d)")
_NUMERIC = re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?!\d)(?![./-]\d)")
_DAY_DASH = re.compile(r"(?<!\d)(\d{1,2})-(?=[^\W\d_])")
_TOKEN = re.compile(r"[^\s,;:()«»\"]+")
# A day number with an English, Russian or Kyrgyz ending: 3rd, 3-го, 3-чи, «ноябрь 3те».
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|-?(?:го|е|чи|чу|си|[дт][аеоө]н?|[гк][аеоө]))?\.?")
_DAY_GLUED = re.compile(r"(\d{1,2})([^\W\d_].*)")
# A year, possibly with a word or ending glued on: 2025, 2025г., 2025-жылы, 2025те.
_YEAR = re.compile(r"(\d{4})(?:-?[^\W\d_]+\.?)?")
_YEAR_WORD = r"(?:(?:жыл|jyl|jil|год|god)[^\W\d_]*|year|г|ж)\.?"
_YEAR_WITH_WORD = re.compile(rf"(\d{{4}})-?{_YEAR_WORD}")
_YEAR_WORD_ALONE = re.compile(_YEAR_WORD)
_FOUR_DIGITS = re.compile(r"\d{4}")
_YEARS = range(1990, 2101)
_FILLERS = frozenset({"го", "е", "of", "the", "числа"})
_SEARCH_YEARS = 9  # 29 February recurs within 8 years even across a century (2096 → 2104)


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
    arrival_word_at: int | None = None  # where the message first says "I arrived"
    end_word_at: int | None = None  # where it first says "my job / contract ended"


@dataclass(frozen=True)
class DateWords:
    """The words of every language that the date reader knows, on the skeleton.

    A message is read with the words of all languages at once: "3 November" in a Russian
    chat is still a date.
    """

    month_prefixes: tuple[tuple[str, int], ...]  # longest first
    not_months: tuple[str, ...]  # words that begin like a month but are not one
    arrival_words: tuple[str, ...]
    end_words: tuple[str, ...]

    def month_of(self, token: str) -> int | None:
        """The month a word names, in any language or its Latin spelling."""
        folded = skeleton(token)
        if not _SKELETON_WORD.fullmatch(folded) or folded.startswith(self.not_months):
            return None
        return next((number for prefix, number in self.month_prefixes if folded.startswith(prefix)), None)


@lru_cache(maxsize=8)
def date_words(languages: tuple[Language, ...]) -> DateWords:
    """The date reader's words for these languages (content.words.values(), or the bundled ones)."""
    prefixes = {
        (skeleton(word), number)
        for language in languages
        for number, words in enumerate(language.months_read, start=1)
        for word in words
    }
    return DateWords(
        month_prefixes=tuple(sorted(prefixes, key=lambda item: (-len(item[0]), item))),
        not_months=_folded(language.not_months for language in languages),
        arrival_words=_folded(language.arrival_words for language in languages),
        end_words=_folded(language.end_words for language in languages),
    )


def _folded(lists: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({skeleton(word) for words in lists for word in words}))


def _full_year(year: str | None) -> int | None:
    if not year:
        return None
    number = int(year)
    return number + 2000 if number < 100 else number


def _year_after(token: str) -> int | None:
    """A year right after the month; "1899-га чалдым" is a phone number, not a year."""
    match = _YEAR.fullmatch(token)
    year = int(match.group(1)) if match else None
    return year if year in _YEARS else None


def _year_before(tokens: list[tuple[int, str]], index: int) -> int | None:
    """The Kyrgyz order puts the year first: «2025-жылдын 3-ноябры», «2025 жылы 3 ноябрда»."""
    previous = tokens[index - 1][1] if index >= 1 else ""
    earlier = tokens[index - 2][1] if index >= 2 else ""
    year = None
    if match := _YEAR_WITH_WORD.fullmatch(previous):
        year = int(match.group(1))
    elif _YEAR_WORD_ALONE.fullmatch(previous) and _FOUR_DIGITS.fullmatch(earlier):
        year = int(earlier)
    return year if year in _YEARS else None


def _first_word_at(tokens: list[tuple[int, str]], prefixes: tuple[str, ...]) -> int | None:
    for position, token in tokens:
        if any(word.startswith(prefixes) for word in skeleton(token).split()):
            return position
    return None


def scan_dates(text: str, words: DateWords | None = None) -> DateScan:
    """Find every date in a message, in the order written, with these languages' words
    (by default those of the bundled languages)."""
    words = words or date_words(bundled_languages())
    _month_of = words.month_of
    found: list[TypedDate] = []
    unreadable = False
    taken: list[tuple[int, int]] = []

    def add(span: tuple[int, int], day: int, month: int, year: int | None) -> None:
        nonlocal unreadable
        if any(start < span[1] and span[0] < end for start, end in taken):
            return
        taken.append(span)
        if _is_real(day, month, year):
            found.append(TypedDate(span[0], day, month, year))
        else:
            unreadable = True

    raw = text.lower()
    for match in _ISO.finditer(raw):
        add(match.span(), int(match.group(4)), int(match.group(3)), int(match.group(1)))
    for match in _NUMERIC.finditer(raw):
        day, separator, month, year = match.groups()
        if separator == "-" and year is None and (len(day) < 2 or len(month) < 2):
            continue  # "1-2 дня" is a range of days; a dashed date without a year is "03-11"
        if separator == "." and year is None and int(day) <= 23 and 12 < int(month) <= 59:
            continue  # "в 10.30" is a time of day, not a date to correct
        add(match.span(), int(day), int(month), _full_year(year))
    # "3-ноябрь" and "3 ноября" alike: split a day from its month, keeping positions.
    spaced = _DAY_DASH.sub(lambda m: m.group(1) + " ", raw)
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(spaced)]
    for index, (position, token) in enumerate(tokens):
        rest = [t for _, t in tokens[index + 1 : index + 4] if t not in _FILLERS]
        following = rest[0] if rest else ""
        after = rest[1] if len(rest) > 1 else ""
        glued = _DAY_GLUED.fullmatch(token)
        if glued and _month_of(glued.group(2)):  # "3ноября", "5noyabrda"
            year = _year_after(following) or _year_before(tokens, index)
            add((position, position + len(token)), int(glued.group(1)), _month_of(glued.group(2)), year)
            continue
        day = _DAY.fullmatch(token)
        month = _month_of(following)
        if day and month:
            year = _year_after(after) or _year_before(tokens, index)
            add((position, position + len(token) + 1), int(day.group(1)), month, year)
            continue
        month = _month_of(token)
        day = _DAY.fullmatch(following)
        if month and day and not _DAY.fullmatch(tokens[index - 1][1] if index else ""):
            add((position, position + len(token) + 1), int(day.group(1)), month, _year_after(after))
    return DateScan(
        tuple(sorted(found)),
        unreadable,
        arrival_word_at=_first_word_at(tokens, words.arrival_words),
        end_word_at=_first_word_at(tokens, words.end_words),
    )


def _is_real(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    try:
        dt.date(year or 2024, month, day)  # 2024 is a leap year: 29.02 without a year is real
    except ValueError:
        return False
    return year is None or year in _YEARS


def latest_on_or_before(typed: TypedDate, bound: dt.date) -> dt.date:
    """The date as written, or, without a year, the most recent such day not after `bound`.

    29.02 without a year becomes the last 29 February not after `bound`, never a 28th.
    """
    if typed.year is not None:
        return dt.date(typed.year, typed.month, typed.day)
    for year in range(bound.year, bound.year - _SEARCH_YEARS, -1):
        try:
            candidate = dt.date(year, typed.month, typed.day)
        except ValueError:
            continue
        if candidate <= bound:
            return candidate
    raise ValueError(f"no {typed.day:02}.{typed.month:02} in the {_SEARCH_YEARS} years up to {bound}")
