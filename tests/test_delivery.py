"""Delivery that nothing can break: the durable inbox, the outbox, unreadable updates,
repeated update ids, storage faults and schema upgrades, on both front ends.

Each test is one of the holes the hardening pass found (issue 11) or a promise of the
durable inbox (issue 12), told as what the people writing to the bot would notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.telegram.outbox as outbox_module
import bot.telegram.runner as runner
from bot.app import Helpline, build_helpline
from bot.config import load_settings
from bot.telegram.delivery import Delivery, Failure, RateLimiter
from bot.telegram.inbox import Intake
from bot.telegram.outbox import Outbox
from bot.telegram.webhook import SECRET_HEADER, WebhookPlan
from handlers.actions import AnswerAgain, OpenTopic, unpack
from handlers.replies import Button
from storage.database import MIGRATIONS, DatabaseFile, open_database, schema_version
from storage.pseudonym import load_or_create_key
from storage.querylog import QueryLog, QueryRecord
from storage.updates import KEEP_UNCERTAIN, KEPT, SENDING, SENDING_URGENT, UpdateStore
from testing.telegram_emulator import BOT
from tests.test_telegram import (  # noqa: F401 - fixtures shared with the Telegram tests
    FRAMEWORKS,
    HASH_KEY,
    Person,
    _free_port,
    buttons,
    data_root,
    helpline,
    no_proxy,
    plain,
    running,
)

FIXTURE = Path(__file__).parent / "fixtures" / "helpline-957ebc3.sql"
ADMIN = 731_888_001
e2e = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_helpline(data_root: Path, helpline: Helpline) -> Helpline:  # noqa: F811
    """A bot with its own database (tests here delete and lock it) and one admin."""
    root = data_root / "delivery"
    shutil.copytree(data_root / "data" / "cache", root / "cache", dirs_exist_ok=True)
    environment = {
        "HELPLINE_DATA_DIR": str(root),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(data_root / "content-snapshot"),
        "HELPLINE_ADMIN_IDS": str(ADMIN),
    }
    return build_helpline(load_settings(environment, dotenv=False))


# -- schema versions ---------------------------------------------------------------------


def test_a_database_made_by_the_previous_release_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite"
    old = sqlite3.connect(path)
    old.executescript(FIXTURE.read_text())  # made by main's code before schema versions
    old.close()
    db = open_database(path)
    assert schema_version(db.conn) == len(MIGRATIONS)
    assert db["queries"].count == 2 and db["tickets"].count == 1 and db["updates_done"].count == 1
    assert {"inbox", "outbox", "dead_letters"} <= set(db.table_names())
    log = QueryLog(db)
    log.record_query(QueryRecord("k1:cccc", "en", "text", "hello"))
    assert log.pending == 0 and db["queries"].count == 3
    db.conn.close()
    assert schema_version(open_database(path).conn) == len(MIGRATIONS)  # idempotent


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite"
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    newer.close()
    with pytest.raises(RuntimeError, match="upgrade helpline"):
        open_database(path)


# -- one bad row never blocks the log ----------------------------------------------------


def test_a_row_that_cannot_be_written_is_set_aside_and_the_rows_behind_it_are_written(tmp_path: Path) -> None:
    db = open_database(tmp_path / "helpline.sqlite")
    log = QueryLog(db)
    log._write("queries", {"user_key": "k1:a", "text": "Меня зовут Айбек \ud800", "lang": "ru"})
    for n in range(3):
        log.record_query(QueryRecord(f"k1:{n}", "ru", "text", f"вопрос {n}"))
    assert log.pending == 0 and db["queries"].count == 3 and log.set_aside == 1
    [dead] = list(db["dead_letters"].rows)
    assert dead["source"] == "queries" and dead["reason"] == "UnicodeEncodeError"
    assert "Айбек" not in json.loads(dead["row"])["text"]  # redacted like any log row


def test_a_row_the_database_refuses_alone_is_set_aside_while_an_outage_waits(tmp_path: Path) -> None:
    db = open_database(tmp_path / "helpline.sqlite")
    log = QueryLog(db)
    db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON queries WHEN NEW.lang = 'xx' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    log.record_query(QueryRecord("k1:a", "xx", "text", "only this row is refused"))
    assert log.pending == 1  # alone it looks like an outage: it waits
    log.record_query(QueryRecord("k1:b", "ru", "text", "the next row goes in"))
    assert log.pending == 0 and log.set_aside == 1 and db["queries"].count == 1


def test_text_with_a_lone_surrogate_is_logged_as_valid_unicode(tmp_path: Path) -> None:
    db = open_database(tmp_path / "helpline.sqlite")
    log = QueryLog(db)
    log.record_query(QueryRecord("k1:a", "ru", "text", "патент \ud800 нужен"))
    assert log.pending == 0 and log.set_aside == 0
    assert next(db["queries"].rows)["text"] == "патент \ufffd нужен"


def test_a_deleted_database_file_is_recreated_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "helpline.sqlite"
    database = DatabaseFile(path, check_every=0)
    told = []
    database.on_replaced.append(lambda: told.append(True))
    log = QueryLog(database.db, file=database)
    log.record_query(QueryRecord("k1:a", "ru", "text", "первый"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    log.record_query(QueryRecord("k1:b", "ru", "text", "второй"))
    assert database.replaced == 1 and told == [True]
    assert sqlite3.connect(path).execute("SELECT text FROM queries").fetchall() == [("второй",)]


# -- on Telegram ---------------------------------------------------------------------------


def _answered(people: list[Person]) -> bool:
    return all(person.seen for person in people)


@e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_lone_surrogate_stops_nobody(helpline: Helpline, framework: str) -> None:  # noqa: F811
    async with running(helpline, framework) as bot:
        sender = bot.person(lang="ru")
        await bot.emulator.push(bot.emulator.message_update(sender.id, "зарплату \ud800 не платят"))
        others = [bot.person(lang="ru") for _ in range(5)]
        for person in others:
            await bot.emulator.push(bot.emulator.message_update(person.id, "как получить патент"))
        await bot.emulator.wait_for(lambda: _answered([sender, *others]), 30)
        assert helpline.querylog.pending == 0


def unreadable_shapes(emulator: Any, user_id: int) -> list[dict[str, Any]]:
    """Eight shapes a Bot API server of another version might send."""

    def message(**change: Any) -> dict[str, Any]:
        update = emulator.message_update(user_id, "патент")
        update["message"].update(change)
        return {key: value for key, value in update.items()}

    no_chat = message()
    del no_chat["message"]["chat"]
    no_date = message()
    del no_date["message"]["date"]
    callback = emulator.callback_update(user_id, emulator.message_update(user_id, "x")["message"], "m")
    no_from = json.loads(json.dumps(callback))
    del no_from["callback_query"]["from"]
    return [
        no_chat,
        no_date,
        message(text=12345),
        no_from,
        message(chat={"id": "abc", "type": "private"}),
        message(entities="bold"),
        message(**{"from": {"id": user_id}}),  # no is_bot
        {"update_id": emulator.next_update_id(), "message": "not an object"},
    ]


@e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_updates_no_library_can_read_are_answered_politely_or_skipped(helpline: Helpline, framework: str) -> None:  # noqa: F811
    async with running(helpline, framework) as bot:
        sender = bot.person(lang="en")
        shapes = unreadable_shapes(bot.emulator, sender.id)
        for update in shapes:
            await bot.emulator.push(update)
        after = bot.person(lang="en")
        await after.say("how do I send money home")
        await bot.emulator.wait_for(lambda: len(sender.seen) >= 5)
        assert {plain(message) for message in sender.seen} == {bot.ui("ru", "non_text")}  # their language
        assert set(bot.emulator.deliveries.values()) == {1}  # none held the offset back

        def events() -> int:
            query = "SELECT COUNT(*) FROM events WHERE kind = 'update_unreadable'"
            return helpline.querylog.db.execute(query).fetchone()[0]

        with contextlib.suppress(TimeoutError):  # each is counted as it is set aside, in any order
            await bot.emulator.wait_for(lambda: events() >= len(shapes), 10)
        assert events() >= len(shapes)


@e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_replies_outlive_an_outage_longer_than_the_retry_budget(
    helpline: Helpline, framework: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: F811
    monkeypatch.setattr(outbox_module, "FIRST_WAIT", 0.5)
    async with running(helpline, framework) as bot:
        people = [bot.person(lang="en") for _ in range(4)]
        sends = len(bot.emulator.called("sendMessage"))
        bot.emulator.down_until = time.monotonic() + 12  # past Delivery's ~7.5 s of retries
        for person in people:
            await bot.emulator.push(bot.emulator.message_update(person.id, "I lost my passport", language_code="en"))
        await bot.emulator.wait_for(lambda: len(bot.emulator.called("sendMessage")) > sends)
        await bot.emulator.wait_for(lambda: _answered(people), 60)
        assert [len(person.seen) for person in people] == [1, 1, 1, 1]


@e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_repeated_update_id_is_answered_once_by_webhook_and_polling(helpline: Helpline, framework: str) -> None:  # noqa: F811
    plan = WebhookPlan("127.0.0.1", _free_port(), "https://bot.example.org/", "s3cret-" + "y" * 20)
    async with running(helpline, framework, webhook=plan) as bot:
        once, burst = bot.person(lang="en"), bot.person(lang="en")
        first = bot.emulator.message_update(once.id, "/start", language_code="en")
        second = bot.emulator.message_update(burst.id, "/start", language_code="en")
        endpoint = f"http://127.0.0.1:{plan.port}{plan.path}"
        headers = {SECRET_HEADER: plan.secret}
        async with aiohttp.ClientSession() as session:

            async def post(update: dict[str, Any]) -> int:
                async with session.post(endpoint, json=update, headers=headers) as response:
                    return response.status

            assert [await post(first) for _ in range(3)] == [200, 200, 200]
            assert await asyncio.gather(*(post(second) for _ in range(5))) == [200] * 5
        await bot.emulator.wait_for(lambda: len(once.seen) >= 3 and len(burst.seen) >= 3)
        await asyncio.sleep(1.0)  # time for a wrong second answer to show
        assert len(once.seen) == 3 and len(burst.seen) == 3
    async with running(helpline, framework) as bot:  # the same update comes back by polling
        bot.emulator.chats.clear()
        await bot.emulator.push(first)
        late = bot.person(lang="en")
        await late.say("/start", replies=3)
        assert bot.emulator.chats[once.id] == []


@e2e
async def test_a_deleted_database_is_recreated_loudly_and_admins_are_told(
    own_helpline: Helpline, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(own_helpline, "ptb") as bot:
        before = bot.person(lang="ru")
        await before.say("как получить патент")
        path = own_helpline.settings.database_path
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        await asyncio.sleep(1.1)  # the identity is checked at most once a second
        after = bot.person(lang="ru")
        await after.say("зарплату не платят")
        admin = Person(bot.emulator, "en")
        admin.id = admin.chat = ADMIN
        await bot.emulator.wait_for(lambda: bool(admin.seen))
        assert plain(admin.seen[0]) == str(
            own_helpline.conversation.knowledge.content.ui["ru"]["admin"]["database_replaced"]
        )
        [figures] = await admin.say("/stats")
        assert "database recreated 1 time." in plain(figures)
        assert "WAS DELETED OR REPLACED" in caplog.text
        assert path.exists()


@e2e
async def test_a_locked_database_delays_no_answer(own_helpline: Helpline) -> None:
    async with running(own_helpline, "ptb") as bot:
        blocker = sqlite3.connect(own_helpline.settings.database_path, timeout=5)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            people = [bot.person(lang="en") for _ in range(3)]
            for person in people:
                await bot.emulator.push(bot.emulator.message_update(person.id, "hello", language_code="en"))
            await bot.emulator.wait_for(lambda: _answered(people), 30)  # while still locked
        finally:
            blocker.rollback()
            blocker.close()
        later = bot.person(lang="en")
        await later.say("how do I send money home")
        await asyncio.sleep(1.0)
        assert [len(person.seen) for person in people] == [len(people[0].seen)] * 3


# -- whatever arrives, everybody else is answered -----------------------------------------


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20), _containers, max_leaves=12)
update_keys = st.sampled_from(["message", "edited_message", "callback_query", "channel_post", "x"])
texts = st.text(alphabet=st.characters(blacklist_categories=()), max_size=80)  # surrogates included


@e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_arbitrary_text_and_update_json_never_stop_anyone_else(helpline: Helpline, framework: str) -> None:  # noqa: F811
    drawn: list[tuple[str, Any, Any]] = []

    @settings(max_examples=25, database=None, deadline=None)
    @given(texts, update_keys, json_values)
    def collect(text: str, key: str, payload: Any) -> None:
        drawn.append((text, key, payload))

    collect()
    async with running(helpline, framework) as bot:
        people = []
        for text, key, payload in drawn:
            stranger = bot.person(lang="ru")
            await bot.emulator.push(bot.emulator.message_update(stranger.id, text))
            await bot.emulator.push({"update_id": bot.emulator.next_update_id(), key: payload})
            person = bot.person(lang="ru")
            people.append(person)
            await bot.emulator.push(bot.emulator.message_update(person.id, "как получить патент"))
        await bot.emulator.wait_for(lambda: _answered(people), 90)
        assert helpline.querylog.pending == 0
        assert set(bot.emulator.deliveries.values()) == {1}


# -- the outbox ------------------------------------------------------------------------------


async def _no_wait(seconds: float) -> None:
    return None


def _outbox(tmp_path: Path, send: Any, retry_for: dt.timedelta, clock: Any) -> tuple[Outbox, UpdateStore]:
    store = UpdateStore(DatabaseFile(tmp_path / "helpline.sqlite"), 700000001, HASH_KEY.encode())

    async def run(method: str, *args: Any) -> Any:
        return getattr(store, method)(*args)

    delivery = Delivery(lambda error: Failure(transient=True), RateLimiter(sleep=_no_wait))
    return Outbox(run, delivery, send, retry_for, first_wait=60, clock=clock), store


async def test_a_reply_kept_through_an_outage_goes_out_in_order_once_telegram_is_back(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)]
    sent: list[str] = []
    down = [True]

    async def send(chat: int, html: str, rows: Any) -> None:
        if down[0]:
            raise ConnectionRefusedError
        sent.append(html)

    outbox, store = _outbox(tmp_path, send, dt.timedelta(hours=2), lambda: now[0])
    await outbox.hold(42, [("first", []), ("second", [[Button("👍", "f:1:x")]])])
    assert outbox.holds(42)
    assert all("first" not in row[0] for row in store.file.db.conn.execute("SELECT sealed FROM outbox"))  # sealed
    await outbox.resend_due()  # still down: the chat waits, nothing given up
    assert sent == [] and outbox.waiting == 2
    down[0] = False
    await outbox.resend_due()  # not due yet: the first retry waits a minute
    assert sent == []
    now[0] += dt.timedelta(minutes=2)
    await outbox.resend_due()
    assert sent == ["first", "second"] and not outbox.holds(42) and store.held() == []


async def test_a_reply_still_undelivered_after_the_retry_time_is_given_up_and_counted(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)]

    async def send(chat: int, html: str, rows: Any) -> None:
        raise ConnectionRefusedError

    outbox, store = _outbox(tmp_path, send, dt.timedelta(hours=1), lambda: now[0])
    counted: list[int] = []

    async def given_up(n: int) -> None:
        counted.append(n)

    outbox.on_given_up = given_up
    await outbox.hold(7, [("only", [])])
    now[0] += dt.timedelta(hours=1, minutes=1)
    await outbox.resend_due()
    assert outbox.given_up == 1 and counted == [1] and store.held() == [] and not outbox.holds(7)


# -- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_keeps_no_name_in_clear_and_takes_an_update_id_once(tmp_path: Path) -> None:
    store = UpdateStore(DatabaseFile(tmp_path / "helpline.sqlite"), 700000001, HASH_KEY.encode())
    update = {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": 1,
            "text": "зарплату не платят",
            "chat": {"id": 731400123, "type": "private", "first_name": "Айбек", "username": "aibek_k"},
            "from": {
                "id": 731400123,
                "is_bot": False,
                "first_name": "Айбек",
                "last_name": "Осмонов",
                "username": "aibek_k",
                "language_code": "ky",
            },
        },
    }
    assert store.receive([(5, update)]) == [5]
    assert store.receive([(5, update)]) == []  # still waiting: not taken twice
    stored = " ".join(str(value) for row in store.file.db.conn.execute("SELECT * FROM inbox") for value in row)
    for secret in ("731400123", "Айбек", "Осмонов", "aibek_k", "зарплату"):
        assert secret not in stored
    [left] = store.waiting()
    kept = left.update
    assert kept["message"]["text"] == "зарплату не платят" and kept["message"]["from"]["first_name"] == ""
    store.finish(5)
    assert store.waiting() == [] and store.receive([(5, update)]) == []  # handled: never again
    assert store.file.db["inbox"].count == 0


async def test_an_update_cut_off_by_a_stop_stays_in_the_inbox_for_the_next_start(tmp_path: Path) -> None:
    store = UpdateStore(DatabaseFile(tmp_path / "helpline.sqlite"), 700000001, HASH_KEY.encode())
    started, answered = asyncio.Event(), []

    async def slow_feed(update: dict[str, Any]) -> None:
        started.set()
        await asyncio.sleep(3600)  # a reply stuck behind a long flood wait

    async def nothing(*args: Any) -> None:
        return None

    update = {
        "update_id": 9,
        "message": {"message_id": 1, "date": 1, "text": "привет", "chat": {"id": 5, "type": "private"}},
    }
    intake = Intake(store, slow_feed, nothing, nothing)
    assert await intake.take([update])
    await started.wait()
    await intake.stop()
    intake.close()
    assert [left.update_id for left in store.waiting()] == [9]

    async def feed(update: dict[str, Any]) -> None:
        answered.append(update["update_id"])

    again = Intake(store, feed, nothing, nothing)
    assert await again.resume() == 1
    await again.wait_idle(5)
    again.close()
    assert answered == [9] and store.waiting() == []


# -- a crash while an answer was going out (hole 7) -----------------------------------------
# The Bot API cannot say whether a message went out. What a kill -9 leaves behind is an
# update marked as being answered; the next start asks its person instead of guessing.


def _cut_short(
    helpline: Helpline, person: int, update_id: int, text: str, urgent: bool = False, pressed: str | None = None
) -> None:
    """What a kill -9 leaves in the inbox: an update (a message, or a press of `pressed` under
    it) whose answer was on its way."""
    settings = helpline.settings
    key = load_or_create_key(settings.hash_key, settings.data_dir)
    store = UpdateStore(DatabaseFile(settings.database_path), BOT["id"], key)
    sender = {"id": person, "is_bot": False, "first_name": "", "language_code": "en"}
    message = {"message_id": 3, "date": 1, "text": text, "chat": {"id": person, "type": "private"}, "from": sender}
    update: dict[str, Any] = {"update_id": update_id, "message": message}
    if pressed is not None:
        press = {"id": "77", "from": sender, "chat_instance": "1", "data": pressed, "message": {**message, "from": BOT}}
        update = {"update_id": update_id, "callback_query": press}
    assert store.receive([(update_id, update)]) == [update_id]
    store.sending(update_id, urgent)
    store.file.db.conn.close()


def _met(bot: Any, person_id: int) -> Person:
    person = Person(bot.emulator, "en")
    person.id = person.chat = person_id
    return person


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_answer_a_crash_may_have_sent_is_offered_with_one_tap_never_sent_twice(
    own_helpline: Helpline, framework: str
) -> None:
    person_id = 731_888_100 + FRAMEWORKS.index(framework)
    _cut_short(own_helpline, person_id, 41 + FRAMEWORKS.index(framework), "how do I send money home")
    async with running(own_helpline, framework) as bot:
        migrant = _met(bot, person_id)
        await bot.emulator.wait_for(lambda: bool(migrant.seen), 15)
        await asyncio.sleep(1.0)  # time for a wrongly repeated answer to show up
        [notice] = migrant.seen
        assert "«how do I send money home»" in plain(notice)
        [again] = [data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain)]
        [answer] = await migrant.press(notice, again)
        assert unpack(again) == AnswerAgain(str(41 + FRAMEWORKS.index(framework)))
        [expected] = await bot.person(lang="en").say("how do I send money home")
        assert plain(answer) == plain(expected)  # answered as it would have been the first time
        [gone] = await migrant.press(notice, again)  # the second tap: it was sent once already
        ui = own_helpline.conversation.knowledge.content.ui["en"]
        assert plain(gone).startswith(str(ui["again_gone"]))
        admin = _met(bot, ADMIN)
        [figures] = await admin.say("/stats")
        assert int(re.search(r"offered again after a restart: (\d+)", plain(figures)).group(1)) >= 1


async def test_a_button_press_a_crash_may_have_answered_is_offered_too(own_helpline: Helpline) -> None:
    _cut_short(own_helpline, 731_888_140, 71, "Topics", pressed=OpenTopic("remittances").pack())
    async with running(own_helpline, "aiogram") as bot:
        migrant = _met(bot, 731_888_140)
        await bot.emulator.wait_for(lambda: bool(migrant.seen), 15)
        [notice] = migrant.seen
        ui = own_helpline.conversation.knowledge.content.ui["en"]
        assert plain(notice).startswith(str(ui["restarted_button"]))
        again = next(data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain))
        [answer] = await migrant.press(notice, again)
        fresh = bot.person(lang="en")
        topic = OpenTopic("remittances").pack()
        menu = {**notice, "chat": {"id": fresh.chat, "type": "private"}}
        menu["reply_markup"] = {"inline_keyboard": [[{"text": "Remittances", "callback_data": topic}]]}
        [expected] = await fresh.press(menu, topic)
        assert plain(answer) == plain(expected)


async def test_a_tap_from_another_chat_cannot_take_someone_elses_answer(own_helpline: Helpline) -> None:
    _cut_short(own_helpline, 731_888_110, 51, "my employer does not pay")
    async with running(own_helpline, "ptb") as bot:
        owner = _met(bot, 731_888_110)
        await bot.emulator.wait_for(lambda: bool(owner.seen), 15)
        [notice] = owner.seen
        again = next(data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain))
        stranger = _met(bot, 731_888_111)
        forged = {**notice, "chat": {"id": stranger.chat, "type": "private"}}
        [refused] = await stranger.press(forged, again)
        assert "employer" not in plain(refused).lower()
        [answer] = await owner.press(notice, again)  # still kept for its owner
        [expected] = await bot.person(lang="en").say("my employer does not pay")
        assert plain(answer) == plain(expected) != plain(refused)


async def test_a_reply_resent_from_the_outbox_when_the_bot_died_is_offered_not_repeated(own_helpline: Helpline) -> None:
    settings = own_helpline.settings
    store = UpdateStore(
        DatabaseFile(settings.database_path), BOT["id"], load_or_create_key(settings.hash_key, settings.data_dir)
    )
    person_id = 731_888_130
    store.hold([{"chat": person_id, "html": "Kept through the outage.", "rows": [], "thread": None}])
    [held] = store.held()
    store.sending_held(held.id)  # the bot died while Telegram was taking it
    store.file.db.conn.close()
    async with running(own_helpline, "ptb") as bot:
        migrant = _met(bot, person_id)
        await bot.emulator.wait_for(lambda: bool(migrant.seen), 15)
        await asyncio.sleep(1.0)  # the outbox would have resent it by now
        [notice] = migrant.seen
        ui = own_helpline.conversation.knowledge.content.ui["ru"]
        assert plain(notice).startswith(str(ui["restarted_reply"]))  # nothing known of the person: Russian
        [again] = [data for data in buttons(notice) if isinstance(unpack(data), AnswerAgain)]
        [resent] = await migrant.press(notice, again)
        assert plain(resent) == "Kept through the outage."
        [gone] = await migrant.press(notice, again)  # the press says its app is in English
        assert plain(gone).startswith(str(own_helpline.conversation.knowledge.content.ui["en"]["again_gone"]))


async def test_an_answer_with_emergency_contacts_is_sent_again_without_asking(own_helpline: Helpline) -> None:
    _cut_short(own_helpline, 731_888_120, 61, "the boss beats me and took my passport", urgent=True)
    async with running(own_helpline, "ptb") as bot:
        migrant = _met(bot, 731_888_120)
        await bot.emulator.wait_for(lambda: bool(migrant.seen), 15)
        await asyncio.sleep(1.0)
        assert not any(isinstance(unpack(data), AnswerAgain) for message in migrant.seen for data in buttons(message))
        assert "1899" in " ".join(plain(message) for message in migrant.seen)


async def test_an_answer_nobody_asked_for_again_leaves_the_database_after_a_day_even_when_the_bot_is_quiet(
    own_helpline: Helpline, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cut_short(own_helpline, 731_888_150, 81, "my employer took my passport")
    monkeypatch.setattr(runner, "FORGET_EVERY_SECONDS", 0.2)
    database = own_helpline.settings.database_path
    async with running(own_helpline, "ptb") as bot:
        migrant = _met(bot, 731_888_150)
        await bot.emulator.wait_for(lambda: bool(migrant.seen), 15)  # offered, and kept for a tap
        with sqlite3.connect(database) as conn:  # a day and more passes without a tap
            assert conn.execute("SELECT state FROM inbox WHERE update_id = 81").fetchone() == (KEPT,)
            conn.execute("UPDATE inbox SET received = '2026-11-27T10:00:00.000+00:00' WHERE update_id = 81")
        await asyncio.sleep(1.0)  # a few tidy-ups
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT COUNT(*) FROM inbox WHERE update_id = 81").fetchone() == (0,)


def test_an_uncertain_update_is_kept_a_day_then_forgotten(tmp_path: Path) -> None:
    store = UpdateStore(DatabaseFile(tmp_path / "helpline.sqlite"), 700000001, HASH_KEY.encode())
    update = {
        "update_id": 7,
        "message": {"message_id": 1, "date": 1, "text": "hi", "chat": {"id": 5, "type": "private"}},
    }
    store.receive([(7, update), (8, {**update, "update_id": 8})])
    store.sending(7, urgent=False)
    store.sending(8, urgent=True)
    assert [(left.update_id, left.state) for left in store.waiting()] == [(7, SENDING), (8, SENDING_URGENT)]
    store.keep(7)
    assert [left.update_id for left in store.waiting()] == [8]  # kept: not answered again at a start
    assert store.kept(7) == update
    store.forget_old(dt.datetime.now(dt.UTC) + KEEP_UNCERTAIN + dt.timedelta(minutes=1))
    assert store.kept(7) is None and store.receive([(7, update)]) == []  # gone, and never taken again
