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
    for name in ("ui", "languages", "blocks"):
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
        [sys.executable, "-m", "bot.cli", "validate", str(content_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{path}:3: paragraph 0 is outside the report (1–378)" in lines
    assert any("missing language 'ky'" in line for line in lines)


def test_validate_command_lists_unreviewed_files(content_dir):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", "--unreviewed", str(content_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0
    assert f"{content_dir}/topics/alpha/ru.yaml: not reviewed yet" in result.stdout.splitlines()


# --- Who an answer is for: the hotline block (content/README.md, "Who an answer is for") ---

VARIANTS = """\
variants:
  korea: |
    Звоните в посольство.
    {% include "hotline.j2" %}
  kyrgyzstan: |
    Вы иностранец в Кыргызстане.
    {% include "caseworker.j2" %}
"""


def _add_variants(path: Path, variants: str = VARIANTS) -> None:
    text = path.read_text(encoding="utf-8").replace("examples:\n", variants + "examples:\n")
    path.write_text(text, encoding="utf-8")


def test_a_caseworker_who_removes_the_hotline_block_from_a_migrant_answer_is_told_where(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    path.write_text(path.read_text().replace('  {% include "hotline.j2" %}\n', ""), encoding="utf-8")
    assert any(p.startswith(f"{path}:4: answer: an answer for migrants needs") for p in problems_in(content_dir))


def test_a_migrant_variant_without_the_hotline_block_is_reported_at_its_line(content_dir):
    path = content_dir / "topics" / "alpha" / "en.yaml"
    _add_variants(path, VARIANTS.replace('    {% include "hotline.j2" %}\n', ""))
    expected = f"{path}:8: variants.korea: an answer for migrants needs"
    assert any(p.startswith(expected) for p in problems_in(content_dir))


def test_the_emergency_block_also_gives_migrants_the_hotline(content_dir):
    path = content_dir / "topics" / "alpha" / "en.yaml"
    path.write_text(path.read_text().replace("hotline.j2", "emergency.j2"), encoding="utf-8")
    assert problems_in(content_dir) == []


def test_a_foreigner_in_kyrgyzstan_is_not_sent_to_the_hotline_for_citizens_abroad(content_dir):
    path = content_dir / "topics" / "alpha" / "ky.yaml"
    _add_variants(path, VARIANTS.replace("caseworker.j2", "hotline.j2"))
    found = [p for p in problems_in(content_dir) if "variants.kyrgyzstan" in p]
    assert found and found[0].startswith(f"{path}:11:") and "must not include hotline.j2" in found[0]


def test_a_topic_for_foreigners_gets_the_caseworker_block_not_the_hotline(content_dir):
    topic = content_dir / "topics" / "beta" / "topic.yaml"
    topic.write_text(topic.read_text() + "audience: foreigners\n", encoding="utf-8")
    found = [p for p in problems_in(content_dir) if "beta" in p]
    assert len(found) == 3 and all("answer: an answer for foreigners" in p for p in found)
    for lang in ("ru", "ky", "en"):
        path = content_dir / "topics" / "beta" / f"{lang}.yaml"
        path.write_text(path.read_text().replace("hotline.j2", "caseworker.j2"), encoding="utf-8")
    assert problems_in(content_dir) == []


def test_the_foreigners_menu_makes_a_topic_for_foreigners_unless_it_says_otherwise(content_dir):
    topic = content_dir / "topics" / "beta" / "topic.yaml"
    topic.write_text(topic.read_text().replace("menu: rights_abroad", "menu: foreigners_kg"), encoding="utf-8")
    assert any("beta/en.yaml:4: answer: an answer for foreigners" in p for p in problems_in(content_dir))
    topic.write_text(topic.read_text() + "audience: migrants\n", encoding="utf-8")
    assert problems_in(content_dir) == []


def test_an_unknown_audience_is_reported(content_dir):
    topic = content_dir / "topics" / "beta" / "topic.yaml"
    topic.write_text(topic.read_text() + "audience: tourists\n", encoding="utf-8")
    assert f"{topic}:6: audience: use one of migrants, foreigners, not 'tourists'" in problems_in(content_dir)


# --- Sources per variant ---


def test_a_variant_shows_its_own_paragraphs_in_the_source_line(content_dir):
    for lang in ("ru", "ky", "en"):
        path = content_dir / "topics" / "alpha" / f"{lang}.yaml"
        _add_variants(path)
        text = path.read_text().replace("sources: [50]\n", "sources: [50]\nvariant_sources:\n  korea: [128]\n")
        path.write_text(text, encoding="utf-8")
    content = load_content(content_dir)
    hotline_block = set(content.block_sources["hotline"])
    caseworker_block = set(content.block_sources["caseworker"])
    assert set(content.render("alpha", "en", "KR").sources) == {128} | hotline_block
    # A variant without its own list falls back to the file's sources.
    assert set(content.render("alpha", "en", "KG").sources) == {50} | caseworker_block
    assert set(content.render("alpha", "en", None).sources) == {50} | hotline_block


def _cite(path: Path, entry: str) -> None:
    """Give one variant of a language file its own paragraphs, right under `sources:`."""
    text = path.read_text(encoding="utf-8").replace("sources: [50]\n", f"sources: [50]\nvariant_sources:\n  {entry}\n")
    path.write_text(text, encoding="utf-8")


def test_a_variant_paragraph_outside_the_report_is_reported_at_its_line(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    _add_variants(path)
    _cite(path, "korea: [128, 400]")
    assert f"{path}:5: paragraph 400 is outside the report (1–378)" in problems_in(content_dir)


def test_sources_for_a_variant_the_file_does_not_have_are_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    _add_variants(path)
    _cite(path, "turkey: [236]")
    assert f"{path}:5: variant_sources: 'turkey' is not one of this file's variants" in problems_in(content_dir)


def test_a_variant_with_an_empty_source_list_is_reported(content_dir):
    path = content_dir / "topics" / "alpha" / "ru.yaml"
    _add_variants(path)
    _cite(path, "korea: []")
    assert f"{path}:5: variant_sources.korea: cite at least one paragraph of the report" in problems_in(content_dir)


def test_a_block_cites_per_reader_the_paragraphs_behind_the_lines_it_shows_them(content_dir):
    (content_dir / "blocks" / "sources.yaml").write_text(
        "hotline:\n  default: [50, 51]\n  kyrgyzstan: [47]\n  tourists: [1]\ncaseworker: []\n",
        encoding="utf-8",
    )
    assert problems_in(content_dir) == [
        f"{content_dir}/blocks/sources.yaml:4: hotline: unknown reader 'tourists'"
        " (use default, unknown, eaeu, korea, turkey, kyrgyzstan, other)",
    ]
    (content_dir / "blocks" / "sources.yaml").write_text(
        "hotline:\n  default: [50, 51]\n  kyrgyzstan: [47]\ncaseworker: []\n",
        encoding="utf-8",
    )
    content = load_content(content_dir)
    assert content.render("alpha", "en", "RU").sources == (50, 51)
    assert content.render("alpha", "en", None).sources == (50, 51)
    assert content.render("alpha", "en", "KG").sources == (47, 50)


def test_an_admin_label_with_the_wrong_noun_forms_is_named_by_validate(content_dir):
    # /stats would otherwise fail only when an admin asks for it
    path = content_dir / "ui" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    assert "{messages:message|messages}" in text
    path.write_text(text.replace("{messages:message|messages}", "{messages:message}"), encoding="utf-8")
    assert any(str(path) in p and "admin.stats cannot be filled in" in p for p in problems_in(content_dir))
