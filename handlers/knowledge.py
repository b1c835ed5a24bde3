"""Content plus the models trained on it: swapped as one piece when content reloads."""

from __future__ import annotations

from dataclasses import dataclass

from content import Content
from content.library import CONVERSATION_MENU
from handlers.understanding.danger import DangerDetector
from handlers.understanding.language import LanguageDetector
from handlers.understanding.router import Router


@dataclass(frozen=True)
class Knowledge:
    content: Content
    router: Router
    detector: LanguageDetector
    danger: DangerDetector


def build_knowledge(content: Content) -> Knowledge:
    """Train the router and the language detector on the content's example questions."""
    examples: dict[str, list[str]] = {}
    by_language: dict[str, list[str]] = {lang: [] for lang in content.languages}
    for topic in content.topics.values():
        questions = examples.setdefault(topic.id, [])
        for lang, text in topic.texts.items():
            questions.extend(text.examples)
            questions.append(text.title)
            by_language[lang].extend(text.examples)
    off_topic: list[str] = []
    for lang, questions in content.off_topic.items():
        off_topic.extend(questions)
        by_language[lang].extend(questions)
    conversation = [t.id for t in content.topics.values() if t.menu == CONVERSATION_MENU]
    router = Router(examples, off_topic=off_topic, not_suggested=conversation)
    return Knowledge(content, router, LanguageDetector(by_language), DangerDetector(content.danger))
