"""A migrant asks for a person; a caseworker answers through the bot, and nobody's identity leaks."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.conversation import Conversation
from handlers.handoff import Handoff, HandoffSettings, WorkingHours
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from storage.tickets import Tickets
from tests.conftest import TEST_KEY, all_text, button_data

CASEWORKERS = -100777
MIGRANT = 424242
CASEWORKER = 9001


def build(knowledge, path, hours: WorkingHours | None = None, now=None) -> Conversation:
    db = open_database(path)
    pseudonymizer = Pseudonymizer(TEST_KEY)
    conversation = Conversation(knowledge, QueryLog(db), Profiles(db), pseudonymizer)
    conversation.handoff = Handoff(
        Tickets(db, pseudonymizer), HandoffSettings(CASEWORKERS, hours),
        ui=lambda lang: knowledge.content.ui[lang], **({"now": now} if now else {}),
    )
    return conversation


@pytest.fixture
def bot(knowledge, tmp_path):
    return build(knowledge, tmp_path / "handoff.sqlite")


def migrant(bot, text="", button=None, **extra):
    return bot.handle(Incoming(MIGRANT, text, button=button, language_code="ru", **extra))


def caseworker(bot, text, reply_to=None):
    return bot.handle(Incoming(CASEWORKER, text, chat_id=CASEWORKERS, reply_to_text=reply_to))


def test_asking_for_a_person_first_asks_consent_and_passes_nothing_without_it(bot):
    asked = migrant(bot, "/human")
    assert "Передать?" in all_text(asked)
    assert button_data(asked) == ["hc:y", "hc:n"]
    assert asked.forwards == []
    declined = migrant(bot, button="hc:n")
    assert declined.forwards == []
    assert migrant(bot, "меня обманули с зарплатой").forwards == []


def test_with_consent_messages_reach_caseworkers_under_a_ticket_without_identity(bot):
    migrant(bot, "хочу поговорить с живым человеком")
    opened = migrant(bot, button="hc:y")
    assert "№1" in all_text(opened)
    assert opened.forwards[0].chat_id == CASEWORKERS and "#1" in opened.forwards[0].reply.text
    relayed = migrant(bot, "Работодатель не платит третий месяц")
    forward = relayed.forwards[0]
    assert forward.chat_id == CASEWORKERS
    assert forward.reply.text == "#1: Работодатель не платит третий месяц"
    assert str(MIGRANT) not in forward.reply.text


def test_a_caseworkers_reply_to_a_ticket_message_reaches_the_migrant(bot):
    migrant(bot, "/human")
    migrant(bot, button="hc:y")
    question = migrant(bot, "Что мне делать?").forwards[0].reply.text
    answer = caseworker(bot, "Сохраните переписку с работодателем и позвоните на 1899.", reply_to=question)
    assert [(f.chat_id, f.reply.text) for f in answer.forwards] == [
        (MIGRANT, "👤 Сотрудник: Сохраните переписку с работодателем и позвоните на 1899.")
    ]


def test_the_ticket_survives_a_restart(knowledge, tmp_path):
    first = build(knowledge, tmp_path / "restart.sqlite")
    migrant(first, "/human")
    migrant(first, button="hc:y")
    second = build(knowledge, tmp_path / "restart.sqlite")
    assert migrant(second, "ещё вопрос").forwards[0].reply.text == "#1: ещё вопрос"
    reply = caseworker(second, "Отвечаю", reply_to="#1: ещё вопрос")
    assert reply.forwards[0].chat_id == MIGRANT


def test_either_side_can_close_and_the_migrant_can_rate(bot):
    migrant(bot, "/human")
    migrant(bot, button="hc:y")
    closed = caseworker(bot, "/close 1")
    to_migrant = [f for f in closed.forwards if f.chat_id == MIGRANT][0]
    assert "hr:1:5" in [b.data for row in to_migrant.reply.buttons for b in row]
    migrant(bot, button="hr:1:5")
    row = next(bot.handoff.tickets.db["tickets"].rows)
    assert row["status"] == "closed" and row["closed_by"] == "caseworker" and row["rating"] == 5
    assert bot.handoff.tickets.db["ticket_links"].count == 0  # the way back to the chat is gone
    late = caseworker(bot, "ещё одно", reply_to="#1: вопрос")
    assert late.forwards[0].chat_id == CASEWORKERS and "закрыта" in late.forwards[0].reply.text
    migrant(bot, "/human")
    migrant(bot, button="hc:y")
    by_migrant = migrant(bot, "/close")
    assert "закрыта мигрантом" in by_migrant.forwards[0].reply.text


def test_a_ticket_opened_after_a_danger_message_is_marked_urgent(bot):
    migrant(bot, "хозяин забрал паспорт и не выпускает нас")
    migrant(bot, "/human")
    opened = migrant(bot, button="hc:y")
    assert "СРОЧНО" in opened.forwards[0].reply.text


def test_outside_working_hours_the_bot_says_when_someone_will_answer(knowledge, tmp_path):
    sunday_night = dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC)
    bot = build(knowledge, tmp_path / "hours.sqlite", WorkingHours.parse("Mon-Fri 09:00-18:00"),
                now=lambda: sunday_night)
    assert "Mon-Fri 09:00-18:00" in all_text(migrant(bot, "/human"))


def test_working_hours_are_read_in_bishkek_time():
    hours = WorkingHours.parse("Mon-Fri 09:00-18:00")
    assert hours.open_at(dt.datetime(2026, 11, 30, 3, 30, tzinfo=dt.UTC))  # Monday 09:30 in Bishkek
    assert not hours.open_at(dt.datetime(2026, 11, 30, 2, 30, tzinfo=dt.UTC))  # Monday 08:30 in Bishkek
    with pytest.raises(ValueError):
        WorkingHours.parse("always")


def test_the_database_holds_no_raw_chat_id_for_open_tickets(bot, tmp_path):
    migrant(bot, "/human")
    migrant(bot, button="hc:y")
    bot.handoff.tickets.db.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("handoff.sqlite*"))
    assert str(MIGRANT).encode() not in stored


def test_without_a_caseworker_chat_the_bot_points_to_the_hotline(say):
    assert "1899" in all_text(say("/human"))
