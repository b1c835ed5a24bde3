"""The helpline command as a caseworker or operator uses it in a terminal, run in-process."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.cli import main
from handlers.knowledge import build_knowledge


@pytest.fixture(scope="session")
def trained_models(content, tmp_path_factory):
    """Models trained once, copied into each test's data dir so every command starts warm."""
    cache = tmp_path_factory.mktemp("models")
    build_knowledge(content, cache_dir=cache)
    return cache


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def helpline(tmp_path, trained_models, monkeypatch, capsys) -> Callable[..., Result]:
    """Run `helpline ARGS` in this process, with its own data dir, environment and stdin."""
    shutil.copytree(trained_models, tmp_path / "data" / "cache")
    for name in [n for n in os.environ if n.startswith(("HELPLINE_", "TELEGRAM_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HELPLINE_HASH_KEY", "cli-test-key-0123456789")
    monkeypatch.chdir(tmp_path)  # no stray .env is read

    def run(args: list[str], stdin: str = "") -> Result:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(args)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_ask_json_reads_one_message_per_line_and_prints_one_object_each(helpline):
    messages = "patent kerekpi\nкакая погода завтра\nhow do I send money home\n"
    result = helpline(["ask", "--json", "-"], stdin=messages)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["intent"] for a in answers] == ["work_permit", None, "remittances"]
    for answer in answers:
        assert set(answer) == {"intent", "confidence", "lang", "text", "sources", "suggestions"}
        assert answer["lang"] in ("ru", "ky", "en") and answer["text"]
        assert isinstance(answer["confidence"], float)
    assert answers[0]["lang"] == "ky" and answers[0]["sources"]
    assert 1 <= len(answers[1]["suggestions"]) <= 3


def test_ask_in_a_chosen_language_and_country(helpline):
    result = helpline(["ask", "--json", "--lang", "en", "--country", "RU", "регистрация нужна?"])
    answer = json.loads(result.stdout)
    assert answer["intent"] == "registration" and answer["lang"] == "en"
    assert "EAEU" in answer["text"] and "30 days" in answer["text"]


def test_every_ask_is_logged_under_user_zero_unless_given(helpline, tmp_path):
    helpline(["ask", "зарплату не платят"])
    helpline(["ask", "--user-id", "42", "зарплату не платят"])
    import sqlite_utils

    db = sqlite_utils.Database(tmp_path / "data" / "helpline.sqlite")
    assert db["queries"].count == 2
    assert len({row["user_key"] for row in db["queries"].rows}) == 2


def test_chat_through_stdin_shows_numbered_buttons_and_presses_them(helpline):
    result = helpline(["chat"], stdin="1\nзарплату не платят\n/quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1]" in out and "1899" in out
    assert "Choose a language" in out


def test_a_bad_setting_gets_one_line_naming_the_variable(helpline, monkeypatch):
    monkeypatch.setenv("HELPLINE_RETENTION_DAYS", "soon")
    result = helpline(["ask", "привет"])
    assert result.returncode == 2
    assert result.stderr.strip() == "helpline: HELPLINE_RETENTION_DAYS must be a whole number, got 'soon'"


def test_purge_reports_how_many_rows_went(helpline):
    helpline(["ask", "привет"])
    result = helpline(["purge"])
    assert result.returncode == 0
    assert result.stdout.startswith("purged 0 log row(s) older than 180 days")


def test_unknown_country_is_refused_politely(helpline):
    result = helpline(["ask", "--country", "ZZ", "привет"])
    assert result.returncode == 2 and "unknown country" in result.stderr


def test_the_readme_documents_every_command():
    """An operator finds every sub-command in the README's command table, and nothing stale."""
    import argparse
    import re

    from bot.cli import _parser
    from tests.conftest import REPO

    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    commands = set(actions[0].choices)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `helpline (\w+)", readme, flags=re.MULTILINE))
    assert documented == commands
