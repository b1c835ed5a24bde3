"""The phrases around a name or an address, built from every language's data file.

"меня зовут", "менин атым", "my name is", "ул.", "көчөсү", "кв" are words of a language, so
they live in content/languages/<lang>.yaml (`redaction:`), and a new language brings its own.
A message is checked with the phrases of all languages at once: people mix them ("my name
is Айбек", "Ленин көчөсү 12, кв 5"). Each phrase is matched whatever the case, its spaces
as any run of spaces, "ё" also as "е", an apostrophe as either apostrophe, and a final `*`
as any ending.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from content.language_data import Language, bundled_languages

_LETTER = r"[^\W\d_]"
_SP = r"[ \t\u00a0\u202f]"
_NEVER = "(?!)"  # a group no language gave words for matches nothing


@dataclass(frozen=True)
class Triggers:
    """The compiled patterns, one per kind of phrase; see storage/redaction/__init__.py."""

    name: re.Pattern[str]  # groups: loose, one_word, colon, dash
    street_before: re.Pattern[str]  # groups: abbr, word
    street_after: re.Pattern[str]  # groups: name, kw, num
    house: re.Pattern[str]  # groups: kw, sep, num
    house_before: re.Pattern[str]  # groups: num, sep, kw


@functools.cache
def bundled_triggers() -> Triggers:
    """The patterns of the languages shipped in content/languages."""
    return triggers_for(bundled_languages())


@functools.lru_cache(maxsize=8)
def triggers_for(languages: tuple[Language, ...]) -> Triggers:
    words = [language.redaction for language in languages]

    def alternatives(field: str, *, keep: Iterable[str] | None = None) -> str:
        phrases = {phrase for entry in words for phrase in getattr(entry, field)}
        if keep is not None:
            phrases &= set(keep)
        patterns = sorted({_phrase(phrase) for phrase in phrases}, key=lambda p: (-len(p), p))
        return "|".join(patterns) or _NEVER

    abbreviations = {phrase for entry in words for phrase in entry.street_abbreviations}
    dotted = [_phrase(p) for p in sorted(abbreviations) if p.endswith(".")]
    bare = [_phrase(p) for p in sorted(abbreviations) if not p.endswith(".")]
    abbr = "|".join([*(f"(?:{p})(?:\\.|(?!{_LETTER}))" for p in bare), *dotted]) or _NEVER
    exact_after_number = [p for entry in words for p in entry.house_after_number if not p.endswith("*")]
    return Triggers(
        name=re.compile(
            rf"(?<!{_LETTER})(?:"
            rf"(?P<loose>{alternatives('name_after')})"
            rf"|(?P<one_word>{alternatives('name_after_one_word')})"
            rf"|(?P<colon>(?:{alternatives('name_labels')})\s*:)"
            rf"|(?P<dash>(?:{alternatives('name_before_dash')})\s*[—–-]))"
            rf"(?!{_LETTER})",
            re.IGNORECASE,
        ),
        street_before=re.compile(
            rf"(?<![\w.])(?:(?P<abbr>{abbr})|(?P<word>(?:{alternatives('street_before')})(?!{_LETTER})))",
            re.IGNORECASE,
        ),
        street_after=re.compile(
            rf"(?<![\w<])(?P<name>(?:\d+\w*{_SP}+)?(?:[A-ZА-ЯЁӨҮҢ][\w\-'’]*{_SP}+){{1,3}})"
            rf"(?P<kw>(?i:{alternatives('street_after')})(?![\w]))"
            rf"(?P<num>{_SP}*,?{_SP}*\d+(?:/\d+)?\w*)?"
        ),
        # Not after a number: "1 кв. 2026" is a quarter, "30 д. 5 ч." a duration.
        house=re.compile(
            rf"(?<![\w.])(?<!\d )(?P<kw>(?i:{alternatives('house_before_number')}))"
            rf"(?!{_LETTER})\.?"
            rf"(?P<sep>{_SP}*(?:№|N|#|no\.?)?{_SP}*)(?P<num>\d+(?:[/\-]\d+)?{_LETTER}?)(?![\w])"
            r"(?!\s*(?:кв\.?\s*м|м2|м²|sq))"  # "квартира 50 кв. м" is an area, not a flat number
        ),
        # "45-батир"; a word written in full (no *) may also follow a space: "12 мкр".
        house_before=re.compile(
            rf"(?<![\w\-])(?P<num>\d+{_LETTER}?)"
            rf"(?P<sep>{_SP}*-{_SP}*|{_SP}+(?=(?i:{alternatives('house_after_number', keep=exact_after_number)})))"
            rf"(?P<kw>(?i:{alternatives('house_after_number')}))"
        ),
    )


def _phrase(phrase: str) -> str:
    """A data file's phrase as a pattern: spaces, "ё", apostrophes and a final * loosened."""
    any_ending = phrase.endswith("*")
    parts = []
    for char in phrase.rstrip("*").strip():
        if char.isspace():
            parts.append(r"\s+")
        elif char in "'’":
            parts.append("['’]")
        elif char in "ёЁ":
            parts.append("[её]")
        else:
            parts.append(re.escape(char))
    return re.sub(r"(\\s\+)+", r"\\s+", "".join(parts)) + (r"\w*" if any_ending else "")
