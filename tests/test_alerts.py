"""Alerts, as a migrant subscribes and a caseworker writes and sends them (no Telegram here).

The emulator runs with 2,000 subscribers and a kill -9 are in test_alerts_e2e.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.alerts import AlertSender, ends_subscription
from bot.cli import main
from content import Content, ContentError, load_content
from content.alerts import load_alert
from content.library import check_content
from handlers.alerts import AlertDesk
from handlers.conversation import Conversation
from handlers.knowledge import Knowledge
from handlers.replies import Incoming, Outcome, Reply
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from storage.subscriptions import (
    BLOCKED,
    FAILED,
    SENT,
    SKIPPED,
    UNCERTAIN,
    AlertRuns,
    RunBusy,
    Subscriptions,
    sender_name,
)
from tests.conftest import REPO, TEST_KEY, TODAY, all_text, button_data

CHAT = 7_123_456_789  # a Telegram id too long to turn up in the database by chance


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "helpline.sqlite"


@pytest.fixture
def subscriptions(database: Path) -> Subscriptions:
    return Subscriptions(open_database(database), Pseudonymizer(TEST_KEY))


@pytest.fixture
def chat(knowledge: Knowledge, database: Path) -> Callable[..., Outcome]:
    """One migrant (user id = chat id = CHAT) talking to a bot that offers alerts."""
    db = open_database(database)
    pseudonymizer = Pseudonymizer(TEST_KEY)
    desk = AlertDesk(Subscriptions(db, pseudonymizer), retention_days=180)
    conversation = Conversation(knowledge, QueryLog(db), Profiles(db), pseudonymizer, today=lambda: TODAY, alerts=desk)

    def send(text: str = "", button: str | None = None, **extra) -> Outcome:
        return conversation.handle(
            Incoming(extra.pop("user_id", CHAT), text, button=button, language_code="en", **extra)
        )

    return send


def _key(user_id: int = CHAT) -> str:
    return Pseudonymizer(TEST_KEY).user_key(user_id)


# -- subscribing ------------------------------------------------------------------------


def test_alerts_asks_for_consent_and_stores_nothing_before_a_country_is_chosen(
    chat: Callable[..., Outcome],
    subscriptions: Subscriptions,
) -> None:
    consent = chat("/alerts")
    assert "/alerts off" in all_text(consent)
    assert button_data(consent) == ["al:y", "al:n"]
    assert subscriptions.get(_key()) is None
    declined = chat(button="al:n")
    assert subscriptions.get(_key()) is None and "al:a:RU" not in button_data(declined)
    countries = chat(button="al:y")
    assert "al:a:RU" in button_data(countries)
    assert subscriptions.get(_key()) is None  # agreeing is not yet a choice of country


def test_a_migrant_chooses_two_countries_and_sees_them_under_alerts(
    chat: Callable[..., Outcome],
    subscriptions: Subscriptions,
) -> None:
    chat("/alerts")
    chat(button="al:y")
    first = chat(button="al:a:RU")
    assert "Russia" in all_text(first) and "/alerts off" in all_text(first)
    assert "al:a:RU" not in button_data(first) and "al:a:KZ" in button_data(first)
    chat(button="al:a:KZ")
    subscription = subscriptions.get(_key())
    assert subscription is not None and subscription.countries == ("RU", "KZ") and subscription.lang == "en"
    assert subscriptions.chat_of(_key()) == CHAT
    status = chat("/alerts")
    assert "Russia, Kazakhstan" in all_text(status) and "al:off" in button_data(status)


def test_an_answer_that_depends_on_the_country_offers_alerts_until_subscribed(
    chat: Callable[..., Outcome],
    subscriptions: Subscriptions,
) -> None:
    chat(button="c:RU")
    answer = chat("do I need to register")
    assert answer.topic == "registration" and "al:ask" in button_data(answer)
    consent = chat(button="al:ask")
    assert button_data(consent) == ["al:y", "al:n"] and subscriptions.get(_key()) is None
    chat(button="al:a:RU")
    assert "al:ask" not in button_data(chat("do I need to register"))


def test_alerts_off_stops_them_by_command_or_button(chat: Callable[..., Outcome], subscriptions: Subscriptions) -> None:
    chat(button="al:a:TR")
    assert subscriptions.matching(["TR"])
    stopped = chat("/alerts off")
    assert subscriptions.get(_key()) is None and not subscriptions.matching(["TR"])
    assert "/alerts" in all_text(stopped)
    chat(button="al:a:TR")
    chat(button="al:off")
    assert subscriptions.get(_key()) is None
    assert "not subscribed" in all_text(chat("/alerts off"))


def test_in_a_group_nobody_subscribes_the_group(chat: Callable[..., Outcome], subscriptions: Subscriptions) -> None:
    outcome = chat("/alerts", private=False, chat_id=-1001234)
    assert "private chat" in all_text(outcome)
    chat(button="al:a:RU", private=False, chat_id=-1001234)
    assert subscriptions.get(_key()) is None


def test_the_chat_id_is_stored_sealed_never_raw(chat: Callable[..., Outcome], database: Path) -> None:
    chat(button="al:a:RU")
    chat("how do I register in Russia")
    raw = b"".join(path.read_bytes() for path in database.parent.iterdir() if path.is_file())
    assert str(CHAT).encode() not in raw
    for width in (6, 8):
        assert CHAT.to_bytes(width, "big") not in raw


def test_a_subscription_unused_for_the_retention_period_is_purged(subscriptions: Subscriptions) -> None:
    subscriptions.add_country(_key(1), 1, "ru", "RU")
    subscriptions.add_country(_key(2), 2, "ru", "RU")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=100)
    subscriptions.seen(_key(2), "ky", now=later)  # the second person kept using the bot
    assert subscriptions.purge(180, now=later + dt.timedelta(days=90)) == 1
    assert subscriptions.get(_key(1)) is None
    assert subscriptions.get(_key(2)).lang == "ky"


# -- alert files --------------------------------------------------------------------------


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(REPO / "content", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


GOOD = """\
countries: [KR]
source:
  title: Example ministry notice
  document: Notice No. 1 of the example ministry
  checked: 2026-11-20
title: {ky: Кабар, ru: Новость, en: News}
ky: Кыргызча текст.
ru: Русский текст.
en: English text.
"""


def test_an_alert_with_a_dated_external_source_loads(content_dir: Path) -> None:
    (content_dir / "alerts" / "korea_notice.yaml").write_text(GOOD, encoding="utf-8")
    alert = load_alert(load_content(content_dir), "korea_notice")
    assert alert.countries == ("KR",) and alert.source.checked == dt.date(2026, 11, 20)


def test_validate_points_to_each_mistake_in_an_alert_file(content_dir: Path) -> None:
    broken = (
        GOOD.replace("[KR]", "[KR, ZZ]").replace("  checked: 2026-11-20\n", "").replace("en: English text.\n", "")
        + "topic: no_such_topic\n"
    )
    (content_dir / "alerts" / "broken.yaml").write_text(broken, encoding="utf-8")
    (content_dir / "alerts" / "no_source.yaml").write_text(GOOD.split("source:")[0] + "ru: x\n", encoding="utf-8")
    _, problems = check_content(content_dir)
    found = {(problem.path.name, problem.line, problem.message.split(":")[0]) for problem in problems}
    assert ("broken.yaml", 1, "countries") in found  # unknown country ZZ
    assert ("broken.yaml", 2, "source") in found  # no checked date
    assert ("broken.yaml", 1, "en") in found  # missing English text
    assert ("broken.yaml", 8, "topic") in found  # the line it stands on
    assert any(name == "no_source.yaml" and message == "source" for name, _, message in found)


def test_validate_needs_the_alerts_dialogue_in_every_language(content_dir: Path) -> None:
    (content_dir / "ui" / "alerts" / "ky.yaml").unlink()
    _, problems = check_content(content_dir)
    assert [p for p in problems if p.path.name == "ky.yaml" and "alerts" in p.message]


def test_the_bundled_alert_rests_on_the_report(content: Content) -> None:
    alert = load_alert(content, "registration_30_days")
    assert alert.source.paragraphs == (19, 135) and set(alert.countries) == {"RU", "KZ", "BY", "AM"}
    with pytest.raises(ContentError):
        load_alert(content, "../ui/ru")


def test_preview_prints_every_language_with_the_way_to_stop(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HELPLINE_HASH_KEY", TEST_KEY.decode())
    assert main(["alerts", "preview", "registration_30_days"]) == 0
    shown = capsys.readouterr().out
    for text in ("── ky ──", "── ru ──", "── en ──", "/alerts off", "§19, §135", "[🔕 Stop alerts]"):
        assert text in shown


# -- sending (a fake Telegram) ------------------------------------------------------------


class Forbidden(Exception):
    """Named as python-telegram-bot names a 403."""


class FakeTelegram:
    def __init__(self, blocked: set[int] = frozenset(), broken: set[int] = frozenset()) -> None:
        self.received: dict[int, list[Reply]] = {}
        self.blocked, self.broken = blocked, broken

    async def send(self, chat_id: int, reply: Reply) -> None:
        if chat_id in self.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        if chat_id in self.broken:
            raise RuntimeError("Bad Request: something else")
        self.received.setdefault(chat_id, []).append(reply)


def _sender(database: Path, content: Content, telegram: FakeTelegram) -> AlertSender:
    return AlertSender(database, Pseudonymizer(TEST_KEY), content, telegram.send, rate=30.0)


def test_an_alert_reaches_each_subscriber_once_in_their_language(
    subscriptions: Subscriptions,
    database: Path,
    content: Content,
) -> None:
    for chat_id, lang, country in ((11, "ky", "RU"), (12, "en", "KZ"), (13, "ru", "TR"), (14, "ru", "KR")):
        subscriptions.add_country(_key(chat_id), chat_id, lang, country)
    subscriptions.add_country(_key(14), 14, "ru", "RU")  # two countries, still one copy
    telegram = FakeTelegram(blocked={12})
    progress = asyncio.run(_sender(database, content, telegram).run(load_alert(content, "registration_30_days")))
    assert sorted(telegram.received) == [11, 14]
    assert "Каттоо" in telegram.received[11][0].title and "/alerts off" in telegram.received[14][0].text
    assert progress.counts[SENT] == 2 and progress.counts[BLOCKED] == 1 and not progress.left
    assert subscriptions.get(_key(12)) is None  # blocked the bot: subscription ended
    again = asyncio.run(_sender(database, content, telegram).run(load_alert(content, "registration_30_days")))
    assert sorted(telegram.received) == [11, 14] and len(telegram.received[11]) == 1
    assert again.counts[SENT] == 2


def test_after_a_crash_the_one_being_sent_is_not_sent_again_and_the_rest_are(
    subscriptions: Subscriptions,
    database: Path,
    content: Content,
) -> None:
    for chat_id in range(21, 26):
        subscriptions.add_country(_key(chat_id), chat_id, "ru", "KZ")
    subscriptions.add_country(_key(26), 26, "ru", "KZ")
    alert = load_alert(content, "registration_30_days")
    crashed = subprocess.Popen([sys.executable, "-c", "pass"])
    crashed.wait()
    runs = AlertRuns(open_database(database), owner=f"{socket.gethostname()}:{crashed.pid}")
    runs.start(alert.id, [sub.user_key for sub in subscriptions.matching(alert.countries)])
    in_flight = runs.claim(alert.id)  # the crashed sender was sending to this one…
    runs.record(alert.id, runs.claim(alert.id), SENT)  # …and had sent to that one
    subscriptions.remove(_key(26))  # and someone stopped alerts meanwhile
    telegram = FakeTelegram(broken={25})
    progress = asyncio.run(_sender(database, content, telegram).run(alert))
    assert in_flight == _key(21) and progress.counts[UNCERTAIN] == 1  # maybe arrived: never twice
    assert sorted(telegram.received) == [23, 24]  # 22 had it already, 25 failed, 26 stopped
    assert all(len(copies) == 1 for copies in telegram.received.values())
    assert progress.counts[SENT] == 3 and progress.counts[FAILED] == 1 and progress.counts[SKIPPED] == 1


def test_a_403_of_either_library_ends_the_subscription() -> None:
    assert ends_subscription(Forbidden("Forbidden: bot was blocked by the user"))
    assert ends_subscription(RuntimeError("Bad Request: chat not found"))
    assert not ends_subscription(RuntimeError("Internal Server Error"))


def test_a_second_sender_does_not_take_over_a_live_one(subscriptions: Subscriptions, database: Path) -> None:
    subscriptions.add_country(_key(31), 31, "ru", "KZ")
    AlertRuns(open_database(database), owner=f"{socket.gethostname()}:1").start("news", [_key(31)])  # pid 1 lives
    with pytest.raises(RunBusy):
        AlertRuns(open_database(database), owner=sender_name()).start("news", [_key(31)])


# -- the weekly report --------------------------------------------------------------------


def test_the_weekly_report_shows_subscribers_and_how_each_alert_went(
    subscriptions: Subscriptions,
    database: Path,
    content: Content,
    knowledge: Knowledge,
    tmp_path: Path,
) -> None:
    from review.period import date_range_period
    from review.report import build_report, csv_tables, render_html

    for chat_id, country in ((41, "RU"), (42, "RU"), (43, "KZ")):
        subscriptions.add_country(_key(chat_id), chat_id, "ru", country)
    subscriptions.add_country(_key(43), 43, "ru", "RU")
    telegram = FakeTelegram(blocked={42})
    asyncio.run(_sender(database, content, telegram).run(load_alert(content, "registration_30_days")))
    today = dt.datetime.now(ZoneInfo("Asia/Bishkek")).date()  # report periods are Bishkek days
    report = build_report(database, date_range_period(today - dt.timedelta(days=6), today), knowledge=knowledge)
    assert report.alerts is not None
    assert (report.alerts.subscribers, report.alerts.new_subscribers) == (2, 2)  # 42 blocked the bot: gone
    assert report.alerts.by_country == [("RU", 2), ("KZ", 1)]
    [sent] = report.alerts.sent
    assert (sent.alert_id, sent.delivered, sent.blocked, sent.failed) == ("registration_30_days", 2, 1, 0)
    page = render_html(report)
    assert 'id="alerts-sent"' in page and "registration_30_days" in page
    assert csv_tables(report)["alerts"][1] == [["registration_30_days", 2, 0, 1, 0]]
