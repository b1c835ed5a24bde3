"""Caseworkers see their changes live; a broken file never takes the bot down."""

from __future__ import annotations

import shutil

import pytest

from bot.reloader import ContentReloader
from content import load_content
from handlers.conversation import Conversation
from handlers.knowledge import build_knowledge
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from tests.conftest import REPO, TEST_KEY, all_text


@pytest.fixture
def live(tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    db = open_database(tmp_path / "db.sqlite")
    conversation = Conversation(
        build_knowledge(load_content(directory)),
        QueryLog(db),
        Profiles(db),
        Pseudonymizer(TEST_KEY),
    )
    return directory, conversation, ContentReloader(conversation, directory)


def test_an_edited_answer_is_served_after_reload_without_restart(live):
    directory, conversation, reloader = live
    path = directory / "topics" / "hotline" / "ru.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("1899", "1899 (проверено сотрудником)", 1), encoding="utf-8"
    )
    assert reloader.changed()
    result = reloader.reload()
    assert result.ok and not reloader.changed()
    outcome = conversation.handle(Incoming(1, "/start hotline", language_code="ru"))
    assert "проверено сотрудником" in all_text(outcome)


def test_a_broken_file_keeps_the_last_good_content_and_names_the_problem(live):
    directory, conversation, reloader = live
    before = conversation.knowledge
    path = directory / "topics" / "hotline" / "ru.yaml"
    path.write_text("title: [broken", encoding="utf-8")
    result = reloader.reload()
    assert not result.ok
    assert any(p.startswith(f"{path}:1:") for p in result.problems)
    assert conversation.knowledge is before
    outcome = conversation.handle(Incoming(1, "/start hotline", language_code="ru"))
    assert "1899" in all_text(outcome)
