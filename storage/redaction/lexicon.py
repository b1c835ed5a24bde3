"""The word lists behind name and address redaction, and how a written word is matched to them.

Migrants write the same name in Cyrillic or Latin letters, in several spellings (Айбек,
Aibek, Aybek; Жылдыз, Zhyldyz, Jyldyz) and with Russian or Kyrgyz case endings (Айбека,
Айбекке, Москвада). Every list entry and every word of a message is reduced to one rough
Latin "skeleton" and compared after stripping such an ending, so each name or place is
listed once in data/*.yaml.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

from content.letters import CYRILLIC_TO_LATIN

log = logging.getLogger(__name__)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is ten times faster

_CYRILLIC_TO_LATIN = {
    **CYRILLIC_TO_LATIN,
    # as migrants type them in names: Цой → tsoi, Чолпон → cholpon, Шайлоо → shailoo
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    # Latin letters of Turkish, Kazakh and Uzbek keyboards, and apostrophes inside names
    "ü": "u",
    "ö": "o",
    "ñ": "n",
    "ı": "i",
    "ğ": "g",
    "ş": "sh",
    "ç": "ch",
    "'": "",
    "’": "",
    "ʻ": "",
    "`": "",
}
_LATIN_GROUPS = re.compile(r"^ye|^yo|zh|dzh|dj|kh|sch|ts|ch|sh|x|q|w|y|c")
_LATIN_GROUP_SOUNDS = {
    "ye": "e",
    "yo": "e",
    "zh": "j",
    "dzh": "j",
    "dj": "j",
    "kh": "h",
    "sch": "sh",
    "ts": "ts",
    "ch": "ch",
    "sh": "sh",
    "x": "ks",
    "q": "k",
    "w": "v",
    "y": "i",
    "c": "k",
}
_REPEATS = re.compile(r"(.)\1+")

# Case endings a name or place takes in a message, longest first. Russian: Айбека, Москве;
# Kyrgyz: Айбекке, Бишкектен, Москвадагы, Оштун. Latin letters: Kyrgyz endings only.
_RUSSIAN_ENDINGS = tuple(sorted(set("а я у ю е и ы ом ем ой ей ою ым".split()), key=len, reverse=True))
_KYRGYZ_ENDINGS = tuple(
    sorted(
        set(
            """
    га ге ка ке го гө ко кө да де та те до дө то тө дан ден тан тен дон дөн тон төн нан нен нон нөн
    дын дин тын тин дун дүн тун түн нын нин нун нүн ды ди ты ти ду дү ту тү ны ни ну нү
    дагы деги тагы теги догу дөгү тогу төгү га ға
    """.split()
        ),
        key=len,
        reverse=True,
    )
)
_LATIN_ENDINGS = tuple(
    sorted(
        set(
            """
    ga ge ka ke go ko da de ta te do to dan den tan ten don ton nan nen dyn din tyn tin dun tun nyn nin nun
    dy di ty ti du tu ny ni nu dagy degi tagy tegi
    """.split()
        ),
        key=len,
        reverse=True,
    )
)
# Endings a Russian name loses before a case ending: Ирина → Ирину, Сергей → Сергея, Игорь → Игоря.
_RUSSIAN_RESTORED = ("", "а", "я", "й", "ь")
_KYRGYZ_ONLY_LETTERS = re.compile(r"[өүң]")
_MIN_STEM = 3
_CYRILLIC_RE = re.compile(r"[а-яёөүңәғқҳӯӣҗ]")


def skeleton(word: str) -> str:
    """A rough Latin form that Айбек, Aibek and Aybek share."""
    low = word.lower().replace("-", "")
    if _CYRILLIC_RE.search(low):
        low = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in low)
    else:
        low = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) if ch in "üöñığşç'’ʻ`" else ch for ch in low)
        low = _LATIN_GROUPS.sub(lambda m: _LATIN_GROUP_SOUNDS[m.group()], low)
    return _REPEATS.sub(r"\1", low.replace("dj", "j"))


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC_RE.search(word.lower()))


def stems(word: str) -> tuple[str, ...]:
    """The word and what it could be before a case ending, as skeletons."""
    low = word.lower()
    found = [low]
    if is_cyrillic(low):
        for ending in _KYRGYZ_ENDINGS:
            if low.endswith(ending) and len(low) - len(ending) >= 2:
                found.append(low[: -len(ending)])
        if not _KYRGYZ_ONLY_LETTERS.search(low):  # Жаңы is not a form of Жанна
            for ending in _RUSSIAN_ENDINGS:
                if low.endswith(ending) and len(low) - len(ending) >= 2:
                    stem = low[: -len(ending)]
                    found.extend(stem + restored for restored in _RUSSIAN_RESTORED)
    else:
        for ending in _LATIN_ENDINGS:
            if low.endswith(ending) and len(low) - len(ending) >= _MIN_STEM + 1:
                found.append(low[: -len(ending)])
    return tuple(dict.fromkeys(skeleton(s) for s in found))


def _read(folder: Traversable, name: str) -> dict:
    """One data file; an unreadable one counts as empty, loudly: the dictionary and the
    name shapes still redact most names, and the log must keep working."""
    try:
        data = yaml.load(folder.joinpath(name).read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        if not isinstance(data, dict):
            raise ValueError("not a mapping of lists")
        return data
    except (OSError, ValueError, yaml.YAMLError):
        log.exception("redaction word list %s could not be read; it is left out until fixed", name)
        return {}


def _skeletons(words) -> frozenset[str]:
    return frozenset(skeleton(str(w)) for w in words)


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [w for part in value.values() for w in _flatten(part)]
    if isinstance(value, list):
        return [str(w) for w in value if w is not None]
    return []


@dataclass(frozen=True)
class Lexicon:
    """Every list of data/names.yaml and data/places.yaml, as skeletons."""

    first_names: frozenset[str]
    ambiguous_first_names: frozenset[str]
    given_name_endings: tuple[str, ...]
    surname_strong: tuple[str, ...]
    surname_weak: tuple[str, ...]
    patronymic_endings: tuple[str, ...]
    particles: frozenset[str]
    person_before: frozenset[str]
    person_after: frozenset[str]
    not_names: frozenset[str]
    places: frozenset[str]
    calendar: frozenset[str]
    not_streets: frozenset[str]

    def matches(self, word: str, entries: frozenset[str], *, min_stem: int = _MIN_STEM) -> bool:
        """True when the word, with or without a case ending, is one of the entries."""
        return any(len(s) >= min_stem and s in entries for s in stems(word))

    def exactly(self, word: str, entries: frozenset[str]) -> bool:
        return skeleton(word) in entries


def load_lexicon(folder: Traversable) -> Lexicon:
    """The lists of names.yaml and places.yaml in `folder`; a missing list is empty."""
    return _lexicon(_read(folder, "names.yaml"), _read(folder, "places.yaml"))


def _lexicon(names: dict, places: dict) -> Lexicon:
    def words(data: dict, *path: str) -> list[str]:
        value = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return _flatten(value or [])

    def endings(entries: list[str]) -> tuple[str, ...]:
        return tuple(sorted({w.lower() for w in entries}, key=len, reverse=True))

    ambiguous = _skeletons(words(names, "ambiguous_first_names"))
    return Lexicon(
        first_names=_skeletons(words(names, "first_names")) - ambiguous,
        ambiguous_first_names=ambiguous,
        given_name_endings=endings(words(names, "given_name_endings")),
        surname_strong=endings(words(names, "surname_endings", "strong")),
        surname_weak=endings(words(names, "surname_endings", "weak")),
        patronymic_endings=endings(words(names, "patronymic_endings")),
        particles=_skeletons(words(names, "name_particles")),
        person_before=_skeletons(words(names, "person_words", "before")),
        person_after=_skeletons(words(names, "person_words", "after")),
        not_names=_skeletons(words(names, "not_names")),
        places=_skeletons(words(places, "places") + words(places, "institutions")),
        calendar=_skeletons(words(places, "calendar")),
        not_streets=_skeletons(words(places, "not_streets")),
    )


@functools.cache
def _shipped(name: str) -> dict:
    """One shipped data file (storage/redaction/data), read once for the lexicon and the place names."""
    return _read(resources.files("storage.redaction").joinpath("data"), name)


@functools.cache
def lexicon() -> Lexicon:
    """The shipped word lists, read once."""
    return _lexicon(_shipped("names.yaml"), _shipped("places.yaml"))


@functools.cache
def place_names() -> tuple[str, ...]:
    """The shipped list of places as written ("Москва", "Dubai"), not as skeletons: the danger
    model learns them as everyday answers to "where are you?" (handlers/understanding/places.py)."""
    return tuple(_flatten(_shipped("places.yaml").get("places")))
