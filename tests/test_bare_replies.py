"""A bare reply («не знаю», «жок», "ok", «рахмат», "👍") never gets another topic's answer.

Told as a migrant would live it: after an answer, as a first message, while the bot waits
for a country, with a caseworker's ticket open, and in the weekly report.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from bot.console import run_console
from content.library import DEFAULT_DIR, check_content
from handlers.actions import ChooseCountry, Consent, OpenTopic, ShowGroup, ShowMenu
from handlers.understanding.bare import BareReplyReader
from review.stats import unanswered_texts
from tests.conftest import actions, all_text
from tests.test_handoff import CASEWORKERS, build, consent_of, migrant

# (what the migrant asked first, in their language) → the bare replies they may write next
ASKED = {"ru": "нужна ли регистрация", "ky": "патент керекпи", "en": "do I need a work permit"}
BARE = [
    ("ru", "не знаю"),
    ("ru", "нет"),
    ("ru", "да"),
    ("ru", "ок"),
    ("ru", "Нет, не знаю!"),
    ("ru", "ne znayu"),
    ("ky", "жок"),
    ("ky", "ооба"),
    ("ky", "билбейм"),
    ("ky", "макул"),
    ("ky", "jok"),
    ("ky", "ooba"),
    ("ky", "bilbeym"),
    ("ky", "makul"),
    ("en", "nope"),
    ("en", "okay"),
    ("en", "I don't know"),
    ("ru", "👍"),
    ("ky", "?"),
    ("en", "..."),
]


def menu_groups(outcome) -> set[ShowGroup]:
    return {action for action in actions(outcome) if isinstance(action, ShowGroup)}


@pytest.fixture
def ask(say):
    """Ask a question in `lang` with the host country known, then send `text`."""

    def ask_then(lang: str, text: str):
        say(button=ChooseCountry("RU"), language_code=lang)
        answered = say(ASKED[lang], language_code=lang)
        assert answered.topic is not None and answered.lang == lang
        return say(text, language_code=lang)

    return ask_then


@pytest.mark.parametrize(("lang", "text"), BARE)
def test_a_migrant_who_answers_bare_after_an_answer_gets_the_topic_menu_in_their_language(ask, lang, text):
    outcome = ask(lang, text)
    assert outcome.topic is None  # not another topic's answer
    assert outcome.danger is None
    assert outcome.lang == lang
    assert ShowGroup("rights_abroad") in menu_groups(outcome)
    assert not [a for a in actions(outcome) if isinstance(a, OpenTopic)]  # no guessed topics either


@pytest.mark.parametrize(("lang", "text"), BARE)
def test_a_bare_first_message_gets_the_topic_menu(say, lang, text):
    outcome = say(text, language_code=lang)
    assert outcome.topic is None and outcome.danger is None
    assert ShowGroup("rights_abroad") in menu_groups(outcome)


@pytest.mark.parametrize("text", ["no", "idk", "нет", "не знаю", "жок", "ok"])
def test_a_bare_reply_gets_the_menu_not_the_emergency_card(say, text):
    # The learned danger model is not read for a bare reply: «no» alone once scored as suicide.
    outcome = say(text, language_code="en")
    assert outcome.danger is None
    assert outcome.topic is None and menu_groups(outcome)


@pytest.mark.parametrize(
    ("lang", "text", "welcome"),
    [
        ("ru", "спасибо", "Пожалуйста"),
        ("ru", "ок, спасибо большое", "Пожалуйста"),
        ("ru", "рахмат", "Пожалуйста"),  # a Russian speaker's «рахмат» keeps Russian
        ("ky", "рахмат", "Эчтеке эмес"),
        ("ky", "Жок, рахмат", "Эчтеке эмес"),
        ("ky", "rakhmat", "Эчтеке эмес"),
        ("en", "thanks", "You are welcome"),
        ("en", "🙏", "You are welcome"),
    ],
)
def test_a_migrant_who_says_thanks_after_an_answer_gets_you_are_welcome_and_the_menu_button(ask, lang, text, welcome):
    outcome = ask(lang, text)
    assert outcome.topic == "thanks" and outcome.lang == lang
    assert welcome in all_text(outcome)
    assert ShowMenu() in actions(outcome)


@pytest.mark.parametrize(
    ("text", "lang", "topic"),
    [
        ("патент канча", "ky", "work_permit"),
        ("registration 30 days?", "en", "registration"),
        ("не знаю что делать, не платят зарплату", "ru", "unpaid_wages"),
        ("нет регистрации, что делать", "ru", "registration"),
        ("спасибо, а патент сколько стоит?", "ru", "work_permit"),
    ],
)
def test_a_real_short_question_still_gets_its_answer(say, text, lang, topic):
    outcome = say(text, language_code=lang, force_country="RU")
    assert outcome.topic == topic


def test_a_kyrgyz_speaker_who_writes_da_keeps_getting_kyrgyz(say):
    say(button=ChooseCountry("RU"))
    assert say("патент керекпи").lang == "ky"
    for text in ("да", "ок", "okay"):
        assert say(text).lang == "ky"


def test_a_first_bare_reply_only_one_language_writes_answers_in_that_language(say):
    assert say("жок", language_code="ru").lang == "ky"


def test_i_do_not_know_to_the_country_question_gets_the_general_answer_to_what_was_asked(say):
    asked = say("нужна ли регистрация")
    assert ChooseCountry("RU", "registration") in actions(asked)
    answered = say("не знаю")
    assert answered.topic == "registration"
    assert "30 дней" in all_text(answered)
    assert ChooseCountry("RU", "registration") not in actions(answered)  # not asked again


def test_a_bare_reply_keeps_the_follow_up_a_date_typed_next_still_computes_the_deadline(say):
    say(button=ChooseCountry("RU"))
    assert say("нужна ли регистрация").topic == "registration"
    assert say("ок").topic is None
    dated = say("02.11.2026")
    assert dated.topic == "registration" and "1 декабря 2026" in all_text(dated)


def test_a_bare_no_to_the_offered_topics_shows_the_menu_and_a_number_still_picks_an_offered_one(say):
    offered = say("посоветуй фильм на вечер")
    assert offered.topic is None and offered.suggestions
    assert menu_groups(say("нет"))
    assert say("1").topic == offered.suggestions[0]


def test_in_the_console_chat_i_do_not_know_after_an_answer_gets_the_menu(conversation):
    out = io.StringIO()
    lines = "нужна ли регистрация\n1\nне знаю\n"  # 1 presses the first country button
    run_console(conversation, io.StringIO(lines), out, user_id=777, language_code="ru", prompt=False)
    after_answer = out.getvalue().rsplit("Сведения на 2022 год", 1)[-1]
    assert "Выберите тему или просто напишите вопрос" in after_answer
    assert [row["topic"] for row in conversation.querylog.db["queries"].rows][-2:] == ["registration", None]


def test_with_a_ticket_open_a_bare_yes_reaches_the_caseworker(knowledge, tmp_path):
    bot = build(knowledge, tmp_path / "bare.sqlite")
    migrant(bot, "/human")
    migrant(bot, button=consent_of(bot))
    relayed = migrant(bot, "да")
    assert [(f.chat_id, f.reply.text) for f in relayed.forwards] == [(CASEWORKERS, "#1: да")]


@pytest.mark.parametrize("yes", ["да", "ооба", "makul", "ok", "да, спасибо"])
def test_a_migrant_who_types_yes_to_the_offer_of_a_caseworker_gets_a_ticket_as_with_the_button(
    knowledge, tmp_path, yes
):
    bot = build(knowledge, tmp_path / "bare.sqlite")
    assert consent_of(bot) in actions(migrant(bot, "/human"))
    opened = migrant(bot, yes)
    assert "№1" in all_text(opened)
    assert opened.forwards[0].chat_id == CASEWORKERS and "#1" in opened.forwards[0].reply.text
    assert migrant(bot, "не платят третий месяц").forwards[0].reply.text == "#1: не платят третий месяц"


@pytest.mark.parametrize("no", ["нет", "жок", "nope", "нет, спасибо"])
def test_a_migrant_who_types_no_to_the_offer_passes_nothing_and_a_later_yes_is_not_consent(knowledge, tmp_path, no):
    bot = build(knowledge, tmp_path / "bare.sqlite")
    migrant(bot, "/human")
    declined = migrant(bot, no)
    assert declined.forwards == [] and "ничего не передаю" in all_text(declined)
    later = migrant(bot, "да")
    assert later.forwards == [] and bot.handoff.tickets.db["tickets"].count == 0
    assert menu_groups(later)


def test_after_an_unsure_reply_to_the_offer_the_consent_buttons_still_work(knowledge, tmp_path):
    bot = build(knowledge, tmp_path / "bare.sqlite")
    asked = migrant(bot, "/human")
    unsure = migrant(bot, "не знаю")
    assert unsure.forwards == [] and menu_groups(unsure)
    opened = migrant(bot, button=next(a for a in actions(asked) if isinstance(a, Consent) and a.agreed))
    assert "№1" in all_text(opened)


def test_a_yes_with_no_offer_pending_opens_no_ticket(knowledge, tmp_path):
    bot = build(knowledge, tmp_path / "bare.sqlite")
    migrant(bot, "нужна ли регистрация")
    assert migrant(bot, "да").forwards == []
    assert bot.handoff.tickets.db["tickets"].count == 0


def test_a_bare_reply_is_logged_but_not_listed_among_the_unanswered_questions(conversation, say):
    say("не знаю")
    say("как поймать покемона на луне")
    rows = list(conversation.querylog.db["queries"].rows)
    bare = next(row for row in rows if row["text"] == "не знаю")
    assert bare["entry"] == "text" and bare["topic"] is None and not bare["fallback"]
    listed = [u.text for u in unanswered_texts(conversation.querylog.db, _long_ago(), _later())]
    assert "не знаю" not in listed
    assert "как поймать покемона на луне" in listed


def _long_ago() -> dt.datetime:
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


# -- the caseworkers' file ---------------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root


def problems_after(root: Path, old: str, new: str) -> list[str]:
    path = root / "bare_replies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    _, problems = check_content(root)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in problems]


def test_a_caseworker_who_adds_a_real_question_as_a_bare_reply_is_told_where(content_copy):
    problems = problems_after(content_copy, "  decline: [нет,", "  decline: [нужна ли регистрация, нет,")
    assert len(problems) == 1
    assert problems[0].startswith("bare_replies.yaml:")
    assert "example question of topic 'registration'" in problems[0]


def test_a_phrase_under_two_kinds_and_an_unquoted_no_are_reported(content_copy):
    problems_after(content_copy, "  agree: [да,", "  agree: [нет, да,")
    problems = problems_after(content_copy, "['no',", "[no,")
    assert any("'нет' is listed under agree too" in p for p in problems)
    assert any("put yes, no, on and off in quotes" in p for p in problems)


def test_a_caseworker_can_extend_the_list_and_the_bot_reads_it(content_copy):
    problems_after(content_copy, "  decline: [нет,", "  decline: [нетушки, нет,")
    content, problems = check_content(content_copy)
    assert not problems and content is not None
    reply = BareReplyReader(content.bare_replies).read("Нетушки")
    assert reply is not None and reply.kind == "decline"
