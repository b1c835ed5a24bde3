"""`helpline review`: unanswered questions become routing examples, driven through stdin."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from content import load_content
from content.examples import EditError, append_item, yaml_scalar
from content.library import DEFAULT_DIR, check_content
from handlers.knowledge import build_knowledge
from review.loop import run_review
from review.period import BISHKEK, parse_week
from storage.database import open_database
from tests.conftest import REPO

WEEK = parse_week("2026-W48")
NEW_QUESTION = "как оформить самозанятость в россии"  # no topic answers it before the review
OFF_TOPIC = "посоветуй сериал про врачей"
SKIPPED = "можно ли получить ипотеку мигранту"
KNOWN = "do I need a work permit"  # already an example of work_permit
NUMBERED = "how do i get a bank card as a migrant"


def _ts(day: int, hour: int) -> str:
    local = dt.datetime.combine(WEEK.first + dt.timedelta(days=day), dt.time(hour), tzinfo=BISHKEK)
    return local.astimezone(dt.UTC).isoformat(timespec="milliseconds")


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled content: the review writes to it, never to the repository."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A log with this week's unanswered questions, the most frequent first."""
    data = tmp_path / "data"
    db = open_database(data / "helpline.sqlite")
    rows = []
    for lang, text, times in (
        ("ru", NEW_QUESTION, 5),
        ("ru", OFF_TOPIC, 4),
        ("ru", SKIPPED, 3),
        ("en", KNOWN, 2),
        ("en", NUMBERED, 1),
    ):
        for i in range(times):
            rows.append(
                {
                    "ts": _ts(i, 12),
                    "user_key": f"k{i}",
                    "lang": lang,
                    "entry": "text",
                    "fallback": 1,
                    "confidence": 0.1,
                    "text": text,
                    "suggestions": "[]",
                    "latency_ms": 10.0,
                }
            )
    rows.append(
        {
            "ts": _ts(0, 13),
            "user_key": "k9",
            "lang": "ru",
            "entry": "text",
            "fallback": 0,
            "topic": "work_permit",
            "text": "патент нужен?",
        }
    )  # answered: not for review
    rows.append(
        {
            "ts": _ts(-1, 13),
            "user_key": "k9",
            "lang": "ru",
            "entry": "text",
            "fallback": 1,
            "text": "вопрос прошлой недели",
        }
    )  # another week
    db["queries"].insert_all(rows)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return data


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    """Trained models for the unchanged content, kept between tests as the bot keeps them."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def review(data_dir: Path, content_copy: Path, model_cache: Path):
    def run(answers: str) -> tuple[int, str]:
        out = io.StringIO()
        code = run_review(
            data_dir / "helpline.sqlite",
            WEEK,
            io.StringIO(answers),
            out,
            content_dir=content_copy,
            model_cache=model_cache,
        )
        return code, out.getvalue()

    return run


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))}


def test_assign_off_topic_skip_and_pick_by_number(review, content_copy):
    before = _snapshot(content_copy)
    code, out = review("no-such-topic\nemployment_contract\no\ns\n2\n")
    assert code == 0, out
    assert "3 to review" not in out and "4 to review (1 already in the content)" in out
    assert "'no-such-topic' is neither a listed number nor a topic id" in out
    assert "Review done: 2 example(s) added, 1 marked off-topic, 1 skipped, 0 not reached." in out
    assert "вопрос прошлой недели" not in out and "патент нужен?" not in out
    # The number picked the second topic the loop listed for the last question.
    listing = out[out.index(NUMBERED) :]
    second = listing.split("\n  2) ")[1].split()[0]
    after = _snapshot(content_copy)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {"topics/employment_contract/ru.yaml", "off_topic.yaml", f"topics/{second}/en.yaml"}
    # Appended as one line, nothing else touched.
    path = "topics/employment_contract/ru.yaml"
    assert after[path] == before[path] + f"  - {NEW_QUESTION}\n"
    assert after[f"topics/{second}/en.yaml"] == before[f"topics/{second}/en.yaml"] + f"  - {NUMBERED}\n"
    off_topic = yaml.safe_load(after["off_topic.yaml"])
    assert off_topic["ru"][-1] == OFF_TOPIC and OFF_TOPIC not in off_topic["ky"] + off_topic["en"]
    assert len(after["off_topic.yaml"].splitlines()) == len(before["off_topic.yaml"].splitlines()) + 1
    # The content is still valid, and the router now answers the new question with its topic.
    content, problems = check_content(content_copy)
    assert problems == []
    assert build_knowledge(content).router.route(NEW_QUESTION).topic == "employment_contract"


def test_reviewing_again_finds_the_assigned_questions_already_done(review):
    review("employment_contract\no\n")
    code, out = review("q\n")
    assert code == 0
    assert "2 to review (3 already in the content)" in out
    assert "Review done: 0 example(s) added, 0 marked off-topic, 0 skipped, 2 not reached." in out


def test_quit_and_end_of_input_change_nothing(review, content_copy):
    before = _snapshot(content_copy)
    _, out = review("q\n")
    assert "0 example(s) added" in out and "4 not reached" in out
    _, out = review("s\n")  # input ends after the first answer
    assert "1 skipped, 3 not reached" in out
    assert _snapshot(content_copy) == before


def test_a_question_may_teach_only_one_topic(data_dir, content_copy, model_cache):
    db = open_database(data_dir / "helpline.sqlite")
    for text in (NEW_QUESTION, NEW_QUESTION.upper()):  # one question, written twice
        db["queries"].insert(
            {"ts": _ts(8, 12), "user_key": "x", "lang": "ru", "entry": "text", "fallback": 1, "text": text}
        )
    db.conn.close()
    out = io.StringIO()
    run_review(
        data_dir / "helpline.sqlite",
        parse_week("2026-W49"),
        io.StringIO("employment_contract\nhealthcare\n"),
        out,
        content_dir=content_copy,
        model_cache=model_cache,
    )
    assert "not added: it is already listed as 'employment_contract'" in out.getvalue()
    assert "1 example(s) added, 0 marked off-topic, 1 skipped" in out.getvalue()
    assert NEW_QUESTION.upper() not in (content_copy / "topics/healthcare/ru.yaml").read_text(encoding="utf-8")
    # Next week the same question is already in the content, whatever its case.
    out = io.StringIO()
    run_review(
        data_dir / "helpline.sqlite",
        parse_week("2026-W49"),
        io.StringIO(""),
        out,
        content_dir=content_copy,
        model_cache=model_cache,
    )
    assert "0 to review (2 already in the content)" in out.getvalue() and "Nothing to do." in out.getvalue()


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
def test_review_command_through_stdin_then_validate(data_dir, content_copy):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TELEGRAM_"))}
    environment.update(
        HELPLINE_DATA_DIR=str(data_dir),
        HELPLINE_CONTENT_DIR=str(content_copy),
        HELPLINE_HASH_KEY="cli-test-key-0123456789",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "review", "--week", "2026-W48"],
        input="employment_contract\no\ns\ns\n",
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "1 example(s) added, 1 marked off-topic, 2 skipped" in result.stdout
    assert "Content check passed." in result.stdout
    validate = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate", str(content_copy)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=180,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert load_content(content_copy).topics["employment_contract"].texts["ru"].examples[-1] == NEW_QUESTION


# ---- careful YAML editing ----------------------------------------------------------------

TRICKY = [
    "key: value",
    "- starts with a dash",
    "#hashtag at start",
    "it's mine",
    'say "hi"',
    "@handle",
    "yes",
    "123",
    "<phone> мой номер",
    "% percent",
    "ends with a colon:",
    "[brackets]",
    "{braces}",
    "a | b > c",
    "*star",
    "&amp",
    "!bang",
    "?question",
    "tab\there",
    "  spaced   out  ",
    "null",
    "~",
    "0x1F",
    "1e3",
    "2026-11-23",
    "кириллица: да",
]


@pytest.mark.parametrize("question", TRICKY)
def test_any_question_survives_the_yaml_round_trip(tmp_path, question):
    path = tmp_path / "en.yaml"
    original = "title: T\n# comment stays\nexamples:\n  - first\n  - second  # trailing comment\n\n# end note\n"
    path.write_text(original, encoding="utf-8")
    append_item(path, "examples", question)
    text = path.read_text(encoding="utf-8")
    expected = " ".join(question.split())
    assert yaml.safe_load(text)["examples"] == ["first", "second", expected]
    head = "title: T\n# comment stays\nexamples:\n  - first\n  - second  # trailing comment\n"
    assert text.startswith(head) and text.endswith("\n\n# end note\n")
    assert text.count("\n") == original.count("\n") + 1


def test_the_list_may_stand_anywhere_in_the_file(tmp_path):
    path = tmp_path / "ru.yaml"
    path.write_text("examples:\n- one\n-   two\nanswer: |\n  text\n  more\nsources: [1]", encoding="utf-8")
    append_item(path, "examples", "three")
    assert path.read_text(encoding="utf-8") == (
        "examples:\n- one\n-   two\n- three\nanswer: |\n  text\n  more\nsources: [1]"
    )
    missing = tmp_path / "off_topic.yaml"
    missing.write_text("ru:\n  - a", encoding="utf-8")
    append_item(missing, "en", "weather")
    assert yaml.safe_load(missing.read_text(encoding="utf-8")) == {"ru": ["a"], "en": ["weather"]}


def test_unsafe_edits_are_refused_and_the_file_kept(tmp_path):
    path = tmp_path / "en.yaml"
    path.write_text("examples: [one, two]\n", encoding="utf-8")
    with pytest.raises(EditError):
        append_item(path, "examples", "three")
    with pytest.raises(EditError):
        append_item(path, "examples", "   ")
    assert path.read_text(encoding="utf-8") == "examples: [one, two]\n"
    assert yaml_scalar("plain words") == "plain words" and yaml_scalar("a: b") == "'a: b'"


# ---- the second pass: messages answered with the emergency pointer -------------------------

THREAT = "работодатель угрожает и не отдаёт зарплату"  # read close to violence, below the card
CALL_ME = "хозяин угрожает, звоните мне 89161234567"
FINE = "штраф за просроченный патент, меня теперь посадят?"  # an ordinary question, alarming words
LISTED = "Меня избили на работе"  # danger.yaml lists it (as «меня избили на работе») among violence examples


@pytest.fixture
def pointer_log(data_dir: Path) -> Path:
    """This week's log also holds answers that ended with the line to the emergency contacts."""
    db = open_database(data_dir / "helpline.sqlite")
    rows = []
    for number, (text, kind, topic, times, pressed) in enumerate(
        (
            (THREAT, "violence", "unpaid_wages", 3, 1),
            (THREAT.upper(), "trafficking", "unpaid_wages", 1, 0),  # the same wording, read as another kind
            (CALL_ME, "violence", "unpaid_wages", 2, 0),
            (FINE, "detention", "work_permit", 1, 0),
            (LISTED, "violence", "legal_aid", 1, 1),
        )
    ):
        for i in range(times):
            ref = f"{number:02d}{i:06d}"
            rows.append(
                {
                    "ts": _ts(i, 15),
                    "user_key": f"p{i}",
                    "lang": "ru",
                    "entry": "text",
                    "fallback": 0,
                    "topic": topic,
                    "text": text,
                    "pointer": kind,
                    "pointer_ref": ref,
                }
            )
            if i < pressed:
                rows.append(
                    {
                        "ts": _ts(i, 16),
                        "user_key": f"p{i}",
                        "lang": "ru",
                        "entry": "pointer",
                        "text": "pointer:emergency",
                        "pointer_ref": ref,
                    }
                )
    db["queries"].insert_all(rows, alter=True)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return data_dir / "helpline.sqlite"


@pytest.fixture
def review_pointers(pointer_log: Path, content_copy: Path):
    def run(answers: str) -> tuple[int, str]:
        out = io.StringIO()
        code = run_review(pointer_log, WEEK, io.StringIO(answers), out, content_dir=content_copy, passes=("pointer",))
        return code, out.getvalue()

    return run


def _kind(content_dir: Path, name: str):
    return next(kind for kind in load_content(content_dir).danger if kind.name == name)


def test_a_reviewer_who_marks_a_pointer_message_as_danger_teaches_that_kind(review_pointers, content_copy):
    before = (content_copy / "danger.yaml").read_text(encoding="utf-8")
    code, out = review_pointers("d\nq\n")
    assert code == 0, out
    assert "Close to danger, 2026-W48: 3 message(s) answered with the emergency pointer to review" in out
    assert "(1 already in danger.yaml)" in out  # the listed one is not offered again
    assert "close to: violence, answered with unpaid_wages, 🆘 pressed 1" in out
    assert "Close to danger: 1 danger example(s) added, 0 look-alike(s) added, 0 skipped, 2 not reached." in out
    assert "Content check passed." in out
    # One line more, right after the last violence example; every comment and entry kept.
    after = (content_copy / "danger.yaml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == [f"    - {THREAT}"] and len(after.splitlines()) == len(before.splitlines()) + 1
    assert after.replace(f"    - {THREAT}\n", "", 1) == before
    # The next content load has it among the violence examples, and the content is still valid.
    assert _kind(content_copy, "violence").examples[-1] == THREAT
    assert check_content(content_copy)[1] == []


def test_marking_a_pointer_message_ordinary_makes_it_a_look_alike_of_its_kind(review_pointers, content_copy):
    code, out = review_pointers("s\ns\no\n")
    assert code == 0, out
    assert "added to danger.yaml under detention: look_alikes" in out
    assert "0 danger example(s) added, 1 look-alike(s) added, 2 skipped, 0 not reached." in out
    detention = _kind(content_copy, "detention")
    assert detention.look_alikes[-1] == FINE and FINE not in detention.examples


def test_a_reviewer_may_name_another_kind(review_pointers, content_copy):
    _, out = review_pointers("no-such-kind\no missing-kind\ntrafficking\no violence\n")
    assert "'no-such-kind' is not one of d, o, s, q or a kind's name" in out
    assert "'missing-kind' is not a kind in danger.yaml" in out
    assert _kind(content_copy, "trafficking").examples[-1] == THREAT
    assert _kind(content_copy, "violence").look_alikes[-1] == CALL_ME.replace("89161234567", "<phone>")


def test_skipping_every_pointer_message_changes_nothing(review_pointers, content_copy):
    before = _snapshot(content_copy)
    code, out = review_pointers("s\ns\ns\n")
    assert code == 0
    assert "0 danger example(s) added, 0 look-alike(s) added, 3 skipped, 0 not reached." in out
    assert _snapshot(content_copy) == before


def test_the_text_written_is_the_redacted_one(review_pointers, content_copy):
    review_pointers("s\nd\n")
    text = (content_copy / "danger.yaml").read_text(encoding="utf-8")
    assert "89161234567" not in text
    assert _kind(content_copy, "violence").examples[-1] == "хозяин угрожает, звоните мне <phone>"


def test_a_message_already_in_danger_yaml_is_not_added_twice(review_pointers, content_copy):
    review_pointers("d\n")
    code, out = review_pointers("d\n")  # a week reviewed again: the marked message is already listed
    assert "2 message(s) answered with the emergency pointer to review (3 already in danger.yaml)" in out
    text = (content_copy / "danger.yaml").read_text(encoding="utf-8").lower()
    assert text.count(THREAT.lower()) == 1 and text.count(LISTED.lower()) == 1


def test_the_pointer_pass_follows_the_unanswered_questions_unless_the_reviewer_quits(review, pointer_log):
    _, out = review("s\ns\ns\ns\nd\n")
    assert out.index("Unanswered questions") < out.index("Close to danger, 2026-W48")
    assert "Review done: 0 example(s) added, 0 marked off-topic, 4 skipped, 0 not reached." in out
    assert "Close to danger: 1 danger example(s) added, 0 look-alike(s) added, 0 skipped, 2 not reached." in out
    _, out = review("q\n")
    assert "Close to danger, 2026-W48" not in out
    assert "Close to danger: not reached (the review stopped before it)." in out


def test_an_item_goes_to_the_list_of_the_named_block_only(tmp_path):
    path = tmp_path / "danger.yaml"
    original = (
        "# header comment\nsuicide:\n  topic: emergency\n  examples:\n    - a\n    # a batch note\n    - b\n"
        "  # note before the next list\n  look_alikes:\n  - c\n\nviolence:\n  examples:\n    - d\n"
    )
    path.write_text(original, encoding="utf-8")
    append_item(path, "examples", "new: danger", under="suicide")
    append_item(path, "look_alikes", "ordinary", under="suicide")
    append_item(path, "examples", "more", under="violence")
    text = path.read_text(encoding="utf-8")
    assert text == (
        "# header comment\nsuicide:\n  topic: emergency\n  examples:\n    - a\n    # a batch note\n    - b\n"
        "    - 'new: danger'\n  # note before the next list\n  look_alikes:\n  - c\n  - ordinary\n\n"
        "violence:\n  examples:\n    - d\n    - more\n"
    )
    for under, key in (("missing", "examples"), ("violence", "look_alikes")):
        with pytest.raises(EditError):
            append_item(path, key, "x", under=under)
    assert path.read_text(encoding="utf-8") == text
