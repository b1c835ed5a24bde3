"""Section 3a: the router with ten times the topics and example questions.

Synthetic topics are made from real ones: copy k of a topic takes every example question
(and title) of that topic, keeps short words and about a third of the longer ones as they
are, and spells the other words with a letter substitution of its own (one random
permutation of the Latin and one of the Cyrillic alphabet per copy), then drops a letter
from some words as a typo would. A copy reads like text, shares part of its vocabulary
with its source topic (so it competes with it), and is a label of its own. Real
evaluation questions must still reach their real topic: landing on a copy is a miss.
"""

from __future__ import annotations

import gc
import random
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data import Question, TrainingSet
from benchmarks.quality import LANGUAGES
from benchmarks.timing import Spread, percentile
from handlers.understanding.router import Router

LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяңөү"
KEEP_SHARE = 3  # one longer word in KEEP_SHARE keeps its spelling
TYPO_RATE = 0.15


@dataclass(frozen=True)
class RouterFigures:
    scale: int
    topics: int
    examples: int
    train: Spread  # seconds
    p50: float  # seconds per message
    p99: float
    top1: dict[str, float]
    guess: dict[str, float]  # best topic right, threshold aside
    recall: float
    vocabulary: int
    model_mib: float  # the router's weight matrix
    rss_mib: float  # growth of this process while the router is alive


def _alphabet_cipher(rng: random.Random) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for alphabet in (LATIN, CYRILLIC):
        shuffled = list(alphabet)
        rng.shuffle(shuffled)
        mapping.update(zip(alphabet, shuffled, strict=True))
    return mapping


def _perturb(text: str, copy: int, cipher: dict[str, str], rng: random.Random) -> str:
    words = []
    for word in text.lower().split():
        if len(word) > 3 and zlib.crc32(f"{copy}:{word}".encode()) % KEEP_SHARE:
            word = "".join(cipher.get(ch, ch) for ch in word)
            if rng.random() < TYPO_RATE:
                cut = rng.randrange(1, len(word))
                word = word[:cut] + word[cut + 1 :]
        words.append(word)
    return " ".join(words)


def grow(training: TrainingSet, scale: int, seed: int = 7) -> TrainingSet:
    """`scale`× the topics: the real ones plus scale − 1 synthetic copies of each."""
    rng = random.Random(seed)
    examples = {topic: list(questions) for topic, questions in training.examples.items()}
    for copy in range(1, scale):
        cipher = _alphabet_cipher(rng)
        for topic, questions in training.examples.items():
            examples[f"{topic}~{copy}"] = [_perturb(q, copy, cipher, rng) for q in questions]
    return TrainingSet(examples, training.off_topic, training.not_suggested)


def router_figures(training: TrainingSet, scale: int, questions: Sequence[Question], runs: int) -> RouterFigures:
    """Train `runs` times; route every evaluation question once with the last router."""
    grown = grow(training, scale)
    gc.collect()
    before = rss_mib()
    seconds = []
    router: Router | None = None
    for _ in range(runs):
        router = None
        gc.collect()
        started = time.perf_counter()
        router = Router(grown.examples, off_topic=grown.off_topic, not_suggested=grown.not_suggested)
        seconds.append(time.perf_counter() - started)
    assert router is not None
    grown_by = rss_mib() - before
    times, routes = [], []
    for question in questions:
        started = time.perf_counter()
        routes.append(router.route(question.text))
        times.append(time.perf_counter() - started)
    top1, guess = {}, {}
    for lang in LANGUAGES:
        asked = [(q, r) for q, r in zip(questions, routes, strict=True) if q.lang == lang and q.topic is not None]
        top1[lang] = sum(r.topic == q.topic for q, r in asked) / max(1, len(asked))
        guess[lang] = sum(r.best_guess == q.topic for q, r in asked) / max(1, len(asked))
    off = [r for q, r in zip(questions, routes, strict=True) if q.topic is None]
    # The router's own attributes, read for the report only.
    weights = router._coef.nbytes + router._intercept.nbytes
    return RouterFigures(
        scale=scale,
        topics=len(grown.examples),
        examples=grown.size,
        train=Spread.of(seconds),
        p50=percentile(times, 50),
        p99=percentile(times, 99),
        top1=top1,
        guess=guess,
        recall=sum(r.topic is None for r in off) / max(1, len(off)),
        vocabulary=len(router._featurizer.vocabulary),
        model_mib=weights / 2**20,
        rss_mib=grown_by,
    )


def rss_mib() -> float:
    """Resident memory of this process now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
