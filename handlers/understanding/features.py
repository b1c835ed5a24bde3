"""TF-IDF features over character and word n-grams, built for one short message at a time.

scikit-learn's vectorisers cost milliseconds per call on a single message; a migrant's
question needs a few dozen n-gram lookups. This featuriser does the same arithmetic
(sublinear term frequency, smoothed idf, unit length) in plain Python for queries, and
builds a sparse matrix for training.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # training needs scipy; answering a message does not
    from scipy.sparse import csr_matrix


def char_ngrams(text: str, sizes: range, known: dict[str, list[str]] | None = None) -> list[str]:
    """Character n-grams inside each word padded with spaces ("char_wb"): robust to typos.

    `known` remembers each word's n-grams across calls: while training, the same words recur
    in thousands of questions.
    """
    grams: list[str] = []
    for word in text.split():
        if known is not None and word in known:
            grams.extend(known[word])
            continue
        padded = f" {word} "
        if len(padded) < sizes.start:
            found = [padded]
        else:
            found = [padded[start : start + size] for size in sizes for start in range(len(padded) - size + 1)]
        if known is not None:
            known[word] = found
        grams.extend(found)
    return grams


def crossing_ngrams(text: str, size: int) -> list[str]:
    """Character n-grams that span a word boundary ("e otp" in "ne otpuskaiut"), marked apart.

    They carry what a phrase's words share across forms ("ne otpusk…", "ne otpust…"),
    which neither the character n-grams inside one word nor whole word pairs see.
    """
    padded = f" {text} "
    starts = range(len(padded) - size + 1)
    return ["x:" + padded[s : s + size] for s in starts if " " in padded[s + 1 : s + size - 1]]


def word_ngrams(text: str, sizes: range) -> list[str]:
    """Whole words and word pairs, marked so they never collide with character n-grams."""
    words = text.split()
    return ["w:" + " ".join(words[start : start + size]) for size in sizes for start in range(len(words) - size + 1)]


class Featurizer:
    """Learns a vocabulary and idf weights from training texts; vectorises messages."""

    def __init__(self, char_sizes: range, word_sizes: range | None = None, crossing: int | None = None) -> None:
        self.char_sizes = char_sizes
        self.word_sizes = word_sizes
        self.crossing = crossing  # also character n-grams of this size across word boundaries
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0)

    def _grams(self, text: str, known: dict[str, list[str]] | None = None) -> Counter[str]:
        grams = char_ngrams(text, self.char_sizes, known)
        if self.word_sizes is not None:
            grams += word_ngrams(text, self.word_sizes)
        if self.crossing is not None:
            grams += crossing_ngrams(text, self.crossing)
        return Counter(grams)

    def fit_transform(self, texts: list[str]) -> csr_matrix:
        """Learn vocabulary and idf from the texts, and return their weighted features.

        The n-grams are counted by the same `_grams` that vectorises a single message, so
        training and answering always agree.
        """
        from scipy.sparse import csr_matrix

        vocabulary: dict[str, int] = {}
        columns: list[int] = []
        counts: list[int] = []
        pointers = [0]
        known: dict[str, list[str]] = {}  # each word's character n-grams, for this training only
        for text in texts:
            grams = self._grams(text, known)
            columns.extend([vocabulary.setdefault(gram, len(vocabulary)) for gram in grams])
            counts.extend(grams.values())
            pointers.append(len(columns))
        self.vocabulary = vocabulary
        matrix = csr_matrix(
            (np.array(counts, dtype=float), np.array(columns, dtype=np.int64), np.array(pointers)),
            shape=(len(texts), len(vocabulary)),
        )
        document_frequency = np.bincount(matrix.indices, minlength=len(vocabulary))
        self.idf = np.log((1 + len(texts)) / (1 + document_frequency)) + 1
        return self._weigh_matrix(matrix)

    def transform(self, texts: list[str]) -> csr_matrix:
        return self._matrix([self._grams(text) for text in texts])

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message as (feature indices, weights): unknown n-grams are dropped."""
        vocabulary = self.vocabulary
        known = [(vocabulary[g], n) for g, n in self._grams(text).items() if g in vocabulary]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        pairs = np.array(known, dtype=float)
        indices = pairs[:, 0].astype(np.int64)
        weights = (1 + np.log(pairs[:, 1])) * self.idf[indices]
        return indices, weights / np.linalg.norm(weights)

    def _matrix(self, counted: list[Counter[str]]) -> csr_matrix:
        from scipy.sparse import csr_matrix

        vocabulary = self.vocabulary
        pointers = [0]
        columns: list[int] = []
        counts: list[int] = []
        for grams in counted:
            for gram, count in grams.items():
                index = vocabulary.get(gram)
                if index is not None:
                    columns.append(index)
                    counts.append(count)
            pointers.append(len(columns))
        matrix = csr_matrix(
            (np.array(counts, dtype=float), np.array(columns, dtype=np.int64), np.array(pointers)),
            shape=(len(counted), len(vocabulary)),
        )
        return self._weigh_matrix(matrix)

    def _weigh_matrix(self, counts: csr_matrix) -> csr_matrix:
        """Sublinear tf × idf, each row scaled to unit length, for all rows at once."""
        from scipy.sparse import csr_matrix

        matrix = counts.astype(float)
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return csr_matrix(matrix.multiply(1 / norms[:, None]))
