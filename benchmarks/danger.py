"""Danger detection on wording nobody tuned for (issue 11).

The held-out set (tests/safety/heldout.yaml) holds families of wording that neither the
caseworkers' patterns nor the learned detector ever saw; the danger set in content/danger.yaml
is what the detector trains on. Recall counts a held-out danger message that got the
emergency (or trafficking) card at all; *right answer first* also asks that the card is the
one its kind needs (trafficking for confinement and forced labour, emergency otherwise).
A false alarm is an ordinary question with alarming words (deportation, a fine, a parent's
pension, an expired passport, being fired…) that got the card. Below the card's threshold, a
message that still reads close to danger gets its answer followed by one line with a button
to the emergency contacts (*pointer*); the last row counts a message that got either.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from benchmarks.markdown import Check, table
from content import Content
from handlers.knowledge import Knowledge, danger_training_set
from handlers.understanding.danger import POINTER_THRESHOLD, THRESHOLD, DangerDetector, DangerModel
from testing import danger_heldout as heldout
from testing.evaluation import TOPICS_TELLING_DANGER, everyday_questions, load_evaluation

FOLDS = 5
POINTER_BUDGET = 0.10  # share of held-back look-alikes that may get the pointer line
EVERYDAY_TARGET = 0.02  # everyday questions (a greeting, a school, a transfer) that may get the card


def measure(knowledge: Knowledge, content: Content) -> tuple[str, list[Check]]:
    """The section's Markdown and its target checks."""
    detector = knowledge.danger
    model = detector.model
    patterns_only = DangerDetector(detector.kinds)
    score = heldout.score(detector)
    patterns = heldout.score(patterns_only)
    firsts = {first.round: first for first in heldout.first_measurements()}
    danger = [text for family in heldout.families("danger") for text in family.messages]
    ordinary = [text for family in heldout.families("ordinary") for text in family.messages]
    model_caught = sum(model.predict(text) is not None for text in danger) if model else 0
    model_alarms = sum(model.predict(text) is not None for text in ordinary) if model else 0
    pointed = sum(detector.assess(text).near is not None for text in danger)
    pointed_ordinary = sum(detector.assess(text).near is not None for text in ordinary)
    by_kind: Counter[str] = Counter()
    caught_by_kind: Counter[str] = Counter()
    for family in heldout.families("danger"):
        by_kind[family.kind or "?"] += len(family.messages)
        caught_by_kind[family.kind or "?"] += sum(detector.detect(text) is not None for text in family.messages)
    danger_topics = {kind.topic for kind in detector.kinds}
    calm = everyday_questions(load_evaluation(), danger_topics)
    calm_alarmed = [question for question in calm if detector.detect(question.text) is not None]
    examples, looks, everyday = _training_set(content)
    seconds = _training_seconds(examples, looks, everyday)
    cv_recall, cv_alarms, cv_everyday, cv_threshold = _cross_validation(examples, looks, everyday)
    size = sum(len(v) for v in examples.values())
    pct = "{:.1%}".format
    body = [
        __doc__.split("\n\n", 1)[1].strip(),
        f"The danger set: {size} danger messages in {len(examples)} kinds and {len(looks)} look-alikes "
        f"(ordinary questions with alarming words), plus {len(everyday)} everyday example questions of the "
        f"topics as further ordinary ones. The held-out set: {score.danger} danger messages in "
        f"{len(heldout.families('danger'))} wording families and {score.ordinary} ordinary ones.",
        table(
            ["on the held-out set", "danger caught (recall)", "right answer first", "ordinary flagged (false alarms)"],
            [
                (
                    "patterns alone",
                    f"{patterns.caught} of {score.danger} ({pct(patterns.recall)})",
                    "–",
                    f"{patterns.false_alarms} of {score.ordinary} ({pct(patterns.false_alarm_rate)})",
                ),
                (
                    "learned detector alone",
                    f"{model_caught} of {score.danger} ({pct(model_caught / score.danger)})",
                    "–",
                    f"{model_alarms} of {score.ordinary} ({pct(model_alarms / score.ordinary)})",
                ),
                (
                    "**helpline (patterns, then the detector)**",
                    f"**{score.caught} of {score.danger} ({pct(score.recall)})**",
                    f"{score.right_answer} of {score.danger}",
                    f"**{score.false_alarms} of {score.ordinary} ({pct(score.false_alarm_rate)})**",
                ),
                (
                    "helpline, the card or the pointer line",
                    f"{score.caught + pointed} of {score.danger} ({pct((score.caught + pointed) / score.danger)})",
                    "–",
                    f"{score.false_alarms + pointed_ordinary} of {score.ordinary} "
                    f"({pct((score.false_alarms + pointed_ordinary) / score.ordinary)})",
                ),
            ],
        ),
        "**By round.** Each round of the held-out set was written before a change to the detector and "
        "measured once on the detector of its day (*first measurement*, untouched); later, some rounds "
        "were seen while a change was made (the held-out file's header says which). *Now* is the detector as it "
        "stands:",
        table(
            ["round", "first measured on", "first recall", "first false alarms", "recall now", "false alarms now"],
            [
                (
                    f"{r}",
                    first.detector if first else "–",
                    f"{first.caught} of {first.danger} ({pct(first.caught / first.danger)})" if first else "–",
                    f"{first.flagged} of {first.ordinary} ({pct(first.flagged / first.ordinary)})" if first else "–",
                    f"{s.caught} of {s.danger} ({pct(s.recall)})",
                    f"{s.false_alarms} of {s.ordinary} ({pct(s.false_alarm_rate)})",
                )
                for r, s, first in ((r, heldout.score(detector, (r,)), firsts.get(r)) for r in _rounds())
            ],
        ),
        f"**Everyday questions.** The held-out ordinary messages all carry alarming words; a person who "
        f"greets the bot, thanks it or asks about a school must not get the card either. Of the "
        f"{len(calm)} questions of the evaluation set (tests/eval, never trained on) that are not about "
        f"danger, {len(calm_alarmed)} ({pct(len(calm_alarmed) / len(calm))}) got it: "
        + ("; ".join(f"«{question.text}»" for question in calm_alarmed) or "none")
        + ". (Left out: the questions of the danger topics and of "
        + ", ".join(TOPICS_TELLING_DANGER)
        + ", whose questions tell of a detention or a death as it happens, where the card comes first on purpose.)",
        "Held-out recall by kind: "
        + ", ".join(f"{kind} {caught_by_kind[kind]} of {n}" for kind, n in sorted(by_kind.items()))
        + ".",
        f"Missed: {heldout.listing(score.missed).strip()}.",
        f"Flagged though ordinary: {heldout.listing(score.alarmed).strip()}.",
        f"**The learned detector alone, {FOLDS}-fold cross-validation on the danger set** (the way its threshold "
        f"was chosen): {pct(cv_recall)} of unseen danger examples caught, {pct(cv_alarms)} of unseen look-alikes "
        f"and {pct(cv_everyday)} of unseen everyday questions flagged at the threshold in use ({THRESHOLD:+.2f}); "
        f"in this shuffling of the folds the threshold that spends exactly the 5 % budget on unseen look-alikes "
        f"is {cv_threshold:+.2f} (the one in use is the mean over ten shufflings: `python -m benchmarks.danger` "
        f"prints what it would choose today). Training it takes {seconds:.2f} s of CPU time at first start; "
        "later starts read "
        "it back from the model cache.",
    ]
    checks = [
        Check(
            "held-out danger recall",
            f"≥ {heldout.RECALL_TARGET:.0%}",
            pct(score.recall),
            score.recall >= heldout.RECALL_TARGET,
        ),
        Check(
            "false alarms on ordinary questions with alarming words",
            f"≤ {heldout.FALSE_ALARM_TARGET:.0%}",
            pct(score.false_alarm_rate),
            score.false_alarm_rate <= heldout.FALSE_ALARM_TARGET,
        ),
        Check(
            "everyday questions given the emergency card",
            f"≤ {EVERYDAY_TARGET:.0%}",
            pct(len(calm_alarmed) / len(calm)),
            len(calm_alarmed) / len(calm) <= EVERYDAY_TARGET,
        ),
    ]
    return "\n\n".join(body), checks


def _rounds() -> list[int]:
    return sorted({family.round for part in ("danger", "ordinary") for family in heldout.families(part)})


def _training_set(content: Content) -> tuple[dict[str, list[str]], list[str], list[str]]:
    examples: dict[str, list[str]] = {}
    for topic in content.topics.values():
        questions = examples.setdefault(topic.id, [])
        for text in topic.texts.values():
            questions.extend(text.examples)
            questions.append(text.title)
    off_topic = [question for questions in content.off_topic.values() for question in questions]
    return danger_training_set(content, examples, off_topic)


def _training_seconds(examples: dict[str, list[str]], looks: list[str], everyday: list[str]) -> float:
    started = time.process_time()
    DangerModel(examples, looks, everyday)
    return time.process_time() - started


@dataclass(frozen=True)
class FoldScores:
    """Scores of held-back messages, each scored by a model trained on the other folds."""

    danger: np.ndarray
    looks: np.ndarray
    everyday: np.ndarray


def fold_scores(examples: dict[str, list[str]], looks: list[str], everyday: list[str], seed: int = 11) -> FoldScores:
    """Five-fold cross-validation on content/danger.yaml and the everyday questions, one shuffling."""
    shuffle = random.Random(seed)
    danger = [(text, kind) for kind, texts in examples.items() for text in texts]
    looks, everyday = list(looks), list(everyday)
    for items in (danger, looks, everyday):
        shuffle.shuffle(items)
    scores: tuple[list[float], list[float], list[float]] = ([], [], [])
    for fold in range(FOLDS):
        train: dict[str, list[str]] = {}
        for i, (text, kind) in enumerate(danger):
            if i % FOLDS != fold:
                train.setdefault(kind, []).append(text)
        model = DangerModel(
            train,
            [text for i, text in enumerate(looks) if i % FOLDS != fold],
            [text for i, text in enumerate(everyday) if i % FOLDS != fold],
        )
        scores[0].extend(model.score(text) for i, (text, _) in enumerate(danger) if i % FOLDS == fold)
        scores[1].extend(model.score(text) for i, text in enumerate(looks) if i % FOLDS == fold)
        scores[2].extend(model.score(text) for i, text in enumerate(everyday) if i % FOLDS == fold)
    return FoldScores(*(np.array(part) for part in scores))


def _cross_validation(
    examples: dict[str, list[str]],
    looks: list[str],
    everyday: list[str],
) -> tuple[float, float, float, float]:
    """Recall on held-back danger examples, false alarms on held-back look-alikes and everyday questions,
    model alone at the threshold in use, and the threshold that held-back look-alikes exceed 5 % of the
    time (how THRESHOLD is chosen)."""
    scores = fold_scores(examples, looks, everyday)
    budget = float(np.quantile(scores.looks, 1 - heldout.FALSE_ALARM_TARGET))
    return (
        float((scores.danger > THRESHOLD).mean()),
        float((scores.looks > THRESHOLD).mean()),
        float((scores.everyday > THRESHOLD).mean()),
        budget,
    )


def choose_thresholds(content: Content, shufflings: int = 10) -> tuple[float, float]:
    """THRESHOLD and POINTER_THRESHOLD as they are chosen: the scores that held-back look-alikes exceed
    5 % and 10 % of the time, each averaged over `shufflings` shufflings of the folds."""
    examples, looks, everyday = _training_set(content)
    alarm: list[float] = []
    pointer: list[float] = []
    for seed in range(shufflings):
        scores = fold_scores(examples, looks, everyday, seed=11 + seed)
        alarm.append(float(np.quantile(scores.looks, 1 - heldout.FALSE_ALARM_TARGET)))
        pointer.append(float(np.quantile(scores.looks, 1 - POINTER_BUDGET)))
    return float(np.mean(alarm)), float(np.mean(pointer))


if __name__ == "__main__":  # python -m benchmarks.danger: the thresholds cross-validation would choose today
    from content import load_content

    alarm, pointer = choose_thresholds(load_content())
    print(f"THRESHOLD {alarm:+.3f} (in use {THRESHOLD:+.2f})")
    print(f"POINTER_THRESHOLD {pointer:+.3f} (in use {POINTER_THRESHOLD:+.2f})")
