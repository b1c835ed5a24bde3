"""Caseworkers read every answer as the bot sends it, beside the report, and sign it off."""

from __future__ import annotations

import dataclasses
import shutil
from html.parser import HTMLParser

import pytest

from bot.cli import main
from bot.sheet import NO_COUNTRY, write_sheets
from content import load_content
from content.report import report_paragraphs
from content.signoff import sign_off
from handlers.conversation import Conversation
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from tests.conftest import REPO, TEST_KEY, TODAY, all_text


class SheetPage(HTMLParser):
    """What a reader finds on a sheet page: topics, and per topic the cards with their answers."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.topics: dict[str, list[dict]] = {}
        self.links: list[str] = []
        self._topic: str | None = None
        self._card: dict | None = None
        self._in_message = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("link", "script", "img") or attributes.get("src"):
            self.links.append(tag)
        if tag == "section" and "data-topic" in attributes:
            self._topic = attributes["data-topic"]
            self.topics[self._topic] = []
        if tag == "div" and "data-variant" in attributes and self._topic:
            self._card = {
                "variant": attributes["data-variant"],
                "countries": attributes["data-countries"].split(),
                "message": "",
                "text": "",
            }
            self.topics[self._topic].append(self._card)
        if tag == "pre" and self._card is not None:
            self._in_message = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_message = False

    def handle_data(self, data):
        if self._card is not None:
            self._card["text"] += data
            if self._in_message:
                self._card["message"] += data


@pytest.fixture(scope="module")
def sheets(knowledge, tmp_path_factory) -> dict[str, SheetPage]:
    out = tmp_path_factory.mktemp("sheet")
    paths = write_sheets(knowledge, out, TODAY)
    return {path.stem.removeprefix("sheet-"): SheetPage(path.read_text(encoding="utf-8")) for path in paths}


def test_the_sheet_covers_every_topic_and_every_host_country_in_every_language(content, sheets):
    assert set(sheets) == set(content.languages)
    choices = [None, *content.country_order]
    for lang, page in sheets.items():
        assert set(page.topics) == set(content.topics), lang
        for topic_id, cards in page.topics.items():
            shown_for = [code for card in cards for code in card["countries"]]
            assert sorted(shown_for) == sorted(code or NO_COUNTRY for code in choices), (lang, topic_id)
            for card in cards:
                for code in card["countries"]:
                    expected = content.variant_of(topic_id, lang, None if code == NO_COUNTRY else code)
                    assert card["variant"] == expected, (lang, topic_id, code)
            variants = {content.variant_of(topic_id, lang, code) for code in choices}
            assert {card["variant"] for card in cards} == variants


def test_each_answer_on_the_sheet_is_the_message_the_bot_sends(knowledge, sheets, tmp_path):
    db = open_database(tmp_path / "log.sqlite")
    conversation = Conversation(knowledge, QueryLog(db), Profiles(db), Pseudonymizer(TEST_KEY), today=lambda: TODAY)
    for topic_id, country in [("registration", "KZ"), ("pension", None), ("deportation_kg", "KG")]:
        sent = all_text(
            conversation.handle(
                Incoming(42, button=f"t:{topic_id}", force_lang="ky", force_country=country, interactive=False)
            )
        )
        cards = sheets["ky"].topics[topic_id]
        card = next(c for c in cards if (country or NO_COUNTRY) in c["countries"])
        assert card["message"] == sent


def test_beside_each_answer_stands_the_french_text_of_every_paragraph_it_cites(content, sheets):
    report = report_paragraphs()
    card = next(c for c in sheets["ru"].topics["registration"] if "RU" in c["countries"])
    cited = content.render("registration", "ru", "RU").sources
    assert cited
    for number in cited:
        assert f"§{number}" in card["text"]
        assert report[number].splitlines()[0][:200] in card["text"]


def test_the_pages_are_self_contained(sheets):
    assert all(not page.links for page in sheets.values())


def test_the_sheet_shows_updates_their_sources_and_who_signed_off(knowledge, tmp_path):
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = directory / "topics" / "registration" / "en.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + (
            "updates:\n  - text: Test update about the office hours.\n    variants: [eaeu]\n    source:\n"
            "      title: Test bulletin\n      url: https://example.org/b\n      checked: 2026-11-20\n"
        ),
        encoding="utf-8",
    )
    sign_off(path, "Aigul T.", TODAY)
    edited = dataclasses.replace(knowledge, content=load_content(directory))
    [page_path] = write_sheets(edited, tmp_path / "out", TODAY, ["en"], ["registration", "pension"])
    page = page_path.read_text(encoding="utf-8")
    assert set(SheetPage(page).topics) == {"registration", "pension"}
    eaeu = next(c for c in SheetPage(page).topics["registration"] if c["variant"] == "eaeu")
    assert "Update (source: Test bulletin, checked 20 November 2026)" in eaeu["message"]
    assert "https://example.org/b" in page and "2026-11-20" in page
    assert "by Aigul T. on 2026-11-29" in page
    assert "helpline signoff pension en --by &#34;NAME&#34;" in page


def test_the_sheet_command_writes_one_page_for_the_language_asked_with_russian_labels_if_wished(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HELPLINE_CONTENT_DIR", raising=False)
    arguments = ["sheet", "--lang", "ky", "--topic", "work_permit", "--labels", "ru", "--out", str(tmp_path / "out")]
    assert main(arguments) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sheet-ky.html"]
    text = (tmp_path / "out" / "sheet-ky.html").read_text(encoding="utf-8")
    assert list(SheetPage(text).topics) == ["work_permit"]
    assert "Лист проверки ответов" in text and "страна не выбрана" in text
    assert main(["sheet", "--lang", "xx", "--out", str(tmp_path / "out")]) == 2
