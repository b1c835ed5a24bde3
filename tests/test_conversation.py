"""Conversations a migrant would have with the bot, through the framework-agnostic core."""

from __future__ import annotations

import json

from handlers.actions import (
    AskHuman,
    ChooseCountry,
    ChooseLanguage,
    OpenTopic,
    RateAnswer,
    ShowGroup,
    ShowMenu,
)
from handlers.replies import MAX_CALLBACK_BYTES
from tests.conftest import actions, all_text, button_data


def test_start_greets_explains_the_limits_and_offers_languages_and_topics(say):
    outcome = say("/start")
    text = all_text(outcome)
    assert "1899" in text
    assert "не юридическая консультация" in text
    shown = actions(outcome)
    assert {ChooseLanguage("ru"), ChooseLanguage("ky"), ChooseLanguage("en")} <= set(shown)
    assert ShowGroup("rights_abroad") in shown


def test_a_topic_that_depends_on_the_country_asks_for_it_once_then_answers(say):
    first = say("нужна ли регистрация, приехал 3 ноября")
    assert "В какой стране" in all_text(first)
    assert ChooseCountry("RU", "registration") in actions(first)
    answered = say(button=ChooseCountry("RU", "registration"))
    text = all_text(answered)
    assert "30 дней" in text
    assert "2 декабря 2026" in text  # the question's arrival date was kept while asking
    assert answered.topic == "registration"
    again = say("регистрация нужна?")
    assert "В какой стране" not in all_text(again)
    assert "ЕАЭС" in all_text(again)


def test_a_migrant_can_change_the_country_with_the_country_command(say):
    say(button=ChooseCountry("RU"))
    reply = say("/country")
    assert ChooseCountry("KR") in actions(reply)
    say(button=ChooseCountry("KR"))
    text = all_text(say("регистрация нужна?", interactive=False))
    assert "ЕАЭС" in text  # general answer for Korea: the EAEU rule is named as such, not promised


def test_every_answer_shows_its_report_paragraphs_and_its_date(say):
    outcome = say("зарплату не платят", force_country="RU")
    text = all_text(outcome)
    assert "§" in text and "доклад" in text
    assert "2022" in text
    assert outcome.sources


def test_an_answer_offers_rating_related_topics_menu_and_a_caseworker(say):
    outcome = say("зарплату не платят", force_country="RU")
    shown = actions(outcome)
    assert RateAnswer(True, outcome.topic) in shown and RateAnswer(False, outcome.topic) in shown
    assert sum(isinstance(action, OpenTopic) for action in shown) >= 2
    assert ShowMenu() in shown and AskHuman() in shown


def test_a_rating_is_recorded_under_the_pseudonym(conversation, say):
    say(button=RateAnswer(True, "unpaid_wages"))
    rows = list(conversation.querylog.db["feedback"].rows)
    assert rows and rows[0]["topic"] == "unpaid_wages" and rows[0]["helpful"] == 1
    assert rows[0]["user_key"].startswith("k1:")


def test_an_unclear_message_gets_suggestions_the_hotline_and_a_caseworker(say):
    outcome = say("какая погода будет завтра в Бишкеке")
    assert outcome.topic is None
    shown = actions(outcome)
    assert len([a for a in shown if isinstance(a, OpenTopic) and a != OpenTopic("hotline")]) in (1, 2, 3)
    assert OpenTopic("hotline") in shown and AskHuman() in shown
    assert "1899" in all_text(outcome)


def test_the_menu_pages_through_a_group_and_comes_back(say):
    group = say(button=ShowGroup("rights_abroad"))
    assert ShowGroup("rights_abroad", 1) in actions(group) and ShowMenu() in actions(group)
    second = say(button=ShowGroup("rights_abroad", 1))
    assert ShowGroup("rights_abroad", 0) in actions(second)


def test_a_deep_link_opens_its_topic(say):
    outcome = say("/start hotline")
    assert outcome.topic == "hotline"
    assert "1899" in all_text(outcome)


def test_every_button_fits_telegrams_64_byte_limit(content, say):
    outcomes = [say("/start"), say("/country"), say("/language")]
    outcomes += [say(button=ShowGroup(group, page)) for group in content.ui["ru"]["menu_groups"] for page in (0, 1)]
    outcomes += [say(button=OpenTopic(topic), force_country="RU") for topic in content.topics]
    for outcome in outcomes:
        for data in button_data(outcome):
            assert len(data.encode()) <= MAX_CALLBACK_BYTES


def test_voice_and_photos_get_a_kind_reply_in_the_users_language(say):
    say(button=ChooseLanguage("ky"))
    outcome = say(kind="voice")
    assert "текстти гана" in all_text(outcome)


def test_an_empty_message_gets_an_example_of_what_to_write(say):
    assert "например" in all_text(say("   "))


def test_a_very_long_message_is_answered_and_the_user_is_told(say):
    outcome = say("зарплату не платят. " * 600)
    assert outcome.topic == "unpaid_wages"
    assert "длинное" in all_text(outcome)


def test_asking_to_speak_kyrgyz_switches_the_language(say):
    outcome = say("кыргызча жазчы")
    assert outcome.lang == "ky"
    assert say("/start").lang == "ky"


def test_in_a_group_the_bot_stays_silent_unless_addressed(say):
    assert say("зарплату не платят", private=False, addressed=False).replies == []
    addressed = say("зарплату не платят", private=False, addressed=True, force_country="RU")
    assert "личных сообщениях" in all_text(addressed)


def test_every_exchange_is_logged_with_topic_confidence_and_latency(conversation, say):
    say("зарплату не платят", force_country="RU")
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["topic"] == "unpaid_wages" and row["lang"] == "ru" and row["country"] == "RU"
    assert row["confidence"] > 0.3 and row["latency_ms"] > 0
    assert json.loads(row["suggestions"]) == []


def test_a_malformed_or_foreign_button_gets_the_menu_and_is_stored_redacted(conversation, say):
    for data in ("g:rights_abroad:²", "g:rights_abroad:" + "9" * 5000, "t:Saltanat Abdieva +996555123456", "zz"):
        outcome = say(button=data)
        assert ShowGroup("rights_abroad") in actions(outcome)  # the current menu, politely
    logged = [row["text"] for row in conversation.querylog.db["queries"].rows]
    assert not any("555123456" in text for text in logged)


def test_special_topics_are_found_by_their_role_not_their_id(content):
    roles = {topic.role: topic.id for topic in content.topics.values() if topic.role}
    assert set(roles) == {"greeting", "menu", "human_handoff", "change_language", "hotline", "thanks"}
