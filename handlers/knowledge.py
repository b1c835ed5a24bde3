"""Content plus the models trained on it: swapped as one piece when content reloads.

Training takes a couple of seconds; when the example questions have not changed since
the last start, the trained models are read back from a cache file instead (keyed by a
hash of everything they learn from).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from content import Content
from content.library import CONVERSATION_MENU
from handlers.understanding.bare import BareReplyReader
from handlers.understanding.danger import DangerDetector, DangerModel
from handlers.understanding.language import LanguageDetector
from handlers.understanding.places import place_answers
from handlers.understanding.router import Router

log = logging.getLogger(__name__)
MODEL_VERSION = "8"  # change when the models' code changes, so old cache files are ignored


@dataclass(frozen=True)
class Knowledge:
    content: Content
    router: Router
    detector: LanguageDetector
    danger: DangerDetector
    bare: BareReplyReader  # "да", "не знаю", "рахмат": replies that ask nothing


def build_knowledge(content: Content, cache_dir: Path | None = None) -> Knowledge:
    """Train the router, the language and the danger detectors on the content's examples."""
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
    conversation = sorted(t.id for t in content.topics.values() if t.menu == CONVERSATION_MENU)
    own_letters = {lang: words.own_letters for lang, words in content.words.items()}

    def train() -> tuple[Router, LanguageDetector, DangerModel | None]:
        danger_examples, look_alikes, everyday = danger_training_set(content, examples, off_topic)
        danger_model = DangerModel(danger_examples, look_alikes, everyday) if danger_examples and everyday else None
        return (
            Router(examples, off_topic=off_topic, not_suggested=conversation),
            LanguageDetector(by_language, own_letters),
            danger_model,
        )

    if cache_dir is None:
        router, detector, danger_model = train()
    else:
        # The danger model learns from the kinds' messages, and from everyday questions the patterns let through.
        danger = [
            [k.name, k.examples, k.look_alikes, [p.pattern for p in (*k.patterns, *k.unless)]] for k in content.danger
        ]
        fingerprint = json.dumps(
            [MODEL_VERSION, examples, off_topic, by_language, own_letters, conversation, danger, place_answers()],
            ensure_ascii=False,
        )
        router, detector, danger_model = _cached(
            cache_dir, hashlib.sha256(fingerprint.encode()).hexdigest()[:24], train
        )
    danger_detector = DangerDetector(content.danger, danger_model, places=place_answers())
    return Knowledge(content, router, detector, danger_detector, BareReplyReader(content.bare_replies))


def danger_training_set(
    content: Content,
    examples: dict[str, list[str]],
    off_topic: list[str],
) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Danger examples by kind, the kinds' look-alikes, and everyday questions as ordinary ones.

    Every topic's example questions and the off-topic ones teach what ordinary sounds like,
    except those of the topics a danger answer leads to and any the patterns take for danger
    ("брата задержала полиция" is an example of the detention topic, and danger too). All of them
    are taught: with every third one only (to save 0.3 s of training at first start), 5.9 % of
    held-back everyday questions got the card in cross-validation, with all of them 2.6 %, at the
    same recall. Place names as a person answers "where are you?" count as everyday too (places.py).
    """
    patterns = DangerDetector(content.danger)
    danger_topics = {kind.topic for kind in content.danger}
    by_kind = {kind.name: list(kind.examples) for kind in content.danger if kind.examples}
    look_alikes = [message for kind in content.danger for message in kind.look_alikes]
    everyday = [q for topic, questions in examples.items() if topic not in danger_topics for q in questions]
    everyday = [*everyday, *off_topic, *place_answers()]
    return by_kind, look_alikes, [q for q in everyday if patterns.match(q) is None]


def _cached(cache_dir: Path, key: str, train):
    path = cache_dir / f"models-{key}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file in the bot's data dir
    except FileNotFoundError:
        pass
    except Exception as error:  # noqa: BLE001 - a damaged cache only costs a retrain
        log.warning("model cache unreadable (%s); training again", type(error).__name__)
    models = train()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("models-*.pickle"):
            old.unlink(missing_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(models, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as error:
        log.warning("model cache not written (%s)", type(error).__name__)
    return models
