"""Nothing that identifies a migrant reaches the disk."""

from __future__ import annotations

import datetime as dt
import logging
import stat

from handlers.replies import Incoming
from storage.pseudonym import KEY_FILE, Pseudonymizer, load_or_create_key
from storage.querylog import QueryLog, QueryRecord

RAW_ID = 987654321


def test_the_database_file_never_contains_the_raw_telegram_id(make_conversation, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    db_path = tmp_path / "private.sqlite"
    conversation = make_conversation(db_path)
    for text in ("/start", "зарплату не платят, мой номер +996 555 123 456", "patent kerekpi"):
        conversation.handle(Incoming(RAW_ID, text, language_code="ru"))
    conversation.handle(Incoming(RAW_ID, button="f:1:unpaid_wages"))
    conversation.handle(Incoming(RAW_ID, button="c:RU"))
    conversation.querylog.db.conn.commit()
    conversation.querylog.db.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("private.sqlite*"))
    assert str(RAW_ID).encode() not in stored
    assert b"555 123 456" not in stored and b"555123456" not in stored
    assert str(RAW_ID) not in caplog.text


def test_phone_numbers_in_a_question_are_replaced_before_logging(conversation):
    conversation.handle(Incoming(1, "работодатель не платит, позвоните мне 0555 12 34 56"))
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert "<phone>" in row["text"] and "0555" not in row["text"]


def test_the_same_person_gets_the_same_pseudonym_and_others_a_different_one():
    pseudonymizer = Pseudonymizer(b"k" * 32)
    assert pseudonymizer.user_key(RAW_ID) == pseudonymizer.user_key(RAW_ID)
    assert pseudonymizer.user_key(RAW_ID) != pseudonymizer.user_key(RAW_ID + 1)
    assert pseudonymizer.user_key(RAW_ID) != Pseudonymizer(b"x" * 32).user_key(RAW_ID)


def test_without_a_configured_key_one_is_created_once_readable_only_by_the_owner(tmp_path, capsys):
    key = load_or_create_key(None, tmp_path)
    assert "HELPLINE_HASH_KEY" in capsys.readouterr().err
    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600
    assert load_or_create_key(None, tmp_path) == key
    assert capsys.readouterr().err == ""


def test_rows_older_than_the_retention_period_are_purged(conversation):
    log = conversation.querylog
    now = dt.datetime.now(dt.UTC)
    log.record_query(QueryRecord("k1:old", "ru", "text", "старый вопрос", ts=now - dt.timedelta(days=200)))
    log.record_query(QueryRecord("k1:new", "ru", "text", "новый вопрос", ts=now - dt.timedelta(days=2)))
    removed = log.purge(180)
    texts = [row["text"] for row in log.db["queries"].rows]
    assert removed == 1
    assert texts == ["новый вопрос"]


def test_a_failing_log_never_stops_a_reply_and_catches_up_later(conversation):
    log = conversation.querylog
    real_db = log.db
    real_db.execute("CREATE TRIGGER refuse BEFORE INSERT ON queries BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    outcome = conversation.handle(Incoming(3, "зарплату не платят", force_country="RU"))
    assert outcome.topic == "unpaid_wages" and outcome.replies
    assert log.failures >= 1 and log.pending == 1
    real_db.execute("DROP TRIGGER refuse")
    assert log.flush()
    assert log.pending == 0 and log.lost == 0
    assert real_db["queries"].count == 1


def test_a_locked_database_delays_no_reply_and_loses_no_row(make_conversation, tmp_path):
    import sqlite3

    conversation = make_conversation(tmp_path / "locked.sqlite")
    blocker = sqlite3.connect(tmp_path / "locked.sqlite")
    blocker.execute("BEGIN EXCLUSIVE")
    outcome = conversation.handle(Incoming(4, "зарплату не платят", force_country="RU"))
    assert outcome.topic == "unpaid_wages" and outcome.replies
    assert conversation.querylog.pending == 1
    blocker.rollback()
    blocker.close()
    conversation.handle(Incoming(4, "спасибо"))
    assert conversation.querylog.pending == 0 and conversation.querylog.lost == 0
    assert conversation.querylog.db["queries"].count == 2


def test_a_read_only_database_keeps_rows_in_memory_up_to_a_bound(conversation):
    log = conversation.querylog = QueryLog(conversation.querylog.db, max_pending=3)
    log.db.execute("PRAGMA query_only = ON")
    for n in range(5):
        conversation.handle(Incoming(9, f"вопрос номер {n} про патент"))
    assert log.pending == 3 and log.lost == 2 and log.failures >= 5
    log.db.execute("PRAGMA query_only = OFF")
    assert log.flush() and log.db["queries"].count == 3
