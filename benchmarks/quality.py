"""Section 1: routing quality of helpline and the two baselines on the evaluation set."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.baselines import FuzzyNearest, Scored, TfidfNearest, decide, tune_threshold
from benchmarks.data import Question, TrainingSet
from benchmarks.markdown import Check, pct, table
from handlers.understanding.router import OFF_TOPIC, THRESHOLD, Router

LANGUAGES = ("ky", "ru", "en")
STYLES = ("plain", "latin", "misspelt")
COLUMNS = (*LANGUAGES, *STYLES, "all")
TOP1_TARGET = 0.92
RECALL_TARGET = 0.85
CONFUSED_PAIRS = 6


@dataclass(frozen=True)
class Figures:
    """One system's figures on one group of questions."""

    top1: float | None
    top3: float | None
    precision: float | None
    recall: float | None
    on_topic: int
    off_topic: int


@dataclass
class SystemResult:
    name: str
    threshold: str
    seconds: float  # to train and score the whole set
    columns: dict[str, Figures]
    confusions: list[tuple[tuple[str, str], int]]
    rejected_on_topic: int


def helpline_scored(router: Router, questions: Sequence[Question]) -> list[Scored]:
    scored = []
    for question in questions:
        confidences = router.scores(question.text)
        best = max(confidences, key=confidences.__getitem__)
        topics = sorted((t for t in confidences if t != OFF_TOPIC), key=confidences.__getitem__, reverse=True)
        scored.append(Scored(best, confidences[best], tuple(topics[:3])))
    return scored


def figures(questions: Sequence[Question], answers: Sequence[str | None], scored: Sequence[Scored]) -> Figures:
    on = [(q, a, s) for q, a, s in zip(questions, answers, scored, strict=True) if q.topic is not None]
    off_total = sum(q.topic is None for q in questions)
    rejected = [q for q, a in zip(questions, answers, strict=True) if a is None]
    true_rejections = sum(q.topic is None for q in rejected)

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return Figures(
        top1=share(sum(a == q.topic for q, a, _ in on), len(on)),
        top3=share(sum(q.topic in s.ranked for q, _, s in on), len(on)),
        precision=share(true_rejections, len(rejected)),
        recall=share(true_rejections, off_total),
        on_topic=len(on),
        off_topic=off_total,
    )


def in_column(question: Question, column: str) -> bool:
    return column == "all" or column in (question.lang, question.style)


def summarise(
    name: str,
    threshold: str,
    seconds: float,
    questions: Sequence[Question],
    scored: Sequence[Scored],
    answers: Sequence[str | None],
) -> SystemResult:
    columns = {}
    for column in COLUMNS:
        picked = [i for i, q in enumerate(questions) if in_column(q, column)]
        columns[column] = figures(
            [questions[i] for i in picked], [answers[i] for i in picked], [scored[i] for i in picked]
        )
    pairs: Counter[tuple[str, str]] = Counter()
    for question, answer in zip(questions, answers, strict=True):
        if question.topic is not None and answer is not None and answer != question.topic:
            pairs[tuple(sorted((question.topic, answer)))] += 1  # type: ignore[index]
    rejected = sum(q.topic is not None and a is None for q, a in zip(questions, answers, strict=True))
    return SystemResult(name, threshold, seconds, columns, pairs.most_common(CONFUSED_PAIRS), rejected)


def run_quality(
    router: Router, training: TrainingSet, questions: list[Question], fuzzy_scorers: Sequence[str]
) -> tuple[list[SystemResult], str]:
    """Score all three systems; returns their results and a note on tuning."""
    golds = [q.topic for q in questions]
    texts = [q.text for q in questions]
    started = time.perf_counter()
    ours = helpline_scored(router, questions)
    ours_seconds = time.perf_counter() - started
    results = [
        summarise(
            "helpline",
            f"{THRESHOLD:.2f} (shipped)",
            ours_seconds,
            questions,
            ours,
            [decide(s, THRESHOLD) for s in ours],
        )
    ]
    shipped_right = sum(decide(s, THRESHOLD) == g for s, g in zip(ours, golds, strict=True))
    retuned, retuned_right = tune_threshold(golds, ours)
    started = time.perf_counter()
    scored = TfidfNearest(training.examples, training.off_topic).score(texts)
    threshold, right = tune_threshold(golds, scored)
    results.append(
        summarise(
            TfidfNearest.name,
            f"{threshold:.3g} (tuned, {right}/{len(questions)} right)",
            time.perf_counter() - started,
            questions,
            scored,
            [decide(s, threshold) for s in scored],
        )
    )
    tried = []
    for scorer in fuzzy_scorers:
        started = time.perf_counter()
        scored = FuzzyNearest(training.examples, training.off_topic, scorer).score(texts)
        seconds = time.perf_counter() - started
        threshold, right = tune_threshold(golds, scored)
        tried.append((right, -seconds, scorer, threshold, seconds, scored))
    right, _, scorer, threshold, seconds, scored = max(tried, key=lambda t: t[:2])
    results.append(
        summarise(
            f"{FuzzyNearest.name}, {scorer}",
            f"{threshold:.3g} (tuned, {right}/{len(questions)} right)",
            seconds,
            questions,
            scored,
            [decide(s, threshold) for s in scored],
        )
    )
    note = (
        f"helpline decides {shipped_right}/{len(questions)} questions right at its shipped threshold; "
        f"re-tuned the same way as the baselines it would be {retuned_right}/{len(questions)} "
        f"(confidence ≥ {retuned:.3g}). rapidfuzz scorers tried, each with its own tuned threshold "
        "(questions decided right): "
        + ", ".join(f"{t[2]} {t[0]}" for t in tried)
        + f"; the best, {scorer}, is the baseline shown."
    )
    return results, note


def render_quality(results: list[SystemResult], questions: list[Question], note: str) -> tuple[str, list[Check]]:
    on = sum(q.topic is not None for q in questions)
    header = ["system", *COLUMNS]
    metrics = [
        ("Top-1 accuracy (on-topic questions answered with their own topic; target ≥ 92 % per language)", "top1"),
        ("Top-3 accuracy (own topic among the three best topics)", "top3"),
        ("Off-topic precision (of the questions given no topic, share really off-topic)", "precision"),
        ("Off-topic recall (of the off-topic questions, share given no topic; target ≥ 85 %)", "recall"),
    ]
    counts = [
        "questions (on / off-topic)",
        *(f"{results[0].columns[c].on_topic} / {results[0].columns[c].off_topic}" for c in COLUMNS),
    ]
    parts = [
        f"{len(questions)} evaluation questions ({on} on-topic, {len(questions) - on} off-topic) "
        "from tests/eval/, none of them an example question. Columns: language (ky, ru, en), "
        "writing style (plain, latin = Cyrillic languages typed in Latin letters, misspelt), all.",
        table(header, [counts]),
    ]
    for title, attribute in metrics:
        rows = []
        for result in results:
            values = {c: getattr(result.columns[c], attribute) for c in COLUMNS}
            rows.append([_name(result), *(_mark(result, results, attribute, c, values[c]) for c in COLUMNS)])
        parts.append(f"**{title}**\n\n" + table(header, rows))
    parts.append("Bold: helpline is behind a baseline in that column.")
    parts.append(
        "**Thresholds and cost** (time to train and route the whole set once)\n\n"
        + table(
            ["system", "off-topic threshold", "train + route all"],
            [(_name(r), r.threshold, f"{r.seconds:.2f} s") for r in results],
        )
    )
    parts.append(note)
    parts.append("**Most confused topic pairs** (on-topic question answered with the other topic, both ways)")
    for result in results:
        pairs = ", ".join(f"{a} ↔ {b} ({n})" for (a, b), n in result.confusions) or "none"
        parts.append(f"- {_name(result)}: {pairs}; on-topic questions given no topic: {result.rejected_on_topic}")
    return "\n\n".join(parts), quality_checks(results)


def quality_checks(results: list[SystemResult]) -> list[Check]:
    ours, baselines = results[0], results[1:]
    checks = [
        Check(
            f"top-1 accuracy, {lang}",
            "≥ 92 %",
            pct(ours.columns[lang].top1),
            (ours.columns[lang].top1 or 0) >= TOP1_TARGET,
        )
        for lang in LANGUAGES
    ]
    recall = ours.columns["all"].recall
    checks.append(Check("off-topic recall", "≥ 85 %", pct(recall), (recall or 0) >= RECALL_TARGET))
    behind = [
        f"{_name(b)}: {metric} {column}"
        for b in baselines
        for metric in ("top1", "top3", "precision", "recall")
        for column in COLUMNS
        if _behind(ours, b, metric, column)
    ]
    checks.append(
        Check(
            "ahead of both baselines in every column",
            "all 4 × 7 columns",
            "behind in " + "; ".join(behind) if behind else "ahead or equal everywhere",
            not behind,
        )
    )
    return checks


def _behind(ours: SystemResult, other: SystemResult, metric: str, column: str) -> bool:
    mine, theirs = getattr(ours.columns[column], metric), getattr(other.columns[column], metric)
    return mine is not None and theirs is not None and mine < theirs


def _mark(result: SystemResult, results: list[SystemResult], metric: str, column: str, value: float | None) -> str:
    text = pct(value)
    if result is results[0] and any(_behind(result, other, metric, column) for other in results[1:]):
        return f"**{text}**"
    return text


def _name(result: SystemResult) -> str:
    if result.name.startswith(FuzzyNearest.name):
        return "(b) rapidfuzz " + result.name.split(", ")[-1]
    return {TfidfNearest.name: "(a) TF-IDF"}.get(result.name, result.name)
