"""The bot answers in the language the migrant writes in."""

from __future__ import annotations

import pytest

from tests.conftest import all_text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Нужна ли регистрация в Москве?", "ru"),
        ("зарплату не платят что делать", "ru"),
        ("zarplatu ne platyat chto delat", "ru"),
        ("Каттоодон качан өтүшүм керек?", "ky"),
        ("патент керекпи орусияда", "ky"),
        ("patent kerekpi", "ky"),
        ("ailygymdy berbey jatat", "ky"),
        ("Do I need a work permit in Russia?", "en"),
        ("my boss does not pay my salary", "en"),
    ],
)
def test_the_language_of_a_message_is_recognised(knowledge, text, lang):
    assert knowledge.detector.detect(text) == lang


def test_a_message_without_words_leaves_the_language_undecided(knowledge):
    assert knowledge.detector.detect("?? 123") is None


def test_a_migrant_writing_kyrgyz_gets_the_answer_in_kyrgyz(say):
    outcome = say("патент керекпи", interactive=False)
    assert outcome.lang == "ky"
    assert outcome.topic == "work_permit"


def test_without_clues_the_bot_uses_telegrams_language_then_russian(say):
    assert say("/start", language_code="en-US").lang == "en"
    assert say("/start", user_id=77).lang == "ru"


def test_the_saved_choice_wins_over_telegrams_language_code(say):
    say(button="l:ky")
    outcome = say("/start", language_code="en")
    assert outcome.lang == "ky"
    assert "Саламатсызбы" in all_text(outcome)


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_the_evaluation_questions_are_recognised_in_their_language_including_latin_letters(knowledge, lang):
    from testing.evaluation import load_evaluation

    asked = [q for q in load_evaluation() if q.lang == lang]
    wrong = [(q.text, knowledge.detector.detect(q.text)) for q in asked if knowledge.detector.detect(q.text) != lang]
    assert len(wrong) / len(asked) <= 0.05, wrong[:10]
