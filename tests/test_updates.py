"""A caseworker adds a fact newer than the report, with its own dated source.

The fixtures write made-up updates into a copy of the content: the mechanism is under test,
not any real post-2022 rule.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from content import load_content
from content.library import check_content
from handlers.conversation import Conversation
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from tests.conftest import REPO, TEST_KEY, TODAY, all_text

UPDATE = """\
updates:
  - text: |
      Test update for people in the EAEU: the office now opens at nine.
    variants: [eaeu]
    source:
      title: Test bulletin no. 7
      url: https://example.org/bulletin-7
      checked: 2026-11-20
  - text: Test update for everyone.
    source:
      title: Test circular
      document: Circular 12, received by the helpline office
      checked: 2026-10-01
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return directory


def add_updates(directory: Path, yaml_text: str, topic: str = "registration", lang: str = "en") -> Path:
    path = directory / "topics" / topic / f"{lang}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + yaml_text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def problems_in(directory: Path) -> list[str]:
    return [str(problem) for problem in check_content(directory)[1]]


def ask(knowledge, directory: Path, tmp_path: Path, country: str) -> str:
    """What a migrant in `country` reads after choosing the topic, with the edited content."""
    edited = dataclasses.replace(knowledge, content=load_content(directory))
    db = open_database(tmp_path / "log.sqlite")
    conversation = Conversation(edited, QueryLog(db), Profiles(db), Pseudonymizer(TEST_KEY), today=lambda: TODAY)
    outcome = conversation.handle(Incoming(7, button="t:registration", force_lang="en", force_country=country))
    return all_text(outcome)


def test_a_migrant_in_russia_reads_the_update_with_its_own_source_line_apart_from_the_report(
    knowledge,
    content_dir,
    tmp_path,
):
    add_updates(content_dir, UPDATE)
    text = ask(knowledge, content_dir, tmp_path, "RU")
    source_line = "Update (source: Test bulletin no. 7, checked 20 November 2026)"
    assert source_line in text
    assert "the office now opens at nine" in text
    report_line = next(line for line in text.splitlines() if line.startswith("📚"))
    assert "Test bulletin" not in report_line and "§135" in report_line
    assert text.index(source_line) < text.index(report_line)
    assert "Update (source: Test circular, checked 1 October 2026)" in text


def test_an_update_for_eaeu_countries_is_not_shown_to_a_migrant_in_korea(knowledge, content_dir, tmp_path):
    add_updates(content_dir, UPDATE)
    text = ask(knowledge, content_dir, tmp_path, "KR")
    assert "Test bulletin" not in text
    assert "Test circular" in text


def test_well_sourced_updates_pass_validation(content_dir):
    add_updates(content_dir, UPDATE)
    assert problems_in(content_dir) == []


def test_an_update_without_a_source_title_is_refused_at_its_line(content_dir):
    path = add_updates(content_dir, UPDATE.replace("      title: Test circular\n", ""))
    source_line = line_of(path, "document: Circular 12") - 1
    assert f"{path}:{source_line}: update: source needs a title" in problems_in(content_dir)


def test_an_update_without_any_source_is_refused(content_dir):
    path = add_updates(content_dir, "updates:\n  - text: Test update with nothing behind it.\n")
    line = line_of(path, "Test update with nothing")
    found = problems_in(content_dir)
    assert f"{path}:{line}: update: source needs a title" in found
    assert f"{path}:{line}: update: source needs a url or a document (where to find it)" in found
    assert f"{path}:{line}: update: source needs checked: the day it was checked" in found
    with pytest.raises(Exception, match="source needs a title"):
        load_content(content_dir)


def test_an_update_without_a_url_or_document_is_refused(content_dir):
    path = add_updates(content_dir, UPDATE.replace("      url: https://example.org/bulletin-7\n", ""))
    line = line_of(path, "title: Test bulletin") - 1
    assert f"{path}:{line}: update: source needs a url or a document (where to find it)" in problems_in(content_dir)


@pytest.mark.parametrize(
    ("checked", "message"),
    [
        ("soon", "update: source needs checked: the day it was checked (got 'soon')"),
        ("2026-02-30", "update: source needs checked: the day it was checked (got '2026-02-30')"),
        ("2099-01-01", "update: checked 2099-01-01 is in the future"),
    ],
)
def test_an_update_checked_on_no_real_day_or_in_the_future_is_refused(content_dir, checked, message):
    path = add_updates(content_dir, UPDATE.replace("checked: 2026-11-20", f"checked: {checked}"))
    assert f"{path}:{line_of(path, f'checked: {checked}')}: {message}" in problems_in(content_dir)


def test_an_update_for_an_answer_the_file_does_not_have_is_refused(content_dir):
    path = add_updates(content_dir, UPDATE.replace("variants: [eaeu]", "variants: [korea]"))
    found = problems_in(content_dir)
    assert any(
        p.startswith(f"{path}:{line_of(path, 'variants: [korea]')}: update: 'korea' is not an answer") for p in found
    )


def test_validate_command_prints_path_and_line_of_an_unsourced_update_and_exits_1(content_dir):
    path = add_updates(content_dir, UPDATE.replace("      title: Test bulletin no. 7\n", ""))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", str(content_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert f"{path}:{line_of(path, 'url: https://example.org') - 1}: update: source needs a title" in result.stdout
