"""Which language a message is written in: Kyrgyz, Russian or English.

Kyrgyz and Russian share the Cyrillic alphabet, and all three turn up in Latin letters, so
the alphabet alone does not tell. A small character n-gram naive Bayes model, trained at start-up on
the content's own example questions (which include Latin-letter and misspelt forms), does.
Letters only Kyrgyz uses (ң ө ү) settle it at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from handlers.understanding.features import Featurizer

_KYRGYZ_LETTERS = re.compile("[ңөүҢӨҮ]")
_LETTER = re.compile(r"[^\W\d_]")
MIN_CONFIDENCE = 0.55


class LanguageDetector:
    """Detects the language of a message, or says it cannot tell."""

    def __init__(self, samples: Mapping[str, Sequence[str]]) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for lang, questions in samples.items():
            for question in questions:
                texts.append(question.lower())
                labels.append(lang)
        self.languages = tuple(sorted(samples))
        from sklearn.naive_bayes import MultinomialNB  # only for training

        self._featurizer = Featurizer(char_sizes=range(1, 5), word_sizes=range(1, 2))
        model = MultinomialNB(alpha=0.1)
        model.fit(self._featurizer.fit_transform(texts), labels)
        self._classes = [str(c) for c in model.classes_]
        self._log_probability = np.ascontiguousarray(model.feature_log_prob_.T)
        self._log_prior = model.class_log_prior_

    def detect(self, text: str) -> str | None:
        """The language of `text`, or None when it is too short or too mixed to tell."""
        if "ky" in self.languages and _KYRGYZ_LETTERS.search(text):
            return "ky"
        if len(_LETTER.findall(text)) < 2:
            return None
        indices, weights = self._featurizer.transform_one(text.lower())
        if not len(indices):
            return None
        joint = weights @ self._log_probability[indices] + self._log_prior
        probabilities = np.exp(joint - joint.max())
        probabilities /= probabilities.sum()
        best = int(probabilities.argmax())
        if probabilities[best] < MIN_CONFIDENCE:
            return None
        return self._classes[best]
