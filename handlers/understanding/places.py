"""How a person names where they are: "в Польше", "Кореяда", "in Dubai", "Стамбул".

The bot asks "which country are you in?", and people answer in a word or two. The danger
model, left with so few n-grams, read some of them as danger ("в Польше" is a letter away from
«больше», as in «больше не могу»). Every place the log keeps unredacted
(storage/redaction/data/places.yaml) is taught to it as ordinary, bare and in the forms an
answer takes: Russian «в …» with the locative ending, Kyrgyz «…да/де/та/те», English "in …".
"""

from __future__ import annotations

from functools import cache

from storage.redaction.lexicon import place_names

_KYRGYZ_BACK_VOWELS = set("аоуыя")
_KYRGYZ_VOWELS = set("аоуыяеэиөүю")
_VOICELESS = set("кптсшчфхц")


@cache  # every build, the model cache's key and the danger detector ask
def place_answers() -> tuple[str, ...]:
    """The place names, bare and as a one- or two-word answer to "where are you?"."""
    answers: list[str] = []
    for place in place_names():
        answers.append(place)
        if place.isascii():
            answers.append(f"in {place}")
        else:
            answers += [f"в {_russian_locative(place)}", _kyrgyz_locative(place)]
    return tuple(answers)


def _russian_locative(place: str) -> str:
    """«Польша» → «Польше», «Россия» → «России», «Казахстан» → «Казахстане»; Алматы stays."""
    last = place[-1].lower()
    if last == "а":
        return place[:-1] + "е"
    if last in "яь":
        return place[:-1] + "и"
    if last in _KYRGYZ_VOWELS or last == "й" or not place[-1].isalpha():
        return place  # Алматы, Сочи; «Нижний» declines as an adjective: left bare
    return place + "е"


def _kyrgyz_locative(place: str) -> str:
    """«Корея» → «Кореяда», «Бишкек» → «Бишкекте»: vowel harmony and a voiceless last letter."""
    place = place.removesuffix("ь")  # Рязань → Рязанда
    vowels = [letter for letter in place.lower() if letter in _KYRGYZ_VOWELS]
    back = not vowels or vowels[-1] in _KYRGYZ_BACK_VOWELS
    consonant = "т" if place[-1].lower() in _VOICELESS else "д"
    return place + consonant + ("а" if back else "е")
