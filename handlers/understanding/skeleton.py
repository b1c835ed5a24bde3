"""Fold any spelling of a message to one Latin "skeleton" used only for matching.

Migrants write the same words in Cyrillic, in several Latin transliterations, with ң/ө/ү
typed as н/о/у and with typos. Folding training examples and queries alike to one
spelling lets "patent kerekpi", "патент керекпи" and "pattent kerekbi" meet. The skeleton
is never shown to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from content.letters import CYRILLIC_TO_LATIN

# Latin letters from Turkish, Kazakh and Uzbek keyboards, and look-alikes.
_LATIN_LETTERS = {
    "ö": "o",
    "ü": "u",
    "ñ": "n",
    "ğ": "g",
    "ş": "š",
    "ç": "č",
    "ı": "i",
    "é": "e",
    "è": "e",
    "á": "a",
    "à": "a",
    "ä": "a",
    "ó": "o",
    "ú": "u",
    "í": "i",
    "q": "k",
    "w": "v",
    "x": "h",
    "y": "i",
    "ŋ": "n",
}
# Transliteration digraphs, longest first, applied to Latin input.
_DIGRAPHS = (
    ("shch", "š"),
    ("sch", "š"),
    ("sh", "š"),
    ("ch", "č"),
    ("zh", "j"),
    ("kh", "h"),
    ("ts", "c"),
    ("dj", "j"),
    ("tch", "č"),
)
_TABLE = str.maketrans({**CYRILLIC_TO_LATIN, **_LATIN_LETTERS})
_DIGRAPH_RE = re.compile("|".join(re.escape(d) for d, _ in _DIGRAPHS))
_DIGRAPH_MAP = dict(_DIGRAPHS)
_NOT_ALNUM = re.compile(r"[^\w]+|_")
_REPEATS = re.compile(r"(\D)\1+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=512)  # one message is folded by the router, the language and danger detectors
def skeleton(text: str) -> str:
    """The matching skeleton of a text: lowercase ASCII-ish letters, digits and spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], text)
    text = text.translate(_TABLE)
    text = _NOT_ALNUM.sub(" ", text)
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
