"""A caseworker's wording slip is caught by `helpline validate` before a migrant reads it,
and Kyrgyz dates read the way a Kyrgyz caseworker writes them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from content.glossary import GLOSSARY_FILE, load_glossary
from content.library import check_content
from tests.conftest import REPO

BUNDLED = REPO / "content"

TOPIC = """\
id: alpha
menu: rights_abroad
related: []
as_of: "2022"
review_by: 2027-06-30
"""

KYRGYZ = """\
reviewed: false
title: Каттоо
sources: [50]
answer: |
  Каттоонун эрежеси өлкөгө жараша болот.
  Баяндамада мөөнөт айтылган эмес.
  {% include "hotline.j2" %}
variants:
  eaeu: |
    Алгачкы 30 күн каттоонун кереги жок.
    {% include "hotline.j2" %}
examples:
  - отчётто эмне деп жазылган
  - больничный беришеби
""" + "".join(f"  - каттоо суроо {n}\n" for n in range(12))

OTHER = """\
reviewed: false
title: Alpha
sources: [50]
answer: |
  Call 1899.
  {% include "hotline.j2" %}
examples:
""" + "".join(f"  - alpha {{lang}} question {n}\n" for n in range(12))


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A small valid content folder with the bundled glossary and one topic."""
    root = tmp_path / "content"
    root.mkdir()
    for name in ("ui", "languages", "blocks"):
        shutil.copytree(BUNDLED / name, root / name)
    for name in ("countries.yaml", GLOSSARY_FILE):
        shutil.copy(BUNDLED / name, root / name)
    folder = root / "topics" / "alpha"
    folder.mkdir(parents=True)
    (folder / "topic.yaml").write_text(TOPIC, encoding="utf-8")
    (folder / "ky.yaml").write_text(KYRGYZ, encoding="utf-8")
    for lang in ("ru", "en"):
        (folder / f"{lang}.yaml").write_text(OTHER.replace("{lang}", lang), encoding="utf-8")
    return root


def problems_in(root: Path) -> list[str]:
    return [str(p) for p in check_content(root)[1]]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_small_folder_is_clean_although_its_examples_use_avoided_words(content_dir):
    # Examples keep what migrants really type («отчётто», «больничный»): the router learns from them.
    assert problems_in(content_dir) == []


def test_a_caseworker_who_writes_otchyot_in_a_kyrgyz_answer_gets_path_and_line(content_dir):
    path = content_dir / "topics" / "alpha" / "ky.yaml"
    replace_in(path, "Баяндамада мөөнөт", "Отчётто мөөнөт")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", str(content_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}:6: glossary: write 'баяндама', not 'Отчётто'")


def test_inflected_forms_and_e_for_yo_are_caught_in_title_and_variant(content_dir):
    path = content_dir / "topics" / "alpha" / "ky.yaml"
    replace_in(path, "title: Каттоо", "title: Жашаган жери боюнча каттоо")
    replace_in(path, "Алгачкы 30 күн", "Отчеттук мезгилде алгачкы 30 күн")
    problems = problems_in(content_dir)
    assert any(p.startswith(f"{path}:2: glossary: write 'турган жери боюнча каттоо'") for p in problems)
    assert any(p.startswith(f"{path}:10: glossary: write 'баяндама', not 'Отчеттук'") for p in problems)
    assert len(problems) == 2


def test_blocks_and_interface_strings_are_checked_too(content_dir):
    block = content_dir / "blocks" / "ky" / "hotline.j2"
    block.write_text(block.read_text(encoding="utf-8") + "ВИЧке текшерүү акысыз.\n", encoding="utf-8")
    ui = content_dir / "ui" / "ky.yaml"
    replace_in(ui, "feedback_thanks: Рахмат!", "feedback_thanks: Рахмат! Больничный тууралуу сураңыз.")
    ui_line = (
        ui.read_text(encoding="utf-8")
        .splitlines()
        .index("feedback_thanks: Рахмат! Больничный тууралуу сураңыз. Бааңыз жоопторду жакшыртууга жардам берет.")
        + 1
    )
    block_line = len(block.read_text(encoding="utf-8").splitlines())
    problems = problems_in(content_dir)
    assert any(p.startswith(f"{block}:{block_line}: glossary: write 'АИВ', not 'ВИЧке'") for p in problems)
    assert any(p.startswith(f"{ui}:{ui_line}: glossary: write 'эмгекке жарамсыздык барагы'") for p in problems)


ALERT = """\
countries: [RU]
topic: alpha
source:
  report: [50]
title:
  ky: Каттоо мөөнөтү
  ru: Срок регистрации
  en: Registration deadline
ky: |
  Алгачкы 30 күн каттоонун кереги жок.
  Андан кийин турган жери боюнча каттоодон өтүңүз.
ru: |
  Первые 30 дней регистрироваться не нужно. Тест на ВИЧ.
en: |
  No registration is needed for the first 30 days.
"""


def test_a_caseworker_who_writes_an_avoided_form_in_an_alert_gets_path_and_line(content_dir):
    alert = content_dir / "alerts" / "deadline.yaml"
    alert.parent.mkdir()
    alert.write_text(ALERT, encoding="utf-8")
    # «ВИЧ» is right in the Russian text: only the Kyrgyz glossary avoids it.
    assert problems_in(content_dir) == []
    replace_in(alert, "Андан кийин турган жери", "Андан кийин жашаган жери")
    replace_in(alert, "ky: Каттоо мөөнөтү", "ky: Отчёт боюнча мөөнөт")
    words = content_dir / "ui" / "alerts" / "ky.yaml"
    replace_in(words, 'title: "', 'title: "ВИЧ ')
    words_line = next(n for n, line in enumerate(words.read_text(encoding="utf-8").splitlines(), 1) if "ВИЧ" in line)
    problems = problems_in(content_dir)
    assert any(p.startswith(f"{alert}:11: glossary: write 'турган жери боюнча каттоо'") for p in problems)
    assert any(p.startswith(f"{alert}:6: glossary: write 'баяндама', not 'Отчёт'") for p in problems)
    assert any(p.startswith(f"{words}:{words_line}: glossary: write 'АИВ', not 'ВИЧ'") for p in problems)
    assert len(problems) == 3, problems


def test_russian_and_english_answers_follow_their_own_glossary(content_dir):
    ru = content_dir / "topics" / "alpha" / "ru.yaml"
    en = content_dir / "topics" / "alpha" / "en.yaml"
    replace_in(ru, "Call 1899.", "Договор о социальной защите с Турцией.")
    replace_in(en, "Call 1899.", "Help for illegal migrants.")
    problems = problems_in(content_dir)
    assert any(p.startswith(f"{ru}:5: glossary: write 'договор о социальном обеспечении'") for p in problems)
    assert any(p.startswith(f"{en}:5: glossary: write 'migrant in an irregular situation") for p in problems)
    # Russian is right in a Russian answer: «ВИЧ» is only avoided in Kyrgyz.
    replace_in(ru, "Договор о социальной защите с Турцией.", "Тест на ВИЧ.")
    assert [p for p in problems_in(content_dir) if str(ru) in p] == []


def test_a_proper_name_listed_as_allowed_passes(content_dir):
    path = content_dir / "topics" / "alpha" / "ky.yaml"
    replace_in(path, "Алгачкы 30 күн", "Кыргызстан профсоюздарынын федерациясы: алгачкы 30 күн")
    assert problems_in(content_dir) == []
    replace_in(path, "федерациясы:", "федерациясы, профсоюзга кириңиз:")
    assert [p.split(": ")[1] for p in problems_in(content_dir)] == ["glossary"]


@pytest.mark.parametrize(
    ("glossary", "line", "message"),
    [
        ("ky: [\n", 1, "YAML syntax error"),
        ("- отчёт\n", 1, "expected a mapping"),
        ("ky: баяндама\n", 1, "glossary ky: expected a list of terms"),
        ("ky:\n  - баяндама\n", 2, "each term needs use, avoid and why"),
        ("ky:\n  - use: баяндама\n    why: ok\n", 2, "list at least one form to avoid"),
        ("ky:\n  - use: баяндама\n    avoid: {a: 1}\n    why: ok\n", 3, "'avoid' must be a list"),
        ("ky:\n  - use: баяндама\n    avoid: ['—']\n    why: ok\n", 3, "entry without words"),
        ("ky:\n  - use: баяндама\n    avoid: [отчёт]\n", 2, "'why' must be a text"),
        ("ky:\n  - use: баяндама жазуу\n    avoid: [баян]\n    why: ok\n", 3, "would also forbid the preferred term"),
    ],
)
def test_a_broken_glossary_is_reported_and_the_rest_is_still_checked(content_dir, glossary, line, message):
    path = content_dir / GLOSSARY_FILE
    path.write_text(glossary, encoding="utf-8")
    (content_dir / "topics" / "alpha" / "en.yaml").unlink()
    problems = problems_in(content_dir)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in problems), problems
    assert any("missing language 'en'" in p for p in problems)


def test_a_broken_entry_does_not_hide_the_good_ones(content_dir):
    (content_dir / GLOSSARY_FILE).write_text(
        "ky:\n  - use: x\n  - use: баяндама\n    avoid: [отчёт]\n    why: Комитетке баяндама берилет.\n",
        encoding="utf-8",
    )
    replace_in(content_dir / "topics" / "alpha" / "ky.yaml", "Баяндамада мөөнөт", "Отчётто мөөнөт")
    problems = problems_in(content_dir)
    assert len(problems) == 2
    assert any("glossary: write 'баяндама', not 'Отчётто' (Комитетке баяндама берилет.)" in p for p in problems)


def test_content_without_a_glossary_is_still_valid(content_dir):
    (content_dir / GLOSSARY_FILE).unlink()
    replace_in(content_dir / "topics" / "alpha" / "ky.yaml", "Баяндамада мөөнөт", "Отчётто мөөнөт")
    assert problems_in(content_dir) == []


def test_the_bundled_content_is_clean_under_its_glossary():
    problems: list = []
    glossary = load_glossary(BUNDLED / GLOSSARY_FILE, problems)
    assert problems == []
    assert {lang: bool(terms) for lang, terms in glossary.items()} == {"ky": True, "ru": True, "en": True}
    assert [str(p) for p in check_content(BUNDLED)[1] if "glossary" in p.message] == []


KYRGYZ_MONTHS = [
    "январы",
    "февралы",
    "марты",
    "апрели",
    "майы",
    "июну",
    "июлу",
    "августу",
    "сентябры",
    "октябры",
    "ноябры",
    "декабры",
]


def registration_dates(content, lang: str, day: dt.date) -> str:
    """The first line of the registration answer a migrant in Russia reads for an arrival day."""
    calc = {"arrival": day, "deadline": day, "passed": False, "days_left": 5, "days_ago": 0, "year_guessed": False}
    body = content.render("registration", lang, "RU", calc).body
    return next(line for line in body.splitlines() if line.startswith("📅"))


@pytest.mark.parametrize("year", range(2020, 2030))
def test_a_kyrgyz_date_names_the_year_in_the_genitive_and_the_month_possessed(content, year):
    # «жыл» takes -дын whatever digit the year ends in: the suffix follows the word, not the number.
    for month, name in enumerate(KYRGYZ_MONTHS, start=1):
        line = registration_dates(content, "ky", dt.date(year, month, 28))
        assert f": {year}-жылдын 28-{name}." in line


def test_the_kyrgyz_deadline_reads_as_a_caseworker_writes_it(content):
    assert "2026-жылдын 29-январы" in registration_dates(content, "ky", dt.date(2026, 1, 29))


def test_russian_and_english_dates_are_unchanged(content):
    assert "29 января 2026" in registration_dates(content, "ru", dt.date(2026, 1, 29))
    assert "29 January 2026" in registration_dates(content, "en", dt.date(2026, 1, 29))
