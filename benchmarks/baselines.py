"""Two usual FAQ-bot approaches, trained on the same example questions as helpline.

Both keep the raw text, lowercased, and answer with the label of the most similar
example question: (a) word TF-IDF with cosine similarity (scikit-learn), (b) a rapidfuzz
scorer (WRatio is `process.extractOne`'s default; the benchmark tries several and keeps
the best). Off-topic examples are one more label, and a similarity below a threshold
means "no topic", as helpline's router does it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process, utils
from sklearn.feature_extraction.text import TfidfVectorizer

from handlers.understanding.router import OFF_TOPIC

TOP = 3


@dataclass(frozen=True)
class Scored:
    """A system's raw view of one question, before any threshold."""

    best: str  # the best label, possibly OFF_TOPIC
    score: float  # its similarity or confidence
    ranked: tuple[str, ...]  # the best three real topics


def decide(scored: Scored, threshold: float) -> str | None:
    """The answer: a topic, or None for off-topic or a score under the threshold."""
    return None if scored.best == OFF_TOPIC or scored.score < threshold else scored.best


class NearestExample:
    """Label of the most similar example question; subclasses say what similar means."""

    name = "nearest example"

    def __init__(self, examples: Mapping[str, Sequence[str]], off_topic: Sequence[str]) -> None:
        pairs = [(label, text) for label, texts in examples.items() for text in texts]
        pairs += [(OFF_TOPIC, text) for text in off_topic]
        self.labels = sorted({label for label, _ in pairs})
        index = {label: i for i, label in enumerate(self.labels)}
        pairs.sort(key=lambda pair: index[pair[0]])
        self.texts = [text for _, text in pairs]
        example_labels = np.array([index[label] for label, _ in pairs])
        self._starts = np.flatnonzero(np.r_[True, example_labels[1:] != example_labels[:-1]])
        self._off = index.get(OFF_TOPIC, -1)
        self.fit(self.texts)

    def fit(self, texts: list[str]) -> None:
        raise NotImplementedError

    def similarities(self, queries: list[str]) -> np.ndarray:
        """queries × examples, higher is more similar."""
        raise NotImplementedError

    def score(self, queries: list[str]) -> list[Scored]:
        per_label = np.maximum.reduceat(self.similarities(queries), self._starts, axis=1)
        best = per_label.argmax(axis=1)
        topics_only = per_label.copy()
        if self._off >= 0:
            topics_only[:, self._off] = -np.inf
        top = np.argsort(-topics_only, axis=1, kind="stable")[:, :TOP]
        return [
            Scored(self.labels[b], float(per_label[row, b]), tuple(self.labels[i] for i in top[row]))
            for row, b in enumerate(best)
        ]


class TfidfNearest(NearestExample):
    """(a) scikit-learn word TF-IDF (default settings, lowercased), cosine nearest example."""

    name = "word TF-IDF, cosine nearest example"

    def fit(self, texts: list[str]) -> None:
        self.vectorizer = TfidfVectorizer(lowercase=True)
        self.matrix = self.vectorizer.fit_transform(texts)

    def similarities(self, queries: list[str]) -> np.ndarray:
        return (self.vectorizer.transform(queries) @ self.matrix.T).toarray()


FUZZY_SCORERS = ("WRatio", "token_set_ratio", "token_sort_ratio", "ratio")


class FuzzyNearest(NearestExample):
    """(b) a rapidfuzz scorer (0–100) after its default processing (lowercase, no punctuation)."""

    name = "rapidfuzz best match"

    def __init__(self, examples: Mapping[str, Sequence[str]], off_topic: Sequence[str], scorer: str = "WRatio") -> None:
        self.scorer = scorer
        super().__init__(examples, off_topic)

    def fit(self, texts: list[str]) -> None:
        self.choices = texts

    def similarities(self, queries: list[str]) -> np.ndarray:
        return process.cdist(
            queries,
            self.choices,
            scorer=getattr(fuzz, self.scorer),
            processor=utils.default_process,
            dtype=np.float32,
            workers=1,
        )


def tune_threshold(golds: Sequence[str | None], scored: Sequence[Scored]) -> tuple[float, int]:
    """The threshold deciding most evaluation questions right, and how many that is.

    Right means: an on-topic question answered with its own topic, an off-topic question
    given no topic. Every distinct score (and 0) is tried; ties keep the lowest threshold.
    """
    scores = np.array([s.score for s in scored])
    on_topic = np.array([gold is not None for gold in golds])
    best_is_gold = np.array([s.best == gold for s, gold in zip(scored, golds, strict=True)])
    best_is_off = np.array([s.best == OFF_TOPIC for s in scored])
    candidates = np.unique(np.r_[0.0, scores])
    kept = scores[None, :] >= candidates[:, None]  # thresholds × questions
    right = (on_topic & best_is_gold & kept) | (~on_topic & (best_is_off | ~kept))
    counts = right.sum(axis=1)
    choice = int(counts.argmax())
    return float(candidates[choice]), int(counts[choice])
