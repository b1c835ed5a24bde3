"""Caseworkers and admins on Telegram, under both front ends.

A migrant asks for a person and agrees; the caseworkers' group sees the ticket without the
migrant's identity and answers with Reply; the answer reaches the migrant. Admins read
today's figures and get the weekly report as a file; anyone else is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app import Helpline, build_helpline
from bot.config import load_settings
from tests.test_telegram import FRAMEWORKS, HASH_KEY, Person, buttons, plain, running
from tests.test_telegram import data_root, helpline, no_proxy  # noqa: F401 - shared session fixtures

CASEWORKERS = -100_555_000
ADMIN = 731_999_001


@pytest.fixture(scope="session")
def staffed(data_root: Path, helpline: Helpline) -> Helpline:
    """A bot with a caseworkers' chat and one admin, reusing the trained models."""
    root = data_root / "staffed"
    shutil.copytree(data_root / "data" / "cache", root / "cache")
    environment = {
        "HELPLINE_DATA_DIR": str(root), "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(data_root / "content-snapshot"),
        "HELPLINE_CASEWORKER_CHAT_ID": str(CASEWORKERS), "HELPLINE_ADMIN_IDS": str(ADMIN),
    }
    return build_helpline(load_settings(environment, dotenv=False))


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_caseworker_answers_a_migrant_through_the_bot(staffed: Helpline, framework: str) -> None:
    async with running(staffed, framework) as bot:
        migrant = bot.person(lang="ru")
        caseworker = Person(bot.emulator, "ru", chat_id=CASEWORKERS, chat_type="supergroup")
        [consent] = await migrant.say("/human")
        assert set(buttons(consent)) == {"hc:y", "hc:n"}
        before = len(caseworker.seen)
        [opened] = await migrant.press(consent, "hc:y")
        await bot.emulator.wait_for(lambda: len(caseworker.seen) > before)
        notice = caseworker.seen[-1]
        ticket = plain(opened).split("№")[1].split()[0].rstrip(".")
        assert f"#{ticket}" in plain(notice)

        await migrant.say("Работодатель не платит <b>три</b> месяца")
        await bot.emulator.wait_for(lambda: plain(caseworker.seen[-1]).startswith(f"#{ticket}:"))
        relayed = caseworker.seen[-1]
        assert "<b>три</b>" in plain(relayed)  # shown as typed, escaped on the wire
        assert str(migrant.id) not in relayed["text"] and "User" not in relayed["text"]

        seen_by_migrant = len(migrant.seen)
        await caseworker.say("Позвоните на 1899 и сохраните переписку.", replies=0, reply_to=relayed)
        await bot.emulator.wait_for(lambda: len(migrant.seen) > seen_by_migrant)
        assert plain(migrant.seen[-1]) == "👤 Сотрудник: Позвоните на 1899 и сохраните переписку."

        await caseworker.say(f"/close {ticket}", replies=0)
        await bot.emulator.wait_for(lambda: any(d.startswith(f"hr:{ticket}:") for d in buttons(migrant.seen[-1])))


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_admins_read_todays_figures_and_others_are_refused(staffed: Helpline, framework: str) -> None:
    async with running(staffed, framework) as bot:
        stranger = bot.person(lang="en")
        [refusal] = await stranger.say("/stats")
        assert plain(refusal) == staffed.conversation.knowledge.content.ui["en"]["admin"]["refused"]
        admin = Person(bot.emulator, "en")
        admin.id = admin.chat = ADMIN
        [figures] = await admin.say("/stats")
        assert plain(figures).startswith("Today (Bishkek time):")
