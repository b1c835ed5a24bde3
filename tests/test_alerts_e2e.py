"""Alerts on the Bot API emulator: the real `helpline alerts send`, killed and restarted,
and the running bot's /alerts dialogue and /alert command, on both front ends."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from bot.alerts import WORKERS
from bot.app import Helpline, build_helpline
from bot.config import load_settings
from bot.telegram import serve
from storage.database import open_database
from storage.pseudonym import Pseudonymizer
from storage.subscriptions import UNCERTAIN, Subscriptions
from testing.telegram_emulator import ApiError, Emulator
from tests.conftest import REPO
from tests.test_telegram import FRAMEWORKS, HASH_KEY, Person, buttons, plain, running

ALERT = "registration_30_days"  # for RU, KZ, BY, AM
CASEWORKERS = -1001_777_000_111
FIRST_CHAT = 7_100_000_000  # beyond 2**32, as new Telegram ids are: six bytes in SQLite


class BlockingEmulator(Emulator):
    """Telegram, where some people have blocked the bot (403 on every message to them)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: set[int] = set()

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        if int(params["chat_id"]) in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return await super()._m_sendmessage(params)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content-copy"  # not "content": the command runs here and must import the package
    shutil.copytree(REPO / "content", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _environment(emulator: Emulator, data_dir: Path, content_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HELPLINE_DATA_DIR": str(data_dir),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(content_dir),
        "HELPLINE_CASEWORKER_CHAT_ID": str(CASEWORKERS),
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.url,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


async def _send_command(env: dict[str, str], framework: str, cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "alerts",
        "send",
        ALERT,
        "--framework",
        framework,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_alert_to_2000_subscribers_survives_kill_9_without_a_second_copy(
    tmp_path: Path,
    content_dir: Path,
    framework: str,
) -> None:
    data_dir = tmp_path / "data"
    pseudonymizer = Pseudonymizer(HASH_KEY.encode())
    subscriptions = Subscriptions(open_database(data_dir / "helpline.sqlite"), pseudonymizer)
    countries = {}
    for number in range(2000):
        chat = FIRST_CHAT + number * 7
        countries[chat] = ("RU", "KZ", "TR")[number % 3]
        subscriptions.add_country(
            pseudonymizer.user_key(chat), chat, ("ky", "ru", "en")[number // 3 % 3], countries[chat]
        )
    subscriptions.db.conn.close()
    chosen = [chat for chat, country in countries.items() if country in ("RU", "KZ")]
    emulator = BlockingEmulator()
    emulator.blocked = set(chosen[5::100])
    await emulator.start()
    emulator.fail("sendMessage", 2, status=429, retry_after=1)
    emulator.fail("sendMessage", 2, status=502)
    env = _environment(emulator, data_dir, content_dir)
    first = second = None
    try:
        first = await _send_command(env, framework, tmp_path)

        def delivered() -> int:
            return len([chat for chat in chosen if emulator.chats.get(chat)])

        await emulator.wait_for(lambda: delivered() >= 0.4 * len(chosen) or first.returncode is not None, 300)
        if first.returncode is not None:
            pytest.fail((await first.stderr.read()).decode()[-3000:])
        first.kill()
        _, stopped = await first.communicate()
        assert first.returncode == -signal.SIGKILL, stopped.decode()[-2000:]
        assert delivered() < len(chosen)

        second = await _send_command(env, framework, tmp_path)
        out, err = await asyncio.wait_for(second.communicate(), 300)
        log = err.decode()
        assert second.returncode == 0, log[-3000:]
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
        await emulator.stop()

    db = sqlite_utils.Database(data_dir / "helpline.sqlite")
    uncertain = {
        row["user_key"]
        for row in db.query(
            "SELECT user_key FROM alert_deliveries WHERE alert_id = ? AND status = ?", [ALERT, UNCERTAIN]
        )
    }
    assert len(uncertain) <= WORKERS
    for chat, country in countries.items():
        copies = len(emulator.chats.get(chat, []))
        if country == "TR" or chat in emulator.blocked:
            assert copies == 0, chat
        elif pseudonymizer.user_key(chat) in uncertain:
            assert copies <= 1, chat  # the kill came while it was being sent: never a second
        else:
            assert copies == 1, (chat, copies)
    left = Subscriptions(db, pseudonymizer)
    assert all(left.get(pseudonymizer.user_key(chat)) is None for chat in emulator.blocked)
    assert left.get(pseudonymizer.user_key(chosen[0])) is not None
    summary = plain(emulator.chats[CASEWORKERS][-1])
    assert f"заблокировали бота (подписка удалена) {len(emulator.blocked)}" in summary
    assert "sent" in log and "/ left 0 / failed" in out.decode()
    assert [call for call in emulator.calls if call.status in (429, 502)]  # retried, as replies are

    raw = b"".join(path.read_bytes() for path in data_dir.rglob("*") if path.is_file())
    for chat in countries:
        assert str(chat).encode() not in raw and chat.to_bytes(6, "big") not in raw
        assert str(chat) not in log


# -- the running bot ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def alert_bot(tmp_path_factory: pytest.TempPathFactory) -> Helpline:
    root = tmp_path_factory.mktemp("alerts")
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    environment = {
        "HELPLINE_DATA_DIR": str(root / "data"),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(root / "content"),
        "HELPLINE_ADMIN_IDS": "731399999",
        "HELPLINE_CASEWORKER_CHAT_ID": str(CASEWORKERS),
    }
    return build_helpline(load_settings(environment, dotenv=False))


@pytest.mark.e2e  # the whole bot on the emulator, both libraries
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_migrant_subscribes_an_admin_sends_and_the_alert_says_how_to_stop(
    alert_bot: Helpline,
    framework: str,
) -> None:
    async with running(alert_bot, framework, run=serve) as bot:
        migrant = bot.person("ru")
        consent = (await migrant.say("/alerts"))[0]
        assert "/alerts off" in plain(consent) and buttons(consent) == ["al:y", "al:n"]
        picker = (await migrant.press(consent, "al:y"))[0]
        saved = (await migrant.press(picker, "al:a:KZ"))[0]
        assert "Казахстан" in plain(saved)
        elsewhere = bot.person("en")
        consent = (await elsewhere.say("/alerts"))[0]
        picker = (await elsewhere.press(consent, "al:y"))[0]
        await elsewhere.press(picker, "al:a:KR")

        admin = Person(bot.emulator, "en")
        admin.id = admin.chat = 731399999
        queued = (await admin.say(f"/alert {ALERT}"))[0]
        assert "queued" in plain(queued)
        await bot.emulator.wait_for(lambda: len(migrant.seen) == 4, 30)  # the alert job looks every 5 s
        alert = migrant.seen[-1]
        assert "/alerts off" in plain(alert) and "al:off" in buttons(alert) and "t:registration" in buttons(alert)
        await bot.emulator.wait_for(lambda: bool(bot.emulator.chats.get(CASEWORKERS)), 15)
        assert "доставлено" in plain(bot.emulator.chats[CASEWORKERS][-1])
        assert len(elsewhere.seen) == 3  # Korea was not concerned

        stopped = (await migrant.press(alert, "al:off"))[0]
        assert "/alerts" in plain(stopped)
        assert (
            alert_bot.conversation.alerts.subscriptions.get(alert_bot.conversation.pseudonymizer.user_key(migrant.id))
            is None
        )
