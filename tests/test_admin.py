"""Admins reload content and read today's figures; nobody else can."""

from __future__ import annotations

import shutil

import pytest

from bot.admin import AdminCommands
from bot.reloader import ContentReloader
from handlers.conversation import Conversation
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from tests.conftest import REPO, TEST_KEY, all_text

ADMIN = 1111
STRANGER = 2222


@pytest.fixture
def admin(knowledge, tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    db = open_database(tmp_path / "admin.sqlite")
    conversation = Conversation(knowledge, QueryLog(db), Profiles(db), Pseudonymizer(TEST_KEY))
    return AdminCommands(conversation, ContentReloader(conversation, directory), frozenset({ADMIN})), directory


def test_a_stranger_is_refused_politely_and_the_attempt_is_logged_pseudonymously(admin):
    commands, _ = admin
    outcome = commands.handle(Incoming(STRANGER, "/reload", language_code="ru"))
    assert "только для администраторов" in all_text(outcome)
    event = next(commands.conversation.querylog.db["events"].rows)
    assert event["kind"] == "admin_refused" and "k1:" in event["detail"] and str(STRANGER) not in event["detail"]


def test_an_admin_reloads_edited_content(admin):
    commands, directory = admin
    path = directory / "topics" / "thanks" / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: Thanks (edited) #", 1), "utf-8")
    outcome = commands.handle(Incoming(ADMIN, "/reload", language_code="en"))
    assert "Content reloaded: 43 topics" in all_text(outcome)
    assert commands.conversation.knowledge.content.topics["thanks"].texts["en"].title.startswith("Thanks (edited)")


def test_an_admin_is_told_the_problems_when_a_reload_is_refused(admin):
    commands, directory = admin
    (directory / "topics" / "thanks" / "en.yaml").write_text("title: [", encoding="utf-8")
    before = commands.conversation.knowledge
    outcome = commands.handle(Incoming(ADMIN, "/reload", language_code="en"))
    assert "previous version" in all_text(outcome) and "thanks/en.yaml:1" in all_text(outcome)
    assert commands.conversation.knowledge is before


def test_stats_counts_todays_messages(admin):
    commands, _ = admin
    conversation = commands.conversation
    conversation.handle(Incoming(5, "зарплату не платят", force_country="RU"))
    conversation.handle(Incoming(6, "какая погода завтра"))
    figures = commands.today_figures()
    assert figures["messages"] == 2 and figures["users"] == 2 and figures["fallbacks"] == 1
    text = all_text(commands.handle(Incoming(ADMIN, "/stats", language_code="en")))
    assert "2 messages, 2 users, 1 unanswered (50%)" in text


def test_ordinary_commands_are_not_admin_commands(admin):
    commands, _ = admin
    assert commands.handle(Incoming(STRANGER, "/start")) is None
    assert commands.handle(Incoming(STRANGER, "привет")) is None


def test_an_admin_gets_last_weeks_report_as_a_file(tmp_path, content):
    from bot.app import build_helpline
    from bot.config import load_settings

    settings = load_settings(
        {
            "HELPLINE_DATA_DIR": str(tmp_path / "data"),
            "HELPLINE_HASH_KEY": "report-test-key-0123456789",
            "HELPLINE_ADMIN_IDS": str(ADMIN),
        },
        dotenv=False,
    )
    helpline = build_helpline(settings)
    outcome = helpline.handle(Incoming(ADMIN, "/report", language_code="en"))
    [document] = outcome.documents
    assert document.filename.endswith(".html") and document.data.startswith(b"<!DOCTYPE html>")
    assert outcome.replies[0].text
    refused = helpline.handle(Incoming(STRANGER, "/report", language_code="en"))
    assert refused.documents == [] and "admins only" in all_text(refused)
