"""Rising terms: words and two-word phrases used far more often than usual.

A new law or a new app shows up as a word people suddenly use. The period's texts arrive
from SQL as one newline-separated string; counting words and neighbouring word pairs is
then done by C code (regex, Counter) rather than a Python loop per message. Words are
merged by their skeleton, so "патент", "patent" and "pattent" count together, and a term's
share of this period's free-text messages is compared with its share over the baseline.
Only the few terms frequent enough this period are looked up in the baseline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from handlers.understanding.skeleton import skeleton

_PLACEHOLDER = re.compile(r"<[a-z_]+>")
_TOKEN = re.compile(r"\w+|\n")  # a newline ends a message, so no phrase spans two
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

Key = str | tuple[str, str]  # a word's skeleton, or the skeletons of two neighbouring words


@dataclass(frozen=True)
class RisingTerm:
    term: str  # the spelling people used most
    count: int  # times used this period
    baseline_per_period: float  # average use per baseline period
    ratio: float  # how many times more often than expected from the baseline share


@dataclass
class TermCounts:
    """Word and neighbouring-pair counts of one period's free-text messages."""

    words: Counter[str]
    pairs: Counter[tuple[str, str]]
    messages: int


def count_terms(corpus: str, messages: int) -> TermCounts:
    """Count words and word pairs in newline-separated messages (`messages` of them)."""
    tokens = _TOKEN.findall(_PLACEHOLDER.sub(" ", corpus.lower()))
    return TermCounts(Counter(tokens), Counter(zip(tokens, tokens[1:], strict=False)), messages)


class _Keys:
    """Word → skeleton key, '' for words that say nothing (short, stopwords, placeholders)."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        key = self._cache.get(word)
        if key is None:
            useful = (3 <= len(word) <= 4) if word.isdigit() else (len(word) >= 3 and word not in STOPWORDS)
            key = self._cache[word] = skeleton(word) if useful and not word.startswith("_") else ""
        return key


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
    keys = _Keys()
    counts: Counter[Key] = Counter()
    spellings: dict[Key, Counter[str]] = {}
    for word, n in current.words.items():
        if key := keys(word):
            counts[key] += n
            spellings.setdefault(key, Counter())[word] += n
    for (first, second), n in current.pairs.items():
        if (a := keys(first)) and (b := keys(second)):
            counts[(a, b)] += n
            spellings.setdefault((a, b), Counter())[f"{first} {second}"] += n
    candidates = {key: n for key, n in counts.items() if n >= min_count}
    before = _baseline_counts(baseline, set(candidates), keys)
    scale = current.messages / baseline.messages
    found: dict[Key, RisingTerm] = {}
    for key, count in candidates.items():
        ratio = (count + 1) / (before.get(key, 0) * scale + 1)
        if ratio >= min_ratio:
            spelling = spellings[key].most_common(1)[0][0]
            found[key] = RisingTerm(spelling, count, before.get(key, 0) / max(baseline_periods, 1), round(ratio, 2))
    # A word that rose only as part of a rising phrase says nothing the phrase does not.
    for key, term in list(found.items()):
        if isinstance(key, tuple):
            for part in key:
                single = found.get(part)
                if single is not None and single.count <= term.count * 1.25:
                    del found[part]
    return sorted(found.values(), key=lambda t: (-t.ratio, -t.count, t.term))[:limit]


def _baseline_counts(baseline: TermCounts, wanted: set[Key], keys: _Keys) -> Counter[Key]:
    """Baseline counts of the wanted keys only: one pass over the vocabulary, then pair look-ups."""
    counts: Counter[Key] = Counter()
    parts = {part for key in wanted if isinstance(key, tuple) for part in key}
    surfaces: dict[str, list[str]] = {}
    for word, n in baseline.words.items():
        key = keys(word)
        if key in wanted:
            counts[key] += n
        if key in parts:
            surfaces.setdefault(key, []).append(word)
    for key in wanted:
        if isinstance(key, tuple):
            counts[key] = sum(
                baseline.pairs.get((a, b), 0) for a in surfaces.get(key[0], ()) for b in surfaces.get(key[1], ())
            )
    return counts
