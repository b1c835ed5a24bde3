"""A restarted bot reads its compiled answer templates back from its cache folder.

What a migrant reads must not depend on whether the templates came from the cache: every
answer, in every language and for every host country, is the same as on a first start,
an edited answer shows its new text, and a damaged or unwritable cache only costs time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from content import Content, load_content

REPO = Path(__file__).resolve().parent.parent


def every_answer(content: Content) -> dict[tuple[str, str, str | None], str]:
    countries: list[str | None] = [None, *content.country_order]
    return {
        (topic_id, lang, country): content.render(topic_id, lang, country).body
        for topic_id, topic in content.topics.items()
        for lang in topic.texts
        for country in countries
    }


@pytest.fixture(scope="module")
def first_start_answers(content: Content) -> dict[tuple[str, str, str | None], str]:
    return every_answer(content)


def test_a_restart_answers_every_topic_exactly_as_the_first_start(tmp_path, first_start_answers):
    cache = tmp_path / "cache"
    first = load_content(template_cache=cache)
    restarted = load_content(template_cache=cache)
    assert list(cache.glob("templates-*"))
    assert every_answer(first) == first_start_answers
    assert every_answer(restarted) == first_start_answers


def test_a_restart_compiles_no_template_again(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    load_content(template_cache=cache)
    compiled: list[object] = []
    original = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    restarted = load_content(template_cache=cache)
    assert compiled == []
    assert every_answer(restarted)  # the shared blocks come from the cache too, and still render


def test_an_edited_answer_shows_its_new_text_after_a_restart(tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    cache = tmp_path / "cache"
    load_content(directory, template_cache=cache)
    answer_file = directory / "topics" / "work_permit" / "en.yaml"
    text = answer_file.read_text(encoding="utf-8")
    assert "answer: |\n" in text
    answer_file.write_text(text.replace("answer: |\n", "answer: |\n  Freshly edited line.\n", 1), encoding="utf-8")
    restarted = load_content(directory, template_cache=cache)
    assert restarted.render("work_permit", "en").body.startswith("Freshly edited line.")


def test_a_damaged_cache_file_only_costs_compiling_again(tmp_path, first_start_answers):
    cache = tmp_path / "cache"
    load_content(template_cache=cache)
    for stored in cache.glob("templates-*"):
        stored.write_bytes(b"\x00not what was written" * 10)
    assert every_answer(load_content(template_cache=cache)) == first_start_answers


def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_bot(tmp_path, first_start_answers):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert every_answer(load_content(template_cache=blocked / "cache")) == first_start_answers
