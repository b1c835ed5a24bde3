"""The caseworkers' desk in a forum: one topic per ticket, answers without Reply, canned answers.

When the caseworkers' chat is a forum supergroup, each ticket opens its own topic named by
number, urgency and language only; what the migrant writes lands in that topic, and what a
caseworker writes there goes back to that migrant alone. Closing from either side closes
the topic. The core tests drive `Conversation` directly; the e2e tests run both front ends
on the Bot API emulator with a forum chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Helpline, build_helpline
from bot.config import load_settings
from bot.telegram import serve
from handlers.actions import CloseTicket, Consent, RateTicket, actions_of, unpack
from handlers.replies import Incoming
from review.period import parse_week
from review.report import build_report, csv_tables, render_html
from review.stats import compute_week
from storage.clock import stamp
from storage.database import open_database
from testing.telegram_emulator import Emulator
from tests.test_handoff import CASEWORKER, CASEWORKERS, MIGRANT, agree, build, migrant
from tests.test_telegram import (  # noqa: F401 - the bot's shared fixtures
    FRAMEWORKS,
    HASH_KEY,
    Person,
    assert_sent_well,
    buttons,
    data_root,
    helpline,
    no_proxy,
    plain,
)

FORUM = -100_888_000
OTHER_MIGRANT = 434343


# -- the core: threads as neutral fields ------------------------------------------------------


@pytest.fixture
def desk(knowledge, tmp_path):
    conversation = build(knowledge, tmp_path / "desk.sqlite")
    conversation.handoff.use_forum(True)
    return conversation


def open_topic(bot, user: int, thread: int) -> int:
    """A migrant agrees; the channel opens the ticket's topic as `thread`. Returns the ticket."""
    opened = agree(bot, user=user)
    [forward] = opened.forwards
    assert forward.chat_id == CASEWORKERS and forward.new_thread is not None
    forward.new_thread.remember(thread)
    ticket = bot.handoff.tickets.open_for(bot.pseudonymizer.user_key(user))
    assert CloseTicket(ticket.id) in actions_of(forward.reply.buttons)
    return ticket.id


def in_topic(bot, thread: int, text: str = "", button: str | None = None):
    return bot.handle(Incoming(CASEWORKER, text, button=button, chat_id=CASEWORKERS, thread=thread))


def test_each_ticket_gets_a_topic_named_by_number_urgency_and_language_only(desk):
    first = agree(desk)
    title = first.forwards[0].new_thread.title
    assert title == "#1 · ru"
    migrant(desk, "мне угрожают, забрали паспорт", user=OTHER_MIGRANT)  # danger: the ticket is urgent
    second = agree(desk, user=OTHER_MIGRANT)
    assert second.forwards[0].new_thread.title == "#2 · срочно · ru"


def test_what_a_caseworker_writes_in_a_topic_reaches_only_that_topics_migrant(desk):
    open_topic(desk, MIGRANT, thread=501)
    open_topic(desk, OTHER_MIGRANT, thread=502)
    to_caseworkers = migrant(desk, "Работодатель не платит").forwards
    assert [(f.chat_id, f.thread) for f in to_caseworkers] == [(CASEWORKERS, 501)]
    to_caseworkers = migrant(desk, "Где продлить патент?", user=OTHER_MIGRANT).forwards
    assert [(f.chat_id, f.thread) for f in to_caseworkers] == [(CASEWORKERS, 502)]

    [reply] = in_topic(desk, 502, "Продлите в центре, где получали.").forwards
    assert reply.chat_id == OTHER_MIGRANT and reply.reply.text.endswith("Продлите в центре, где получали.")
    [reply] = in_topic(desk, 501, "Сохраните переписку.").forwards
    assert reply.chat_id == MIGRANT


def test_the_close_button_in_a_topic_closes_the_ticket_and_its_topic(desk):
    ticket = open_topic(desk, MIGRANT, thread=501)
    forwards = in_topic(desk, 501, button=CloseTicket(ticket).pack()).forwards
    closing = [f for f in forwards if f.chat_id == CASEWORKERS]
    assert [(f.thread, f.close_thread) for f in closing] == [(501, True)]
    [to_migrant] = [f for f in forwards if f.chat_id == MIGRANT]
    assert RateTicket(ticket, 5) in actions_of(to_migrant.reply.buttons)
    assert desk.handoff.tickets.chat_of(ticket) is None  # the sealed way back is gone
    [late] = in_topic(desk, 501, "ещё одно").forwards
    assert late.chat_id == CASEWORKERS and late.thread == 501 and f"#{ticket}" in late.reply.text


def test_the_migrants_close_closes_the_topic(desk):
    open_topic(desk, MIGRANT, thread=501)
    [notice] = migrant(desk, "/close").forwards
    assert (notice.chat_id, notice.thread, notice.close_thread) == (CASEWORKERS, 501, True)


def test_without_a_forum_the_reply_relay_is_unchanged(knowledge, tmp_path):
    bot = build(knowledge, tmp_path / "plain.sqlite")
    [notice] = agree(bot).forwards
    assert notice.new_thread is None and notice.thread is None
    [relayed] = migrant(bot, "Работодатель не платит").forwards
    assert relayed.thread is None and relayed.reply.text.startswith("#1")


def test_send_in_a_topic_gives_the_migrant_the_bots_own_answer(desk):
    migrant(desk, button="c:KR")
    own = migrant(desk, "/start work_permit").replies[-1]
    open_topic(desk, MIGRANT, thread=501)
    forwards = in_topic(desk, 501, "/send work_permit").forwards
    [to_migrant] = [f for f in forwards if f.chat_id == MIGRANT]
    assert to_migrant.reply == own
    [note] = [f for f in forwards if f.chat_id == CASEWORKERS]
    assert note.thread == 501 and "work_permit" in note.reply.text and "KR" in note.reply.text


def test_unknown_ids_and_send_outside_a_topic_get_a_polite_word_in_place(desk):
    open_topic(desk, MIGRANT, thread=501)
    [note] = in_topic(desk, 501, "/send no_such_topic").forwards
    assert note.chat_id == CASEWORKERS and note.thread == 501 and "no_such_topic" in note.reply.text
    [note] = in_topic(desk, None, "/send work_permit").forwards
    assert note.chat_id == CASEWORKERS and note.thread is None
    [listing] = in_topic(desk, 501, "/topics").forwards
    assert "work_permit" in listing.reply.text and "human_handoff" not in listing.reply.text


# -- the weekly report: the desk's figures ----------------------------------------------------


def test_the_weekly_report_counts_opened_closed_first_reply_and_overdue_tickets(knowledge, tmp_path):
    week = parse_week("2026-W48")  # Mon 23 Nov – Sun 29 Nov 2026, Bishkek time
    end = week.end_utc
    db = open_database(tmp_path / "report.sqlite")

    def ticket(opened_h_before_end: float, reply_min: float | None = None, closed_h_before_end: float | None = None):
        opened = end - dt.timedelta(hours=opened_h_before_end)
        db["tickets"].insert(
            {
                "opened": stamp(opened),
                "user_key": "k",
                "lang": "ru",
                "urgent": 0,
                "messages_in": 1,
                "messages_out": 0,
                "first_reply": stamp(opened + dt.timedelta(minutes=reply_min)) if reply_min is not None else None,
                "status": "open" if closed_h_before_end is None else "closed",
                "closed": stamp(end - dt.timedelta(hours=closed_h_before_end))
                if closed_h_before_end is not None
                else None,
            }
        )

    ticket(200, closed_h_before_end=190)  # opened and closed the week before: in neither figure
    ticket(190, reply_min=30, closed_h_before_end=100)  # opened before, closed in this week
    ticket(100, reply_min=10, closed_h_before_end=90)  # opened and closed in this week
    ticket(50, reply_min=50)  # still open, for more than 24 h: overdue
    ticket(30)  # never answered, overdue
    ticket(5, reply_min=5)  # open, but for only 5 hours
    ticket(48, closed_h_before_end=-2)  # closed after the week ended: open at its end, overdue

    db["queries"].insert(
        {
            "ts": stamp(end - dt.timedelta(hours=30)),
            "user_key": "k",
            "lang": "ru",
            "entry": "handoff",
            "fallback": 0,
            "latency_ms": 5.0,
        }
    )  # a week with traffic

    cur = compute_week(db, week.start_utc, end)
    assert (cur.handoffs_asked, cur.handoffs_closed, cur.handoffs_stale) == (5, 2, 3)
    assert cur.median_first_reply_min == 10.0  # waits 10, 50, 5 minutes
    report = build_report(db, week, lang="en", now=end + dt.timedelta(hours=3), knowledge=knowledge)
    page = render_html(report)
    assert 'data-figure="handoffs_closed">2<' in page and 'data-figure="handoffs_stale">3<' in page
    summary = {row[0]: row[1] for row in csv_tables(report)["summary"][1]}
    assert (summary["handoffs_closed"], summary["handoffs_open_over_24h"]) == (2, 3)


# -- on the emulator, both front ends ---------------------------------------------------------


@pytest.fixture(scope="session")
def forum_desk(data_root: Path, helpline: Helpline) -> Helpline:  # noqa: F811
    """A bot whose caseworkers' chat is a forum, reusing the trained models."""
    root = data_root / "desk"
    shutil.copytree(data_root / "data" / "cache", root / "cache")
    environment = {
        "HELPLINE_DATA_DIR": str(root),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "HELPLINE_CONTENT_DIR": str(data_root / "content-snapshot"),
        "HELPLINE_CASEWORKER_CHAT_ID": str(FORUM),
    }
    return build_helpline(load_settings(environment, dotenv=False))


@contextlib.asynccontextmanager
async def on_forum(bot: Helpline, framework: str) -> AsyncIterator[Emulator]:
    emulator = Emulator()
    emulator.forums.add(FORUM)
    await emulator.start()
    settings = replace(bot.settings, token=emulator.token, api_url=emulator.url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, framework, bot, stop))
    try:
        await emulator.wait_for(lambda: bool(emulator.called("getUpdates")) or task.done(), timeout=60)
        if task.done():
            task.result()
        assert bot.conversation.handoff.forum  # getChat said is_forum
        yield emulator
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)
        await emulator.stop()
    assert_sent_well(emulator)


async def ticket_topic(emulator: Emulator, person: Person) -> tuple[int, int]:
    """The person asks for a caseworker and agrees; returns (ticket, its topic's thread)."""
    [consent] = await person.say("/human")
    agreed = next(d for d in buttons(consent) if isinstance(unpack(d), Consent) and unpack(d).agreed)
    [opened] = await person.press(consent, agreed)
    ticket = int(re.search(r"[#№](\d+)", plain(opened)).group(1))
    await emulator.wait_for(lambda: any(t["name"].startswith(f"#{ticket} ") for t in emulator.topics.values()))
    [thread] = [thread for (chat, thread), t in emulator.topics.items() if t["name"].startswith(f"#{ticket} ")]
    await emulator.wait_for(lambda: bool(emulator.topic_texts(FORUM, thread)))
    return ticket, thread


@pytest.mark.e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_two_tickets_in_parallel_never_cross(forum_desk: Helpline, framework: str) -> None:
    async with on_forum(forum_desk, framework) as emulator:
        aida, bakyt = Person(emulator, "ky"), Person(emulator, "ru")
        (ticket_a, topic_a), (ticket_b, topic_b) = await asyncio.gather(
            ticket_topic(emulator, aida), ticket_topic(emulator, bakyt)
        )
        assert topic_a != topic_b
        assert emulator.topics[(FORUM, topic_a)]["name"] == f"#{ticket_a} · ky"
        assert emulator.topics[(FORUM, topic_b)]["name"] == f"#{ticket_b} · ru"

        await asyncio.gather(aida.say("Иш берүүчү айлык төлөбөй жатат"), bakyt.say("Как продлить патент?"))
        await emulator.wait_for(
            lambda: len(emulator.topic_texts(FORUM, topic_a)) >= 2 and len(emulator.topic_texts(FORUM, topic_b)) >= 2
        )
        in_a, in_b = emulator.topic_texts(FORUM, topic_a), emulator.topic_texts(FORUM, topic_b)
        assert any("айлык" in text for text in in_a) and not any("айлык" in text for text in in_b)
        assert any("патент" in text for text in in_b) and not any("патент" in text for text in in_a)
        assert emulator.topic_texts(FORUM, None) == []  # nothing lands outside the topics

        caseworker = Person(emulator, "ru", chat_id=FORUM, chat_type="supergroup")
        seen_a, seen_b = len(aida.seen), len(bakyt.seen)
        await caseworker.say("Продлите в том же центре.", replies=0, thread=topic_b)
        await emulator.wait_for(lambda: len(bakyt.seen) > seen_b)
        assert plain(bakyt.seen[-1]).endswith("Продлите в том же центре.")
        await caseworker.say("Сүйлөшүүнү сактап коюңуз.", replies=0, thread=topic_a)
        await emulator.wait_for(lambda: len(aida.seen) > seen_a)
        assert plain(aida.seen[-1]).endswith("Сүйлөшүүнү сактап коюңуз.")
        assert not any("Продлите" in plain(m) for m in aida.seen)
        assert not any("Сүйлөшүүнү" in plain(m) for m in bakyt.seen)


@pytest.mark.e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_send_gives_the_answer_in_the_migrants_language_and_country(forum_desk: Helpline, framework: str) -> None:
    async with on_forum(forum_desk, framework) as emulator:
        aida = Person(emulator, "ky")
        [menu] = await aida.say("/country")
        await aida.press(menu, "c:KR", replies=2)
        [own] = await aida.say("/start work_permit")
        _, topic = await ticket_topic(emulator, aida)
        caseworker = Person(emulator, "ru", chat_id=FORUM, chat_type="supergroup")

        before, notes = len(aida.seen), len(emulator.topic_texts(FORUM, topic))
        await caseworker.say("/send work_permit", replies=0, thread=topic)
        await emulator.wait_for(lambda: len(aida.seen) > before and len(emulator.topic_texts(FORUM, topic)) > notes)
        sent = aida.seen[-1]
        assert sent["text"] == own["text"] and buttons(sent) == buttons(own)  # Kyrgyz, the Korea variant
        assert "KR" in emulator.topic_texts(FORUM, topic)[-1]

        notes = len(emulator.topic_texts(FORUM, topic))
        await caseworker.say("/send nothing_like_this", replies=0, thread=topic)
        await emulator.wait_for(lambda: len(emulator.topic_texts(FORUM, topic)) > notes)
        assert "nothing_like_this" in emulator.topic_texts(FORUM, topic)[-1]
        assert len(aida.seen) == before + 1  # the unknown id sent the migrant nothing

        await caseworker.say("/topics", replies=0, thread=topic)
        await emulator.wait_for(lambda: "work_permit —" in emulator.topic_texts(FORUM, topic)[-1])


@pytest.mark.e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_close_from_either_side_closes_the_topic(forum_desk: Helpline, framework: str) -> None:
    async with on_forum(forum_desk, framework) as emulator:
        aida, bakyt = Person(emulator, "ky"), Person(emulator, "ru")
        ticket_a, topic_a = await ticket_topic(emulator, aida)
        ticket_b, topic_b = await ticket_topic(emulator, bakyt)

        await aida.say("/close")
        await emulator.wait_for(lambda: emulator.topics[(FORUM, topic_a)]["closed"])
        assert any(d.startswith(f"hr:{ticket_a}:") for d in buttons(aida.seen[-1]))

        notice = next(
            m for m in emulator.chats[FORUM] if m.get("message_thread_id") == topic_b and f"hx:{ticket_b}" in buttons(m)
        )
        caseworker = Person(emulator, "ru", chat_id=FORUM, chat_type="supergroup")
        before = len(bakyt.seen)
        update = emulator.callback_update(caseworker.id, notice, f"hx:{ticket_b}")
        await emulator.push(update)
        await emulator.wait_for(lambda: emulator.topics[(FORUM, topic_b)]["closed"] and len(bakyt.seen) > before)
        assert any(d.startswith(f"hr:{ticket_b}:") for d in buttons(bakyt.seen[-1]))
        assert forum_desk.conversation.handoff.tickets.chat_of(ticket_b) is None

        carol = Person(emulator, "en")
        ticket_c, topic_c = await ticket_topic(emulator, carol)
        before = len(carol.seen)
        await caseworker.say("/close", replies=0, thread=topic_c)
        await emulator.wait_for(lambda: emulator.topics[(FORUM, topic_c)]["closed"] and len(carol.seen) > before)


@pytest.mark.e2e
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_nothing_identifying_is_at_rest(forum_desk: Helpline, framework: str) -> None:
    people: list[Person] = []
    async with on_forum(forum_desk, framework) as emulator:
        for lang in ("ky", "ru"):
            person = Person(emulator, lang)
            people.append(person)
            _, topic = await ticket_topic(emulator, person)
            await person.say("Паспортумду иш берүүчү алып койду")
            caseworker = Person(emulator, "ru", chat_id=FORUM, chat_type="supergroup")
            people.append(caseworker)
            before = len(person.seen)
            await caseworker.say("Понял, помогу.", replies=0, thread=topic)
            await emulator.wait_for(lambda p=person, n=before: len(p.seen) > n)
    forum_desk.querylog.flush()
    data_dir = forum_desk.settings.data_dir
    raw = b"".join(
        path.read_bytes() for path in Path(data_dir).rglob("*") if path.is_file() and "cache" not in path.parts
    )
    assert b"CREATE TABLE" in raw and b"ticket_links" in raw  # the scan reads the database itself
    for person in people:
        for secret in (str(person.id), f"User{person.id}"):
            assert secret.encode() not in raw, f"{secret} found at rest"
    assert str(-FORUM).encode() not in raw  # the caseworkers' chat id is configuration, not data
