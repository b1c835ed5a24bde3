"""Rising terms: words and two-word phrases asked about far more often than usual.

A new law or a new app shows up as a word people suddenly use. Each distinct text is
tokenised once (the database already grouped identical texts), words are merged by their
skeleton so "патент", "patent" and "pattent" count together, and a term's share of this
period's free-text messages is compared with its share over the previous weeks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.understanding.skeleton import skeleton

_PLACEHOLDER = re.compile(r"<[a-z_]+>")
_WORD = re.compile(r"\w+")
# Words too common to tell anything on their own; a phrase containing one is skipped too.
STOPWORDS = frozenset("""
the and for are was you your can how what when where who why with from that this have has not but all any
does did get got there their they them will would should could about into out just like need want know
please hello help tell give much many some more than then its it's
что как где когда кто это для мне меня мой моя мое мои нет есть был была было быть или если так там тут
его она они вам вас нам нас уже еще ещё все всё при про над под без чтобы можно нужно надо очень только
такой какой какая какие кого чем тоже также потом сейчас здравствуйте привет пожалуйста помогите скажите
жана менен үчүн эмне кандай кантип качан кайда ким бул ошол мен сен сиз биз алар барбы керек болот
болобу эмес бар жок дагы деп саламатсызбы салам рахмат
""".split())


@dataclass(frozen=True)
class RisingTerm:
    term: str  # the spelling people used most
    count: int  # messages this period that contain it
    baseline_per_period: float  # average over the comparison periods
    ratio: float  # how many times more often than expected from the baseline share


@dataclass
class TermCounts:
    """Document frequencies by skeleton key, with the surface spellings seen."""

    counts: Counter[str]
    spellings: dict[str, Counter[str]]
    messages: int


def count_terms(rows: Iterable[tuple[str, int]]) -> TermCounts:
    """Count, for each term, the messages containing it; rows are (distinct text, times sent)."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    keys: dict[str, str] = {}
    messages = 0
    for text, times in rows:
        messages += times
        words = _WORD.findall(_PLACEHOLDER.sub(" ", (text or "").lower()))
        seen: dict[str, str] = {}
        previous: tuple[str, str] | None = None  # the last word, when it can start a phrase
        for word in words:
            if not _useful(word) or word in STOPWORDS:
                previous = None
                continue
            key = keys.get(word)
            if key is None:
                key = keys[word] = skeleton(word)
            if not key:
                previous = None
                continue
            seen.setdefault(key, word)
            if previous is not None:  # a phrase: two neighbouring words, neither of them filler
                seen.setdefault(f"{previous[0]} {key}", f"{previous[1]} {word}")
            previous = (key, word)
        for key, spelling in seen.items():
            counts[key] += times
            spellings.setdefault(key, Counter())[spelling] += times
    return TermCounts(counts, spellings, messages)


def _useful(word: str) -> bool:
    if word.isdigit():
        return 3 <= len(word) <= 4
    return len(word) >= 3 and not word.startswith("_")


def rising_terms(
    current: TermCounts,
    baseline: TermCounts,
    baseline_periods: int,
    *,
    min_count: int = 3,
    min_ratio: float = 3.0,
    limit: int = 15,
) -> list[RisingTerm]:
    """Terms whose share of messages rose at least `min_ratio` times against the baseline.

    The expected count is the term's baseline share times this period's messages; +1 on
    both sides keeps a term never seen before from an infinite ratio on one message.
    """
    if not current.messages or not baseline.messages:
        return []
    scale = current.messages / baseline.messages
    found: dict[str, RisingTerm] = {}
    for key, count in current.counts.items():
        if count < min_count:
            continue
        before = baseline.counts.get(key, 0)
        ratio = (count + 1) / (before * scale + 1)
        if ratio >= min_ratio:
            spelling = current.spellings[key].most_common(1)[0][0]
            found[key] = RisingTerm(spelling, count, before / max(baseline_periods, 1), round(ratio, 2))
    # A word that rose only as part of a rising phrase says nothing the phrase does not.
    for key, term in list(found.items()):
        if " " in key:
            for part in key.split(" "):
                single = found.get(part)
                if single is not None and single.count <= term.count * 1.25:
                    del found[part]
    ranked = sorted(found.values(), key=lambda t: (-t.ratio, -t.count, t.term))
    return ranked[:limit]
