"""What the Russian dictionary says about a word: a given name, surname, patronymic, place,
or an ordinary word. pymorphy3's OpenCorpora dictionary (about 400,000 lemmas) tells
"Долгов" the surname from "долгов" (of debts), and "Ростов" the city from a surname.

Only dictionary look-ups are used: pymorphy3's guesser for unknown words is ten times slower
and adds nothing here, since an unknown capitalised word is judged by the name patterns.
Loading takes 0.1-0.3 s and about 25 MB; storage.redaction starts it in a background thread
when it is imported, so the first message logged after a start does not wait for it.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)

_NAME_TAGS = {"Name": "name", "Surn": "surname", "Patr": "patronymic"}
_PLACE_TAGS = ("Geox", "Orgn", "Trad")
_CACHE_WORDS = 8192


@dataclass(frozen=True)
class Readings:
    """The kinds of reading the dictionary has for one word; all False when it is unknown."""

    name: bool = False
    surname: bool = False
    patronymic: bool = False
    place: bool = False
    common: bool = False  # a reading that is neither a person nor a place: "долгов", "вера"
    genitive: bool = False  # an ordinary noun in the genitive: "Мира", "Победы" (street names)
    adjective: bool = False  # "Московской", "Толстой": a proper adjective more often than a surname

    @property
    def known(self) -> bool:
        return self.name or self.surname or self.patronymic or self.place or self.common

    @property
    def person(self) -> bool:
        return self.name or self.surname or self.patronymic


_UNKNOWN = Readings()
_lock = threading.Lock()
_analyzer = None
_failed = False


def load():
    """The analyzer, loaded once; None when the dictionary cannot be loaded. The dictionary
    path is given, which skips pymorphy3's search of installed packages (0.2 s)."""
    global _analyzer, _failed
    with _lock:
        if _analyzer is None and not _failed:
            try:
                import pymorphy3
                import pymorphy3_dicts_ru
                from pymorphy3.units import DictionaryAnalyzer

                _analyzer = pymorphy3.MorphAnalyzer(
                    path=pymorphy3_dicts_ru.get_path(), units=[DictionaryAnalyzer()], probability_estimator_cls=None
                )
            except Exception:  # a broken install must not stop logging: name patterns still apply
                _failed = True
                log.exception("Russian dictionary unavailable; names are redacted by patterns only")
        return _analyzer


@functools.lru_cache(maxsize=_CACHE_WORDS)
def readings(word: str) -> Readings:
    """The dictionary's readings of a Cyrillic word (any case)."""
    analyzer = load()
    if analyzer is None:
        return _UNKNOWN
    kinds = {
        "name": False,
        "surname": False,
        "patronymic": False,
        "place": False,
        "common": False,
        "genitive": False,
        "adjective": False,
    }
    for parse in analyzer.parse(word.lower()):
        grammemes = parse.tag.grammemes
        person = [kind for tag, kind in _NAME_TAGS.items() if tag in grammemes]
        for kind in person:
            kinds[kind] = True
        if any(tag in grammemes for tag in _PLACE_TAGS):
            kinds["place"] = True
        elif not person and "Abbr" not in grammemes and "Init" not in grammemes:
            kinds["common"] = True
            kinds["genitive"] = kinds["genitive"] or ("NOUN" in grammemes and "gent" in grammemes)
            kinds["adjective"] = kinds["adjective"] or ("ADJF" in grammemes and "Poss" not in grammemes)
    return Readings(**kinds)
