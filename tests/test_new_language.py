"""A fourth language added with data files alone: no Python changes.

The toy German is the bundled content copied to a temporary folder plus
languages/de.yaml, ui/de.yaml, blocks/de/ and a de.yaml beside every topic's en.yaml, made
from the English files with a few words changed. A German speaker then gets answers in
German, a date written with a German month is read by the deadline calculator and shown
with German month names, and a name after "ich heiße" is kept out of the log.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from content import Content, load_content
from content.language_data import bundled_languages, read_languages
from content.library import check_content
from handlers.actions import ChooseLanguage
from handlers.conversation import Conversation
from handlers.knowledge import build_knowledge
from handlers.replies import Incoming
from handlers.understanding.dates import date_words, scan_dates
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog
from storage.redaction import NAME, redact
from tests.conftest import REPO, TEST_KEY, TODAY, all_text

GERMAN = """\
name: Deutsch
called: [deutsch, nemets]
date_format: "{day}. {month} {year}"
months:
  - {shown: Januar, read: [jan]}
  - {shown: Februar, read: [feb]}
  - {shown: März, read: [märz]}
  - {shown: April, read: [apr]}
  - {shown: Mai, read: [mai]}
  - {shown: Juni, read: [jun]}
  - {shown: Juli, read: [jul]}
  - {shown: August, read: [aug]}
  - {shown: September, read: [sep]}
  - {shown: Oktober, read: [okt]}
  - {shown: November, read: [nov]}
  - {shown: Dezember, read: [dez]}
arrival_words: [angekommen, eingereist, ankunft]
end_words: [gekündigt, entlassen, beendet]
redaction:
  name_after: [ich heiße, mein name ist]
  name_labels: [vorname, nachname]
  street_before: [straße]
  house_before_number: [wohnung]
"""
# English words swapped for German ones in every copied example question, title and answer.
WORDS = {
    "registration": "Anmeldung",
    "register": "anmelden",
    "work": "Arbeit",
    "job": "Arbeit",
    "passport": "Reisepass",
    "how": "wie",
    "what": "was",
    "where": "wo",
    "when": "wann",
    "I": "ich",
    "my": "mein",
    "the": "die",
    "do": "mache",
    "need": "brauche",
    "is": "ist",
}
MARK = "[DE]"  # starts every German answer, so a test sees which language it got


def _germanised(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: WORDS.get(m.group(), m.group()), text)


def make_german(content_dir: Path) -> None:
    """Add the toy German to a copy of the content, from data files only."""
    (content_dir / "languages" / "de.yaml").write_text(GERMAN, encoding="utf-8")
    ui = (content_dir / "ui" / "en.yaml").read_text(encoding="utf-8")
    (content_dir / "ui" / "de.yaml").write_text(ui.replace("Hello", "Guten Tag"), encoding="utf-8")
    shutil.copytree(content_dir / "blocks" / "en", content_dir / "blocks" / "de")
    for english in sorted((content_dir / "topics").glob("*/en.yaml")):
        data = yaml.safe_load(english.read_text(encoding="utf-8"))
        data["title"] = _germanised(data["title"])
        data["examples"] = [_germanised(str(question)) for question in data["examples"]]
        data["answer"] = f"{MARK} {data['answer']}"
        data["variants"] = {group: f"{MARK} {text}" for group, text in (data.get("variants") or {}).items()}
        (english.parent / "de.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    shutil.copy(content_dir / "ui" / "alerts" / "en.yaml", content_dir / "ui" / "alerts" / "de.yaml")
    for alert_file in sorted((content_dir / "alerts").glob("*.yaml")):
        alert = yaml.safe_load(alert_file.read_text(encoding="utf-8"))
        alert["title"]["de"] = _germanised(alert["title"]["en"])
        alert["de"] = f"{MARK} {alert['en']}"
        alert_file.write_text(yaml.safe_dump(alert, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture(scope="module")
def german_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("toy") / "content"
    shutil.copytree(REPO / "content", root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    make_german(root)
    return root


@pytest.fixture(scope="module")
def german(german_dir) -> Content:
    return load_content(german_dir)


@pytest.fixture
def ask(german, tmp_path):
    """Send messages as one person to a bot serving the toy content."""
    db = open_database(tmp_path / "helpline.sqlite")
    conversation = Conversation(
        build_knowledge(german),
        QueryLog(db),
        Profiles(db),
        Pseudonymizer(TEST_KEY),
        today=lambda: TODAY,
    )

    def send(text: str = "", button: str | None = None, **extra):
        return conversation.handle(Incoming(5551234, text, button=button, **extra))

    return send


def test_the_toy_language_is_valid_content(german_dir, german):
    assert check_content(german_dir)[1] == []
    assert german.languages == ("de", "en", "ky", "ru")


def test_the_language_menu_offers_the_new_language_by_its_own_name(ask):
    outcome = ask("/language")
    labels = [button.label for reply in outcome.replies for row in reply.buttons for button in row]
    assert "Deutsch" in labels


def test_a_german_speaker_gets_the_german_answer_of_the_topic_asked(ask, german):
    ask(button=ChooseLanguage("de").pack())
    question = german.topics["work_permit"].texts["de"].examples[0] + " bitte"
    outcome = ask(question, force_country="RU")
    assert (outcome.lang, outcome.topic) == ("de", "work_permit")
    assert outcome.replies[-1].text.startswith(MARK)
    assert outcome.replies[-1].title == german.title("work_permit", "de")


def test_a_date_with_a_german_month_is_read_and_the_deadline_shown_in_german(ask, german):
    ask(button=ChooseLanguage("de").pack())
    question = next(q for q in german.topics["registration"].texts["de"].examples if not re.search(r"\d", q))
    assert ask(question, force_country="RU").topic == "registration"  # it asks for the day of entry
    outcome = ask("3. Dezember", force_country="RU")
    assert outcome.topic == "registration"
    # 3 December 2025 is day 1 of 30; the last day was 1 January 2026, in German.
    assert "3. Dezember 2025" in all_text(outcome)
    assert "1. Januar 2026" in all_text(outcome)


def test_a_german_month_needs_the_german_file(german):
    message = "am 3. Dezember eingereist"
    assert scan_dates(message).dates == ()  # the bundled languages do not know "Dezember"
    found = scan_dates(message, date_words(tuple(german.words.values()))).dates
    assert [(d.day, d.month) for d in found] == [(3, 12)]


def test_a_name_after_the_german_introducer_is_redacted(german):
    message = "Hallo, ich heiße Hannelore Zwickau und brauche Hilfe"
    assert "Hannelore" in redact(message)  # the bundled languages do not know "ich heiße"
    redacted = redact(message, tuple(german.words.values()))
    assert "Hannelore" not in redacted and "Zwickau" not in redacted
    assert NAME in redacted and "Hilfe" in redacted


def test_the_bundled_languages_are_the_files_in_content_languages():
    assert sorted(language.code for language in bundled_languages()) == sorted(
        path.stem for path in (REPO / "content" / "languages").glob("*.yaml")
    )


def test_a_half_added_language_is_refused_with_the_file_and_line(german_dir, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(german_dir, root)
    path = root / "languages" / "de.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("arrival_words: [angekommen, eingereist, ankunft]", "arrival_words: []")
    text = text.replace("called: [deutsch, nemets]\n", "")
    text = text.replace("  - {shown: Dezember, read: [dez]}", "  - {shown: Dezember}")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    problems = [str(p) for p in check_content(root)[1]]
    arrival_line = next(n for n, line in enumerate(lines, 1) if line.startswith("arrival_words"))
    december_line = next(n for n, line in enumerate(lines, 1) if "Dezember" in line)
    assert f"{path}:{arrival_line}: 'arrival_words' is empty" in problems
    assert f"{path}:1: missing 'called': every language needs it" in problems
    assert f"{path}:{december_line}: months: month 12 needs 'shown' and 'read'" in problems
    assert read_languages(root, []).keys() == {"en", "ky", "ru"}  # the half-added one is left out


def test_a_language_without_its_interface_words_is_reported(german_dir, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(german_dir, root)
    (root / "ui" / "de.yaml").unlink()
    problems = [str(p) for p in check_content(root)[1]]
    assert f"{root / 'languages' / 'de.yaml'}:1: no ui/de.yaml: a language needs its interface words too" in problems


def test_a_person_who_asks_for_german_by_name_gets_it(ask):
    outcome = ask("switch language to deutsch")
    assert outcome.lang == "de"
    assert outcome.topic == "change_language"


def test_a_topic_naming_an_unknown_calculator_is_reported_with_the_known_ones(german_dir, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(german_dir, root)
    path = root / "topics" / "registration" / "topic.yaml"
    text = path.read_text(encoding="utf-8").replace("calculator: registration_deadline", "calculator: visa_days")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("calculator:"))
    assert any(
        p.startswith(f"{path}:{line}: calculator: unknown 'visa_days' (known: registration_deadline")
        for p in map(str, check_content(root)[1])
    )
