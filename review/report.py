"""The weekly review report: figures for a period and the one before, as HTML and CSV.

Entry points:

    build_report(db, period, *, content_dir=None, lang="en", now=None, knowledge=None, model_cache=None)
        -> WeeklyReport   (knowledge: the bot's own, to reuse; model_cache: the bot's model cache folder)
    render_html(report) -> str          one self-contained page (inline CSS and SVG, no script)
    write_report(report, out_dir) -> list[Path]   the page plus one CSV per table

The template lives beside this module (templates/report.html.j2) so the report's code and
layout change together and the bot's wiring in bot/ stays free of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import sqlite_utils
from markupsafe import Markup, escape

from review import labels as L
from review.alert_figures import WORDS as ALERT_WORDS
from review.alert_figures import AlertFigures, alert_tables, compute_alert_figures
from review.charts import bar_list, column_chart
from review.period import Period
from review.similar import closest_topics, group_similar
from review.stats import Pointed, Unanswered, WeekStats, compute_rising, compute_week, reading
from storage.clock import stamp
from storage.redaction import redact

if TYPE_CHECKING:
    from content import Content
    from handlers.knowledge import Knowledge

TEMPLATES = Path(__file__).resolve().parent / "templates"
MIN_RATINGS = 3  # a topic needs this many ratings to be called least helpful
LEAST_HELPFUL = 5
TOP_TOPICS_CHART = 12
GROUPS_SHOWN = 40  # unanswered groups on the page; the CSV has them all
BASELINE_PERIODS = 4


@dataclass(frozen=True)
class UnansweredGroup:
    """Similar unanswered texts, the most frequent first, and where the router would send them."""

    items: tuple[Unanswered, ...]
    count: int
    closest: str | None
    confidence: float
    off_topic: bool  # the router's top class was "off-topic"


@dataclass(frozen=True)
class PointerGroup:
    """Similar messages answered with the line to the emergency contacts (the most frequent
    first): how often sent, how many of their lines were pressed, and the kinds they came close
    to and the topics they were answered with, each the most frequent first."""

    items: tuple[Pointed, ...]
    count: int
    pressed: int
    kinds: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass
class ContentHealth:
    unreviewed: list[str] = field(default_factory=list)  # paths relative to the content folder
    overdue: list[tuple[str, dt.date]] = field(default_factory=list)  # topic id, review_by
    problems: int = 0
    error: str | None = None


@dataclass
class WeeklyReport:
    period: Period
    previous_period: Period
    current: WeekStats
    previous: WeekStats
    groups: list[UnansweredGroup]
    content: ContentHealth
    lang: str
    generated: dt.datetime
    empty_log: bool
    titles: dict[str, str] = field(default_factory=dict)  # topic id → title in the report language
    countries: dict[str, str] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    alerts: AlertFigures | None = None  # review/alert_figures.py
    pointer_groups: list[PointerGroup] = field(default_factory=list)  # answered with the emergency pointer

    @property
    def no_traffic(self) -> bool:
        return self.current.messages == 0


def build_report(
    db: sqlite_utils.Database | sqlite3.Connection | Path | str,
    period: Period,
    *,
    content_dir: Path | str | None = None,
    lang: str = "en",
    now: dt.datetime | None = None,
    knowledge: Knowledge | None = None,
    model_cache: Path | None = None,
) -> WeeklyReport:
    """Compute both periods, group the unanswered questions and check the content's health.

    The closest topic of an unanswered question is the one the running bot would pick, so
    pass the bot's `knowledge` when at hand, or its `model_cache` folder to skip training.
    """
    if lang not in L.LANGS:
        raise ValueError(f"report language must be one of {', '.join(L.LANGS)}, got {lang!r}")
    previous_period = period.previous()
    current, previous, content, knowledge, health = _compute_parallel(db, period, knowledge, content_dir, model_cache)
    with reading(db) as conn:
        empty_log = conn.execute("SELECT NOT EXISTS (SELECT 1 FROM queries)").fetchone()[0] == 1
        alerts = compute_alert_figures(conn, (stamp(period.start_utc), stamp(period.end_utc)))
    report = WeeklyReport(
        period,
        previous_period,
        current,
        previous,
        [],
        health,
        lang,
        (now or dt.datetime.now(dt.UTC)).astimezone(period.tz),
        empty_log,
    )
    report.alerts = alerts
    if content is not None:
        report.titles = {tid: t.texts[lang].title if lang in t.texts else tid for tid, t in content.topics.items()}
        report.countries = {code: c.names.get(lang, code) for code, c in content.countries.items()}
        report.languages = {code: str(ui.get("language_name") or code) for code, ui in content.ui.items()}
    report.groups = _groups(current.unanswered, knowledge)
    report.pointer_groups = _pointer_groups(current.pointed)
    return report


def _compute_parallel(db, period: Period, knowledge, content_dir, model_cache):
    """Both periods' figures and the content. SQLite works outside the GIL, so given a file the
    previous week and the rising terms are counted on their own connections, and the content
    loaded, while this thread counts the current week."""
    previous_period = period.previous()
    db = _database_file(db) or db
    separate = isinstance(db, str | Path)  # a caller's connection is not shared across threads
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = {}
        if separate:
            jobs["previous"] = pool.submit(_previous_week, db, previous_period)
            jobs["rising"] = pool.submit(compute_rising, db, period.start_utc, period.end_utc, BASELINE_PERIODS)
        if knowledge is None:
            jobs["content"] = pool.submit(_load_content, content_dir, period.last, model_cache)
        current = compute_week(
            db, period.start_utc, period.end_utc, tz=period.tz, baseline_periods=0 if separate else BASELINE_PERIODS
        )
        if separate:
            previous = jobs["previous"].result()
            current.rising, current.rising_baseline_messages = jobs["rising"].result()
        else:
            previous = _previous_week(db, previous_period)
        if knowledge is None:
            content, knowledge, health = jobs["content"].result()
        else:
            content, health = knowledge.content, _health(knowledge.content, period.last, [])
    return current, previous, content, knowledge, health


def _database_file(db) -> Path | None:
    """The file behind a caller's connection, so each job can open its own; None in memory."""
    if isinstance(db, str | Path):
        return Path(db)
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file and Path(file).exists():
            return Path(file)
    return None


def _previous_week(db, period: Period) -> WeekStats:
    return compute_week(db, period.start_utc, period.end_utc, tz=period.tz, baseline_periods=0, unanswered_limit=0)


def _load_content(content_dir: Path | str | None, as_of: dt.date, model_cache: Path | None):
    """Content, the router trained on it, and its health; a broken folder still gives a report."""
    from content.library import check_content
    from handlers.knowledge import build_knowledge

    try:
        content, problems = check_content(content_dir)
    except Exception as error:  # noqa: BLE001 - the report must come out whatever the content holds
        return None, None, ContentHealth(error=f"{type(error).__name__}: {error}")
    if content is None:
        return None, None, ContentHealth(problems=len(problems), error=str(problems[0]) if problems else "")
    try:
        knowledge = build_knowledge(content, cache_dir=model_cache)
    except Exception:  # noqa: BLE001 - without a router the groups simply name no closest topic
        knowledge = None
    return content, knowledge, _health(content, as_of, problems)


def _health(content: Content, as_of: dt.date, problems: list) -> ContentHealth:
    root = Path(content.directory)
    return ContentHealth(
        unreviewed=[str(_relative(p, root)) for p in content.unreviewed()],
        overdue=sorted((t.id, t.review_by) for t in content.topics.values() if t.review_by < as_of),
        problems=len(problems),
    )


def _relative(path: Path, root: Path) -> Path:
    try:
        return Path(path).relative_to(root)
    except ValueError:
        return Path(path)


def _groups(unanswered: list[Unanswered], knowledge) -> list[UnansweredGroup]:
    # Texts were redacted when logged; redacting again on the way out costs little and
    # catches anything an older redactor let through.
    items = [Unanswered(u.lang, redact(u.text), u.count) for u in unanswered]
    groups: list[UnansweredGroup] = []
    for indices in group_similar([u.text for u in items], [u.count for u in items]):
        members = tuple(items[i] for i in indices)
        closest, confidence, off_topic = None, 0.0, False
        if knowledge is not None:
            ranked, off_topic = closest_topics(knowledge.router, members[0].text, 1)
            if ranked:
                closest, confidence = ranked[0]
        groups.append(UnansweredGroup(members, sum(u.count for u in members), closest, confidence, off_topic))
    return groups


def _pointer_groups(pointed: list[Pointed]) -> list[PointerGroup]:
    """The messages that got the line to the emergency contacts, similar ones together, so a
    reviewer decides once per wording whether it is danger the detector missed or a look-alike."""
    items = [replace(p, text=redact(p.text)) for p in pointed]  # redacted again, as `_groups`
    groups = []
    for indices in group_similar([p.text for p in items], [p.count for p in items]):
        members = tuple(items[i] for i in indices)
        kinds, topics = Counter[str](), Counter[str]()
        for p in members:
            kinds[p.kind] += p.count
            topics[p.topic] += p.count
        groups.append(
            PointerGroup(
                members,
                sum(p.count for p in members),
                sum(p.pressed for p in members),
                tuple(kind for kind, _ in kinds.most_common()),
                tuple(topic for topic, _ in topics.most_common() if topic),
            )
        )
    return groups


# ---- presentation ------------------------------------------------------------------------


def _pairs(current: Mapping[str, int], previous: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """(key, this period, previous period) for every key seen in either, biggest now first."""
    keys = set(current) | set(previous)
    return sorted(((k, current.get(k, 0), previous.get(k, 0)) for k in keys), key=lambda r: (-r[1], -r[2], r[0]))


def least_helpful(
    stats: WeekStats,
    minimum: int = MIN_RATINGS,
    limit: int = LEAST_HELPFUL,
) -> list[tuple[str, int, int]]:
    """Topics with enough ratings, the lowest share of 👍 first: (topic, 👍, 👎)."""
    rated = [(t, up, down) for t, (up, down) in stats.feedback.items() if up + down >= minimum and down]
    return sorted(rated, key=lambda r: (r[1] / (r[1] + r[2]), -r[2], r[0]))[:limit]


def _tone(direction: str, good: str | None) -> str:
    """CSS class for a change: ' good' or ' bad' when the metric has a good direction."""
    if good is None or direction == "flat":
        return ""
    return " good" if (direction == "up") == (good == "up") else " bad"


class Formatter:
    """Numbers, changes and names in the report's language, for the template and the CSVs."""

    def __init__(self, report: WeeklyReport) -> None:
        self.report = report
        self.lang = report.lang
        self.words = L.LABELS[report.lang]

    def num(self, value: float | int | None, decimals: int = 0) -> str:
        return L.number(value, self.lang, decimals)

    def pct(self, value: float | None, decimals: int = 1) -> str:
        return L.percent(value, self.lang, decimals)

    def say(self, key: str, **values: object) -> str:
        """The label `key` filled in, its nouns agreeing with their numbers (pass counts as numbers)."""
        return L.say(self.words[key], self.lang, **values)

    def delta(self, current: float | None, previous: float | None, good: str | None = None, decimals: int = 0):
        """'+12 (+8.0%)', coloured when a rise is good ('up') or bad ('down')."""
        if current is None or previous is None:
            return Markup('<span class="chg flat">—</span>')
        diff = current - previous
        if not diff:
            text, direction = "±0", "flat"
        else:
            text = ("+" if diff > 0 else "−") + self.num(abs(diff), decimals)
            if previous:
                share = abs(diff) / abs(previous)
                text += f" ({'+' if diff > 0 else '−'}{self.pct(share, 0)})"
            else:
                text += f" ({self.words['new']})"
            direction = "up" if diff > 0 else "down"
        return Markup(f'<span class="chg {direction}{_tone(direction, good)}">{escape(text)}</span>')

    def delta_pp(self, current: float | None, previous: float | None, good: str | None = "down"):
        """Change of a rate in percentage points."""
        if current is None or previous is None:
            return Markup('<span class="chg flat">—</span>')
        diff = (current - previous) * 100
        direction = "flat" if abs(diff) < 0.05 else ("up" if diff > 0 else "down")
        sign = {"up": "+", "down": "−", "flat": "±"}[direction]
        text = f"{sign}{self.num(abs(diff), 1)} {self.words['pp']}"
        return Markup(f'<span class="chg {direction}{_tone(direction, good)}">{escape(text)}</span>')

    def plain_delta(self, current: float | None, previous: float | None, decimals: int = 0) -> str:
        return self.delta(current, previous, decimals=decimals).striptags()

    def plain_delta_pp(self, current: float | None, previous: float | None) -> str:
        return self.delta_pp(current, previous).striptags()

    def topic(self, topic_id: str | None) -> str:
        if not topic_id:
            return "—"
        title = self.report.titles.get(topic_id)
        return f"{title} ({topic_id})" if title else topic_id

    def country(self, code: str) -> str:
        return self.report.countries.get(code, code) if code else self.words["unknown"]

    def language(self, code: str) -> str:
        return self.report.languages.get(code, code) if code else self.words["unknown"]

    def entry(self, kind: str) -> str:
        return self.words.get(f"entry_{kind}", kind or self.words["unknown"])

    def day(self, iso: str) -> str:
        return L.short_date(dt.date.fromisoformat(iso), self.lang)


def period_heading(report: WeeklyReport) -> str:
    """What a reader calls the period: "2026-W48" for a week, "1 – 30 Nov 2026" for a range."""
    period = report.period
    return period.label if period.is_iso_week else L.date_range(period.first, period.last, report.lang)


def render_html(report: WeeklyReport) -> str:
    """The report as one HTML page with everything inline."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    f = Formatter(report)
    cur, prev = report.current, report.previous
    days = list(zip(cur.by_day.items(), prev.by_day.items(), strict=False))
    legend = (f.words["this_period"], f.words["previous_period"])
    top_topics = _pairs(cur.topics, prev.topics)[:TOP_TOPICS_CHART]
    charts = {
        "days": column_chart(
            [f.day(d) for (d, _), _ in days],
            [n for (_, n), _ in days],
            [n for _, (_, n) in days],
            legend=legend,
            title=f.words["per_day"],
        ),
        "hours": column_chart(
            [str(h) for h in range(24)], cur.by_hour, prev.by_hour, legend=legend, title=f.words["per_hour"]
        ),
        "topics": bar_list(
            [f.topic(t) for t, _, _ in top_topics],
            [n for _, n, _ in top_topics],
            [p for _, _, p in top_topics],
            legend=legend,
            title=f.words["topics"],
        ),
    }
    return environment.get_template("report.html.j2").render(
        r=report,
        cur=cur,
        prev=prev,
        f=f,
        w=f.words,
        charts=charts,
        days=days,
        langs=_pairs(cur.by_lang, prev.by_lang),
        countries=_pairs(cur.by_country, prev.by_country),
        entries=_pairs(cur.by_entry, prev.by_entry),
        topics=_pairs(cur.topics, prev.topics),
        danger=_pairs(cur.danger, prev.danger),
        feedback=_feedback_rows(cur, prev),
        least=least_helpful(cur),
        min_ratings=MIN_RATINGS,
        groups_shown=GROUPS_SHOWN,
        baseline_periods=BASELINE_PERIODS,
        dates=L.date_range(report.period.first, report.period.last, report.lang),
        heading=period_heading(report),
        aw=ALERT_WORDS[report.lang],
        previous_dates=L.date_range(report.previous_period.first, report.previous_period.last, report.lang),
    )


def _feedback_rows(cur: WeekStats, prev: WeekStats) -> list[tuple[str, int, int, int, int]]:
    topics = sorted(set(cur.feedback) | set(prev.feedback), key=lambda t: (-sum(cur.feedback.get(t, (0, 0))), t))
    return [(t, *cur.feedback.get(t, (0, 0)), *prev.feedback.get(t, (0, 0))) for t in topics]


def csv_tables(report: WeeklyReport) -> dict[str, tuple[list[str], list[list]]]:
    """The tables under the report, machine-readable: English headers, raw numbers, topic ids."""
    cur, prev = report.current, report.previous

    def rate(stats: WeekStats) -> float | str:
        return round(stats.fallback_rate, 4) if stats.fallback_rate is not None else ""

    summary = [
        ["messages", cur.messages, prev.messages],
        ["users", cur.users, prev.users],
        ["new_users", cur.new_users, prev.new_users],
        ["returning_users", cur.returning_users, prev.returning_users],
        ["text_messages", cur.text_messages, prev.text_messages],
        ["fallbacks", cur.fallbacks, prev.fallbacks],
        ["fallback_rate", rate(cur), rate(prev)],
        ["danger_answers", cur.danger_total, prev.danger_total],
        ["pointer_answers", cur.pointers, prev.pointers],
        ["pointer_pressed", cur.pointers_pressed, prev.pointers_pressed],
        ["handoffs_asked", cur.handoffs_asked, prev.handoffs_asked],
        ["handoffs_answered", cur.handoffs_answered, prev.handoffs_answered],
        ["handoffs_closed", cur.handoffs_closed, prev.handoffs_closed],
        ["handoffs_open_over_24h", cur.handoffs_stale, prev.handoffs_stale],
        ["median_first_reply_min", _blank(cur.median_first_reply_min), _blank(prev.median_first_reply_min)],
        ["feedback_up", cur.feedback_up, prev.feedback_up],
        ["feedback_down", cur.feedback_down, prev.feedback_down],
        ["latency_p50_ms", _blank(cur.latency_p50), _blank(prev.latency_p50)],
        ["latency_p95_ms", _blank(cur.latency_p95), _blank(prev.latency_p95)],
        ["errors", cur.errors, prev.errors],
        ["send_failures", cur.send_failures, prev.send_failures],
        ["log_failures", cur.log_failures, prev.log_failures],
        ["unreadable_updates", cur.unreadable_updates, prev.unreadable_updates],
        ["offered_again", cur.offered_again, prev.offered_again],
        ["database_replaced", cur.database_replaced, prev.database_replaced],
    ]
    pair_header = ["this_period", "previous_period"]
    groups = [
        [number, u.lang, u.text, u.count, g.closest or "", round(g.confidence, 3), int(g.off_topic)]
        for number, g in enumerate(report.groups, 1)
        for u in g.items
    ]
    pointed = [
        [number, p.lang, p.text, p.count, p.pressed, p.kind, p.topic]
        for number, g in enumerate(report.pointer_groups, 1)
        for p in g.items
    ]
    content = [[path, "reviewed_false", ""] for path in report.content.unreviewed] + [
        [topic, "past_review_by", day.isoformat()] for topic, day in report.content.overdue
    ]
    return {
        "summary": (["metric", *pair_header], summary),
        "by_day": (
            ["date", "messages", "previous_date", "previous_messages"],
            [[d, n, pd, pn] for (d, n), (pd, pn) in zip(cur.by_day.items(), prev.by_day.items(), strict=False)],
        ),
        "by_hour": (["hour", *pair_header], [[h, cur.by_hour[h], prev.by_hour[h]] for h in range(24)]),
        "languages": (["lang", *pair_header], [list(r) for r in _pairs(cur.by_lang, prev.by_lang)]),
        "countries": (["country", *pair_header], [list(r) for r in _pairs(cur.by_country, prev.by_country)]),
        "entries": (["entry", *pair_header], [list(r) for r in _pairs(cur.by_entry, prev.by_entry)]),
        "topics": (
            ["topic", "title", *pair_header],
            [[t, report.titles.get(t, ""), n, p] for t, n, p in _pairs(cur.topics, prev.topics)],
        ),
        "unanswered": (["group", "lang", "text", "count", "closest_topic", "confidence", "router_off_topic"], groups),
        "feedback": (
            ["topic", "up", "down", "previous_up", "previous_down"],
            [list(r) for r in _feedback_rows(cur, prev)],
        ),
        "danger": (["kind", *pair_header], [list(r) for r in _pairs(cur.danger, prev.danger)]),
        "near_danger": (["group", "lang", "text", "count", "pressed", "near_kind", "answered_topic"], pointed),
        "rising_terms": (
            ["term", "count", "baseline_per_period", "ratio"],
            [[t.term, t.count, round(t.baseline_per_period, 2), t.ratio] for t in cur.rising],
        ),
        "content": (["item", "issue", "detail"], content),
        **alert_tables(report.alerts),
    }


def _blank(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def report_filename(report: WeeklyReport) -> str:
    return f"helpline-report-{report.period.label}.html"


def write_report(report: WeeklyReport, out_dir: Path | str) -> list[Path]:
    """Write the HTML page and the CSVs (UTF-8 with BOM, so Excel shows Cyrillic right)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / report_filename(report)
    page.write_text(render_html(report), encoding="utf-8")
    written = [page]
    for name, (header, rows) in csv_tables(report).items():
        path = out / f"helpline-report-{report.period.label}-{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written
