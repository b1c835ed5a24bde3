"""A caseworker signs a language file off; answers past their review date reach people."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.jobs import remind_overdue_reviews, tell_admins_overdue
from content.library import check_content
from content.signoff import SignOffError, sign_off
from tests.conftest import REPO

DAY = dt.date(2026, 11, 29)

COMMENTED = """\
# Checked against the report in November.
reviewed: false                 # true once a caseworker has signed it off
title: Registering your stay    # keep it short
sources: [19, 23, 135]
answer: |
  Line one.

  {% include "hotline.j2" %}
examples:
  - do I need to register   # the most common one
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    shutil.copytree(REPO / "content", directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return directory


def helpline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=REPO)


def test_signing_off_changes_only_the_review_lines_and_keeps_comments_and_layout(tmp_path):
    path = tmp_path / "en.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    sign_off(path, "Aigul T.", DAY)
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = COMMENTED.splitlines()
    expected[1] = "reviewed: true                 # true once a caseworker has signed it off"
    expected[2:2] = ['reviewed_by: "Aigul T."', "reviewed_on: 2026-11-29"]
    assert lines == expected


def test_signing_off_again_replaces_the_reviewer_and_the_day_in_place(tmp_path):
    path = tmp_path / "ky.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    sign_off(path, "Aigul T.", DAY)
    once = path.read_text(encoding="utf-8")
    sign_off(path, "Бакыт  Осмонов", DAY + dt.timedelta(days=3))
    twice = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(once.splitlines(), twice.splitlines(), strict=True) if a != b]
    assert changed == [
        ('reviewed_by: "Aigul T."', 'reviewed_by: "Бакыт Осмонов"'),
        ("reviewed_on: 2026-11-29", "reviewed_on: 2026-12-02"),
    ]


def test_a_sign_off_without_a_name_is_refused_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "ru.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(SignOffError):
        sign_off(path, "   ", DAY)
    assert path.read_text(encoding="utf-8") == COMMENTED


def test_the_signoff_command_marks_the_file_reviewed_and_it_leaves_the_unreviewed_list(content_dir):
    result = helpline("signoff", "registration", "ky", "--by", "Айгүл Т.", "--content", str(content_dir))
    assert result.returncode == 0, result.stderr
    path = content_dir / "topics" / "registration" / "ky.yaml"
    assert f"{path}: reviewed by Айгүл Т. on " in result.stdout
    content, problems = check_content(content_dir)
    assert problems == []
    signoff = content.topics["registration"].texts["ky"].signoff
    assert signoff.reviewed is True and signoff.by == "Айгүл Т." and signoff.on is not None
    listed = helpline("validate", "--unreviewed", str(content_dir)).stdout
    assert f"{path}: not reviewed yet" not in listed
    assert f"{content_dir / 'topics' / 'registration' / 'ru.yaml'}: not reviewed yet" in listed


def test_the_signoff_command_refuses_an_unknown_topic(content_dir):
    result = helpline("signoff", "registraton", "ky", "--by", "Айгүл", "--content", str(content_dir))
    assert result.returncode == 2 and "registraton" in result.stderr


def test_a_file_marked_reviewed_by_hand_without_who_and_when_is_refused(content_dir):
    path = content_dir / "topics" / "pension" / "ru.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed: false", "reviewed: true"), encoding="utf-8")
    assert [str(p) for p in check_content(content_dir)[1]] == [
        f"{path}:1: reviewed: true needs reviewed_by and reviewed_on; use helpline signoff TOPIC LANG --by NAME",
    ]


def test_a_sign_off_dated_in_the_future_is_refused(content_dir):
    path = content_dir / "topics" / "pension" / "ru.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "reviewed: false", 'reviewed: true\nreviewed_by: "Айгүл"\nreviewed_on: 2099-01-01'
    )
    path.write_text(text, encoding="utf-8")
    assert f"{path}:3: reviewed_on 2099-01-01 is in the future" in [str(p) for p in check_content(content_dir)[1]]


def test_validate_warns_once_per_topic_whose_review_date_has_passed_and_still_exits_0(content_dir):
    path = content_dir / "topics" / "pension" / "topic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("review_by: 2027-06-30", "review_by: 2026-01-15"))
    result = helpline("validate", str(content_dir))
    assert result.returncode == 0
    warnings = [line for line in result.stdout.splitlines() if "warning" in line]
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("review_by"))
    expected = f"{path}:{line}: warning: review_by 2026-01-15 has passed; re-check the answers, set a new date"
    assert warnings == [expected]


def test_admins_are_told_which_answers_are_past_their_review_date(content):
    sent: list[tuple[int, str]] = []

    async def send(chat_id, outcome):
        sent.extend((chat_id, reply.text) for reply in outcome.replies)

    bot = SimpleNamespace(
        conversation=SimpleNamespace(knowledge=SimpleNamespace(content=content)),
        settings=SimpleNamespace(admin_ids=frozenset({11, 22})),
    )
    earliest = min(topic.review_by for topic in content.topics.values())
    asyncio.run(tell_admins_overdue(bot, send, earliest))
    assert sent == []
    asyncio.run(tell_admins_overdue(bot, send, earliest + dt.timedelta(days=1)))
    assert [chat for chat, _ in sent] == [11, 22]
    overdue = [t.id for t in content.topics.values() if t.review_by == earliest]
    assert all(f"{topic_id}: review_by {earliest.isoformat()}" in sent[0][1] for topic_id in overdue)
    assert "review_by" in sent[0][1].splitlines()[0]


def test_the_running_bot_tells_admins_at_start_up_and_then_waits_for_the_weekly_report_time(content):
    sent: list[int] = []

    async def send(chat_id, outcome):
        sent.append(chat_id)

    bot = SimpleNamespace(
        conversation=SimpleNamespace(knowledge=SimpleNamespace(content=content)),
        settings=SimpleNamespace(admin_ids=frozenset({11}), report_time="MON 09:00"),
    )
    late = max(topic.review_by for topic in content.topics.values()) + dt.timedelta(days=1)
    now = dt.datetime.combine(late, dt.time(12), tzinfo=dt.UTC)

    async def start_and_stop() -> None:
        job = asyncio.create_task(remind_overdue_reviews(bot, send, now=lambda: now))
        for _ in range(20):  # let the job run up to its first long sleep
            await asyncio.sleep(0)
        assert not job.done()  # asleep until the next report time
        job.cancel()

    asyncio.run(start_and_stop())
    assert sent == [11]
