"""TF-IDF features over character and word n-grams, built for one short message at a time.

scikit-learn's vectorisers cost milliseconds per call on a single message; a migrant's
question needs a few dozen n-gram lookups. This featuriser does the same arithmetic
(sublinear term frequency, smoothed idf, unit length) in plain Python for queries, and
builds a sparse matrix for training.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy.sparse import csr_matrix


def char_ngrams(text: str, sizes: range) -> Iterable[str]:
    """Character n-grams inside each word padded with spaces ("char_wb"): robust to typos."""
    for word in text.split():
        padded = f" {word} "
        if len(padded) < sizes.start:
            yield padded
            continue
        for size in sizes:
            for start in range(len(padded) - size + 1):
                yield padded[start:start + size]


def word_ngrams(text: str, sizes: range) -> Iterable[str]:
    """Whole words and word pairs, marked so they never collide with character n-grams."""
    words = text.split()
    for size in sizes:
        for start in range(len(words) - size + 1):
            yield "w:" + " ".join(words[start:start + size])


class Featurizer:
    """Learns a vocabulary and idf weights from training texts; vectorises messages."""

    def __init__(self, char_sizes: range, word_sizes: range | None = None) -> None:
        self.char_sizes = char_sizes
        self.word_sizes = word_sizes
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)

    def _grams(self, text: str) -> Counter[str]:
        grams = Counter(char_ngrams(text, self.char_sizes))
        if self.word_sizes is not None:
            grams.update(word_ngrams(text, self.word_sizes))
        return grams

    def fit_transform(self, texts: list[str]) -> csr_matrix:
        counted = [self._grams(text) for text in texts]
        document_frequency: Counter[str] = Counter()
        for grams in counted:
            document_frequency.update(grams.keys())
        self.vocabulary = {gram: index for index, gram in enumerate(sorted(document_frequency))}
        total = len(texts)
        self.idf = np.array(
            [math.log((1 + total) / (1 + document_frequency[gram])) + 1 for gram in sorted(document_frequency)]
        )
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for row, grams in enumerate(counted):
            indices, weights = self._weigh(grams)
            rows.extend([row] * len(indices))
            columns.extend(indices.tolist())
            values.extend(weights.tolist())
        return csr_matrix((values, (rows, columns)), shape=(total, len(self.vocabulary)))

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message as (feature indices, weights): unknown n-grams are dropped."""
        return self._weigh(self._grams(text))

    def transform(self, texts: list[str]) -> csr_matrix:
        rows, columns, values = [], [], []
        for row, text in enumerate(texts):
            indices, weights = self.transform_one(text)
            rows.extend([row] * len(indices))
            columns.extend(indices.tolist())
            values.extend(weights.tolist())
        return csr_matrix((values, (rows, columns)), shape=(len(texts), len(self.vocabulary)))

    def _weigh(self, grams: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        known = [(self.vocabulary[g], 1 + math.log(n)) for g, n in grams.items() if g in self.vocabulary]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        indices = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        weights = np.fromiter((w for _, w in known), dtype=float, count=len(known)) * self.idf[indices]
        return indices, weights / np.linalg.norm(weights)
