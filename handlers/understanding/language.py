"""Which language a message is written in: Kyrgyz, Russian or English.

Kyrgyz and Russian share the Cyrillic alphabet, and all three turn up in Latin letters, so
the alphabet alone does not tell. A small character n-gram naive Bayes model, trained at start-up on
the content's own example questions (which include Latin-letter and misspelt forms), does.
Letters only one language uses (Kyrgyz ң ө ү; `own_letters:` in content/languages/<lang>.yaml)
settle it at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from handlers.understanding.features import Featurizer
from handlers.understanding.linear import train_naive_bayes
from handlers.understanding.skeleton import skeleton

_LETTER = re.compile(r"[^\W\d_]")
MIN_CONFIDENCE = 0.55
SMOOTHING = 0.1  # added to every n-gram's weight per language (Lidstone's alpha)


class _NaiveBayes:
    """Character n-gram naive Bayes over one script; only its arrays are kept after training."""

    def __init__(self, texts: list[str], labels: list[str]) -> None:
        self._featurizer = Featurizer(char_sizes=range(1, 5), word_sizes=range(1, 2))
        classes, log_probability, self._log_prior = train_naive_bayes(
            self._featurizer.fit_transform(texts), labels, alpha=SMOOTHING
        )
        self.classes = [str(c) for c in classes]
        self._log_probability = np.ascontiguousarray(log_probability)  # features × languages

    def probabilities(self, text: str) -> np.ndarray | None:
        indices, weights = self._featurizer.transform_one(text)
        if not len(indices):
            return None
        joint = weights @ self._log_probability[indices] + self._log_prior
        probabilities = np.exp(joint - joint.max())
        return probabilities / probabilities.sum()


class LanguageDetector:
    """Detects the language of a message, or says it cannot tell.

    Two models, one per alphabet. Cyrillic text is Kyrgyz or Russian. Latin text may be any
    of the three, and Latin-letter Kyrgyz and Russian are rare among the examples, so the
    Latin model also learns from every Cyrillic example folded to Latin letters.
    """

    def __init__(self, samples: Mapping[str, Sequence[str]], own_letters: Mapping[str, str] | None = None) -> None:
        self.languages = tuple(sorted(samples))
        self._own_letters = [
            (lang, re.compile(f"[{re.escape(letters)}]"))
            for lang, letters in sorted((own_letters or {}).items())
            if letters and lang in samples
        ]
        cyrillic: tuple[list[str], list[str]] = ([], [])
        latin: tuple[list[str], list[str]] = ([], [])
        for lang, questions in samples.items():
            for question in questions:
                if _is_cyrillic(question):
                    cyrillic[0].append(question.lower())
                    cyrillic[1].append(lang)
                latin[0].append(skeleton(question))
                latin[1].append(lang)
        self._cyrillic = _NaiveBayes(*cyrillic) if len(set(cyrillic[1])) > 1 else None
        self._latin = _NaiveBayes(*latin)

    def detect(self, text: str) -> str | None:
        """The language of `text`, or None when it is too short or too mixed to tell."""
        for lang, letters in self._own_letters:
            if letters.search(text):
                return lang
        if len(_LETTER.findall(text)) < 2:
            return None
        if _is_cyrillic(text) and self._cyrillic is not None:
            model, probabilities = self._cyrillic, self._cyrillic.probabilities(text.lower())
        else:
            model, probabilities = self._latin, self._latin.probabilities(skeleton(text))
        if probabilities is None:
            return None
        best = int(probabilities.argmax())
        if probabilities[best] < MIN_CONFIDENCE:
            return None
        return model.classes[best]


def _is_cyrillic(text: str) -> bool:
    letters = _LETTER.findall(text)
    return sum("\u0400" <= letter <= "\u04ff" for letter in letters) * 2 > len(letters)
