"""The example questions every system learns from, and the evaluation questions."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from content import Content
from content.library import CONVERSATION_MENU

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # tests/ is not an installed package
    sys.path.insert(0, str(REPO))

from testing.evaluation import Question, load_evaluation  # noqa: E402


@dataclass(frozen=True)
class TrainingSet:
    """Per topic its example questions and titles (as `build_knowledge` takes them), plus off-topic."""

    examples: dict[str, list[str]]
    off_topic: list[str]
    not_suggested: list[str]

    @property
    def size(self) -> int:
        return sum(len(questions) for questions in self.examples.values()) + len(self.off_topic)


def training_set(content: Content) -> TrainingSet:
    """Exactly what `handlers.knowledge.build_knowledge` hands the router."""
    examples: dict[str, list[str]] = {}
    for topic in content.topics.values():
        questions = examples.setdefault(topic.id, [])
        for text in topic.texts.values():
            questions.extend(text.examples)
            questions.append(text.title)
    off_topic = [q for questions in content.off_topic.values() for q in questions]
    conversation = [t.id for t in content.topics.values() if t.menu == CONVERSATION_MENU]
    return TrainingSet(examples, off_topic, conversation)


def evaluation(sample_every: int = 1) -> list[Question]:
    """The evaluation set, or every n-th question of it for a quick run."""
    return load_evaluation()[::sample_every]


__all__ = ["Question", "TrainingSet", "evaluation", "training_set"]
