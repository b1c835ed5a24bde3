"""Which topic a message asks about, learned from the content's example questions.

Every example and every query is folded to its skeleton, then described by character and
word n-grams and scored by a linear support vector machine (one score per topic against
the rest, all three languages in one model, trained by handlers/understanding/linear.py;
it trains in about a second, where a logistic regression took tens). Scores become a
confidence through a softmax. Off-topic questions from the content form a class of their
own, so "what is the weather" lands there instead of on the nearest real topic. Below the
confidence threshold the router names no topic and offers the best few instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from handlers.understanding.features import Featurizer
from handlers.understanding.linear import train_one_vs_rest
from handlers.understanding.skeleton import skeleton

OFF_TOPIC = "__off_topic__"
THRESHOLD = 0.30  # read at routing time, so a re-tuned value applies to a model loaded from the cache
TEMPERATURE = 10.0  # sharpens SVM scores into a confidence; tuned with THRESHOLD on tests/eval
SUGGESTIONS = 3
REGULARISATION = 0.5  # the support vector machine's C


@dataclass(frozen=True)
class Route:
    """The router's verdict: a topic (or None), how sure it is, and the next best topics."""

    topic: str | None
    confidence: float
    suggestions: tuple[str, ...]
    best_guess: str | None


class Router:
    """A topic classifier trained once per content version."""

    def __init__(
        self,
        examples: Mapping[str, Iterable[str]],
        off_topic: Iterable[str] = (),
        not_suggested: Sequence[str] = (),
    ) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for topic, questions in examples.items():
            for question in questions:
                texts.append(skeleton(question))
                labels.append(topic)
        for question in off_topic:
            texts.append(skeleton(question))
            labels.append(OFF_TOPIC)
        self._not_suggested = frozenset(not_suggested) | {OFF_TOPIC}
        self._featurizer = Featurizer(char_sizes=range(2, 5), word_sizes=range(1, 2))
        model = train_one_vs_rest(self._featurizer.fit_transform(texts), labels, c=REGULARISATION)
        self._classes = [str(c) for c in model.classes]
        self._coef = np.ascontiguousarray(model.coef)  # features × topics, for row lookups
        self._intercept = model.intercept

    def scores(self, text: str) -> dict[str, float]:
        """Confidence for every topic (and the off-topic class): for reports and benchmarks."""
        return dict(zip(self._classes, self._confidences(skeleton(text)).tolist(), strict=True))

    def _confidences(self, folded: str) -> np.ndarray:
        indices, weights = self._featurizer.transform_one(folded)
        raw = weights @ self._coef[indices] + self._intercept
        exponent = np.exp((raw - raw.max()) * TEMPERATURE)
        return exponent / exponent.sum()

    def route(self, text: str) -> Route:
        """Pick a topic for one message."""
        folded = skeleton(text)
        if not folded:
            return Route(None, 0.0, (), None)
        probabilities = self._confidences(folded)
        ranked = probabilities.argsort()[::-1]
        best = self._classes[ranked[0]]
        confidence = float(probabilities[ranked[0]])
        suggestions = tuple(
            self._classes[i] for i in ranked[: SUGGESTIONS + 2] if self._classes[i] not in self._not_suggested
        )[:SUGGESTIONS]
        best_topic = next((self._classes[i] for i in ranked if self._classes[i] != OFF_TOPIC), None)
        if best == OFF_TOPIC or confidence < THRESHOLD:
            return Route(None, confidence, suggestions, best_topic)
        return Route(best, confidence, suggestions, best_topic)
