"""Follow-ups and the hand-off on Telegram, as people would meet them, on the Bot API emulator.

Uses the running-bot fixtures of test_telegram.py: the real polling loop of each library
against `telegram_emulator.py`.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Helpline
from handlers.actions import Consent, unpack
from tests.test_telegram import (  # noqa: F401 - fixtures are used by name
    CASEWORKERS,
    FRAMEWORKS,
    Person,
    buttons,
    data_root,
    helpline,
    no_proxy,
    plain,
    running,
    staffed,
    topic_of,
)

GROUP = -100_777_000


def consent_data(message: dict) -> str:
    """The "yes" button of a consent question."""
    return next(data for data in buttons(message) if isinstance(action := unpack(data), Consent) and action.agreed)


async def test_a_bare_country_then_a_bare_date_answer_the_bots_questions(helpline: Helpline) -> None:  # noqa: F811
    async with running(helpline, "aiogram") as bot:
        migrant = bot.person(lang="ru")
        [question] = await migrant.say("нужна ли регистрация")
        assert any(data.startswith("c:") for data in buttons(question))  # the country buttons
        saved, answer = await migrant.say("Россия", replies=2)
        assert "Россия" in plain(saved) and topic_of(answer) == "registration"
        [dated] = await migrant.say("02.11.2026")
        assert topic_of(dated) == "registration" and "1 декабря 2026" in plain(dated)
        [again] = await migrant.say("а если я приехал 3 ноября?")
        assert topic_of(again) == "registration" and "2 декабря 2026" in plain(again)
        [korea] = await migrant.say("а в Корее?")
        assert topic_of(korea) == "registration" and "2 декабря 2026" not in plain(korea)


async def _open_ticket(bot, migrant: Person, caseworker: Person) -> int:
    [consent] = await migrant.say("/human")
    before = len(caseworker.seen)
    [opened] = await migrant.press(consent, consent_data(consent))
    await bot.emulator.wait_for(lambda: len(caseworker.seen) > before)
    return int(plain(opened).split("№")[1].split()[0].rstrip("."))


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_reply_to_the_second_piece_of_a_long_relay_reaches_its_migrant_only(
    staffed: Helpline, framework: str
) -> None:  # noqa: F811
    async with running(staffed, framework) as bot:
        caseworker = Person(bot.emulator, "ru", chat_id=CASEWORKERS, chat_type="supergroup")
        first, second = bot.person(lang="ru"), bot.person(lang="ru")
        mine = await _open_ticket(bot, first, caseworker)
        other = await _open_ticket(bot, second, caseworker)
        # Escaped, this is longer than one Telegram message; the second piece starts with
        # the migrant's own "#<other ticket>".
        before = len(caseworker.seen)
        await first.say("<" * 300 + "а" * 2700 + f"\n\n#{other} " + "б" * 900)
        await bot.emulator.wait_for(lambda: len(caseworker.seen) >= before + 2)
        pieces = caseworker.seen[before : before + 2]
        assert all(plain(piece).startswith(f"#{mine}") for piece in pieces)
        seen_by_other = len(second.seen)
        seen_by_first = len(first.seen)
        await caseworker.say("Ответ на длинное сообщение", replies=0, reply_to=pieces[1])
        await bot.emulator.wait_for(lambda: len(first.seen) > seen_by_first)
        assert plain(first.seen[-1]).endswith("Ответ на длинное сообщение")
        await asyncio.sleep(0.5)  # time for a wrongly routed answer to show up
        assert len(second.seen) == seen_by_other


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_in_a_group_the_bot_points_to_a_private_chat_and_refuses_someone_elses_consent(
    staffed: Helpline, framework: str
) -> None:  # noqa: F811
    async with running(staffed, framework) as bot:
        caseworker = Person(bot.emulator, "ru", chat_id=CASEWORKERS, chat_type="supergroup")
        member = Person(bot.emulator, "ru", chat_id=GROUP, chat_type="supergroup")
        [pointer] = await member.say("/human")
        assert "личные сообщения" in plain(pointer) and not buttons(pointer)

        migrant = bot.person(lang="ru")
        [consent] = await migrant.say("/human")
        shown_in_group = dict(consent, chat={"id": GROUP, "type": "supergroup", "title": "Migrants chat"})
        before = len(caseworker.seen)
        [refusal] = await member.press(shown_in_group, consent_data(consent))
        assert "для другого человека" in plain(refusal)
        await asyncio.sleep(0.5)
        assert len(caseworker.seen) == before  # no ticket was opened
