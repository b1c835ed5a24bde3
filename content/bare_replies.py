"""Bare replies kept by caseworkers in `bare_replies.yaml`: "да", "не знаю", "рахмат", "👍".

A message made only of these phrases asks nothing, so the conversation never routes it to
a topic (the router would pick one anyway: «не знаю» once got the unpaid-wages answer).
The file lists phrases per language and kind; the conversation matches them on the message
skeleton (handlers/understanding/bare.py), so one spelling covers every script.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from content.problems import Problem
from content.validation import example_key
from content.yamlfile import LineDict, read_yaml

if TYPE_CHECKING:
    from content.library import Topic

THANKS = "thanks"  # answered with the "you are welcome" topic; every other kind with the menu
AGREE = "agree"  # yes, ok: also a typed yes to the bot's yes-or-no question (a caseworker?)
DECLINE = "decline"  # no
UNSURE = "unsure"  # don't know, what?
KINDS = (THANKS, AGREE, DECLINE, UNSURE)  # not yes/no: YAML reads those as true/false
_YES_NO = "YAML reads them as true or false"
MAX_WORDS = 4  # a longer phrase is a question, not a bare reply

BareReplies = dict[str, dict[str, tuple[str, ...]]]  # language → kind → phrases


def load_bare_replies(
    path: Path, languages: tuple[str, ...], topics: dict[str, Topic], problems: list[Problem]
) -> BareReplies:
    """Read the phrases; a phrase under two kinds, or also a topic's example, is a problem."""
    if not path.exists():
        return {}
    data = read_yaml(path, problems)
    if data is None:
        return {}
    examples = _examples_of_topics(topics)
    kind_of: dict[str, str] = {}  # a phrase's key → the kind it was first listed under
    result: BareReplies = {}
    for lang, kinds in data.items():
        line = data.line_of(lang)
        if lang not in languages:
            problems.append(Problem(path, line, f"unknown language '{lang}' (known: {', '.join(languages)})"))
            continue
        if not isinstance(kinds, LineDict):
            problems.append(Problem(path, line, f"{lang}: expected kinds ({', '.join(KINDS)}) with their phrases"))
            continue
        result[str(lang)] = {}
        for kind, phrases in kinds.items():
            where = kinds.line_of(kind, line)
            if isinstance(kind, bool):
                problems.append(Problem(path, where, f"{lang}: write agree or decline, not yes or no ({_YES_NO})"))
                continue
            if kind not in KINDS:
                problems.append(Problem(path, where, f"{lang}: unknown kind '{kind}' (known: {', '.join(KINDS)})"))
                continue
            if not isinstance(phrases, list) or not phrases:
                problems.append(Problem(path, where, f"{lang}.{kind}: expected a list of phrases"))
                continue
            kept = []
            lines = getattr(phrases, "lines", [where] * len(phrases))
            for raw, at in zip(phrases, lines, strict=False):
                phrase = str(raw).strip()
                key = example_key(phrase) or phrase
                if isinstance(raw, bool):
                    problems.append(Problem(path, at, f"{lang}.{kind}: put yes, no, on and off in quotes ({_YES_NO})"))
                elif not phrase or len(phrase.split()) > MAX_WORDS:
                    problems.append(Problem(path, at, f"{lang}.{kind}: '{phrase}' is not a short reply"))
                elif kind_of.setdefault(key, kind) != kind:
                    problems.append(Problem(path, at, f"{lang}.{kind}: '{phrase}' is listed under {kind_of[key]} too"))
                elif key in examples:
                    problems.append(
                        Problem(
                            path,
                            at,
                            f"{lang}.{kind}: '{phrase}' is an example question of topic '{examples[key]}': "
                            "a bare reply never gets a topic's answer",
                        )
                    )
                else:
                    kept.append(phrase)
            result[str(lang)][str(kind)] = tuple(kept)
    return result


def _examples_of_topics(topics: dict[str, Topic]) -> dict[str, str]:
    """Example questions of the topics that answer a question (not greetings, thanks or the menu)."""
    from content.library import CONVERSATION_MENU

    return {
        example_key(question): topic.id
        for topic in topics.values()
        if topic.menu != CONVERSATION_MENU
        for text in topic.texts.values()
        for question in text.examples
    }
