"""Addresses written without "ул.": a street's name followed by a house number, as people
type them in a hurry: «Профсоюзная 43 к2», «Ленина 12-45», «Chuy 114», «Жибек Жолу 45».

The street is one to three capitalised words right before the number. It is not a street
when the word is a month, a place, an institution or a word like "Статья" (data/places.yaml),
an ordinary Russian noun or verb ("Патент 3"), or when the number is a year or is followed by
a unit ("Москва 30 дней", "Nurlan 25 years").
"""

from __future__ import annotations

import re

from storage.redaction import morphology
from storage.redaction.lexicon import is_cyrillic, lexicon

_CAP_WORD = r"[A-ZА-ЯЁӨҮҢ][^\W\d_]*(?:[-'’][^\W\d_]+)*"
_HOUSE = r"\d{1,4}(?:[/\-]\d{1,4})?[a-zа-я]?(?:[ \t]*(?:к|корп|стр|k)\.?[ \t]*\d{1,3})?"
# A Kyrgyz case ending on the house number: "Жибек Жолу 45те турам", "Manas 40ka".
_KYRGYZ_TAIL = r"(?:-?(?:[тдгк][еаоө]н?|дагы|деги|тагы|теги|[tdgk][eao]n?|dagy|degi|tagy))?"
_STREET_NUMBER_RE = re.compile(
    rf"(?<![\w<])(?P<street>(?:{_CAP_WORD}[ \t]+){{0,2}}{_CAP_WORD}),?[ \t]+(?:№[ \t]*)?"
    rf"(?P<house>{_HOUSE}){_KYRGYZ_TAIL}"
    r"(?![\w.,:/]\d|\d|[.,:]\d|[^\W\d_])"
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_UNIT_AFTER_RE = re.compile(
    r"[ \t]*(?:-?[ \t]*)?(?i:дн|день|дня|сут|лет|год|мес|нед|час|мин|сек|раз|сом|руб|р\b|тыс|млн|доллар|евро|"
    r"тенге|%|процент|человек|чел|штук|шт|кг|км|м\b|жыл|ай|күн|саат|жума|мүнөт|адам|миң|"
    r"day|week|month|year|hour|min|time|som|rub|dollar|usd|won|people|person|percent|km|kg|"
    r"jyl|kun|ai\b|lari|-?чи|-?чы|-?чу|-?чү|-?ый|-?ий|-?ой|-?го|-?му|-?м\b|-?й\b|-?th|-?st|-?nd|-?rd)"
)
# Street names are often adjectives: Профсоюзная, Московская, Советский.
_ADJECTIVE_ENDINGS = ("ая", "ой", "ий", "ый", "яя", "ей", "ского", "ской", "ская", "ский")


def street_number_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _STREET_NUMBER_RE.finditer(text):
        house = match.group("house")
        if _YEAR_RE.fullmatch(house) or _UNIT_AFTER_RE.match(text, match.end()):
            continue
        words = match.group("street").split()
        starts_sentence = _starts_sentence(text, match.start("street"))
        house_shaped = not house.isdigit()
        # Keep only the street's own words: the ones right before the number that could name a street.
        kept = 0
        for position, word in reversed(list(enumerate(words))):
            if not _could_be_street(word, house_shaped=house_shaped, first=starts_sentence and position == 0):
                break
            kept += 1
        if not kept:
            continue
        start = match.start("street") + len(" ".join(words[: len(words) - kept])) + (1 if kept < len(words) else 0)
        spans.append((start, match.end()))
    return spans


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?…\n:;«"('


def _could_be_street(word: str, *, house_shaped: bool, first: bool) -> bool:
    """A word that can be (part of) a street's name. A Russian noun is one only in the
    genitive inside a sentence ("Мира 7", "Победы 12") or before a house-shaped number."""
    lex = lexicon()
    if (
        lex.exactly(word, lex.calendar)
        or lex.exactly(word, lex.not_streets)
        or lex.exactly(word, lex.not_names)
        or lex.matches(word, lex.places, min_stem=2)
    ):
        return False
    if word.isupper() and len(word) <= 4:
        return False  # МВД 2, EPS 5
    if not is_cyrillic(word):
        return True
    low = word.lower()
    dictionary = morphology.readings(low)
    return (
        not dictionary.common
        or dictionary.person
        or dictionary.place
        or low.endswith(_ADJECTIVE_ENDINGS)
        or house_shaped
        or (dictionary.genitive and not first)
    )
