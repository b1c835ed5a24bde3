"""The project's evaluation set: questions per topic, language and writing style.

None of them is an example question of the content; tests and benchmarks route them and
compare with the topic they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"
OFF_TOPIC_FILE = "_off_topic"


@dataclass(frozen=True)
class Question:
    text: str
    topic: str | None  # None: off-topic, the bot should not pick a topic
    lang: str
    style: str  # plain, latin, misspelt


def load_evaluation(directory: Path = EVAL_DIR) -> list[Question]:
    questions: list[Question] = []
    for path in sorted(directory.glob("*.yaml")):
        topic = None if path.stem == OFF_TOPIC_FILE else path.stem
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for lang, styles in data.items():
            for style, texts in (styles or {}).items():
                questions.extend(Question(str(text), topic, lang, style) for text in texts or [])
    return questions


# Topics whose evaluation questions tell of a danger as it happens ("the police took my husband and
# won't let him go", "my brother died in Moscow last night"): the card coming first is meant there.
TOPICS_TELLING_DANGER = ("detention", "death_repatriation")


def everyday_questions(questions: list[Question], danger_topics: set[str]) -> list[Question]:
    """The questions in which nobody is in danger: not of a topic a danger answer leads to, nor of
    one whose questions tell of a danger as it happens. Off-topic ones (sports, weather) count."""
    excluded = danger_topics | set(TOPICS_TELLING_DANGER)
    return [question for question in questions if question.topic not in excluded]
