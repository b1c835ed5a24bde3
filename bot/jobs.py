"""Jobs the running bot does by itself: watch the content, purge old rows, post the report,
remind admins of answers past their review date.

They take a `send(chat_id, outcome)` coroutine from the front end, so the same jobs run
under aiogram and python-telegram-bot. A failing job is logged and tried again next time;
it never stops the bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.alerts import send_queued_alerts
from bot.app import Helpline
from bot.reloader import ReloadResult
from content.clock import BISHKEK
from handlers.replies import Document, Outcome, Reply

log = logging.getLogger(__name__)
Send = Callable[[int, Outcome], Awaitable[None]]
WATCH_SECONDS = 5.0
PURGE_SECONDS = 24 * 3600.0
WEEK_SECONDS = 7 * 24 * 3600.0


def start_jobs(helpline: Helpline, send: Send) -> list[asyncio.Task[None]]:
    """Start every job; the caller cancels the tasks when the bot stops."""
    jobs = [
        helpline.reloader.watch(WATCH_SECONDS, lambda result: tell_admins(helpline, send, result)),
        purge_daily(helpline),
    ]
    if helpline.settings.caseworker_chat_id is not None:
        jobs.append(post_weekly_report(helpline, send))
    if helpline.settings.admin_ids:
        jobs.append(remind_overdue_reviews(helpline, send))
    jobs.append(send_queued_alerts(helpline, send))  # sends what /alert ID queued (bot/alerts.py)
    return [asyncio.create_task(job) for job in jobs]


async def tell_admins(helpline: Helpline, send: Send, result: ReloadResult) -> None:
    """Content that changed on disk and could not be served: admins get the path:line list."""
    if result.ok:
        return
    content = helpline.conversation.knowledge.content
    lang = "ru" if "ru" in content.languages else content.languages[0]
    words = content.ui[lang]["admin"]
    text = words["reload_failed"] + "\n" + "\n".join(result.problems[:30])
    for admin in sorted(helpline.settings.admin_ids):
        await _quietly(send(admin, Outcome([Reply(text)], lang)))


async def purge_daily(helpline: Helpline) -> None:
    while True:
        await asyncio.sleep(PURGE_SECONDS)
        try:
            removed = await asyncio.to_thread(helpline.purge)
            log.info("daily purge removed %d row(s)", removed)
        except Exception as error:  # noqa: BLE001 - tried again tomorrow
            log.warning("daily purge failed: %s", type(error).__name__)


async def post_weekly_report(helpline: Helpline, send: Send, now: Callable[[], dt.datetime] | None = None) -> None:
    """Every week at HELPLINE_REPORT_TIME (default Monday 09:00, Bishkek): summary and HTML."""
    from review.period import next_report_time

    clock = now or (lambda: dt.datetime.now(dt.UTC))
    chat = helpline.settings.caseworker_chat_id
    assert chat is not None
    while True:
        due = next_report_time(clock(), helpline.settings.report_time)
        await asyncio.sleep(max(0.0, (due - clock()).total_seconds()))
        try:
            builder = helpline.admin.weekly_report
            if builder is None:
                return
            summary, html, filename = await asyncio.to_thread(builder)
            document = Document(filename, html, summary.splitlines()[0] if summary else "")
            await send(chat, Outcome([Reply(summary)], "ru", documents=[document]))
        except Exception as error:  # noqa: BLE001 - next week's report is still due
            log.warning("weekly report not posted: %s", type(error).__name__)


async def remind_overdue_reviews(
    helpline: Helpline,
    send: Send,
    now: Callable[[], dt.datetime] | None = None,
) -> None:
    """At start-up, then each week when the report is due: admins hear which answers are past review_by."""
    from review.period import next_report_time

    clock = now or (lambda: dt.datetime.now(dt.UTC))
    while True:
        try:
            await tell_admins_overdue(helpline, send, clock().astimezone(BISHKEK).date())
        except Exception as error:  # noqa: BLE001 - next week's reminder is still due
            log.warning("review reminder not sent: %s", type(error).__name__)
        wait = (next_report_time(clock(), helpline.settings.report_time) - clock()).total_seconds()
        await asyncio.sleep(max(0.0, wait))


async def tell_admins_overdue(helpline: Helpline, send: Send, today: dt.date) -> None:
    """One message per admin listing each topic whose review_by has passed; nothing when none has."""
    content = helpline.conversation.knowledge.content
    overdue = sorted((t.review_by, t.id) for t in content.topics.values() if t.review_by < today)
    if not overdue:
        return
    lang = "ru" if "ru" in content.languages else content.languages[0]
    lines = [f"• {topic_id}: review_by {day.isoformat()}" for day, topic_id in overdue]
    text = content.ui[lang]["admin"]["review_overdue"] + "\n" + "\n".join(lines)
    for admin in sorted(helpline.settings.admin_ids):
        await _quietly(send(admin, Outcome([Reply(text)], lang)))


async def _quietly(sending: Awaitable[None]) -> None:
    try:
        await sending
    except Exception as error:  # noqa: BLE001 - a message to an admin is not worth a crash
        log.warning("could not reach an admin: %s", type(error).__name__)
