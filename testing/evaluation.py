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
