"""The helpline command as a caseworker or operator uses it in a terminal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from handlers.knowledge import build_knowledge
from tests.conftest import REPO


@pytest.fixture(scope="session")
def trained_models(content, tmp_path_factory):
    """Models trained once, copied into each test's data dir so every command starts warm."""
    cache = tmp_path_factory.mktemp("models")
    build_knowledge(content, cache_dir=cache)
    return cache


@pytest.fixture
def env(tmp_path, trained_models):
    shutil.copytree(trained_models, tmp_path / "data" / "cache")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TELEGRAM_"))}
    environment.update(HELPLINE_DATA_DIR=str(tmp_path / "data"), HELPLINE_HASH_KEY="cli-test-key-0123456789")
    return environment


def helpline(args: list[str], env: dict, stdin: str = "", cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=cwd or REPO, timeout=120,
    )


def test_ask_json_reads_one_message_per_line_and_prints_one_object_each(env):
    messages = "patent kerekpi\nкакая погода завтра\nhow do I send money home\n"
    result = helpline(["ask", "--json", "-"], env, stdin=messages)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["intent"] for a in answers] == ["work_permit", None, "remittances"]
    for answer in answers:
        assert set(answer) == {"intent", "confidence", "lang", "text", "sources", "suggestions"}
        assert answer["lang"] in ("ru", "ky", "en") and answer["text"]
        assert isinstance(answer["confidence"], float)
    assert answers[0]["lang"] == "ky" and answers[0]["sources"]
    assert 1 <= len(answers[1]["suggestions"]) <= 3


def test_ask_in_a_chosen_language_and_country(env):
    result = helpline(["ask", "--json", "--lang", "en", "--country", "RU", "регистрация нужна?"], env)
    answer = json.loads(result.stdout)
    assert answer["intent"] == "registration" and answer["lang"] == "en"
    assert "EAEU" in answer["text"] and "30 days" in answer["text"]


def test_every_ask_is_logged_under_user_zero_unless_given(env, tmp_path):
    helpline(["ask", "зарплату не платят"], env)
    helpline(["ask", "--user-id", "42", "зарплату не платят"], env)
    import sqlite_utils

    db = sqlite_utils.Database(tmp_path / "data" / "helpline.sqlite")
    assert db["queries"].count == 2
    assert len({row["user_key"] for row in db["queries"].rows}) == 2


def test_chat_through_stdin_shows_numbered_buttons_and_presses_them(env):
    result = helpline(["chat"], env, stdin="1\nзарплату не платят\n/quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1]" in out and "1899" in out
    assert "Choose a language" in out


def test_a_bad_setting_gets_one_line_naming_the_variable(env):
    env["HELPLINE_RETENTION_DAYS"] = "soon"
    result = helpline(["ask", "привет"], env)
    assert result.returncode == 2
    assert result.stderr.strip() == "helpline: HELPLINE_RETENTION_DAYS must be a whole number, got 'soon'"


def test_purge_reports_how_many_rows_went(env):
    helpline(["ask", "привет"], env)
    result = helpline(["purge"], env)
    assert result.returncode == 0
    assert result.stdout.startswith("purged 0 log row(s) older than 180 days")


def test_unknown_country_is_refused_politely(env):
    result = helpline(["ask", "--country", "ZZ", "привет"], env)
    assert result.returncode == 2 and "unknown country" in result.stderr
