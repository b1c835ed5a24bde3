"""A reviewer sees the messages that got the line to the emergency contacts ("the pointer")
and how many people pressed its 🆘 button.

The line and each press of its button are logged without anything that identifies the
person; the weekly report lists those messages (redacted, similar ones together) with a hint
on where each belongs in content/danger.yaml, and /stats counts today's.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.admin import AdminCommands
from bot.reloader import ContentReloader
from handlers.actions import FollowPointer, OpenTopic, unpack
from handlers.replies import Incoming, Outcome
from handlers.understanding.danger import Assessment, Danger
from review import labels as L
from review.period import BISHKEK, date_range_period, parse_week
from review.report import build_report, csv_tables, render_html
from review.weekly import headline_summary
from storage.database import MIGRATIONS, open_database, schema_version
from storage.querylog import QueryLog, QueryRecord
from tests.conftest import REPO, actions, all_text

THREAT = "работодатель угрожает и не отдаёт зарплату"
THREAT_AGAIN = "работодатель угрожает, не отдает зарплату уже месяц"
FALL = "меня зовут Айбек Осмонов, упал с лесов, положена компенсация? тел +79161234567"
# Read as close to danger (below the alarm) by a stand-in for the model: these stories are
# about what is logged and reported, not about where the model of the day draws its line.
CLOSE = {
    THREAT: Danger("violence", "emergency"),
    THREAT_AGAIN: Danger("violence", "emergency"),
    FALL: Danger("medical", "emergency"),
}
EVERYDAY = "how do I send money home"


@pytest.fixture
def close_to_danger(conversation, monkeypatch):
    detector = conversation.knowledge.danger
    real = detector.assess

    def assess(text: str, read_model: bool = True) -> Assessment:
        return Assessment(near=CLOSE[text]) if text in CLOSE else real(text, read_model)

    monkeypatch.setattr(detector, "assess", assess)


def pointer_of(outcome: Outcome) -> FollowPointer:
    [pointer] = [action for action in actions(outcome) if isinstance(action, FollowPointer)]
    return pointer


def last_row(conversation) -> dict:
    return list(conversation.querylog.db["queries"].rows)[-1]


def around_today():
    today = dt.datetime.now(BISHKEK).date()
    return date_range_period(today - dt.timedelta(days=1), today + dt.timedelta(days=1))


# ---- the log -------------------------------------------------------------------------------


def test_an_answer_with_the_pointer_line_is_logged_with_the_kind_it_came_close_to(conversation, say, close_to_danger):
    outcome = say(THREAT, force_country="RU")
    pointer = pointer_of(outcome)
    assert pointer.topic == "emergency" and outcome.topic != "emergency"  # answered as asked, one tap away
    row = last_row(conversation)
    assert (row["entry"], row["pointer"], row["pointer_ref"], row["danger"]) == ("text", "violence", pointer.ref, None)


def test_pressing_the_pointer_button_opens_the_emergency_contacts_and_is_logged_for_that_line(
    conversation, say, close_to_danger
):
    pointer = pointer_of(say(THREAT, force_country="RU"))
    assert unpack(pointer.pack()) == pointer and len(pointer.pack().encode()) <= 64
    outcome = say(button=pointer)
    assert outcome.topic == "emergency"
    row = last_row(conversation)
    assert (row["entry"], row["pointer_ref"], row["topic"], row["pointer"]) == (
        "pointer",
        pointer.ref,
        "emergency",
        None,
    )
    assert row["text"] == "p:emergency"


def test_each_pointer_line_gets_its_own_tag(say, close_to_danger):
    first = pointer_of(say(THREAT, force_country="RU"))
    second = pointer_of(say(THREAT, force_country="RU", user_id=5550000))
    assert first.ref != second.ref


def test_the_logged_message_keeps_no_name_or_phone(conversation, say, close_to_danger):
    say(FALL, force_country="RU")
    row = last_row(conversation)
    assert row["pointer"] == "medical"
    assert "Айбек" not in row["text"] and "9161234567" not in row["text"] and "упал с лесов" in row["text"]


def test_an_everyday_answer_logs_no_pointer(conversation, say):
    say(EVERYDAY, force_country="RU")
    row = last_row(conversation)
    assert row["pointer"] is None and row["pointer_ref"] is None


def test_a_tampered_pointer_button_gets_the_menu_and_counts_as_no_press(conversation, say):
    outcome = say(button="p:emergency:Saltanat Abdieva")
    assert outcome.topic is None and last_row(conversation)["entry"] == "button"
    assert last_row(conversation)["pointer_ref"] is None


# ---- the weekly report ---------------------------------------------------------------------


def test_a_reviewer_sees_the_messages_that_got_the_pointer_line_and_how_many_pressed_the_button(
    conversation, say, close_to_danger, knowledge, tmp_path
):
    pressed = pointer_of(say(THREAT, force_country="RU", user_id=1001))
    say(button=pressed, user_id=1001)
    say(button=pressed, user_id=1001)  # pressed twice: still one line pressed
    say(THREAT_AGAIN, force_country="RU", user_id=1002)  # not pressed
    say(FALL, force_country="RU", user_id=1003)  # not pressed
    say(EVERYDAY, force_country="RU", user_id=1004)
    say(button=OpenTopic("emergency"), user_id=1004)  # the menu's emergency topic is not a pointer press
    conversation.querylog.flush()

    report = build_report(conversation.querylog.db, around_today(), knowledge=knowledge)
    assert (report.current.pointers, report.current.pointers_pressed) == (3, 1)
    threats, fall = report.pointer_groups
    assert {p.text for p in threats.items} == {THREAT, THREAT_AGAIN}  # similar wordings together
    assert (threats.count, threats.pressed, threats.kinds) == (2, 1, ("violence",))
    assert threats.topics and "emergency" not in threats.topics
    assert fall.kinds == ("medical",) and "Айбек" not in fall.items[0].text

    html = render_html(report)
    section = html[html.index('id="near-danger"') : html.index('id="rising"')]
    words = L.LABELS["en"]
    assert words["near_danger"] in section
    assert L.say(words["pointer_line"], "en", shown=3, pressed=1) in section
    assert "content/danger.yaml" in section and "examples" in section and "look_alikes" in section
    assert THREAT in section and "Айбек" not in html and "9161234567" not in html

    header, rows = csv_tables(report)["near_danger"]
    listed = [dict(zip(header, row, strict=True)) for row in rows]
    assert {(r["text"], r["pressed"], r["near_kind"]) for r in listed} >= {
        (THREAT, 1, "violence"),
        (THREAT_AGAIN, 0, "violence"),
    }
    summary = {row[0]: row[1] for row in csv_tables(report)["summary"][1]}
    assert (summary["pointer_answers"], summary["pointer_pressed"]) == (3, 1)
    assert L.say(words["summary_pointer"], "en", shown=3, pressed=1) in headline_summary(report)

    russian = render_html(build_report(conversation.querylog.db, around_today(), lang="ru", knowledge=knowledge))
    assert (
        L.LABELS["ru"]["near_danger"] in russian
        and L.say(L.LABELS["ru"]["pointer_line"], "ru", shown=3, pressed=1) in russian
    )


def _logged(log: QueryLog, local: dt.datetime, text: str, **fields) -> None:
    log.record_query(
        QueryRecord("k1:aaaa", "ru", fields.pop("entry", "text"), text, ts=local.replace(tzinfo=BISHKEK), **fields)
    )


def test_a_press_after_the_week_ended_counts_for_the_message_of_that_week(tmp_path: Path, knowledge):
    log = QueryLog(open_database(tmp_path / "helpline.sqlite"))
    week = parse_week("2026-W48")  # Mon 23 – Sun 29 Nov
    _logged(
        log, dt.datetime(2026, 11, 29, 23, 50), THREAT, topic="unpaid_wages", pointer="violence", pointer_ref="aa11"
    )
    _logged(log, dt.datetime(2026, 11, 30, 0, 5), "p:emergency", entry="pointer", topic="emergency", pointer_ref="aa11")
    _logged(
        log, dt.datetime(2026, 11, 20, 12, 0), FALL, topic="social_insurance", pointer="medical", pointer_ref="bb22"
    )
    _logged(log, dt.datetime(2026, 11, 24, 9, 0), "p:emergency", entry="pointer", topic="emergency", pointer_ref="bb22")

    report = build_report(log.db, week, knowledge=knowledge)
    assert (report.current.pointers, report.current.pointers_pressed) == (1, 1)
    assert (report.previous.pointers, report.previous.pointers_pressed) == (1, 1)  # the line of the week before
    assert [p.pressed for g in report.pointer_groups for p in g.items] == [1]


def test_a_week_without_pointer_lines_says_so(tmp_path: Path, knowledge):
    log = QueryLog(open_database(tmp_path / "helpline.sqlite"))
    _logged(log, dt.datetime(2026, 11, 25, 10, 0), EVERYDAY, topic="remittances")
    report = build_report(log.db, parse_week("2026-W48"), knowledge=knowledge)
    assert report.current.pointers == 0 and report.pointer_groups == []
    assert L.LABELS["en"]["no_pointer"] in render_html(report)
    assert csv_tables(report)["near_danger"][1] == []


# ---- the schema ----------------------------------------------------------------------------


def test_a_database_at_schema_5_upgrades_and_keeps_its_rows(tmp_path: Path):
    path = tmp_path / "helpline.sqlite"
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        old.executescript(script)
    old.execute("PRAGMA user_version = 5")
    old.execute(
        "INSERT INTO queries (ts, user_key, lang, entry, topic, fallback, danger, text) "
        "VALUES ('2026-11-20T08:00:00.000+00:00', 'k1:old', 'ru', 'text', 'work_permit', 0, NULL, 'патент')"
    )
    old.commit()
    old.close()

    db = open_database(path)
    assert schema_version(db.conn) == 6 == len(MIGRATIONS)
    [kept] = list(db["queries"].rows)
    assert (kept["text"], kept["topic"], kept["pointer"], kept["pointer_ref"]) == ("патент", "work_permit", None, None)
    log = QueryLog(db)
    log.record_query(QueryRecord("k1:new", "ru", "text", THREAT, pointer="violence", pointer_ref="cc33"))
    assert log.pending == 0 and db["queries"].count == 2
    assert schema_version(open_database(path).conn) == 6  # opening again changes nothing


def test_the_report_reads_the_pointer_rows_through_their_own_index_not_the_whole_week(tmp_path: Path):
    from review.stats import _PRESSED

    db = open_database(tmp_path / "helpline.sqlite")
    plan = str(db.conn.execute(f"EXPLAIN QUERY PLAN {_PRESSED}", ["2026-11-23"]).fetchall())
    assert "idx_queries_pointer_ts" in plan


# ---- /stats --------------------------------------------------------------------------------


def test_stats_tells_an_admin_todays_pointer_lines_and_presses(conversation, say, close_to_danger):
    commands = AdminCommands(conversation, ContentReloader(conversation, REPO / "content"), frozenset({1111}))
    pointer = pointer_of(say(THREAT, force_country="RU"))
    say(FALL, force_country="RU", user_id=1003)
    say(button=pointer)
    figures = commands.today_figures()
    assert (figures["pointers"], figures["pointer_presses"]) == (2, 1)
    text = all_text(commands.handle(Incoming(1111, "/stats", language_code="en")))
    assert "2 answers with the emergency pointer, 1 press of its 🆘 button" in text
