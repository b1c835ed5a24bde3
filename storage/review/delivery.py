"""What the running bot posts to the caseworkers' chat each week, and when.

The Telegram front end calls `build_weekly_delivery` (on schedule, or on /report from an
admin) and sends the summary as a message and the HTML as a document; `next_delivery`
tells it when to wake up. Both are pure: no network, no bot objects.

    build_weekly_delivery(settings, week=None, *, lang=None, now=None, knowledge=None)
        -> (summary, html_bytes, filename)      knowledge: the running bot's, so nothing is retrained
    next_delivery(now, environ=None) -> aware datetime in Asia/Bishkek

Settings from the environment (read here, beside the code that uses them):
    HELPLINE_REPORT_TIME  weekday and local time, default "MON 09:00" (Asia/Bishkek)
    HELPLINE_REPORT_LANG  en or ru, default en
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError
from storage.review import labels as L
from storage.review.period import DEFAULT_REPORT_TIME, Period, last_full_week, next_report_time, parse_report_time
from storage.review.report import Formatter, WeeklyReport, build_report, render_html, report_filename

if TYPE_CHECKING:
    from bot.config import Settings
    from handlers.knowledge import Knowledge

TOP_TOPICS_IN_SUMMARY = 3


def model_cache(settings: Settings) -> Path:
    """The folder where the bot keeps its trained models (bot/app.py), shared so reports skip training."""
    return settings.data_dir / "cache"


def report_time(environ: Mapping[str, str] | None = None) -> str:
    """HELPLINE_REPORT_TIME, checked; ConfigError names the variable when it is unusable."""
    spec = ((environ if environ is not None else os.environ).get("HELPLINE_REPORT_TIME") or "").strip()
    spec = spec or DEFAULT_REPORT_TIME
    try:
        parse_report_time(spec)
    except ValueError as error:
        raise ConfigError(f"HELPLINE_REPORT_TIME: {error}") from None
    return spec


def report_lang(environ: Mapping[str, str] | None = None) -> str:
    lang = ((environ if environ is not None else os.environ).get("HELPLINE_REPORT_LANG") or "en").strip().lower()
    if lang not in L.LANGS:
        raise ConfigError(f"HELPLINE_REPORT_LANG must be one of {', '.join(L.LANGS)}, got {lang!r}")
    return lang


def next_delivery(now: dt.datetime, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """The next scheduled report time strictly after `now` (Asia/Bishkek)."""
    return next_report_time(now, report_time(environ))


def build_weekly_delivery(
    settings: Settings,
    week: Period | None = None,
    *,
    lang: str | None = None,
    now: dt.datetime | None = None,
    knowledge: Knowledge | None = None,
) -> tuple[str, bytes, str]:
    """The summary message, the HTML report and its file name for `week` (default: the last full one)."""
    period = week or last_full_week(now)
    report = build_report(
        settings.database_path, period, content_dir=settings.content_dir, lang=lang or report_lang(), now=now,
        knowledge=knowledge, model_cache=model_cache(settings),
    )
    return headline_summary(report), render_html(report).encode("utf-8"), report_filename(report)


def headline_summary(report: WeeklyReport) -> str:
    """A few lines a caseworker reads in the chat before opening the file."""
    words = L.LABELS[report.lang]
    lang = report.lang
    cur, prev = report.current, report.previous
    dates = L.date_range(report.period.first, report.period.last, lang)
    lines = [words["summary_title"].format(label=report.period.label, dates=dates)]
    if report.no_traffic:
        lines.append(words["summary_empty"])
        return "\n".join(lines)
    f = Formatter(report)
    lines.append(words["summary_messages"].format(
        messages=f.num(cur.messages), change=f.plain_delta(cur.messages, prev.messages),
        users=f.num(cur.users), new=f.num(cur.new_users),
    ))
    lines.append(words["summary_fallback"].format(
        rate=f.pct(cur.fallback_rate), change=f.plain_delta_pp(cur.fallback_rate, prev.fallback_rate),
    ))
    median = "—"
    if cur.median_first_reply_min is not None:
        median = f"{f.num(cur.median_first_reply_min, 1)} {words['minutes']}"
    lines.append(words["summary_safety"].format(
        danger=f.num(cur.danger_total), asked=f.num(cur.handoffs_asked),
        answered=f.num(cur.handoffs_answered), median=median,
    ))
    if cur.topics:
        top = list(cur.topics.items())[:TOP_TOPICS_IN_SUMMARY]
        lines.append(words["summary_topics"].format(
            topics=", ".join(f"{report.titles.get(t, t)} {f.num(n)}" for t, n in top),
        ))
    if cur.rising:
        lines.append(words["summary_rising"].format(terms=", ".join(t.term for t in cur.rising[:3])))
    return "\n".join(lines)
