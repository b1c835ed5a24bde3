"""Finding the host country a message names: «в Россию», «Казакстанга», "v Rossii", "in Korea".

The names come from content/countries.yaml (every language's name of every country), folded
to the Latin skeleton so Cyrillic and Latin spellings meet. A word names a country when it
is that name's stem followed by a case ending: Russian (России, Корее, Казахстаном) or
Kyrgyz (Орусияда, Казакстанга, Кореядан). Names of more than one word ("Другая страна",
"Кыргызстан (я иностранец)") are choices for buttons, not names people type, and are skipped.
"""

from __future__ import annotations

import re

from content import Content
from handlers.understanding.skeleton import skeleton

# Endings after the stem, on the skeleton, once the vowels that start them are dropped:
# Russian cases (-ии, -ею, -ей, -ом, -е) and Kyrgyz cases (-га/-ка, -да/-та, -дан/-тан,
# -дагы, -нын, -ны) with their vowel-harmony variants.
_ENDINGS = frozenset(
    {
        "",
        "m",
        "n",
        "ga",
        "ge",
        "go",
        "gu",
        "ka",
        "ke",
        "ko",
        "ku",
        "da",
        "de",
        "do",
        "du",
        "ta",
        "te",
        "to",
        "tu",
        "dan",
        "den",
        "don",
        "dun",
        "tan",
        "ten",
        "ton",
        "tun",
        "dagi",
        "degi",
        "dogu",
        "dugu",
        "tagi",
        "tegi",
        "nin",
        "nun",
        "ni",
        "nu",
    }
)
_LEADING_VOWELS = re.compile(r"^[aeiou]+")
_MIN_STEM = 4


class CountryFinder:
    def __init__(self, content: Content) -> None:
        self._stems: list[tuple[str, str]] = []  # (stem, country code), longest stems first
        for code, country in content.countries.items():
            for name in set(country.names.values()):
                folded = skeleton(name)
                if folded and " " not in folded:
                    self._stems.append((_stem(folded), code))
        self._stems.sort(key=lambda item: -len(item[0]))

    def find(self, text: str) -> str | None:
        """The one country the text names, or None when it names none or several."""
        named = {code for word in skeleton(text).split() if (code := self._country_of(word))}
        return named.pop() if len(named) == 1 else None

    def _country_of(self, word: str) -> str | None:
        for stem, code in self._stems:
            if word.startswith(stem) and _LEADING_VOWELS.sub("", word[len(stem) :]) in _ENDINGS:
                return code
        return None


def _stem(folded: str) -> str:
    """The name without its final vowels ("koreia" → "kore"), keeping at least four letters
    so that short words ("көр", "коргоо") never look like a country."""
    stem = folded
    while len(stem) > _MIN_STEM and stem[-1] in "aeiou":
        stem = stem[:-1]
    return stem
