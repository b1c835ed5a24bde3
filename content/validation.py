"""Checks that need the whole content at once: shared examples and rendered answers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import jinja2

from content.problems import Problem

if TYPE_CHECKING:
    from content.library import Content

_NOT_WORD = re.compile(r"[^\w]+")


def example_key(question: str) -> str:
    """Two examples are the same question when they differ only in case, spaces, punctuation."""
    return _NOT_WORD.sub(" ", question.casefold()).strip()


def check_shared_examples(content: Content, problems: list[Problem]) -> None:
    """An example question must teach the router one topic, not two."""
    owner: dict[str, str] = {}
    for topic in content.topics.values():
        for text in topic.texts.values():
            for question in text.examples:
                key = example_key(question)
                if not key:
                    continue
                first = owner.setdefault(key, topic.id)
                if first != topic.id:
                    problems.append(Problem(
                        text.path, _line_of(text.path, question),
                        f"example '{question}' is listed under '{first}' too",
                    ))


def check_rendering(content: Content, problems: list[Problem]) -> None:
    """Render every answer for every language, country group and calculator sample."""
    from content.library import CALCULATOR_SAMPLES, MAX_MESSAGE

    contexts: list[str | None] = [None]
    seen_groups: set[str] = set()
    for code in content.country_order:
        group = content.countries[code].group
        if group not in seen_groups or content.countries[code].emergency is None:
            contexts.append(code)
            seen_groups.add(group)
    for topic in content.topics.values():
        calcs = [None, *CALCULATOR_SAMPLES.get(topic.calculator or "", [])]
        for lang, text in topic.texts.items():
            reported: set[str] = set()
            for country in contexts:
                for calc in calcs:
                    line_hint = "answer:"
                    try:
                        rendered = content.render(topic.id, lang, country, calc)
                    except jinja2.TemplateNotFound as error:
                        message = f"unknown block '{error.name}'"
                        line_hint = str(error.name)
                    except jinja2.UndefinedError as error:
                        message = f"undefined name: {error.message}"
                    except Exception as error:  # noqa: BLE001 - any template failure is a content problem
                        message = f"cannot render: {error}"
                    else:
                        if not rendered.body.strip():
                            message = "answer renders empty"
                        elif len(rendered.body) + len(rendered.title) + 200 > MAX_MESSAGE:
                            message = (
                                f"answer too long for Telegram ({len(rendered.body)} characters"
                                f" for country {country or 'unknown'})"
                            )
                        else:
                            continue
                    if message not in reported:
                        reported.add(message)
                        problems.append(Problem(text.path, _line_of(text.path, line_hint), message))


# Blocks that tell a migrant how to reach the 1899 hotline and the missions' 24/7 lines.
HOTLINE_BLOCKS = frozenset({"hotline", "emergency"})


def reader_of(audience: str, variant: str) -> str:
    """Who reads one variant: the `kyrgyzstan` one is always a foreigner in Kyrgyzstan."""
    return "foreigners" if variant == "kyrgyzstan" else audience


def check_hotline_audience(content: Content, problems: list[Problem]) -> None:
    """Every answer for migrants names 1899; no answer for foreigners sends them there.

    The report's 1899 is the line of the Centre for Employment Abroad (§50), which advises
    citizens on labour migration abroad (§179); the 24/7 lines in the same block are the
    Kyrgyz missions' abroad (§124). A foreigner in Kyrgyzstan is served by neither.
    """
    for topic in content.topics.values():
        if not topic.audience:
            continue
        for text in topic.texts.values():
            for variant, blocks in text.blocks_by_variant.items():
                name = f"variants.{variant}" if variant else "answer"
                line = text.lines.get(variant, 1)
                reader = reader_of(topic.audience, variant)
                if reader == "migrants" and not blocks & HOTLINE_BLOCKS:
                    problems.append(Problem(
                        text.path, line,
                        f"{name}: an answer for migrants needs {{% include \"hotline.j2\" %}} (or emergency.j2)",
                    ))
                elif reader == "foreigners" and "hotline" in blocks:
                    problems.append(Problem(
                        text.path, line,
                        f"{name}: an answer for foreigners in Kyrgyzstan must not include hotline.j2"
                        " (1899 and the missions abroad serve Kyrgyz citizens); use caseworker.j2",
                    ))


def _line_of(path, needle: str) -> int:
    """The first line of a file that contains a piece of text, for pointing at it."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1
