"""The bot remembers what it just asked: a bare country, date or number answers it.

Told as a migrant would live it, through the console chat (`helpline chat`, in-process)
and through the conversation core; the Telegram version is in test_followups_telegram.py.
"""

from __future__ import annotations

import io

import pytest

from bot.console import run_console
from handlers.actions import ChooseCountry, OpenTopic
from handlers.replies import Incoming
from handlers.session import ACCEPTS, FOLLOW_UP_SECONDS, TRANSITIONS, Event, Sessions, State
from tests.conftest import REPO, actions, all_text


def chat(conversation, *lines: str, user_id: int = 4242) -> list[dict]:
    """Type `lines` into the console chat; the logged rows tell what each message was taken for."""
    before = conversation.querylog.db["queries"].count
    run_console(
        conversation,
        io.StringIO("\n".join(lines) + "\n"),
        io.StringIO(),
        user_id=user_id,
        language_code="ru",
        prompt=False,
    )
    rows = list(conversation.querylog.db["queries"].rows)[before:]
    return rows[1:]  # the console's own /start first


def console_text(conversation, *lines: str) -> str:
    out = io.StringIO()
    run_console(conversation, io.StringIO("\n".join(lines) + "\n"), out, user_id=4343, language_code="ru", prompt=False)
    return out.getvalue()


def test_after_the_country_question_a_bare_country_and_then_a_bare_date_are_answers(conversation):
    rows = chat(conversation, "нужна ли регистрация", "Россия", "02.11.2026", "а если я приехал 3 ноября?")
    assert [row["topic"] for row in rows] == ["registration"] * 4
    assert [row["country"] for row in rows] == [None, "RU", "RU", "RU"]
    text = console_text(conversation, "нужна ли регистрация", "Россия", "02.11.2026", "а если я приехал 3 ноября?")
    assert "1 декабря 2026" in text and "2 декабря 2026" in text


@pytest.mark.parametrize("answer", ["Kazakstan", "Казахстан", "в Казахстане", "Казакстанда", "2"])
def test_the_country_may_be_typed_in_any_spelling_or_as_its_number(conversation, answer):
    rows = chat(conversation, "нужна ли регистрация", answer)
    assert rows[-1]["topic"] == "registration" and rows[-1]["country"] == "KZ"


def test_a_follow_up_about_another_country_stays_on_the_topic_and_keeps_the_saved_country(conversation, say):
    say(button=ChooseCountry("RU"))
    first = say("нужна ли регистрация, приехал 3 ноября")
    assert "2 декабря 2026" in all_text(first)
    korea = say("а в Корее?")
    assert korea.topic == "registration"
    assert "2 декабря 2026" not in all_text(korea)  # Korea's answer: no EAEU 30-day count
    assert say("регистрация нужна?").topic == "registration"
    kazakhstan = say("а в Казахстане?")
    assert kazakhstan.topic == "registration" and "ЕАЭС" in all_text(kazakhstan)
    assert conversation.profiles.get(conversation.pseudonymizer.user_key(5551234)).country == "RU"


def test_naming_the_country_in_the_question_answers_at_once_and_remembers_it(say):
    first = say("нужна ли регистрация в России, приехал 3 ноября")
    assert first.topic == "registration"
    assert ChooseCountry("RU", "registration") not in actions(first)  # not asked
    assert "2 декабря 2026" in all_text(first)
    assert "В какой стране" not in all_text(say("сколько дней можно без регистрации"))


def test_kyrgyz_with_a_case_ending_names_the_country(say):
    outcome = say("Казакстанга келдим 03.11, каттоо керекпи")
    assert outcome.topic == "registration" and outcome.lang == "ky"
    assert ChooseCountry("KZ", "registration") not in actions(outcome)
    assert "2026-жылдын 2-декабры" in all_text(outcome) or "2-декабрь" in all_text(outcome)


def test_a_number_after_not_sure_picks_the_topic_offered_at_that_place(say):
    unsure = say("какая погода будет завтра в Бишкеке")
    offered = [action.topic for action in actions(unsure) if isinstance(action, OpenTopic)]
    assert len(offered) >= 2
    assert say("2", force_country="RU").topic == offered[1]


def test_a_date_after_an_answer_without_one_computes_the_deadline(say):
    say(button=ChooseCountry("RU"))
    assert say("уволили с работы, что делать").topic == "stay_and_job_change"
    assert "10 декабря 2026" in all_text(say("25.11"))


def test_someone_elses_answer_is_not_taken_for_mine(say):
    say("нужна ли регистрация", user_id=1)
    other = say("Россия", user_id=2)
    assert other.topic != "registration" or "В какой стране" in all_text(other)
    assert say("Россия", user_id=1).topic == "registration"


def test_after_a_few_minutes_a_bare_number_is_a_new_message_again(conversation):
    clock = [0.0]
    conversation.sessions = Sessions(clock=lambda: clock[0])
    say = lambda text: conversation.handle(Incoming(77, text, language_code="ru", force_country="RU"))  # noqa: E731
    offered = [a.topic for a in actions(say("какая погода будет завтра в Бишкеке")) if isinstance(a, OpenTopic)]
    clock[0] += FOLLOW_UP_SECONDS - 1
    assert say("1").topic == offered[0]  # still within the few minutes
    say("какая погода будет завтра в Бишкеке")
    clock[0] += FOLLOW_UP_SECONDS + 1
    assert say("1").topic not in offered  # "1" alone is no question: the bot is not sure again


def test_sessions_are_kept_under_the_pseudonym_only(conversation):
    conversation.handle(Incoming(987654321, "нужна ли регистрация"))
    key = conversation.pseudonymizer.user_key(987654321)
    assert conversation.sessions.get(key).state is State.ASKED_COUNTRY
    assert "987654321" not in key


def test_the_state_table_is_complete_and_drawn_in_the_docs():
    for state in State:
        for event in Event:
            if (state, event) != (State.IDLE, Event.EXPIRE):
                assert (state, event) in TRANSITIONS
        assert state in ACCEPTS
    drawing = (REPO / "docs" / "conversation.md").read_text(encoding="utf-8")
    for state in State:
        assert state.name in drawing
    for event in Event:
        assert event.name in drawing


def test_one_shot_answers_never_read_a_line_as_the_answer_to_the_line_before(say):
    unsure = say("какая погода будет завтра в Бишкеке", interactive=False)
    offered = [action.topic for action in actions(unsure) if isinstance(action, OpenTopic)]
    assert say("2", interactive=False).topic != offered[1]
