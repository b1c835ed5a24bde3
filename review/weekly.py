"""What the running bot posts to the caseworkers' chat each week: a short summary and the HTML.

`build_weekly_delivery` is pure (no network, no bot objects, no environment): the bot passes
what it read from its settings, and the running bot's knowledge so nothing is retrained.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from review import labels as L
from review.period import Period, last_full_week
from review.report import Formatter, WeeklyReport, build_report, render_html, report_filename

if TYPE_CHECKING:
    from handlers.knowledge import Knowledge

TOP_TOPICS_IN_SUMMARY = 3


def build_weekly_delivery(
    database_path: Path,
    week: Period | None = None,
    *,
    lang: str = "en",
    content_dir: Path | None = None,
    now: dt.datetime | None = None,
    knowledge: Knowledge | None = None,
    model_cache: Path | None = None,
) -> tuple[str, bytes, str]:
    """The summary message, the HTML report and its file name for `week` (default: the last full one)."""
    period = week or last_full_week(now)
    report = build_report(
        database_path,
        period,
        content_dir=content_dir,
        lang=lang,
        now=now,
        knowledge=knowledge,
        model_cache=model_cache,
    )
    return headline_summary(report), render_html(report).encode("utf-8"), report_filename(report)


def headline_summary(report: WeeklyReport) -> str:
    """A few lines a caseworker reads in the chat before opening the file."""
    words = L.LABELS[report.lang]
    lang = report.lang
    cur, prev = report.current, report.previous
    dates = L.date_range(report.period.first, report.period.last, lang)
    if report.period.is_iso_week:
        lines = [L.say(words["summary_title"], lang, label=report.period.label, dates=dates)]
    else:
        lines = [L.say(words["summary_title_range"], lang, dates=dates)]
    if report.no_traffic:
        lines.append(words["summary_empty"])
        return "\n".join(lines)
    f = Formatter(report)
    lines.append(
        f.say(
            "summary_messages",
            messages=cur.messages,
            change=f.plain_delta(cur.messages, prev.messages),
            users=cur.users,
            new=cur.new_users,
        )
    )
    lines.append(
        f.say(
            "summary_fallback",
            rate=f.pct(cur.fallback_rate),
            change=f.plain_delta_pp(cur.fallback_rate, prev.fallback_rate),
        )
    )
    median = "—"
    if cur.median_first_reply_min is not None:
        median = f"{f.num(cur.median_first_reply_min, 1)} {words['minutes']}"
    lines.append(
        f.say(
            "summary_safety",
            danger=cur.danger_total,
            asked=cur.handoffs_asked,
            answered=cur.handoffs_answered,
            median=median,
        )
    )
    lines.append(f.say("summary_pointer", shown=cur.pointers, pressed=cur.pointers_pressed))
    if cur.topics:
        top = list(cur.topics.items())[:TOP_TOPICS_IN_SUMMARY]
        lines.append(
            f.say(
                "summary_topics",
                topics=", ".join(f"{report.titles.get(t, t)} {f.num(n)}" for t, n in top),
            )
        )
    if cur.rising:
        lines.append(f.say("summary_rising", terms=", ".join(t.term for t in cur.rising[:3])))
    return "\n".join(lines)
