"""A migrant asks for a person; a caseworker answers through the bot, and nobody's identity leaks."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.telegram.responder import relay_pieces
from handlers.actions import Action, AskHuman, Consent, RateTicket, actions_of, owner_tag
from handlers.conversation import Conversation
from handlers.handoff import Handoff, HandoffSettings, WorkingHours, ticket_of
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from storage.tickets import Tickets
from tests.conftest import TEST_KEY, actions, all_text

CASEWORKERS = -100777
MIGRANT = 424242
CASEWORKER = 9001


def build(knowledge, path, hours: WorkingHours | None = None, now=None) -> Conversation:
    db = open_database(path)
    pseudonymizer = Pseudonymizer(TEST_KEY)
    conversation = Conversation(knowledge, QueryLog(db), Profiles(db), pseudonymizer)
    conversation.handoff = Handoff(
        Tickets(db, pseudonymizer),
        HandoffSettings(CASEWORKERS, hours),
        **({"now": now} if now else {}),
    )
    return conversation


@pytest.fixture
def bot(knowledge, tmp_path):
    return build(knowledge, tmp_path / "handoff.sqlite")


def migrant(bot, text="", button: Action | str | None = None, user=MIGRANT, **extra):
    data = button.pack() if isinstance(button, Action) else button
    return bot.handle(Incoming(user, text, button=data, language_code="ru", **extra))


def consent_of(bot, user=MIGRANT, agreed=True) -> Consent:
    """The consent button the bot shows this person."""
    return Consent(agreed, owner_tag(bot.pseudonymizer.user_key(user)))


def agree(bot, user=MIGRANT):
    """Ask for a person and press "yes" on the button the bot offers."""
    asked = migrant(bot, "/human", user=user)
    return migrant(bot, button=next(a for a in actions(asked) if isinstance(a, Consent) and a.agreed), user=user)


def caseworker(bot, text, reply_to=None):
    return bot.handle(Incoming(CASEWORKER, text, chat_id=CASEWORKERS, reply_to_text=reply_to))


def test_asking_for_a_person_first_asks_consent_and_passes_nothing_without_it(bot):
    asked = migrant(bot, "/human")
    assert "Передать?" in all_text(asked)
    assert actions(asked) == [consent_of(bot), consent_of(bot, agreed=False)]
    assert asked.forwards == []
    declined = migrant(bot, button=consent_of(bot, agreed=False))
    assert declined.forwards == []
    assert migrant(bot, "меня обманули с зарплатой").forwards == []


def test_with_consent_messages_reach_caseworkers_under_a_ticket_without_identity(bot):
    migrant(bot, "хочу поговорить с живым человеком")
    opened = migrant(bot, button=consent_of(bot))
    assert "№1" in all_text(opened)
    assert opened.forwards[0].chat_id == CASEWORKERS and "#1" in opened.forwards[0].reply.text
    relayed = migrant(bot, "Работодатель не платит третий месяц")
    forward = relayed.forwards[0]
    assert forward.chat_id == CASEWORKERS
    assert forward.reply.text == "#1: Работодатель не платит третий месяц"
    assert str(MIGRANT) not in forward.reply.text


def test_a_caseworkers_reply_to_a_ticket_message_reaches_the_migrant(bot):
    agree(bot)
    question = migrant(bot, "Что мне делать?").forwards[0].reply.text
    answer = caseworker(bot, "Сохраните переписку с работодателем и позвоните на 1899.", reply_to=question)
    assert [(f.chat_id, f.reply.text) for f in answer.forwards] == [
        (MIGRANT, "👤 Сотрудник: Сохраните переписку с работодателем и позвоните на 1899.")
    ]


def test_the_ticket_survives_a_restart(knowledge, tmp_path):
    first = build(knowledge, tmp_path / "restart.sqlite")
    agree(first)
    second = build(knowledge, tmp_path / "restart.sqlite")
    assert migrant(second, "ещё вопрос").forwards[0].reply.text == "#1: ещё вопрос"
    reply = caseworker(second, "Отвечаю", reply_to="#1: ещё вопрос")
    assert reply.forwards[0].chat_id == MIGRANT


def test_either_side_can_close_and_the_migrant_can_rate(bot):
    agree(bot)
    closed = caseworker(bot, "/close 1")
    to_migrant = [f for f in closed.forwards if f.chat_id == MIGRANT][0]
    assert RateTicket(1, 5) in actions_of(to_migrant.reply.buttons)
    migrant(bot, button=RateTicket(1, 5))
    row = next(bot.handoff.tickets.db["tickets"].rows)
    assert row["status"] == "closed" and row["closed_by"] == "caseworker" and row["rating"] == 5
    assert bot.handoff.tickets.db["ticket_links"].count == 0  # the way back to the chat is gone
    late = caseworker(bot, "ещё одно", reply_to="#1: вопрос")
    assert late.forwards[0].chat_id == CASEWORKERS and "закрыта" in late.forwards[0].reply.text
    agree(bot)
    by_migrant = migrant(bot, "/close")
    assert "закрыта мигрантом" in by_migrant.forwards[0].reply.text


def test_a_ticket_opened_after_a_danger_message_is_marked_urgent(bot):
    migrant(bot, "хозяин забрал паспорт и не выпускает нас")
    opened = agree(bot)
    assert "СРОЧНО" in opened.forwards[0].reply.text


def test_outside_working_hours_the_bot_says_when_someone_will_answer(knowledge, tmp_path):
    sunday_night = dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC)
    bot = build(
        knowledge, tmp_path / "hours.sqlite", WorkingHours.parse("Mon-Fri 09:00-18:00"), now=lambda: sunday_night
    )
    # The hours come in the migrant's own language, not as the operator configured them.
    assert "пн–пт 09:00–18:00" in all_text(migrant(bot, "/human"))
    kyrgyz = bot.handle(Incoming(MIGRANT + 1, "/human", language_code="ky"))
    assert "дүйшөмбү–жума 09:00–18:00" in all_text(kyrgyz)
    assert "Mon-Fri" not in all_text(kyrgyz)


def test_hours_read_in_the_readers_words_and_as_configured_without_day_names():
    weekdays = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
    assert WorkingHours.parse("Sat-Sat 10:00-14:00").shown(weekdays) == "сб 10:00–14:00"
    assert WorkingHours.parse("09:00-18:00").shown(weekdays) == "09:00–18:00"  # every day
    assert WorkingHours.parse("Mon-Fri 09:00-18:00").shown(None) == "Mon-Fri 09:00-18:00"


def test_working_hours_are_read_in_bishkek_time():
    hours = WorkingHours.parse("Mon-Fri 09:00-18:00")
    assert hours.open_at(dt.datetime(2026, 11, 30, 3, 30, tzinfo=dt.UTC))  # Monday 09:30 in Bishkek
    assert not hours.open_at(dt.datetime(2026, 11, 30, 2, 30, tzinfo=dt.UTC))  # Monday 08:30 in Bishkek
    with pytest.raises(ValueError):
        WorkingHours.parse("always")


def test_the_database_holds_no_raw_chat_id_for_open_tickets(bot, tmp_path):
    agree(bot)
    bot.handoff.tickets.db.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("handoff.sqlite*"))
    assert str(MIGRANT).encode() not in stored


def test_without_a_caseworker_chat_the_bot_points_to_the_hotline(say):
    assert "1899" in all_text(say("/human"))


OTHER = 515151
GROUP = -100_4242


def test_a_reply_to_any_piece_of_a_long_relay_reaches_that_ticket_only(bot):
    agree(bot)  # ticket 1: the migrant
    agree(bot, user=OTHER)  # ticket 2: someone else
    # The migrant's long message mentions "#2"; it is split for Telegram, and the caseworker
    # replies to the second piece, which starts right where the migrant wrote "#2".
    words = "<" * 300 + "а" * 2700 + "\n\n#2 " + "б" * 900
    relay = migrant(bot, words).forwards[0].reply
    pieces = relay_pieces(relay.html, "#1")
    assert len(pieces) == 2 and all(ticket_of(piece) == 1 for piece in pieces)
    answer = caseworker(bot, "Ответ на ваше длинное сообщение", reply_to=pieces[1])
    assert [forward.chat_id for forward in answer.forwards] == [MIGRANT]


def test_a_hash_number_inside_the_migrants_words_never_picks_the_ticket():
    assert ticket_of("#7: мне сказали обратиться в заявку #2") == 7
    assert ticket_of("#7 (2/3): #2 и ещё текст") == 7
    assert ticket_of("🆕 Заявка #7, язык: ru.") == 7
    assert ticket_of("просто текст без номера") is None


def test_in_a_group_the_bot_points_to_a_private_chat_instead_of_opening_a_ticket(bot):
    in_group = {"private": False, "addressed": True, "chat_id": GROUP}
    for outcome in (
        migrant(bot, "/human", **in_group),
        migrant(bot, button=AskHuman(), **in_group),
        migrant(bot, "хочу поговорить с живым человеком", **in_group),
        migrant(bot, button=consent_of(bot), **in_group),
    ):
        assert "личные сообщения" in all_text(outcome)
        assert not any(isinstance(action, Consent) for action in actions(outcome))
        assert outcome.forwards == []
    assert bot.handoff.tickets.db["tickets"].count == 0


def test_with_a_ticket_open_a_message_in_a_group_is_not_relayed(bot):
    agree(bot)
    outcome = migrant(bot, "зарплату не платят", private=False, addressed=True, chat_id=GROUP)
    assert outcome.forwards == [] and outcome.topic == "unpaid_wages"


def test_someone_else_pressing_a_migrants_consent_button_is_refused_politely(bot):
    offered = next(a for a in actions(migrant(bot, "/human")) if isinstance(a, Consent) and a.agreed)
    pressed = migrant(bot, button=offered, user=OTHER)
    assert "для другого человека" in all_text(pressed)
    assert pressed.forwards == [] and bot.handoff.tickets.db["tickets"].count == 0
    assert migrant(bot, button=offered).forwards  # the person it was offered to can still agree
