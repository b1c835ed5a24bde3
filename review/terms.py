"""Rising terms: words and two-word phrases used far more often than usual.

A new law or a new app shows up as a word people suddenly use. A period's texts arrive
from SQL as one newline-separated string; words are found by one regex pass, counted by
Counter, and neighbouring pairs are counted with numpy on word numbers, so no Python code
runs per message. Words are merged by their skeleton ("патент", "patent" and "pattent"
count together), and a term's share of this period's free-text messages is compared with
its share over the baseline periods.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from handlers.understanding.skeleton import skeleton

_PLACEHOLDER = re.compile(r"<[a-z_]+>")
_TOKEN = re.compile(r"\w+|\n")  # a newline ends a message, so no phrase spans two
# Words too common to tell anything on their own; a phrase containing one is skipped too.
STOPWORDS = frozenset(
    """
the and for are was you your can how what when where who why with from that this have has not but all any
does did get got there their they them will would should could about into out just like need want know
please hello help tell give much many some more than then its it's
что как где когда кто это для мне меня мой моя мое мои нет есть был была было быть или если так там тут
его она они вам вас нам нас уже еще ещё все всё при про над под без чтобы можно нужно надо очень только
такой какой какая какие кого чем тоже также потом сейчас здравствуйте привет пожалуйста помогите скажите
жана менен үчүн эмне кандай кантип качан кайда ким бул ошол мен сен сиз биз алар барбы керек болот
болобу эмес бар жок дагы деп саламатсызбы салам рахмат
""".split()
)


@dataclass(frozen=True)
class RisingTerm:
    term: str  # the spelling people used most
    count: int  # times used this period
    baseline_per_period: float  # average use per baseline period
    ratio: float  # how many times more often than expected from the baseline share


@dataclass
class TermCounts:
    """One period's words: their counts, and the whole text as a sequence of word numbers."""

    words: Counter[str]
    tokens: np.ndarray  # index into `vocabulary` for every word and message end, in order
    vocabulary: list[str]
    messages: int

    def pairs(self) -> Counter[tuple[str, str]]:
        """Neighbouring word pairs and their counts (for tests and inspection)."""
        codes, counts = np.unique(self.tokens[:-1] * len(self.vocabulary) + self.tokens[1:], return_counts=True)
        size = len(self.vocabulary)
        return Counter(
            {
                (self.vocabulary[c // size], self.vocabulary[c % size]): int(n)
                for c, n in zip(codes.tolist(), counts.tolist(), strict=True)
            }
        )


def count_terms(corpus: str, messages: int) -> TermCounts:
    """Count the words of newline-separated messages (`messages` of them)."""
    tokens = _TOKEN.findall(_PLACEHOLDER.sub(" ", corpus.lower()))
    words = Counter(tokens)
    vocabulary = list(words)
    number = {word: i for i, word in enumerate(vocabulary)}
    ids = np.fromiter(map(number.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    return TermCounts(words, ids, vocabulary, messages)


class _Keys:
    """Skeleton keys numbered across both periods; -1 for words that say nothing."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._index: dict[str, int] = {}
        self._skeletons: dict[str, str] = {}

    def of(self, word: str) -> int:
        key = self._skeletons.get(word)
        if key is None:
            useful = (3 <= len(word) <= 4) if word.isdigit() else (len(word) >= 3 and word not in STOPWORDS)
            key = self._skeletons[word] = skeleton(word) if useful and not word.startswith("_") else ""
        if not key:
            return -1
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.names)
            self.names.append(key)
        return index

    def for_words(self, counts: TermCounts) -> np.ndarray:
        """Key number of every token of a period (-1 for filler words and message ends)."""
        table = np.fromiter((self.of(w) for w in counts.vocabulary), dtype=np.int64, count=len(counts.vocabulary))
        return table[counts.tokens] if len(counts.tokens) else np.zeros(0, dtype=np.int64)


def _pair_codes(keys: np.ndarray, size: int) -> np.ndarray:
    """Codes of neighbouring key pairs where both words carry meaning."""
    first, second = keys[:-1], keys[1:]
    both = (first >= 0) & (second >= 0)
    return first[both] * size + second[both]


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
    now_keys, before_keys = keys.for_words(current), keys.for_words(baseline)
    size = max(len(keys.names), 1)
    counted: dict[str | tuple[str, str], tuple[int, int]] = {}  # term → (now, before)

    # Single words.
    now_words = np.bincount(now_keys[now_keys >= 0], minlength=size)
    before_words = np.bincount(before_keys[before_keys >= 0], minlength=size)
    for index in np.flatnonzero(now_words >= min_count).tolist():
        counted[keys.names[index]] = (int(now_words[index]), int(before_words[index]))
    # Pairs of neighbouring words.
    now_codes, now_counts = np.unique(_pair_codes(now_keys, size), return_counts=True)
    frequent = now_counts >= min_count
    now_codes, now_counts = now_codes[frequent], now_counts[frequent]
    before_codes = _pair_codes(before_keys, size)
    before_codes, before_counts = np.unique(before_codes[np.isin(before_codes, now_codes)], return_counts=True)
    before_of = dict(zip(before_codes.tolist(), before_counts.tolist(), strict=True))
    for code, n in zip(now_codes.tolist(), now_counts.tolist(), strict=True):
        counted[(keys.names[code // size], keys.names[code % size])] = (n, before_of.get(code, 0))

    scale = current.messages / baseline.messages
    found: dict[str | tuple[str, str], RisingTerm] = {}
    for term, (count, before) in counted.items():
        ratio = (count + 1) / (before * scale + 1)
        if ratio >= min_ratio:
            found[term] = RisingTerm("", count, before / max(baseline_periods, 1), round(ratio, 2))
    # A word that rose only as part of a rising phrase says nothing the phrase does not.
    for term, rising in list(found.items()):
        if isinstance(term, tuple):
            for part in term:
                single = found.get(part)
                if single is not None and single.count <= rising.count * 1.25:
                    del found[part]
    ranked = sorted(found.items(), key=lambda item: (-item[1].ratio, -item[1].count, str(item[0])))[:limit]
    spelled = _spellings(current, keys, now_keys, [term for term, _ in ranked])
    return [RisingTerm(spelled[term], r.count, r.baseline_per_period, r.ratio) for term, r in ranked]


def _spellings(
    counts: TermCounts,
    keys: _Keys,
    token_keys: np.ndarray,
    terms: list[str | tuple[str, str]],
) -> dict[str | tuple[str, str], str]:
    """The spelling people used most for each term (only for the few terms shown)."""
    best: dict[str | tuple[str, str], tuple[int, str]] = {}
    words = {term for term in terms if isinstance(term, str)}
    for word, n in counts.words.items():
        index = keys.of(word)
        if index >= 0 and keys.names[index] in words:
            best[keys.names[index]] = max(best.get(keys.names[index], (0, "")), (n, word))
    size, vocabulary = len(keys.names), counts.vocabulary
    number = {name: i for i, name in enumerate(keys.names)}
    wanted = [number[a] * size + number[b] for a, b in (t for t in terms if isinstance(t, tuple))]
    if wanted:
        first, second = token_keys[:-1], token_keys[1:]
        at = (first >= 0) & (second >= 0) & np.isin(first * size + second, wanted)
        surface = counts.tokens[:-1][at] * len(vocabulary) + counts.tokens[1:][at]
        codes, times = np.unique(surface, return_counts=True)
        for code, n in zip(codes.tolist(), times.tolist(), strict=True):
            a, b = vocabulary[code // len(vocabulary)], vocabulary[code % len(vocabulary)]
            term = (keys.names[keys.of(a)], keys.names[keys.of(b)])
            best[term] = max(best.get(term, (0, "")), (n, f"{a} {b}"))
    return {term: spelling for term, (_, spelling) in best.items()}
