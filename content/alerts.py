"""Alerts caseworkers write for subscribers: `alerts/<id>.yaml`, and the words of the dialogue.

An alert tells the people who chose a host country about a rule, a deadline or a change.
Like an answer it must rest on a source: paragraphs of the report, or a dated external
source (title, address or document, the day a caseworker checked it). Every problem is
reported as `path:line: message` by `helpline validate`, and a broken alert file is never
sent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from content.problems import ContentError, Problem
from content.yamlfile import LineDict, read_yaml

if TYPE_CHECKING:
    from content.library import Content

ALERTS_DIR = "alerts"
WORDS_DIR = Path("ui") / "alerts"
ALERT_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,40}")
MAX_TEXT = 3000  # room left in Telegram's 4096 for the title, source and how to stop
ALERT_KEYS = frozenset({"title", "countries", "source", "topic"})  # plus one text per language
WORD_KEYS = (
    "consent",
    "agree",
    "decline",
    "declined",
    "choose_country",
    "subscribed",
    "add_more",
    "status",
    "stop",
    "stopped",
    "not_subscribed",
    "private_only",
    "stop_hint",
    "more",
    "external_source",
    "title",
    "queued",
    "busy",
    "no_alert",
    "summary",
    "offer",
)


@dataclass(frozen=True)
class AlertSource:
    """Report paragraphs, or one dated external source."""

    paragraphs: tuple[int, ...] = ()
    title: str = ""
    url: str = ""
    document: str = ""
    checked: dt.date | None = None


@dataclass(frozen=True)
class Alert:
    id: str
    titles: dict[str, str]
    texts: dict[str, str]
    countries: tuple[str, ...]
    source: AlertSource
    topic: str | None
    path: Path


def alert_path(root: Path, alert_id: str) -> Path:
    return root / ALERTS_DIR / f"{alert_id}.yaml"


def load_alert(content: Content, alert_id: str) -> Alert:
    """One alert, fully checked; ContentError with every problem otherwise."""
    problems: list[Problem] = []
    path = alert_path(content.directory, alert_id)
    if not ALERT_ID.fullmatch(alert_id) or not path.is_file():
        raise ContentError([Problem(path, 1, f"no alert '{alert_id}'")])
    alert = _load_alert(path, content, problems)
    if problems or alert is None:
        raise ContentError(problems)
    return alert


def load_alert_words(content: Content) -> dict[str, dict[str, str]]:
    """The dialogue's words per language; ContentError when a file is missing or incomplete."""
    problems: list[Problem] = []
    words = _load_words(content, problems)
    if problems:
        raise ContentError(problems)
    return words


def check_alerts(content: Content, problems: list[Problem]) -> None:
    """`helpline validate`: every alert file and the dialogue's words."""
    _load_words(content, problems)
    folder = content.directory / ALERTS_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        _load_alert(path, content, problems)


def _load_words(content: Content, problems: list[Problem]) -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = {}
    for lang in content.languages:
        path = content.directory / WORDS_DIR / f"{lang}.yaml"
        if not path.is_file():
            problems.append(Problem(path, 1, "missing: the alerts dialogue in this language"))
            continue
        data = read_yaml(path, problems)
        if data is None:
            continue
        for key in WORD_KEYS:
            if not isinstance(data.get(key), str) or not data[key].strip():
                problems.append(Problem(path, data.line_of(key), f"missing field '{key}'"))
        words[lang] = {key: str(value).strip() for key, value in data.items()}
    return words


def _load_alert(path: Path, content: Content, problems: list[Problem]) -> Alert | None:
    before = len(problems)
    alert_id = path.stem
    if not ALERT_ID.fullmatch(alert_id):
        problems.append(Problem(path, 1, "file name: lower-case letters, digits and _ only (it is the alert's id)"))
    data = read_yaml(path, problems)
    if data is None:
        return None
    for key in data:
        if key not in ALERT_KEYS and key not in content.languages:
            problems.append(Problem(path, data.line_of(key), f"unknown field '{key}'"))
    countries = _countries(data, path, content, problems)
    source = _source(data, path, problems)
    topic = data.get("topic")
    if topic is not None and str(topic) not in content.topics:
        problems.append(Problem(path, data.line_of("topic"), f"topic: no topic '{topic}'"))
    titles = _per_language(data, "title", path, content, problems, limit=200)
    texts: dict[str, str] = {}
    for lang in content.languages:
        text = data.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(path, data.line_of(lang), f"{lang}: the alert text is missing"))
        elif len(text.strip()) > MAX_TEXT:
            problems.append(Problem(path, data.line_of(lang), f"{lang}: longer than {MAX_TEXT} characters"))
        else:
            texts[lang] = text.strip()
    if len(problems) > before:
        return None
    return Alert(alert_id, titles, texts, countries, source, str(topic) if topic else None, path)


def _per_language(
    data: LineDict, key: str, path: Path, content: Content, problems: list[Problem], limit: int
) -> dict[str, str]:
    value = data.get(key)
    line = data.line_of(key)
    if not isinstance(value, dict):
        problems.append(Problem(path, line, f"{key}: needs one line per language ({', '.join(content.languages)})"))
        return {}
    result: dict[str, str] = {}
    for lang in content.languages:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip() or len(text) > limit:
            problems.append(Problem(path, line, f"{key}: {lang} missing or longer than {limit} characters"))
        else:
            result[lang] = text.strip()
    return result


def _countries(data: LineDict, path: Path, content: Content, problems: list[Problem]) -> tuple[str, ...]:
    value = data.get("countries")
    line = data.line_of("countries")
    if not isinstance(value, list) or not value:
        problems.append(Problem(path, line, "countries: list the host countries it concerns, e.g. [RU, KZ]"))
        return ()
    codes = tuple(str(code) for code in value)
    for code in codes:
        if code not in content.countries:
            problems.append(Problem(path, line, f"countries: unknown country '{code}' (see countries.yaml)"))
    return codes


def _source(data: LineDict, path: Path, problems: list[Problem]) -> AlertSource:
    from content.library import PARAGRAPHS

    value: Any = data.get("source")
    line = data.line_of("source")
    usage = "source: give `report: [paragraphs]`, or `title:`, `url:` or `document:`, and `checked: YYYY-MM-DD`"
    if not isinstance(value, dict):
        problems.append(Problem(path, line, usage))
        return AlertSource()
    if "report" in value:
        paragraphs = value["report"]
        if (
            not isinstance(paragraphs, list)
            or not paragraphs
            or not all(isinstance(n, int) and n in PARAGRAPHS for n in paragraphs)
        ):
            problems.append(
                Problem(
                    path, line, f"source: report paragraphs must be numbers {PARAGRAPHS.start}–{PARAGRAPHS.stop - 1}"
                )
            )
            return AlertSource()
        return AlertSource(paragraphs=tuple(paragraphs))
    title, url, document = (str(value.get(key) or "").strip() for key in ("title", "url", "document"))
    checked = value.get("checked")
    if not title or not (url or document):
        problems.append(Problem(path, line, usage))
    if url and not url.startswith("https://"):
        problems.append(Problem(path, line, "source: url must start with https://"))
    if not isinstance(checked, dt.date):
        problems.append(Problem(path, line, "source: checked: the day a caseworker checked it, YYYY-MM-DD"))
        checked = None
    elif checked > dt.date.today():
        problems.append(Problem(path, line, "source: checked is in the future"))
    return AlertSource(title=title, url=url, document=document, checked=checked)
