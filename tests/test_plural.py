"""Numbers agree with their nouns in the weekly report, the sign-off sheet and /stats:
«1 сообщение», «3 сообщения», «5 сообщений», "1 message", never «1 сообщений»."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from bot import sheet_labels
from content.plural import agree, category, format_counts
from review import labels as L
from review.period import BISHKEK, parse_week
from review.report import build_report, render_html
from review.weekly import headline_summary
from storage.database import open_database

WEEK = parse_week("2026-W48")

# How a Bishkek caseworker and an English reader say each count (written out, not computed).
RUSSIAN = {
    1: ("1 сообщение", "1 человек (1 новый)", "из 1 текстового сообщения"),
    3: ("3 сообщения", "3 человека (3 новых)", "из 3 текстовых сообщений"),
    5: ("5 сообщений", "5 человек (5 новых)", "из 5 текстовых сообщений"),
    11: ("11 сообщений", "11 человек (11 новых)", "из 11 текстовых сообщений"),
    21: ("21 сообщение", "21 человек (21 новый)", "из 21 текстового сообщения"),
    22: ("22 сообщения", "22 человека (22 новых)", "из 22 текстовых сообщений"),
}
ENGLISH = {
    1: ("1 message", "1 person (1 new)", "of 1 free-text message got"),
    3: ("3 messages", "3 people (3 new)", "of 3 free-text messages got"),
    5: ("5 messages", "5 people (5 new)", "of 5 free-text messages got"),
    11: ("11 messages", "11 people (11 new)", "of 11 free-text messages got"),
    21: ("21 messages", "21 people (21 new)", "of 21 free-text messages got"),
    22: ("22 messages", "22 people (22 new)", "of 22 free-text messages got"),
}


def _week_of(tmp_path, messages: int):
    """A log whose week holds `messages` free-text messages, each from a new person, one not understood."""
    db = open_database(tmp_path / f"{messages}.sqlite")
    noon = dt.datetime.combine(WEEK.first, dt.time(12), tzinfo=BISHKEK).astimezone(dt.UTC)
    db["queries"].insert_all(
        {
            "ts": (noon + dt.timedelta(minutes=i)).isoformat(timespec="milliseconds"),
            "user_key": f"k{i}",
            "lang": "ru",
            "entry": "text",
            "fallback": int(i == 0),
            "topic": None if i == 0 else "work_permit",
            "text": "патент нужен?",
            "latency_ms": 10.0,
        }
        for i in range(messages)
    )
    return db


@pytest.mark.parametrize("lang, expected", [("ru", RUSSIAN), ("en", ENGLISH)])
def test_a_report_counts_messages_and_people_in_words_that_agree(tmp_path, knowledge, lang, expected):
    for messages, (sent, people, of_texts) in expected.items():
        report = build_report(_week_of(tmp_path, messages), WEEK, lang=lang, knowledge=knowledge)
        summary = headline_summary(report).splitlines()[1]
        assert summary.startswith(f"{sent} (") and f"{people}." in summary, summary
        assert of_texts in " ".join(render_html(report).split())


def test_russian_follows_the_last_digits_and_english_only_one():
    assert [category(n, "ru") for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 1_000_001)] == [
        "many", "one", "few", "few", "many", "many", "many", "many", "one", "few", "many", "one", "many", "one",
    ]  # fmt: skip
    assert category(1.5, "ru") == "few"  # «1,5 сообщения»
    assert [category(n, "en") for n in (0, 1, 2, 21)] == ["other", "one", "other", "other"]
    assert agree(2, ["минута", "минуты", "минут"], "ru") == "минуты"


def test_a_label_with_the_wrong_number_of_forms_is_refused_not_misread():
    with pytest.raises(ValueError, match="expected one \\| few \\| many"):
        format_counts("{n} {n:сообщение|сообщений}", "ru", n=5)
    with pytest.raises(ValueError, match="does not change"):
        format_counts("{n} {n:билдирүү|билдирүүлөр}", "ky", n=5)  # a Kyrgyz noun keeps its form after a number
    with pytest.raises(ValueError, match="not a number"):
        format_counts("{n} {n:message|messages}", "en", n="5")


def _fill(template: str, lang: str, count: int) -> str:
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return format_counts(template, lang, **dict.fromkeys(names, count))


@pytest.mark.parametrize("count", [1, 2, 5, 21])
def test_every_label_fills_in_for_any_count(content, count):
    for lang, words in L.LABELS.items():
        for text in words.values():
            _fill(text, lang, count)
    for lang, words in sheet_labels.LABELS.items():
        for text in words.values():
            _fill(text, lang, count)
    for lang in content.languages:
        for key in ("stats", "reloaded"):
            _fill(content.ui[lang]["admin"][key], lang, count)
    assert "1 topic, 1 signed off" in _fill(sheet_labels.LABELS["en"]["made"], "en", 1)
    stats = _fill(content.ui["en"]["admin"]["stats"], "en", 1)
    assert "1 message, 1 user," in stats and "1 press of its 🆘 button" in stats and "1 open ticket," in stats


def test_a_language_added_from_the_english_files_counts_with_one_and_other_until_its_rules_are_written():
    assert format_counts("{n} {n:Thema|Themen}", "de", n=1) == "1 Thema"
    assert format_counts("{n} {n:Thema|Themen}", "de", n=3) == "3 Themen"
