"""Helpline on Telegram, as a migrant would use it, on both front ends.

Every test runs the real polling loop of aiogram and of python-telegram-bot against the
Bot API emulator in `telegram_emulator.py`, acts as a user (commands, text, buttons,
voice, groups) and checks what that user sees. The emulator refuses, as Telegram
does, HTML it cannot parse and texts over 4096 characters; after each test no call may
have been refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlite_utils

from bot.app import Helpline, build_helpline
from bot.config import load_settings
from bot.telegram import _until_signalled, serve
from bot.telegram.runner import command_lists
from bot.telegram.webhook import SECRET_HEADER, WebhookPlan
from handlers.actions import AnswerAgain, Consent, unpack
from testing.telegram_emulator import BOT, Emulator, html_problem
from tests.conftest import REPO

FRAMEWORKS = ["aiogram", "ptb"]
HASH_KEY = "test-hash-key-0123456789"
_TAG = re.compile(r"</?([a-zA-Z-]+)(?:\s[^<>]*)?>")
_user_ids = itertools.count(731_400_001)


# -- the bot under test -------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def no_proxy() -> Any:
    """httpx (PTB) would send even 127.0.0.1 through HTTP_PROXY."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        yield


@pytest.fixture(scope="session")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("helpline")
    # A copy, so the bundled content is never touched by a test.
    shutil.copytree(REPO / "content", root / "content-snapshot", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


@pytest.fixture(scope="session")
def helpline(data_root: Path) -> Helpline:
    """Trained once for the whole session; each test talks as new users."""
    return build_helpline(load_settings(_environment(data_root), dotenv=False))


def _environment(root: Path) -> dict[str, str]:
    return {
        "HELPLINE_DATA_DIR": str(root / "data"),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(root / "content-snapshot"),
    }


@dataclass
class Running:
    emulator: Emulator
    helpline: Helpline
    framework: str
    stop: asyncio.Event
    task: asyncio.Task[None]

    def person(self, lang: str | None = "ru", **kwargs: Any) -> Person:
        return Person(self.emulator, lang, **kwargs)

    def ui(self, lang: str, key: str) -> str:
        return str(self.helpline.conversation.knowledge.content.ui[lang][key]).strip()


@contextlib.asynccontextmanager
async def running(
    helpline: Helpline, framework: str, run: Any = serve, webhook: WebhookPlan | None = None
) -> AsyncIterator[Running]:
    """The front end started against a fresh emulator, stopped and checked afterwards."""
    emulator = Emulator()
    await emulator.start()
    settings = replace(helpline.settings, token=emulator.token, api_url=emulator.url)
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, framework, helpline, stop, webhook))

    def ready() -> bool:
        return bool(emulator.succeeded("setWebhook") if webhook else emulator.called("getUpdates"))

    try:
        await emulator.wait_for(lambda: ready() or task.done(), timeout=60)  # first import is slow
        if task.done():
            task.result()
        yield Running(emulator, helpline, framework, stop, task)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)
        await emulator.stop()
    assert_sent_well(emulator)


@pytest.fixture(params=FRAMEWORKS)
async def bot(request: pytest.FixtureRequest, helpline: Helpline) -> AsyncIterator[Running]:
    async with running(helpline, request.param) as started:
        yield started


def assert_sent_well(emulator: Emulator) -> None:
    """Telegram took every message (the emulator checks HTML and length as Telegram does)."""
    for call in emulator.called("sendMessage") + emulator.called("editMessageText"):
        assert call.params.get("parse_mode") == "HTML"
        assert html_problem(call.params["text"]) is None, call.params["text"][:300]
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                assert len(button["callback_data"].encode()) <= 64
    assert not [call for call in emulator.calls if call.status in (400, 404)]


# -- acting as a user -----------------------------------------------------------------------


class Person:
    def __init__(
        self, emulator: Emulator, lang: str | None, chat_id: int | None = None, chat_type: str = "private"
    ) -> None:
        self.emulator = emulator
        self.id = next(_user_ids)
        self.lang = lang
        self.chat = chat_id if chat_id is not None else self.id
        self.chat_type = chat_type

    @property
    def seen(self) -> list[dict[str, Any]]:
        return self.emulator.chats[self.chat]

    async def say(self, text: str | None = None, replies: int = 1, **kwargs: Any) -> list[dict]:
        """Send a message; return the `replies` messages it gets."""
        update = self.emulator.message_update(
            self.id, text, chat_id=self.chat, chat_type=self.chat_type, language_code=self.lang, **kwargs
        )
        return await self._expect(update, replies)

    async def press(self, message: dict[str, Any], data: str, replies: int = 1) -> list[dict]:
        """Press a button under `message`; replies=0 means the message is edited in place."""
        assert data in buttons(message), f"{data} not among {buttons(message)}"
        edits = len(self.emulator.succeeded("editMessageText"))
        answered = len(self.emulator.succeeded("answerCallbackQuery"))
        update = self.emulator.callback_update(self.id, message, data, self.lang)
        shown = await self._expect(update, replies, edit=edits if replies == 0 else None)
        await self.emulator.wait_for(lambda: len(self.emulator.succeeded("answerCallbackQuery")) > answered)
        if replies == 0:
            return [next(m for m in self.seen if m["message_id"] == message["message_id"])]
        return shown

    async def send_raw(self, update: dict[str, Any], replies: int = 1) -> list[dict]:
        """Push an update built by hand (a shape the libraries may not read); return its replies."""
        return await self._expect(update, replies)

    async def _expect(self, update: dict[str, Any], replies: int, edit: int | None = None) -> list[dict]:
        before = len(self.seen)
        await self.emulator.push(update)
        if edit is not None:
            await self.emulator.wait_for(lambda: len(self.emulator.succeeded("editMessageText")) > edit)
        else:
            await self.emulator.wait_for(lambda: len(self.seen) >= before + replies)
        return self.seen[before:]

    async def ask(self, text: str, country: str = "RU") -> dict[str, Any]:
        """Ask a question and get its answer, choosing the host country if the bot asks."""
        first = (await self.say(text))[0]
        choice = [data for data in buttons(first) if data.startswith(f"c:{country}:")]
        if not choice:
            return first
        saved, answer = await self.press(first, choice[0], replies=2)
        return answer


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def plain(message: dict[str, Any]) -> str:
    return html.unescape(_TAG.sub("", message["text"]))


def topic_of(answer: dict[str, Any]) -> str | None:
    """The topic an answer is about, read from its 👍 button."""
    return next((data[4:] for data in buttons(answer) if data.startswith("f:1:")), None)


def title(running_bot: Running, topic: str, lang: str) -> str:
    return running_bot.helpline.conversation.knowledge.content.title(topic, lang)


# -- conversations ---------------------------------------------------------------------------


async def test_start_choose_language_browse_menu_answer_and_rate(bot: Running) -> None:
    user = bot.person(lang="ky")
    greeting, languages, menu = await user.say("/start", replies=3)
    assert plain(greeting).startswith(bot.ui("ky", "greeting")[:40])
    assert {"l:ru", "l:ky", "l:en"} <= set(buttons(languages))
    assert all(data.startswith("g:") for data in buttons(menu))

    [english_menu] = await user.press(languages, "l:en")
    assert plain(english_menu).startswith(bot.ui("en", "language_saved"))

    [group] = await user.press(english_menu, "g:documents", replies=0)
    assert plain(group).startswith(
        str(bot.helpline.conversation.knowledge.content.ui["en"]["menu_groups"]["documents"])
    )
    topics = bot.helpline.conversation.knowledge.content.topics
    shown = [data[2:] for data in buttons(group) if data.startswith("t:")]
    topic = next(t for t in shown if not topics[t].needs_country)
    assert "m" in buttons(group)

    [answer] = await user.press(group, f"t:{topic}")
    assert plain(answer).startswith(title(bot, topic, "en"))
    assert {f"f:1:{topic}", f"f:0:{topic}", "m", "h"} <= set(buttons(answer))

    [menu_again] = await user.press(answer, "m")  # a new menu: the answer stays readable
    assert buttons(menu_again) == buttons(menu)
    assert plain(answer).startswith(title(bot, topic, "en"))

    [thanks] = await user.press(answer, f"f:1:{topic}")
    assert plain(thanks) == bot.ui("en", "feedback_thanks")
    db = bot.helpline.querylog.db
    key = bot.helpline.conversation.pseudonymizer.user_key(user.id)
    rows = list(db["feedback"].rows_where("user_key = ?", [key]))
    assert [(r["topic"], r["helpful"], r["lang"]) for r in rows] == [(topic, 1, "en")]
    assert str(user.id) not in key

    emulator = bot.emulator
    assert emulator.called("sendChatAction") and emulator.called("answerCallbackQuery")
    assert set(emulator.commands) == {None, "ru", "ky", "en"}
    assert {c["command"] for c in emulator.commands["ky"]} >= {"start", "language", "country"}
    assert emulator.called("deleteWebhook")


async def test_menu_pages_forward_and_back_in_place(bot: Running) -> None:
    user = bot.person(lang="en")
    *_, menu = await user.say("/topics")
    [page] = await user.press(menu, "g:rights_abroad", replies=0)
    assert "(1/" in plain(page) and "g:rights_abroad:1" in buttons(page)
    [page] = await user.press(page, "g:rights_abroad:1", replies=0)
    assert "(2/" in plain(page) and "g:rights_abroad:0" in buttons(page)
    [back] = await user.press(page, "m", replies=0)
    assert buttons(back) == buttons(menu)
    assert len(user.seen) == 1  # every step replaced the one menu message


@pytest.mark.parametrize(
    ("question", "lang", "topic"),
    [
        ("patent kerekpi", "ky", "work_permit"),
        ("зарплату не платят", "ru", "unpaid_wages"),
        ("how do I send money home", "en", "remittances"),
    ],
)
async def test_free_text_in_each_language_gets_that_topic(bot: Running, question: str, lang: str, topic: str) -> None:
    if topic not in bot.helpline.conversation.knowledge.content.topics:
        pytest.skip(f"topic {topic} is not written yet")
    user = bot.person(lang=None)
    answer = await user.ask(question)
    assert topic_of(answer) == topic
    assert plain(answer).startswith(title(bot, topic, lang))


async def test_gibberish_offers_topics_hotline_and_caseworker(bot: Running) -> None:
    user = bot.person(lang="en")
    unsure, hint = await user.say("xqzv wkrp bnml", replies=2)
    languages = bot.helpline.conversation.knowledge.content.languages
    assert plain(unsure) in {bot.ui(lang, "fallback") for lang in languages}
    assert "t:hotline" in buttons(unsure)
    assert sum(data.startswith("t:") for data in buttons(unsure)) >= 2
    assert {"m", "h"} <= set(buttons(hint))


@pytest.mark.parametrize("kind", ["voice", "photo", "sticker", "document", "location", "contact"])
async def test_non_text_gets_a_kind_reply_in_the_users_language(bot: Running, kind: str) -> None:
    user = bot.person(lang="ky")
    [reply] = await user.say(kind=kind)
    assert plain(reply) == bot.ui("ky", "non_text")


async def test_an_update_no_library_can_read_is_answered_in_the_language_the_person_chose(bot: Running) -> None:
    user = bot.person(lang="en")
    _, languages, _ = await user.say("/start", replies=3)
    await user.press(languages, "l:ky")
    unreadable = bot.emulator.message_update(user.id, "hello", language_code="en")
    del unreadable["message"]["date"]
    [reply] = await user.send_raw(unreadable)
    assert plain(reply) == bot.ui("ky", "non_text")


async def test_a_10000_character_message_is_answered(bot: Running) -> None:
    user = bot.person(lang="ru")
    text = ("Работодатель не платит зарплату уже три месяца, что делать? " * 200)[:10_000]
    replies = await user.say(text, replies=2)
    assert any(plain(reply) == bot.ui("ru", "too_long") for reply in replies)


async def test_html_in_the_question_cannot_reach_the_user_as_markup(bot: Running) -> None:
    user = bot.person(lang="en")
    replies = await user.say("<b>x</b> & <script>alert(1)</script> patent", replies=1)
    assert all("<script>" not in reply["text"] for reply in replies)
    # assert_sent_well checks every message after the test


async def test_edited_message_is_answered_like_a_new_one(bot: Running) -> None:
    user = bot.person(lang="en")
    await user.say("hello")
    [answer] = await user.say("I lost my passport", edited=True)
    assert topic_of(answer) == "lost_documents"


async def test_group_chat_answers_only_when_addressed(bot: Running) -> None:
    user = bot.person(lang="en", chat_id=-100_777, chat_type="supergroup")
    typing_before = len(bot.emulator.called("sendChatAction"))
    silent = bot.emulator.message_update(
        user.id, "I lost my passport", chat_id=user.chat, chat_type="supergroup", language_code="en"
    )
    await bot.emulator.push(silent)
    other = bot.emulator.message_update(
        user.id, "/start@some_other_bot", chat_id=user.chat, chat_type="supergroup", language_code="en"
    )
    await bot.emulator.push(other)
    answer, note = await user.say(f"@{BOT['username']} I lost my passport", replies=2)
    assert topic_of(answer) == "lost_documents"
    assert plain(note) == bot.ui("en", "group_chat")
    assert len(user.seen) == 2  # nothing for the two messages not meant for the bot
    assert len(bot.emulator.called("sendChatAction")) == typing_before + 1

    bot_message = dict(answer)
    answer, note = await user.say("I lost my passport", replies=2, reply_to=bot_message)
    assert topic_of(answer) == "lost_documents"
    [menu] = await user.say(f"/topics@{BOT['username']}")
    assert buttons(menu)[0].startswith("g:")


def test_commands_are_registered_per_language_with_russian_as_default(helpline: Helpline) -> None:
    lists = command_lists(helpline.conversation.knowledge.content)
    assert set(lists) == {None, "ru", "ky", "en"}
    assert lists[None] == lists["ru"]
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) and text for name, text in lists["ky"])


# -- robustness --------------------------------------------------------------------------------


async def test_429_storm_and_500s_still_deliver_every_reply_in_order(bot: Running) -> None:
    emulator = bot.emulator
    emulator.fail("sendMessage", 4, status=429, retry_after=1)
    emulator.fail("sendMessage", 2, status=500)
    emulator.fail("answerCallbackQuery", 1, status=502)
    emulator.fail("editMessageText", 1, status=429, retry_after=1)
    people = [bot.person(lang="en") for _ in range(3)]
    started = asyncio.get_running_loop().time()
    conversations = await asyncio.gather(*(person.say("/start", replies=3) for person in people))
    elapsed = asyncio.get_running_loop().time() - started
    for greeting, languages, menu in conversations:
        assert plain(greeting).startswith(bot.ui("en", "greeting")[:40])
        assert buttons(languages)[0].startswith("l:") and buttons(menu)[0].startswith("g:")
    statuses = [call.status for call in emulator.called("sendMessage")]
    assert statuses.count(429) == 4 and statuses.count(500) == 2 and statuses.count(200) == 9
    assert elapsed >= 1.0  # the flood wait was honoured

    [group] = await people[0].press(conversations[0][2], "g:documents", replies=0)
    assert "m" in buttons(group)
    assert [c.status for c in emulator.called("answerCallbackQuery")] == [502, 200]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_stop_finishes_replies_in_flight_and_flushes_the_log(helpline: Helpline, framework: str) -> None:
    async with running(helpline, framework) as started:
        emulator = started.emulator
        user = started.person(lang="ru")
        emulator.fail("sendMessage", 1, status=500)  # keeps the reply in flight a while
        await emulator.push(emulator.message_update(user.id, "/start", language_code="ru"))
        await emulator.wait_for(lambda: bool(emulator.called("sendChatAction")))
        started.stop.set()
        await asyncio.wait_for(started.task, 20)
        assert len(user.seen) == 3
        assert helpline.querylog.pending == 0
        key = helpline.conversation.pseudonymizer.user_key(user.id)
        assert helpline.querylog.db["queries"].count_where("user_key = ?", [key]) == 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_cancelled_task_closes_cleanly(helpline: Helpline, framework: str) -> None:
    async with running(helpline, framework) as started:
        started.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await started.task
        assert helpline.querylog.pending == 0


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_sigterm_stops_the_bot_cleanly(helpline: Helpline, framework: str) -> None:
    async def signalled(settings: Any, framework: str, helpline: Helpline, stop: Any, webhook: Any) -> None:
        await _until_signalled(settings, framework, helpline, webhook)

    async with running(helpline, framework, run=signalled) as started:
        user = started.person(lang="en")
        await user.say("/start", replies=3)
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(started.task, 20)  # returns: no exception
        assert helpline.querylog.pending == 0


async def test_logs_carry_no_personal_data_or_token(bot: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    user = bot.person(lang="ru")
    bot.emulator.fail("sendMessage", 1, status=500)
    await user.say("Меня зовут Айбек Осмонов, мой номер +996 555 123 456, зарплату не платят")
    logged = caplog.text
    for secret in (str(user.id), "Айбек", "123 456", bot.emulator.token, "User"):
        assert secret not in logged


# -- webhook -----------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_webhook_needs_the_secret(helpline: Helpline, framework: str) -> None:
    plan = WebhookPlan("127.0.0.1", _free_port(), "https://bot.example.org/", "s3cret-" + "x" * 20)
    async with running(helpline, framework, webhook=plan) as started:
        emulator = started.emulator
        registered = emulator.webhook
        assert registered["url"] == "https://bot.example.org" + plan.path
        assert registered["secret_token"] == plan.secret
        assert len(plan.path) > 30 and plan.secret not in plan.path
        user = started.person(lang="en")
        update = emulator.message_update(user.id, "/start", language_code="en")
        endpoint = f"http://127.0.0.1:{plan.port}{plan.path}"
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {SECRET_HEADER: "wrong"}):
                async with session.post(endpoint, json=update, headers=headers) as response:
                    assert response.status == 401
            wrong_path = f"http://127.0.0.1:{plan.port}/telegram/guess"
            async with session.post(wrong_path, json=update, headers={SECRET_HEADER: plan.secret}) as response:
                assert response.status == 404
            assert user.seen == []
            async with session.post(endpoint, json=update, headers={SECRET_HEADER: plan.secret}) as response:
                assert response.status == 200
        await emulator.wait_for(lambda: len(user.seen) >= 3)
        assert not emulator.called("getUpdates")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the real command ------------------------------------------------------------------------


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
async def test_helpline_run_answers_and_stops_on_sigterm(data_root: Path, helpline: Helpline) -> None:
    """`helpline run --framework …` as an operator starts it, both frameworks side by side."""
    emulators, processes = [], []
    for framework in FRAMEWORKS:
        emulator = Emulator()
        await emulator.start()
        processes.append(await _spawn_bot(framework, emulator, data_root))
        emulators.append(emulator)
    try:
        for emulator, process in zip(emulators, processes, strict=True):
            await emulator.wait_for(lambda e=emulator, p=process: bool(e.called("getUpdates")) or _exited(p), 120)
            assert not _exited(process), (await process.stderr.read()).decode()
            user = Person(emulator, "en")
            await user.say("I lost my passport")
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode == 0, stderr.decode()
            assert "Traceback" not in stderr.decode()
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
        for emulator in emulators:
            await emulator.stop()


def _exited(process: asyncio.subprocess.Process) -> bool:
    return process.returncode is not None


async def _spawn_bot(framework: str, emulator: Emulator, data_root: Path, **environment: str) -> Any:
    """`helpline run --framework …` against `emulator`, as an operator starts it."""
    env = {
        **os.environ,
        **_environment(data_root),
        **environment,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.url,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--framework",
        framework,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=data_root,
    )


async def _start_bot(framework: str, emulator: Emulator, data_root: Path, data_dir: Path) -> Any:
    process = await _spawn_bot(framework, emulator, data_root, HELPLINE_DATA_DIR=str(data_dir))
    polls = len(emulator.called("getUpdates"))
    await emulator.wait_for(lambda: len(emulator.called("getUpdates")) > polls or _exited(process), 120)
    assert not _exited(process), (await process.stderr.read()).decode()
    return process


class Processes:
    """Bot processes run against one emulator and one data folder, killed at the end."""

    def __init__(self, framework: str, emulator: Emulator, data_root: Path, data_dir: Path) -> None:
        self.framework, self.emulator, self.data_root, self.data_dir = framework, emulator, data_root, data_dir
        self.started: list[Any] = []

    async def start(self) -> Any:
        process = await _start_bot(self.framework, self.emulator, self.data_root, self.data_dir)
        self.started.append(process)
        return process


@contextlib.asynccontextmanager
async def bot_processes(framework: str, data_root: Path, tmp_path: Path) -> AsyncIterator[Processes]:
    """A fresh emulator and data folder (trained models copied) for real `helpline run` processes."""
    data_dir = tmp_path / "data"
    shutil.copytree(data_root / "data" / "cache", data_dir / "cache")
    emulator = Emulator()
    await emulator.start()
    processes = Processes(framework, emulator, data_root, data_dir)
    try:
        yield processes
    finally:
        for process in processes.started:
            if process.returncode is None:
                process.kill()
                await process.wait()
        await emulator.stop()


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_after_kill_9_no_update_is_answered_twice_or_skipped(
    data_root: Path,
    helpline: Helpline,
    tmp_path: Path,
    framework: str,
) -> None:
    """Killed mid-answer, the bot restarts, answers what was pending once, and repeats nothing."""
    async with bot_processes(framework, data_root, tmp_path) as bots:
        emulator = bots.emulator
        first = await bots.start()
        answered = [Person(emulator, "en") for _ in range(3)]
        for person in answered:
            await person.say("how do I send money home")
        emulator.fail("sendMessage", 1, status=429, retry_after=60)  # the next answer hangs…
        pending = Person(emulator, "en")
        sends = len(emulator.called("sendMessage"))
        waiting = await emulator.push(emulator.message_update(pending.id, "thank you", language_code="en"))
        await emulator.wait_for(lambda: len(emulator.called("sendMessage")) > sends)
        await emulator.wait_for(lambda: emulator.confirmed >= waiting)  # Telegram has forgotten it
        first.kill()  # …and the bot dies while waiting to resend it
        await first.wait()
        logged = sqlite_utils.Database(bots.data_dir / "helpline.sqlite")["queries"].count
        assert logged >= 4  # every answer already sent (and the pending one) is on disk

        await bots.start()
        await emulator.wait_for(lambda: len(pending.seen) >= 1, 30)
        await asyncio.sleep(1.5)  # time for any wrongly repeated answer to show up
        assert [len(person.seen) for person in answered] == [1, 1, 1]
        # Its answer was on its way when the bot died: offered with one tap, not guessed at.
        [notice] = pending.seen
        assert "«thank you»" in plain(notice)
        [again] = [data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain)]
        [answer] = await pending.press(notice, again)
        assert "«thank you»" not in plain(answer)
        assert set(emulator.deliveries.values()) == {1}  # each update fetched once


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_killed_after_telegram_took_an_answer_the_bot_asks_instead_of_sending_it_twice(
    data_root: Path,
    helpline: Helpline,
    tmp_path: Path,
    framework: str,
) -> None:
    """The hole the Bot API leaves: Telegram showed the answer, the bot died before hearing so.
    The restarted bot does not send it again on a guess; the person may ask for it once."""
    async with bot_processes(framework, data_root, tmp_path) as bots:
        emulator = bots.emulator
        first = await bots.start()
        migrant = Person(emulator, "en")
        emulator.stall("sendMessage")  # the answer reaches the chat; Telegram's reply never comes
        await emulator.push(emulator.message_update(migrant.id, "I lost my passport", language_code="en"))
        await emulator.wait_for(lambda: len(migrant.seen) == 1)
        first.kill()
        await first.wait()

        await bots.start()
        await emulator.wait_for(lambda: len(migrant.seen) >= 2, 30)
        await asyncio.sleep(1.5)  # time for any wrongly repeated answer to show up
        answer, notice = migrant.seen
        assert "«I lost my passport»" in plain(notice) and plain(answer) != plain(notice)
        [again] = [data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain)]
        [repeated] = await migrant.press(notice, again)  # asked for: sent once more
        assert plain(repeated) == plain(answer)
        [gone] = await migrant.press(notice, again)
        assert plain(gone) != plain(answer)


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_killed_in_a_burst_nobody_gets_an_answer_twice_and_nobody_is_left_without_one(
    data_root: Path,
    helpline: Helpline,
    tmp_path: Path,
    framework: str,
) -> None:
    """150 people write at once; the bot is killed in the middle of answering them. After the
    restart each has the answer, or the line offering it, or both; never the answer twice."""
    async with bot_processes(framework, data_root, tmp_path) as bots:
        emulator = bots.emulator
        first = await bots.start()
        people = [Person(emulator, "en") for _ in range(150)]
        for person in people:
            await emulator.push(emulator.message_update(person.id, "how do I send money home", language_code="en"))
        await emulator.wait_for(lambda: len(emulator.succeeded("sendMessage")) >= 40, 60)
        first.kill()
        await first.wait()
        await bots.start()
        await emulator.wait_for(lambda: all(person.seen for person in people), 120)  # a loaded CI machine
        await asyncio.sleep(1.5)  # time for any wrongly repeated answer to show up
        # An answer is the country question, or the general answer for someone whose first
        # (cut) turn already asked it; either way one answer, perhaps followed by the offer.
        shapes = Counter(
            tuple("offer" if any(isinstance(unpack(d), AnswerAgain) for d in buttons(m)) else "answer" for m in p.seen)
            for p in people
        )
        assert set(shapes) <= {("answer",), ("offer",), ("answer", "offer")}, shapes
        assert shapes[("answer",)] >= 100  # most were answered before or after the kill, once
        assert shapes[("offer",)] + shapes[("answer", "offer")] <= 32  # at most the answers in flight


# -- caseworkers and admins -----------------------------------------------------------------
# A migrant asks for a person and agrees; the caseworkers' group sees the ticket without the
# migrant's identity and answers with Reply; the answer reaches the migrant. Admins read
# today's figures; anyone else is refused.

CASEWORKERS = -100_555_000
ADMIN = 731_999_001


@pytest.fixture(scope="session")
def staffed(data_root: Path, helpline: Helpline) -> Helpline:
    """A bot with a caseworkers' chat and one admin, reusing the trained models."""
    root = data_root / "staffed"
    shutil.copytree(data_root / "data" / "cache", root / "cache")
    environment = {
        "HELPLINE_DATA_DIR": str(root),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(data_root / "content-snapshot"),
        "HELPLINE_CASEWORKER_CHAT_ID": str(CASEWORKERS),
        "HELPLINE_ADMIN_IDS": str(ADMIN),
    }
    return build_helpline(load_settings(environment, dotenv=False))


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_caseworker_answers_a_migrant_through_the_bot(staffed: Helpline, framework: str) -> None:
    async with running(staffed, framework) as bot:
        migrant = bot.person(lang="ru")
        caseworker = Person(bot.emulator, "ru", chat_id=CASEWORKERS, chat_type="supergroup")
        [consent] = await migrant.say("/human")
        offered = [unpack(data) for data in buttons(consent)]
        assert [type(action) for action in offered] == [Consent, Consent]
        before = len(caseworker.seen)
        [opened] = await migrant.press(consent, next(d for d in buttons(consent) if unpack(d).agreed))
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
