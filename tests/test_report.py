"""The weekly review report, checked figure by figure against a synthetic log with known counts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlite_utils

from bot.config import ConfigError, load_settings
from content.plural import agree
from review import labels as L
from review.period import (
    BISHKEK,
    choose_period,
    last_full_week,
    next_report_time,
    parse_report_time,
    parse_week,
)
from review.report import build_report, csv_tables, least_helpful, render_html, write_report
from review.similar import closest_topics, group_similar
from review.stats import compute_week
from review.terms import count_terms, rising_terms
from review.weekly import build_weekly_delivery
from storage.database import open_database
from tests.conftest import REPO

WEEK = parse_week("2026-W48")  # Mon 23 Nov – Sun 29 Nov 2026, Bishkek time
CHROMIUM = Path("/usr/bin/chromium")


# ---- a synthetic log ---------------------------------------------------------------------


@dataclass
class Log:
    """Rows written to the database, kept in Python so every figure can be recounted here."""

    queries: list[dict] = field(default_factory=list)
    feedback: list[dict] = field(default_factory=list)
    tickets: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    def query(self, local: dt.datetime, user: str, **extra) -> None:
        row = {
            "ts": _utc(local),
            "user_key": user,
            "lang": "ru",
            "country": "RU",
            "entry": "text",
            "topic": None,
            "confidence": 0.9,
            "suggestions": "[]",
            "fallback": 0,
            "danger": None,
            "latency_ms": 100.0,
            "text": "",
        }
        row.update(extra)
        self.queries.append(row)


def _utc(local: dt.datetime) -> str:
    return local.replace(tzinfo=BISHKEK).astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _local(day: dt.date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second, micro))


TOPICS = ["work_permit", "registration", "remittances", "unpaid_wages", "healthcare"]
ROUTINE = {
    "work_permit": ["patent kerekpi", "нужен ли патент в россии", "do i need a work permit"],
    "registration": ["регистрация нужна?", "kattoo kerekpi", "registration in kazakhstan"],
    "remittances": ["как отправить деньги домой", "send money home"],
    "unpaid_wages": ["зарплату не платят", "employer does not pay"],
    "healthcare": ["где лечиться бесплатно", "hospital without insurance"],
}
UNANSWERED = [  # (lang, text, times) in the report week, all free text the router did not answer
    ("ru", "где взять справку о доходах", 5),
    ("ru", "gde vzyat spravku o dohodah", 2),  # the same question in Latin letters: one group
    ("ru", "какая погода завтра", 3),
    ("en", "how do i get a bank card", 1),
]
NEW_APP = "приложение gosuslugi не открывается"  # a rising term only in the report week


def synthetic_log(seed: int = 48) -> Log:
    """Six weeks of traffic before and in 2026-W48, plus rows just outside it."""
    rng = random.Random(seed)
    log = Log()
    first = WEEK.first - dt.timedelta(weeks=5)
    for week in range(6):
        monday = first + dt.timedelta(weeks=week)
        current = week == 5
        for day_index in range(7):
            day = monday + dt.timedelta(days=day_index)
            for i in range(rng.randint(6, 14) + (4 if current else 0)):
                topic = rng.choice(TOPICS)
                log.query(
                    _local(day, rng.randrange(24), rng.randrange(60)),
                    f"user-{rng.randrange(40 + week * 8)}",
                    lang=rng.choice(["ru", "ru", "ky", "en"]),
                    country=rng.choice(["RU", "RU", "KZ", "KR", None]),
                    entry=rng.choice(["text", "text", "text", "menu", "button", "deeplink"]),
                    topic=topic,
                    confidence=round(rng.uniform(0.4, 1.0), 3),
                    latency_ms=round(rng.uniform(20, 900), 1),
                    text=rng.choice(ROUTINE[topic]),
                )
                if current and i == 0:
                    log.query(
                        _local(day, 12), f"user-{rng.randrange(90)}", topic="work_permit", text=NEW_APP, latency_ms=50.0
                    )
            if day_index == 3:  # one menu press without a topic, and a photo
                log.query(_local(day, 9), "user-menu", entry="menu", topic=None, text="menu")
                log.query(_local(day, 10), "user-photo", entry="media", topic=None, text="")
    # This week's unanswered questions, spread over the days.
    for lang, text, times in UNANSWERED:
        for i in range(times):
            log.query(
                _local(WEEK.first + dt.timedelta(days=i % 7), 15, i),
                f"asker-{i}",
                lang=lang,
                text=text,
                fallback=1,
                confidence=0.1,
                topic=None,
                suggestions=json.dumps(["work_permit"]),
            )
    # One unanswered question the previous week.
    log.query(_local(WEEK.first - dt.timedelta(days=3), 11), "asker-0", text="куда жаловаться", fallback=1)
    # Danger answers: two violence and one trafficking this week, one violence the week before.
    for day, kind in ((0, "violence"), (2, "violence"), (4, "trafficking")):
        log.query(
            _local(WEEK.first + dt.timedelta(days=day), 2),
            "user-danger",
            topic="emergency",
            danger=kind,
            text="<danger>",
        )
    log.query(_local(WEEK.first - dt.timedelta(days=2), 2), "user-danger", topic="emergency", danger="violence")
    # Week boundaries in Bishkek time: the first and last millisecond are in, the next one out.
    log.query(_local(WEEK.first, 0, 0, 0, 0), "user-edge", topic="work_permit", text="edge start")
    log.query(_local(WEEK.last, 23, 59, 59, 999000), "user-edge", topic="work_permit", text="edge end")
    log.query(_local(WEEK.last + dt.timedelta(days=1), 0), "user-late", topic="work_permit", text="next week")
    log.query(_local(WEEK.first - dt.timedelta(days=1), 23, 59, 59, 999000), "user-early", topic="registration")
    # Ratings.
    for topic, up, down in (("work_permit", 4, 1), ("registration", 1, 3), ("remittances", 1, 0)):
        for i in range(up + down):
            log.feedback.append(
                {
                    "ts": _utc(_local(WEEK.first + dt.timedelta(days=i % 7), 13)),
                    "user_key": f"r{i}",
                    "topic": topic,
                    "helpful": int(i < up),
                    "lang": "ru",
                }
            )
    log.feedback.append(
        {
            "ts": _utc(_local(WEEK.first - dt.timedelta(days=1), 13)),
            "user_key": "r0",
            "topic": "registration",
            "helpful": 0,
            "lang": "ru",
        }
    )
    # Hand-offs: answered after 10 and 30 minutes, one waiting; last week one after an hour.
    for day, wait, urgent in ((1, 10, 1), (3, 30, 0), (5, None, 0)):
        opened = _local(WEEK.first + dt.timedelta(days=day), 10)
        log.tickets.append(
            {
                "opened": _utc(opened),
                "user_key": f"t{day}",
                "lang": "ru",
                "urgent": urgent,
                "status": "open",
                "first_reply": _utc(opened + dt.timedelta(minutes=wait)) if wait else None,
            }
        )
    opened = _local(WEEK.first - dt.timedelta(days=4), 10)
    log.tickets.append(
        {
            "opened": _utc(opened),
            "user_key": "t9",
            "lang": "ky",
            "urgent": 0,
            "status": "closed",
            "first_reply": _utc(opened + dt.timedelta(minutes=60)),
        }
    )
    # Operational events.
    for day, kind, detail in (  # as bot/telegram/runner.py and uncertain.py record them
        (0, "update_failed", ""),
        (1, "update_failed", ""),
        (2, "reply_refused", ""),
        (3, "log_failure", "5"),
        (4, "log_failure", "3"),
        (5, "reply_given_up", ""),
        (5, "update_unreadable", ""),
        (6, "answer_offered_again", ""),
        (6, "answer_offered_again", ""),
        (-2, "update_failed", ""),
    ):
        log.events.append({"ts": _utc(_local(WEEK.first + dt.timedelta(days=day), 8)), "kind": kind, "detail": detail})
    return log


def write_log(log: Log, path: Path) -> sqlite_utils.Database:
    db = open_database(path)
    db["queries"].insert_all(log.queries)
    db["feedback"].insert_all(log.feedback)
    db["tickets"].insert_all(log.tickets)
    db["events"].insert_all(log.events)
    return db


def in_period(ts: str, start: dt.datetime, end: dt.datetime) -> bool:
    moment = dt.datetime.fromisoformat(ts)
    return start <= moment < end


def expected(log: Log, period) -> dict:
    """Every figure recounted in plain Python from the rows written."""
    rows = [r for r in log.queries if in_period(r["ts"], period.start_utc, period.end_utc)]
    before = {r["user_key"] for r in log.queries if dt.datetime.fromisoformat(r["ts"]) < period.start_utc}
    users = {r["user_key"] for r in rows}
    local = [dt.datetime.fromisoformat(r["ts"]).astimezone(BISHKEK) for r in rows]
    latencies = sorted(r["latency_ms"] for r in rows)
    text_rows = [r for r in rows if r["entry"] == "text"]

    def rank(p: int) -> float | None:
        return latencies[-(-p * len(latencies) // 100) - 1] if latencies else None

    feedback: dict[str, list[int]] = {}
    for f in log.feedback:
        if in_period(f["ts"], period.start_utc, period.end_utc):
            feedback.setdefault(f["topic"], [0, 0])[0 if f["helpful"] else 1] += 1
    waits = sorted(
        (dt.datetime.fromisoformat(t["first_reply"]) - dt.datetime.fromisoformat(t["opened"])).total_seconds() / 60
        for t in log.tickets
        if in_period(t["opened"], period.start_utc, period.end_utc) and t["first_reply"]
    )
    tickets = [t for t in log.tickets if in_period(t["opened"], period.start_utc, period.end_utc)]
    events = [e for e in log.events if in_period(e["ts"], period.start_utc, period.end_utc)]
    return {
        "messages": len(rows),
        "by_day": Counter(moment.date().isoformat() for moment in local),
        "by_hour": Counter(moment.hour for moment in local),
        "users": len(users),
        "returning": len(users & before),
        "new": len(users - before),
        "by_lang": Counter(r["lang"] for r in rows),
        "by_country": Counter(r["country"] or "" for r in rows),
        "by_entry": Counter(r["entry"] for r in rows),
        "topics": Counter(r["topic"] for r in rows if r["topic"]),
        "text_messages": len(text_rows),
        "fallbacks": sum(r["fallback"] for r in text_rows),
        "danger": Counter(r["danger"] for r in rows if r["danger"]),
        "p50": rank(50),
        "p95": rank(95),
        "feedback": {t: tuple(v) for t, v in feedback.items()},
        "handoffs": len(tickets),
        "answered": len(waits),
        "urgent": sum(t["urgent"] for t in tickets),
        "median": (waits[(len(waits) - 1) // 2] + waits[len(waits) // 2]) / 2 if waits else None,
        "errors": sum(e["kind"] == "update_failed" for e in events),
        "send_failures": sum(e["kind"] in ("reply_refused", "reply_given_up") for e in events),
        "log_failures": sum(int(e["detail"]) for e in events if e["kind"] == "log_failure"),
    }


@pytest.fixture(scope="module")
def log() -> Log:
    return synthetic_log()


@pytest.fixture(scope="module")
def db_path(log: Log, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "helpline.sqlite"
    db = write_log(log, path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so a copy of the file alone holds every row
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def report(db_path: Path, knowledge):
    return build_report(
        db_path, WEEK, lang="en", now=dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC), knowledge=knowledge
    )


@pytest.fixture(scope="module")
def html(report) -> str:
    return render_html(report)


# ---- periods and the schedule ------------------------------------------------------------


def test_iso_week_is_monday_to_sunday_in_bishkek_with_utc_bounds():
    assert (WEEK.first, WEEK.last, WEEK.label) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29), "2026-W48")
    assert WEEK.start_utc == dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC)
    assert WEEK.end_utc == dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.UTC)
    assert WEEK.previous().label == "2026-W47" and parse_week("2027W01").first == dt.date(2027, 1, 4)
    with pytest.raises(ValueError):
        parse_week("2026-W54")
    with pytest.raises(ValueError):
        parse_week("last week")


def test_the_default_is_the_last_week_that_ended_in_bishkek():
    # Monday 30 Nov 03:00 in Bishkek is still Sunday 21:00 UTC: W48 has just ended.
    assert last_full_week(dt.datetime(2026, 11, 29, 21, 0, tzinfo=dt.UTC)).label == "2026-W48"
    # Sunday 29 Nov 23:00 in Bishkek: W48 is not over yet.
    assert last_full_week(dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)).label == "2026-W47"
    assert last_full_week(dt.datetime(2027, 1, 5, 12, 0, tzinfo=dt.UTC)).label == "2026-W53"


def test_a_date_range_and_its_previous_period():
    period = choose_period(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 10))
    assert period.days == 10 and period.label == "2026-11-01_2026-11-10"
    assert (period.previous().first, period.previous().last) == (dt.date(2026, 10, 22), dt.date(2026, 10, 31))
    with pytest.raises(ValueError):
        choose_period(week="2026-W48", since=dt.date(2026, 11, 1))
    with pytest.raises(ValueError):
        choose_period(since=dt.date(2026, 11, 10), until=dt.date(2026, 11, 1))


def test_next_report_time_is_monday_nine_in_bishkek_or_as_configured():
    before = dt.datetime(2026, 11, 30, 2, 59, tzinfo=dt.UTC)  # Monday 08:59 in Bishkek
    assert next_report_time(before) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=BISHKEK)
    at = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # exactly Monday 09:00: the next one is a week later
    assert next_report_time(at) == dt.datetime(2026, 12, 7, 9, 0, tzinfo=BISHKEK)
    wednesday = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
    assert next_report_time(wednesday, "fri 17:30") == dt.datetime(2026, 12, 4, 17, 30, tzinfo=BISHKEK)
    assert next_report_time(wednesday, "Friday 7:05").hour == 7
    assert parse_report_time("SUN 23:59") == (6, dt.time(23, 59))
    for bad in ("MONKEY 09:00", "MON 25:00", "09:00", "MON"):
        with pytest.raises(ValueError):
            parse_report_time(bad)
    assert load_settings({"HELPLINE_REPORT_TIME": "TUE 08:00"}).report_time == "TUE 08:00"
    assert load_settings({}).report_time == "MON 09:00"
    with pytest.raises(ConfigError, match="HELPLINE_REPORT_TIME"):
        load_settings({"HELPLINE_REPORT_TIME": "someday"})
    with pytest.raises(ConfigError, match="HELPLINE_REPORT_LANG"):
        load_settings({"HELPLINE_REPORT_LANG": "fr"})


# ---- every figure ------------------------------------------------------------------------


def test_traffic_figures_match_the_rows_written(report, log):
    cur, want = report.current, expected(log, WEEK)
    assert cur.messages == want["messages"] and cur.messages > 100
    assert cur.by_day == {day.isoformat(): want["by_day"][day.isoformat()] for day in WEEK.dates()}
    assert list(cur.by_day) == [d.isoformat() for d in WEEK.dates()]
    assert cur.by_hour == [want["by_hour"][h] for h in range(24)]
    assert sum(cur.by_hour) == sum(cur.by_day.values()) == cur.messages
    assert (cur.users, cur.new_users, cur.returning_users) == (want["users"], want["new"], want["returning"])
    assert cur.new_users > 0 and cur.returning_users > 0
    assert cur.by_lang == dict(want["by_lang"]) and cur.by_country == dict(want["by_country"])
    assert cur.by_entry == dict(want["by_entry"]) and cur.topics == dict(want["topics"])
    assert list(cur.topics.values()) == sorted(cur.topics.values(), reverse=True)


def test_week_boundaries_follow_bishkek_midnight(report, log):
    edge = [r for r in log.queries if r["user_key"] in ("user-edge", "user-late", "user-early")]
    assert len(edge) == 4
    by_day = report.current.by_day
    assert by_day["2026-11-23"] >= 1 and by_day["2026-11-29"] >= 1
    assert report.current.by_hour[0] >= 1 and report.current.by_hour[23] >= 1
    assert "user-late" not in {r["user_key"] for r in log.queries if in_period(r["ts"], WEEK.start_utc, WEEK.end_utc)}


def test_previous_week_and_deltas(report, log):
    prev, want = report.previous, expected(log, WEEK.previous())
    assert prev.messages == want["messages"] and prev.by_day == {
        d.isoformat(): want["by_day"][d.isoformat()] for d in WEEK.previous().dates()
    }
    assert (prev.users, prev.new_users, prev.returning_users) == (want["users"], want["new"], want["returning"])
    assert prev.topics == dict(want["topics"]) and prev.danger == {"violence": 1}
    assert prev.fallbacks == 1 and prev.handoffs_asked == 1 and prev.median_first_reply_min == 60.0
    assert prev.errors == 1 and prev.unanswered == []  # not needed for the previous week


def test_unanswered_and_fallback_rate(report, log, knowledge):
    cur, want = report.current, expected(log, WEEK)
    assert (cur.text_messages, cur.fallbacks) == (want["text_messages"], want["fallbacks"]) and cur.fallbacks == 11
    assert cur.fallback_rate == pytest.approx(11 / want["text_messages"])
    assert [(u.lang, u.text, u.count) for u in cur.unanswered] == sorted(UNANSWERED, key=lambda u: (-u[2], u[1]))
    assert cur.unanswered_distinct == 4
    groups = report.groups
    assert [g.count for g in groups] == [7, 3, 1]
    assert [u.text for u in groups[0].items] == ["где взять справку о доходах", "gde vzyat spravku o dohodah"]
    for group in groups:
        (topic, confidence), *_ = closest_topics(knowledge.router, group.items[0].text, 1)[0]
        # The report trains its own router on the same content: the same verdict, to training noise.
        assert group.closest == topic and group.confidence == pytest.approx(confidence, abs=0.02)


def test_feedback_safety_and_health_figures(report, log):
    cur, want = report.current, expected(log, WEEK)
    assert cur.feedback == want["feedback"] == {"work_permit": (4, 1), "registration": (1, 3), "remittances": (1, 0)}
    assert least_helpful(cur) == [("registration", 1, 3), ("work_permit", 4, 1)]
    assert cur.danger == {"violence": 2, "trafficking": 1} and cur.danger_total == 3
    assert (cur.handoffs_asked, cur.handoffs_answered, cur.handoffs_urgent) == (3, 2, 1)
    assert cur.median_first_reply_min == want["median"] == 20.0
    assert (cur.latency_p50, cur.latency_p95) == (want["p50"], want["p95"])
    assert (cur.errors, cur.send_failures, cur.log_failures) == (2, 2, 8)
    assert (cur.unreadable_updates, cur.offered_again, cur.database_replaced) == (1, 2, 0)


def test_rising_terms_find_the_new_app_and_not_the_usual_words(report):
    terms = [t.term for t in report.current.rising]
    assert any("gosuslugi" in term for term in terms), terms
    assert not any("patent" in term or "регистрация" in term for term in terms), terms
    gosuslugi = next(t for t in report.current.rising if "gosuslugi" in t.term)
    assert gosuslugi.count == 7 and gosuslugi.baseline_per_period == 0
    assert report.current.rising_baseline_messages > 0


def test_rising_terms_by_hand():
    def corpus(*texts: tuple[str, int]):
        return count_terms("\n".join(text for text, times in texts for _ in range(times)), sum(t for _, t in texts))

    before = corpus(("patent kerek", 40), ("patent kancha", 40), ("registration", 20))
    now = corpus(("patent kerek", 10), ("Новый закон о мигрантах", 6), ("новый закон", 2), ("registration", 5))
    terms = rising_terms(now, before, 4)
    # The phrase, not its two words that rose only inside it; "закон о мигрантах" is no
    # phrase of two neighbouring words, so "мигрантах" stands on its own.
    assert [(t.term, t.count, t.ratio) for t in terms] == [("новый закон", 8, 9.0), ("мигрантах", 6, 7.0)]
    # Spellings are merged by skeleton: Cyrillic and Latin "patent" are one term.
    merged = rising_terms(corpus(("патент", 2), ("patent", 3)), corpus(("другое", 9)), 1)
    assert [(t.term, t.count) for t in merged] == [("patent", 5)]
    assert rising_terms(now, corpus(), 4) == []
    # No phrase across two messages.
    assert ("kerek", "новый") not in corpus(("patent kerek", 1), ("новый закон", 1)).pairs()


def test_similar_questions_group_and_different_ones_do_not():
    texts = ["patent kancha turat", "патент канча турат", "pattent kancha", "какая погода завтра", "погода завтра"]
    groups = group_similar(texts, [5, 3, 1, 2, 1])
    assert sorted(map(sorted, groups)) == [[0, 1, 2], [3, 4]]
    assert groups[0][0] == 0  # the most frequent text leads its group
    assert group_similar([], []) == []


# ---- the page ----------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str]] = []
        self.figures: dict[str, str] = {}
        self.text: list[str] = []
        self._figure: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "data-figure":
                self._figure = value
                self.figures[value] = ""

    def handle_endtag(self, tag):
        self._figure = None

    def handle_data(self, data):
        self.text.append(data)
        if self._figure:
            self.figures[self._figure] += data


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def test_html_is_self_contained(html):
    page = parse(html)
    assert page.tags["html"] == 1 and page.tags["style"] == 1 and page.tags["svg"] >= 3
    assert page.tags["script"] == 0 and page.tags["link"] == 0 and page.tags["img"] == 0
    assert page.tags["iframe"] == 0 and page.tags["object"] == 0
    for tag, name, value in page.attrs:
        if name in ("src", "href", "xlink:href", "action", "poster", "srcset"):
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html


def test_html_shows_every_figure(html, report, log):
    page = parse(html)
    text = " ".join(" ".join(page.text).split())
    want = expected(log, WEEK)
    assert page.figures["messages"] == f"{want['messages']:,}"
    assert page.figures["users"] == str(want["users"]) and page.figures["new_users"] == str(want["new"])
    assert page.figures["returning_users"] == str(want["returning"])
    assert page.figures["fallback_rate"] == f"{11 / want['text_messages'] * 100:.1f}%"
    assert page.figures["danger_answers"] == "3" and page.figures["handoffs_asked"] == "3"
    assert page.figures["median_first_reply"].replace("\xa0", " ") == "20.0 min"
    assert page.figures["latency_p50"] == f"{want['p50']:,.0f}"
    assert page.figures["latency_p95"].replace("\xa0", " ") == f"{want['p95']:,.0f} ms"
    assert (page.figures["errors"], page.figures["send_failures"], page.figures["log_failures"]) == ("2", "2", "8")
    assert (page.figures["unreadable_updates"], page.figures["offered_again"]) == ("1", "2")
    assert page.figures["fallback_line"].startswith(f"11 of {want['text_messages']} free-text messages")
    for day in WEEK.dates():
        assert f"{L.short_date(day, 'en')} {want['by_day'][day.isoformat()]}" in text
    for topic, n in want["topics"].items():
        assert f"{report.titles[topic]} ({topic}) {n}" in text
    for lang, question, times in UNANSWERED:
        assert f"{lang} {question} ×{times}" in text
    for term in report.current.rising:
        assert term.term in text
    assert "Registering your stay (registration): 1 👍 / 3 👎" in text
    assert "violence 2 1" in text and "trafficking 1 0" in text


def test_html_shows_week_over_week_changes(html, report, log):
    cur, prev = expected(log, WEEK), expected(log, WEEK.previous())
    diff = cur["messages"] - prev["messages"]
    share = round(abs(diff) / prev["messages"] * 100)
    sign = "+" if diff > 0 else "−"
    assert f'{cur["messages"]:,}</div><span class="chg' in html
    assert f"{sign}{abs(diff)} ({sign}{share}%)" in html
    # Danger answers: 3 now, 1 before → +2 (+200%); errors 2 vs 1, a rise is bad news.
    assert "+2 (+200%)" in html and '<span class="chg up bad">+1 (+100%)</span>' in html
    # The median first reply fell from 60 to 20 minutes: good news.
    assert '<span class="chg down good">−40.0 (−67%)</span>' in html


def test_user_keys_never_reach_the_report(html, report, log, tmp_path):
    written = write_report(report, tmp_path)
    everything = html + "".join(path.read_text(encoding="utf-8-sig") for path in written[1:])
    for key in {r["user_key"] for r in log.queries} | {f["user_key"] for f in log.feedback}:
        assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", everything), key


def test_csv_tables_hold_the_same_figures(report, log, tmp_path):
    written = write_report(report, tmp_path)
    assert written[0].name == "helpline-report-2026-W48.html"
    names = {p.name.removeprefix("helpline-report-2026-W48-") for p in written[1:]}
    assert names == {f"{n}.csv" for n in csv_tables(report)}

    def read(name: str) -> list[dict]:
        with (tmp_path / f"helpline-report-2026-W48-{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))

    want, prev = expected(log, WEEK), expected(log, WEEK.previous())
    summary = {row["metric"]: row for row in read("summary")}
    assert summary["messages"]["this_period"] == str(want["messages"])
    assert summary["messages"]["previous_period"] == str(prev["messages"])
    assert summary["log_failures"]["this_period"] == "8"
    assert {row["date"]: int(row["messages"]) for row in read("by_day")} == {
        d.isoformat(): want["by_day"][d.isoformat()] for d in WEEK.dates()
    }
    assert {row["topic"]: int(row["this_period"]) for row in read("topics") if int(row["this_period"])} == dict(
        want["topics"]
    )
    unanswered = read("unanswered")
    assert [(r["group"], r["text"], r["count"]) for r in unanswered][:2] == [
        ("1", "где взять справку о доходах", "5"),
        ("1", "gde vzyat spravku o dohodah", "2"),
    ]
    assert {r["kind"]: r["this_period"] for r in read("danger")} == {"violence": "2", "trafficking": "1"}


def test_russian_labels(db_path, knowledge):
    report = build_report(db_path, WEEK, lang="ru", knowledge=knowledge)
    html = render_html(report)
    assert '<html lang="ru">' in html and L.LABELS["ru"]["title"] in html
    assert "Разрешение на работу" in html  # topic titles in Russian too
    assert L.LABELS["en"]["unanswered"] not in html
    with pytest.raises(ValueError):
        build_report(db_path, WEEK, lang="ky")


def test_every_label_exists_in_both_languages():
    assert set(L.LABELS["en"]) == set(L.LABELS["ru"])


def test_a_week_without_traffic_says_so(db_path, knowledge):
    report = build_report(db_path, parse_week("2025-W10"), knowledge=knowledge)
    html = render_html(report)
    assert report.no_traffic and not report.empty_log
    assert L.LABELS["en"]["no_traffic"] in html and 'id="traffic"' not in html
    assert 'id="content-health"' in html and 'id="health"' in html


def test_an_empty_database_gives_a_report_that_says_so(tmp_path, knowledge):
    open_database(tmp_path / "empty.sqlite")
    report = build_report(tmp_path / "empty.sqlite", WEEK, knowledge=knowledge)
    html = render_html(report)
    assert report.empty_log and report.current.messages == 0 and report.groups == []
    assert L.LABELS["en"]["empty_db"] in html
    assert all(rows is not None for _, rows in csv_tables(report).values())
    stats = compute_week(tmp_path / "missing.sqlite", WEEK.start_utc, WEEK.end_utc)
    assert stats.messages == 0 and stats.latency_p50 is None and stats.fallback_rate is None
    assert not (tmp_path / "missing.sqlite").exists()  # reading the log never creates one


def test_content_health_lists_unreviewed_files_and_overdue_answers(report, content):
    assert report.content.unreviewed == [str(p.relative_to(content.directory)) for p in content.unreviewed()]
    assert report.content.overdue == sorted(
        (t.id, t.review_by) for t in content.topics.values() if t.review_by < WEEK.last
    )
    assert report.content.problems == 0 and report.content.error is None


def test_broken_content_still_gives_a_report(db_path, tmp_path):
    # No router without content: the groups still come out, naming no closest topic.
    report = build_report(db_path, WEEK, content_dir=tmp_path / "nowhere")
    assert report.content.error and report.groups[0].closest is None
    assert "could not be read" in render_html(report)


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium")
def test_headless_chromium_renders_and_prints_the_report(html, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Helpline weekly review" in dom.stdout and "<svg" in dom.stdout
    pdf = tmp_path / "report.pdf"
    printed = subprocess.run(
        [*flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


_MEASURE_LABELS = """<pre id="label-boxes"></pre><script>
const boxes = [...document.querySelectorAll("svg")].map(svg => [...svg.querySelectorAll("text.axis-label")]
  .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; }));
document.getElementById("label-boxes").textContent = JSON.stringify(boxes);
</script>"""


def _overlapping_labels(page_html: str, folder: Path) -> tuple[int, list]:
    """(labels seen, overlapping pairs) of every chart's axis labels, measured by Chromium."""
    page = folder / "measured.html"
    page.write_text(page_html.replace("</body>", _MEASURE_LABELS + "</body>"), encoding="utf-8")
    flags = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,2000",
        f"--user-data-dir={folder / 'profile'}",
    ]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = json.loads(re.search(r'<pre id="label-boxes">(.*?)</pre>', dom.stdout, re.S).group(1))
    overlaps = [
        (a, b)
        for boxes in charts
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
    ]
    return sum(len(boxes) for boxes in charts), overlaps


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium")
@pytest.mark.parametrize("days", [7, 31])
def test_a_reviewer_can_read_every_axis_label_of_a_week_or_a_month(db_path, knowledge, tmp_path, days):
    period = choose_period(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 1) + dt.timedelta(days=days - 1))
    page = render_html(build_report(db_path, period, lang="en", knowledge=knowledge))
    seen, overlaps = _overlapping_labels(page, tmp_path)
    assert seen >= 10 and overlaps == []


def test_a_month_is_titled_by_its_dates_not_its_file_key(db_path, knowledge):
    period = choose_period(since=dt.date(2026, 11, 1), until=dt.date(2026, 11, 30))
    page = render_html(build_report(db_path, period, lang="en", knowledge=knowledge))
    for tag in ("title", "h1"):
        heading = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S).group(1)
        assert "1 – 30 Nov 2026" in heading and "2026-11-01" not in heading
    assert "helpline review --since 2026-11-01 --until 2026-11-30" in page
    assert L.date_range(dt.date(2026, 11, 28), dt.date(2026, 12, 4), "en") == "28 Nov – 4 Dec 2026"
    assert L.date_range(dt.date(2026, 12, 28), dt.date(2027, 1, 3), "en") == "28 Dec 2026 – 3 Jan 2027"


# ---- delivery and the command ------------------------------------------------------------


def test_weekly_delivery_gives_summary_html_and_file_name(db_path, log, tmp_path, knowledge):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(db_path, data / "helpline.sqlite")
    now = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # Monday 09:00 in Bishkek
    summary, page, filename = build_weekly_delivery(data / "helpline.sqlite", now=now, lang="en", knowledge=knowledge)
    want, prev = expected(log, WEEK), expected(log, WEEK.previous())
    assert filename == "helpline-report-2026-W48.html" and page.startswith(b"<!DOCTYPE html>")
    lines = summary.splitlines()
    assert 3 <= len(lines) <= 7 and lines[0] == "Helpline 2026-W48 (23 – 29 Nov 2026)"
    diff = want["messages"] - prev["messages"]
    assert lines[1].startswith(f"{want['messages']} messages ({'+' if diff > 0 else '−'}{abs(diff)} ")
    assert f"{want['users']} people ({want['new']} new)" in lines[1]
    assert "Hand-offs: 3 asked, 2 answered, median first reply 20.0 min" in summary
    summary, _, _ = build_weekly_delivery(
        tmp_path / "nothing" / "helpline.sqlite", WEEK, lang="ru", knowledge=knowledge
    )
    assert summary.splitlines()[1] == L.LABELS["ru"]["summary_empty"]


def _cli_env(data: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TELEGRAM_"))}
    environment.update(HELPLINE_DATA_DIR=str(data), HELPLINE_HASH_KEY="cli-test-key-0123456789")
    return environment


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
def test_report_command_writes_html_and_csv(report, db_path, log, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(db_path, data / "helpline.sqlite")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "report", "--week", "2026-W48", "--out", str(out), "--lang", "ru"],
        capture_output=True,
        text=True,
        env=_cli_env(data),
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Горячая линия 2026-W48")
    messages = expected(log, WEEK)["messages"]
    assert f"{messages} {agree(messages, ['сообщение', 'сообщения', 'сообщений'], 'ru')} (" in result.stdout
    assert (out / "helpline-report-2026-W48.html").exists()
    assert len(list(out.glob("helpline-report-2026-W48-*.csv"))) == len(csv_tables(report))
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "report", "--week", "2026-W60"],
        capture_output=True,
        text=True,
        env=_cli_env(data),
        cwd=REPO,
        timeout=120,
    )
    assert bad.returncode == 2 and "no ISO week 60" in bad.stderr


@pytest.mark.e2e  # a real process (subprocess, signals or a browser)
def test_report_command_on_a_missing_log(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "report",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-07",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=_cli_env(tmp_path / "data"),
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "helpline-report-2026-11-01_2026-11-07.html").read_text(encoding="utf-8")
    assert L.LABELS["en"]["empty_db"] in page
    assert not (tmp_path / "data" / "helpline.sqlite").exists()


def test_the_page_shows_the_biggest_groups_and_points_to_the_csv_for_the_rest(report, monkeypatch):
    monkeypatch.setattr("review.report.GROUPS_SHOWN", 1)
    html = render_html(report)
    assert "2 smaller groups are in helpline-report-2026-W48-unanswered.csv." in html
    assert "где взять справку о доходах" in html and "how do i get a bank card" not in html
    assert len(csv_tables(report)["unanswered"][1]) == 4
