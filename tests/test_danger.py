"""A migrant in danger gets emergency contacts first, whatever they asked and however they spelt it.

The messages live in tests/safety/messages.yaml: people in danger (suicide, trafficking,
violence, detention, a fresh death, a medical emergency) and ordinary questions, many of
them near misses, in Russian, Kyrgyz and English, in Cyrillic, Latin letters and misspelt.
The signals themselves are in content/danger.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from handlers.understanding.skeleton import skeleton
from tests.conftest import all_text, button_data

MESSAGES = yaml.safe_load((Path(__file__).parent / "safety" / "messages.yaml").read_text(encoding="utf-8"))
LANGUAGES = ("ru", "ky", "en")
MIN_MESSAGES = 60
MAX_FALSE_ALARMS = 0.05  # share of ordinary questions that may get the emergency block
KINDS = ["suicide", "trafficking", "violence", "detention", "death", "medical"]  # in order of priority
EMERGENCY_LINE = "🚨"  # the first line of the emergency block, in every language


def _listing(messages: list[str]) -> str:
    return "\n".join(f"  {text!r}  [skeleton: {skeleton(text)}]" for text in messages)


def test_the_danger_kinds_are_checked_in_order_of_priority(knowledge):
    kinds = knowledge.danger.kinds
    assert [kind.name for kind in kinds] == KINDS
    assert {kind.name: kind.topic for kind in kinds}["trafficking"] == "trafficking"
    assert all(kind.topic == "emergency" for kind in kinds if kind.name != "trafficking")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_message_sets_are_large_enough_to_measure(lang):
    assert len(MESSAGES["danger"][lang]) >= MIN_MESSAGES
    assert len(MESSAGES["ordinary"][lang]) >= MIN_MESSAGES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_person_in_danger_is_noticed(knowledge, lang):
    missed = [text for text in MESSAGES["danger"][lang] if knowledge.danger.detect(text) is None]
    total = len(MESSAGES["danger"][lang])
    assert not missed, f"{lang}: {len(missed)} of {total} danger messages not recognised:\n{_listing(missed)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ordinary_questions_rarely_raise_the_alarm(knowledge, lang):
    ordinary = MESSAGES["ordinary"][lang]
    flagged = [(text, knowledge.danger.detect(text)) for text in ordinary]
    flagged = [(text, danger.kind) for text, danger in flagged if danger is not None]
    listing = "\n".join(f"  {kind}: {text!r}  [skeleton: {skeleton(text)}]" for text, kind in flagged)
    assert len(flagged) <= MAX_FALSE_ALARMS * len(ordinary), (
        f"{lang}: {len(flagged)} of {len(ordinary)} ordinary questions flagged as danger:\n{listing}"
    )


def test_a_migrant_whose_boss_took_the_passport_gets_the_trafficking_answer_first(conversation, say):
    outcome = say("начальник забрал паспорт и не выпускает")
    first = outcome.replies[0].plain
    assert outcome.topic == "trafficking"
    assert first.index(EMERGENCY_LINE) < first.index("«Сезим»")
    assert "«Сезим»" in first and "«Ак-Журок»" in first
    assert "h" in button_data(outcome)  # a caseworker is one tap away
    assert "сотрудник" in outcome.replies[-1].plain
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == "trafficking"


def test_danger_comes_first_even_when_the_question_is_about_something_else(say):
    outcome = say("бригадир забрал паспорт, а патент заканчивается, как продлить патент?", force_country="RU")
    titles = [reply.title for reply in outcome.replies]
    assert titles[0] == "Торговля людьми и принудительный труд"
    assert "Разрешение на работу (патент)" in titles[1:]  # what was asked is still answered, after
    assert "h" in button_data(outcome)


def test_a_beaten_migrant_writing_kyrgyz_in_latin_letters_gets_the_host_countrys_emergency_number(
    conversation, say,
):
    outcome = say("meni sabap jatat", force_country="KR")
    first = outcome.replies[0].plain
    assert outcome.topic == "emergency"
    assert first.index(EMERGENCY_LINE) < first.index("112 / 119")
    assert "1899" in first
    assert "h" in button_data(outcome)
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == "violence"
    assert row["country"] == "KR"


@pytest.mark.parametrize(("text", "kind"), [
    ("Не хочу больше жить", "suicide"),
    ("брата задержала полиция, держат в отделе", "detention"),
    ("досум курулушта каза болду бугун", "death"),
    ("my friend is unconscious and not breathing", "medical"),
])
def test_the_log_records_the_kind_of_danger(conversation, say, text, kind):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE in outcome.replies[0].plain
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == kind


@pytest.mark.parametrize("text", [
    "задержали зарплату на два месяца",
    "умер телефон, как восстановить доступ к госуслугам",
    "how to get a death certificate for my father who died last year",
    "паспортумду жоготуп алдым, эмне кылам",
])
def test_an_ordinary_question_gets_no_emergency_block(conversation, say, text):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE not in all_text(outcome)
    assert outcome.topic not in ("emergency", "trafficking")
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] is None
