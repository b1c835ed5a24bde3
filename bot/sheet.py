"""The sign-off sheet: every answer as the bot sends it, beside the report paragraphs it cites.

`helpline sheet --out DIR` writes one self-contained HTML page per language. For each topic
and each host country a migrant can choose (and for none), the answer is produced by the
running bot's own conversation, pressing the topic's button, so what a caseworker signs off
is exactly what a migrant reads: blocks, dated updates and footer included. Identical
answers are shown once, with every country that gets them.

It lives in `bot/` because it drives the conversation (handlers/), which content/ must not
depend on; signing a file off is a plain content edit and lives in `content/signoff.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import sqlite_utils

from bot.sheet_labels import LABELS
from content import Content
from content.plural import format_counts
from content.report import report_paragraphs
from content.updates import Update
from handlers.conversation import Conversation
from handlers.knowledge import Knowledge
from handlers.replies import Incoming
from storage.database import migrate
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SHEET_USERS = itertools.count(1)  # a new person for each button press, so no answer depends on the one before
NO_COUNTRY = "none"


@dataclass
class Card:
    """One answer as sent, and every host-country choice that receives it."""

    variant: str
    message: str
    buttons: list[list[str]]
    sources: tuple[int, ...]
    countries: list[str] = field(default_factory=list)  # country codes, NO_COUNTRY for none chosen
    country_names: list[str] = field(default_factory=list)


@dataclass
class TopicSheet:
    id: str
    title: str
    file: str
    as_of: str
    review_by: dt.date
    overdue: bool
    reviewed: bool
    reviewed_by: str
    reviewed_on: dt.date | None
    command: str
    updates: tuple[Update, ...]
    cards: list[Card]
    written: str  # the file's answer when the topic's button sends something else (greeting, menu), else ""


def write_sheets(
    knowledge: Knowledge,
    out: Path,
    today: dt.date,
    languages: list[str] | None = None,
    topics: list[str] | None = None,
    labels: str = "en",
) -> list[Path]:
    """Write sheet-<lang>.html into `out` for each language; return the paths written."""
    content = knowledge.content
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with _throwaway_conversation(knowledge, today) as conversation:
        for lang in languages or list(content.languages):
            page = render_sheet(conversation, lang, today, topics, labels)
            path = out / f"sheet-{lang}.html"
            path.write_text(page, encoding="utf-8")
            written.append(path)
    return written


def render_sheet(
    conversation: Conversation,
    lang: str,
    today: dt.date,
    topics: list[str] | None = None,
    labels: str = "en",
) -> str:
    """The HTML page of one language, its own words in `labels` (en or ru)."""
    content = conversation.knowledge.content
    words = LABELS[labels]
    chosen = topics or sorted(content.topics)
    sheets = [_topic_sheet(conversation, content, topic_id, lang, today, words) for topic_id in chosen]
    cited = sorted({n for sheet in sheets for card in sheet.cards for n in card.sources})
    report = report_paragraphs()
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("sheet.html.j2").render(
        L=words,
        lang=lang,
        language_name=str(content.ui[lang].get("language_name", lang)),
        today=today,
        topics=sheets,
        paragraphs={n: report.get(n, "") for n in cited},
        made=format_counts(
            words["made"],
            labels,
            date=today.isoformat(),
            topics=len(sheets),
            reviewed=sum(sheet.reviewed for sheet in sheets),
            overdue=sum(sheet.overdue for sheet in sheets),
        ),
    )


def _topic_sheet(
    conversation: Conversation,
    content: Content,
    topic_id: str,
    lang: str,
    today: dt.date,
    words: dict[str, str],
) -> TopicSheet:
    topic = content.topics[topic_id]
    text = topic.texts[lang]
    cards: dict[tuple, Card] = {}
    for code in [None, *content.country_order]:
        outcome = conversation.handle(
            Incoming(
                next(_SHEET_USERS),
                button=f"t:{topic_id}",
                force_lang=lang,
                force_country=code,
                interactive=False,
            )
        )
        message = "\n\n".join(reply.plain for reply in outcome.replies)
        buttons = [[button.label for button in row] for reply in outcome.replies for row in reply.buttons]
        variant = content.variant_of(topic_id, lang, code)
        key = (variant, message, str(buttons), outcome.sources)
        card = cards.setdefault(key, Card(variant, message, buttons, outcome.sources))
        card.countries.append(code or NO_COUNTRY)
        card.country_names.append(_country_name(content, code, lang, words))
    try:
        file = str(text.path.relative_to(content.directory))
    except ValueError:
        file = str(text.path)
    signoff = text.signoff
    written = content.render(topic_id, lang).body
    if any(written in card.message for card in cards.values()):
        written = ""
    return TopicSheet(
        id=topic_id,
        title=text.title,
        file=file,
        as_of=topic.as_of,
        review_by=topic.review_by,
        overdue=topic.review_by < today,
        reviewed=text.reviewed,
        reviewed_by=signoff.by,
        reviewed_on=signoff.on,
        command=f'helpline signoff {topic_id} {lang} --by "NAME"',
        updates=text.updates,
        cards=list(cards.values()),
        written=written,
    )


def _country_name(content: Content, code: str | None, lang: str, words: dict[str, str]) -> str:
    if code is None:
        return words["no_country"]
    return f"{content.countries[code].names.get(lang, code)} ({code})"


@contextlib.contextmanager
def _throwaway_conversation(knowledge: Knowledge, today: dt.date) -> Iterator[Conversation]:
    """A conversation on an in-memory database: the sheet's button presses leave no trace."""
    db = sqlite_utils.Database(memory=True)
    migrate(db.conn)
    try:
        yield Conversation(
            knowledge,
            QueryLog(db),
            Profiles(db),
            Pseudonymizer(secrets.token_bytes(32)),
            today=lambda: today,
        )
    finally:
        db.conn.close()
