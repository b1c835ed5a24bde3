"""Checks that need the whole content at once: shared examples and rendered answers."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import jinja2

from content.calculators import CALCULATORS
from content.clock import bishkek_today
from content.problems import Problem
from content.updates import GENERAL_ANSWER, Update

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
                    problems.append(
                        Problem(
                            text.path,
                            _line_of(text.path, question),
                            f"example '{question}' is listed under '{first}' too",
                        )
                    )


def check_rendering(content: Content, problems: list[Problem]) -> None:
    """Render every answer for every language, country group and calculator sample."""
    from content.library import MAX_MESSAGE

    contexts: list[str | None] = [None]
    seen_groups: set[str] = set()
    for code in content.country_order:
        group = content.countries[code].group
        if group not in seen_groups or content.countries[code].emergency is None:
            contexts.append(code)
            seen_groups.add(group)
    for topic in content.topics.values():
        calculator = CALCULATORS.get(topic.calculator or "")
        calcs = [None, *(calculator.samples if calculator else ())]
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
                    problems.append(
                        Problem(
                            text.path,
                            line,
                            f'{name}: an answer for migrants needs {{% include "hotline.j2" %}} (or emergency.j2)',
                        )
                    )
                elif reader == "foreigners" and "hotline" in blocks:
                    problems.append(
                        Problem(
                            text.path,
                            line,
                            f"{name}: an answer for foreigners in Kyrgyzstan must not include hotline.j2"
                            " (1899 and the missions abroad serve Kyrgyz citizens); use caseworker.j2",
                        )
                    )


def _line_of(path, needle: str) -> int:
    """The first line of a file that contains a piece of text, for pointing at it."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return 1


def caseworkers_today() -> dt.date:
    """Today in Bishkek, where caseworkers date their checks and sign-offs."""
    return bishkek_today()


def check_update_sources(content: Content, problems: list[Problem], today: dt.date | None = None) -> None:
    """A dated update reaches a migrant only with a source they could check and the day it was checked."""
    today = today or caseworkers_today()
    for topic in content.topics.values():
        for text in topic.texts.values():
            answers = {GENERAL_ANSWER, *text.variants}
            for update in text.updates:
                _check_update(update, answers, today, problems)


def _check_update(update: Update, answers: set[str], today: dt.date, problems: list[Problem]) -> None:
    source, lines, path = update.source, update.lines, update.path
    if not update.text:
        problems.append(Problem(path, lines["text"], "update: text is empty"))
    for name in update.variants:
        if name not in answers:
            known = ", ".join(sorted(answers))
            message = f"update: '{name}' is not an answer of this file ({known})"
            problems.append(Problem(path, lines["variants"], message))
    if not source.title:
        problems.append(Problem(path, lines["source"], "update: source needs a title"))
    if not source.url and not source.document:
        problems.append(Problem(path, lines["source"], "update: source needs a url or a document (where to find it)"))
    checked_line = lines.get("source.checked", lines["source"])
    if source.checked is None:
        got = f" (got '{source.checked_raw}')" if source.checked_raw else ""
        problems.append(Problem(path, checked_line, f"update: source needs checked: the day it was checked{got}"))
    elif source.checked > today:
        problems.append(Problem(path, checked_line, f"update: checked {source.checked.isoformat()} is in the future"))


def check_signoffs(content: Content, problems: list[Problem], today: dt.date | None = None) -> None:
    """A file marked reviewed says who reviewed it and when, so the sheet can show it."""
    today = today or caseworkers_today()
    for topic in content.topics.values():
        for text in topic.texts.values():
            signoff, path = text.signoff, text.path
            line = signoff.lines.get("reviewed", 1)
            if not isinstance(signoff.reviewed, bool):
                problems.append(Problem(path, line, "reviewed: expected true or false"))
                continue
            on_line = signoff.lines.get("reviewed_on")
            if on_line is not None and signoff.on is None:
                problems.append(Problem(path, on_line, "reviewed_on: expected a date like 2026-11-30"))
            elif on_line is not None and signoff.on is not None and signoff.on > today:
                problems.append(Problem(path, on_line, f"reviewed_on {signoff.on.isoformat()} is in the future"))
            if signoff.reviewed and (not signoff.by or on_line is None):
                problems.append(
                    Problem(
                        path,
                        line,
                        "reviewed: true needs reviewed_by and reviewed_on; use helpline signoff TOPIC LANG --by NAME",
                    )
                )


def overdue_reviews(content: Content, today: dt.date | None = None) -> list[Problem]:
    """Topics whose review_by date has passed: warnings, not problems, the answers still serve."""
    today = today or caseworkers_today()
    return [
        Problem(
            topic.path,
            _line_of(topic.path, "review_by"),
            f"warning: review_by {topic.review_by.isoformat()} has passed; re-check the answers, set a new date",
        )
        for topic in sorted(content.topics.values(), key=lambda t: t.id)
        if topic.review_by < today
    ]
