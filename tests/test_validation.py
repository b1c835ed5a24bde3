"""A caseworker's mistake in a content file is reported as path:line with what is wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from content import ContentError, load_content
from content.library import check_content
from tests.conftest import REPO

BUNDLED = REPO / "content"

TOPIC = """\
id: {id}
menu: rights_abroad
related: []
as_of: "2022"
review_by: 2027-06-30
"""

LANGUAGE = """\
reviewed: false
title: {title}
sources: [50]
answer: |
  Звоните на 1899.
  {{% include "hotline.j2" %}}
examples:
{examples}
"""


def _examples(word: str) -> str:
    return "\n".join(f"  - {word} вопрос номер {n}" for n in range(12))


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A small valid content folder: the bundled interface files and two topics."""
    root = tmp_path / "content"
    root.mkdir()
    for name in ("ui", "blocks"):
        shutil.copytree(BUNDLED / name, root / name)
    shutil.copy(BUNDLED / "countries.yaml", root / "countries.yaml")
    for topic in ("alpha", "beta"):
        folder = root / "topics" / topic
        folder.mkdir(parents=True)
        (folder / "topic.yaml").write_text(TOPIC.format(id=topic), encoding="utf-8")
        for lang in ("ru", "ky", "en"):
            (folder / f"{lang}.yaml").write_text(
                LANGUAGE.format(title=topic.title(), examples=_examples(f"{topic} {lang}")), encoding="utf-8"
            )
    return root


def problems_in(root: Path) -> list[str]:
    return [str(p) for p in check_content(root)[1]]


def test_the_small_content_folder_is_valid(content_dir):
    assert problems_in(content_dir) == []


def test_the_bundled_content_is_valid():
    assert problems_in(BUNDLED) == []


def test_a_yaml_syntax_error_names_file_and_line(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("title: Alpha", "title: [Alpha"), encoding="utf-8")
    assert any(p.startswith(f"{path}:") and "YAML syntax error" in p for p in problems_in(content_dir))


def test_a_missing_language_file_is_reported(content_dir):
    (content_dir / "topics" / "beta" / "ky.yaml").unlink()
    assert f"{content_dir}/topics/beta/topic.yaml:1: missing language 'ky' (ky.yaml)" in problems_in(content_dir)


def test_a_missing_field_is_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "en.yaml"
    path.write_text(path.read_text().replace("title: Alpha\n", ""), encoding="utf-8")
    assert f"{path}:1: missing field 'title'" in problems_in(content_dir)


def test_an_empty_answer_is_reported_at_its_line(content_dir):
    path = content_dir / "topics" / "alpha" / "en.yaml"
    text = path.read_text().replace('answer: |\n  Звоните на 1899.\n  {% include "hotline.j2" %}\n', 'answer: ""\n')
    path.write_text(text, encoding="utf-8")
    assert f"{path}:4: answer is empty" in problems_in(content_dir)


def test_a_template_syntax_error_points_at_the_template_line(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("Звоните на 1899.", "Звоните {% if %}"), encoding="utf-8")
    found = [p for p in problems_in(content_dir) if "template error" in p]
    assert found and found[0].startswith(f"{path}:5:")


def test_an_unknown_block_is_reported_at_the_include(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("hotline.j2", "hotlne.j2"), encoding="utf-8")
    assert f"{path}:6: unknown block 'hotlne.j2'" in problems_in(content_dir)


def test_an_undefined_variable_is_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("Звоните на 1899.", "Звоните {{ phone }}."), encoding="utf-8")
    assert any(p.startswith(f"{path}:") and "undefined name" in p and "phone" in p for p in problems_in(content_dir))


def test_a_paragraph_outside_the_report_is_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("sources: [50]", "sources: [50, 379]"), encoding="utf-8")
    assert f"{path}:3: paragraph 379 is outside the report (1–378)" in problems_in(content_dir)


def test_a_duplicate_topic_id_is_reported(content_dir):
    shutil.copytree(content_dir / "topics" / "beta", content_dir / "topics" / "gamma")
    found = [p for p in problems_in(content_dir) if "duplicate topic id 'beta'" in p]
    assert found and "gamma/topic.yaml" in found[0]


def test_an_example_under_two_topics_is_reported(content_dir):
    path = content_dir / "topics" / "beta" / "en.yaml"
    path.write_text(path.read_text() + "  - alpha en вопрос номер 3\n", encoding="utf-8")
    assert f"{path}:20: example 'alpha en вопрос номер 3' is listed under 'alpha' too" in problems_in(content_dir)


def test_an_answer_too_long_for_telegram_is_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "en.yaml"
    path.write_text(path.read_text().replace("Звоните на 1899.", "Звоните на 1899. " * 300), encoding="utf-8")
    assert any(p.startswith(f"{path}:4: answer too long for Telegram") for p in problems_in(content_dir))


def test_broken_content_is_refused_whole(content_dir):
    (content_dir / "topics" / "beta" / "ru.yaml").write_text("title: [", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_content(content_dir)
    assert "beta/ru.yaml:1" in str(raised.value)


def test_validate_command_exits_1_and_prints_every_problem(content_dir):
    (content_dir / "topics" / "beta" / "ky.yaml").unlink()
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace("sources: [50]", "sources: [0]"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", str(content_dir)], capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{path}:3: paragraph 0 is outside the report (1–378)" in lines
    assert any("missing language 'ky'" in line for line in lines)


def test_validate_command_lists_unreviewed_files(content_dir):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", "--unreviewed", str(content_dir)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0
    assert f"{content_dir}/topics/alpha/ru.yaml: not reviewed yet" in result.stdout.splitlines()
