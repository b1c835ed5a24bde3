"""Loading the content folder into memory, ready to render answers fast.

`load_content` reads every file, compiles every template and renders each answer for every
language and country once, so a mistake is found when content is loaded, never while a
migrant waits for an answer. Content with any problem is refused as a whole: the caller
keeps serving the last good version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from content.danger import DangerKind, load_danger
from content.problems import ContentError, Problem
from content.rendering import included_blocks, make_environment, tidy
from content.yamlfile import LineDict, read_yaml

DEFAULT_DIR = Path(__file__).resolve().parent
MAX_MESSAGE = 4096
PARAGRAPHS = range(1, 379)
COUNTRY_GROUPS = ("eaeu", "korea", "turkey", "kyrgyzstan", "other")
CONVERSATION_MENU = "conversation"
MIN_EXAMPLES = 12

# What each calculator hands to its topic's template as `calc`. Validation renders every
# answer with these samples too, so a template that uses a name the calculator does not
# provide is caught before it reaches a migrant.
CALCULATOR_SAMPLES: dict[str, list[dict[str, Any]]] = {
    "registration_deadline": [
        {"arrival": dt.date(2026, 11, 3), "deadline": dt.date(2026, 12, 2)},
    ],
    "job_change_deadline": [
        {
            "arrival": dt.date(2026, 3, 1),
            "end": dt.date(2026, 7, 10),
            "days_in_country": 131,
            "rule_applies": True,
            "deadline": dt.date(2026, 7, 25),
        },
        {
            "arrival": dt.date(2026, 6, 1),
            "end": dt.date(2026, 7, 10),
            "days_in_country": 39,
            "rule_applies": False,
            "deadline": dt.date(2026, 7, 25),
        },
        {
            "arrival": None,
            "end": dt.date(2026, 7, 10),
            "days_in_country": None,
            "rule_applies": None,
            "deadline": dt.date(2026, 7, 25),
        },
    ],
}

UI_KEYS = (
    "language_name", "greeting", "about", "menu_prompt", "menu_groups", "buttons",
    "fallback", "fallback_hint", "source_line", "as_of_line", "ask_country", "country_saved",
    "choose_language", "language_saved", "feedback_thanks", "related", "non_text",
    "empty_message", "too_long", "date_hint", "months", "date_format", "group_chat",
    "unknown_command", "commands", "country_unknown_note", "danger_offer", "handoff", "caseworkers", "flood", "admin",
)


@dataclass(frozen=True)
class Country:
    code: str
    group: str
    emergency: str | None
    names: dict[str, str]


@dataclass(frozen=True)
class TopicText:
    """One language of one topic: what the caseworker wrote in `<lang>.yaml`."""

    lang: str
    title: str
    sources: tuple[int, ...]
    answer: jinja2.Template
    variants: dict[str, jinja2.Template]
    examples: tuple[str, ...]
    reviewed: bool
    path: Path
    blocks: frozenset[str]


@dataclass(frozen=True)
class Topic:
    id: str
    menu: str
    needs_country: bool
    related: tuple[str, ...]
    calculator: str | None
    as_of: str
    review_by: dt.date
    texts: dict[str, TopicText]
    path: Path


@dataclass(frozen=True)
class RenderedAnswer:
    title: str
    body: str
    sources: tuple[int, ...]
    as_of: str


@dataclass
class Content:
    """Everything the bot says, loaded and checked."""

    directory: Path
    languages: tuple[str, ...]
    topics: dict[str, Topic]
    ui: dict[str, dict[str, Any]]
    countries: dict[str, Country]
    country_order: tuple[str, ...]
    block_sources: dict[str, tuple[int, ...]]
    off_topic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    danger: list[DangerKind] = field(default_factory=list)

    def render(
        self,
        topic_id: str,
        lang: str,
        country: str | None = None,
        calc: dict[str, Any] | None = None,
    ) -> RenderedAnswer:
        """The answer of a topic in a language, for a host country when known."""
        topic = self.topics[topic_id]
        text = topic.texts[lang]
        known = self.countries.get(country) if country else None
        template = text.answer
        if known and known.group in text.variants:
            template = text.variants[known.group]
        body = template.render(
            lang=lang,
            country=known.code if known else None,
            country_name=known.names.get(lang, "") if known and known.code != "XX" else "",
            group=known.group if known else None,
            emergency=known.emergency if known else None,
            calc=calc,
        )
        sources = set(text.sources)
        for block in text.blocks:
            sources.update(self.block_sources.get(block, ()))
        return RenderedAnswer(text.title, tidy(body), tuple(sorted(sources)), topic.as_of)

    def title(self, topic_id: str, lang: str) -> str:
        return self.topics[topic_id].texts[lang].title

    def menu_topics(self, group: str) -> list[str]:
        return [t.id for t in self.topics.values() if t.menu == group]

    def unreviewed(self) -> list[Path]:
        return sorted(
            text.path for topic in self.topics.values() for text in topic.texts.values()
            if not text.reviewed
        )


def load_content(directory: Path | str | None = None) -> Content:
    """Load and fully check content; raise ContentError listing every problem."""
    content, problems = check_content(directory)
    if problems or content is None:
        raise ContentError(problems)
    return content


def check_content(directory: Path | str | None = None) -> tuple[Content | None, list[Problem]]:
    """Load content and collect every problem instead of stopping at the first."""
    from content.alerts import check_alerts  # hook: alert files and the /alerts dialogue
    from content.glossary import check_glossary
    from content.validation import check_rendering, check_shared_examples

    root = Path(directory) if directory else DEFAULT_DIR
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(root, 1, "content folder not found")]
    ui = _load_ui(root, problems)
    languages = tuple(sorted(ui))
    if not languages:
        problems.append(Problem(root / "ui", 1, "no interface language file (ui/<lang>.yaml)"))
        return None, problems
    countries, order = _load_countries(root / "countries.yaml", problems)
    block_sources = _load_block_sources(root / "blocks" / "sources.yaml", problems)
    environments = {
        lang: make_environment(
            root / "blocks" / lang, ui[lang].get("months") or [""] * 12,
            ui[lang].get("date_format") or "{day}.{month}.{year}",
        )
        for lang in languages
    }
    menu_groups = set(ui[languages[0]].get("menu_groups") or {}) | {CONVERSATION_MENU}
    topics = _load_topics(root / "topics", languages, environments, menu_groups, problems)
    off_topic = _load_off_topic(root / "off_topic.yaml", languages, problems)
    danger = load_danger(root / "danger.yaml", set(topics), problems)
    content = Content(root, languages, topics, ui, countries, order, block_sources, off_topic, danger)
    check_shared_examples(content, problems)
    check_rendering(content, problems)
    check_glossary(content, problems)
    check_alerts(content, problems)
    return content, problems


def _load_ui(root: Path, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    ui: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "ui").glob("*.yaml")):
        data = read_yaml(path, problems)
        if data is None:
            continue
        for key in UI_KEYS:
            if key not in data or data[key] in (None, "", [], {}):
                problems.append(Problem(path, 1, f"missing field '{key}'"))
        months = data.get("months")
        if months is not None and (not isinstance(months, list) or len(months) != 12):
            problems.append(Problem(path, data.line_of("months"), "months: needs 12 names"))
            data["months"] = None
        ui[path.stem] = data
    return ui


def _load_countries(path: Path, problems: list[Problem]) -> tuple[dict[str, Country], tuple[str, ...]]:
    data = read_yaml(path, problems)
    if data is None:
        return {}, ()
    countries: dict[str, Country] = {}
    table = data.get("countries") or {}
    for code, entry in table.items():
        line = table.line_of(code) if isinstance(table, LineDict) else 1
        if not isinstance(entry, dict) or entry.get("group") not in COUNTRY_GROUPS:
            problems.append(Problem(path, line, f"{code}: group must be one of {', '.join(COUNTRY_GROUPS)}"))
            continue
        emergency = entry.get("emergency")
        countries[str(code)] = Country(
            str(code), entry["group"], str(emergency) if emergency else None,
            dict(entry.get("names") or {}),
        )
    order = tuple(str(code) for code in data.get("order") or countries)
    for code in order:
        if code not in countries:
            problems.append(Problem(path, data.line_of("order"), f"order: unknown country '{code}'"))
    return countries, tuple(code for code in order if code in countries)


def _load_block_sources(path: Path, problems: list[Problem]) -> dict[str, tuple[int, ...]]:
    data = read_yaml(path, problems) if path.exists() else None
    if data is None:
        return {}
    result: dict[str, tuple[int, ...]] = {}
    for block, paragraphs in data.items():
        numbers = _paragraphs(paragraphs, path, data.line_of(block), problems)
        result[str(block)] = numbers
    return result


def _load_off_topic(path: Path, languages: tuple[str, ...], problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Questions the bot must not answer, used to teach the router what is off-topic."""
    if not path.exists():
        return {}
    data = read_yaml(path, problems)
    if data is None:
        return {}
    return {
        lang: tuple(str(q) for q in data.get(lang) or [])
        for lang in languages
    }


def _paragraphs(value: Any, path: Path, line: int, problems: list[Problem]) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(Problem(path, line, "sources: expected a list of paragraph numbers"))
        return ()
    numbers: list[int] = []
    lines = getattr(value, "lines", [line] * len(value))
    for item, item_line in zip(value, lines, strict=False):
        if isinstance(item, bool) or not isinstance(item, int) or item not in PARAGRAPHS:
            problems.append(Problem(path, item_line, f"paragraph {item!r} is outside the report (1–378)"))
        else:
            numbers.append(item)
    return tuple(numbers)


def _load_topics(
    topics_dir: Path,
    languages: tuple[str, ...],
    environments: dict[str, jinja2.Environment],
    menu_groups: set[str],
    problems: list[Problem],
) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    seen_at: dict[str, Path] = {}
    for folder in sorted(p for p in topics_dir.iterdir() if p.is_dir()) if topics_dir.is_dir() else []:
        topic = _load_topic(folder, languages, environments, menu_groups, problems)
        if topic is None:
            continue
        if topic.id in topics:
            problems.append(Problem(
                folder / "topic.yaml", 1,
                f"duplicate topic id '{topic.id}' (also in {seen_at[topic.id]})",
            ))
            continue
        topics[topic.id] = topic
        seen_at[topic.id] = folder / "topic.yaml"
    for topic in topics.values():
        for related in topic.related:
            if related not in topics:
                problems.append(Problem(topic.path, 1, f"related: unknown topic '{related}'"))
    return topics


def _load_topic(
    folder: Path,
    languages: tuple[str, ...],
    environments: dict[str, jinja2.Environment],
    menu_groups: set[str],
    problems: list[Problem],
) -> Topic | None:
    path = folder / "topic.yaml"
    if not path.exists():
        problems.append(Problem(path, 1, "missing topic.yaml"))
        return None
    meta = read_yaml(path, problems)
    if meta is None:
        return None
    for key in ("id", "menu", "as_of", "review_by"):
        if meta.get(key) in (None, ""):
            problems.append(Problem(path, 1, f"missing field '{key}'"))
    topic_id = str(meta.get("id") or folder.name)
    if topic_id != folder.name:
        problems.append(Problem(
            path, meta.line_of("id"), f"id '{topic_id}' differs from the folder name '{folder.name}'",
        ))
    menu = str(meta.get("menu") or CONVERSATION_MENU)
    if menu not in menu_groups:
        problems.append(Problem(path, meta.line_of("menu"), f"menu: unknown group '{menu}'"))
    calculator = meta.get("calculator")
    if calculator is not None and calculator not in CALCULATOR_SAMPLES:
        problems.append(Problem(path, meta.line_of("calculator"), f"calculator: unknown '{calculator}'"))
        calculator = None
    review_by = meta.get("review_by")
    if not isinstance(review_by, dt.date):
        if review_by is not None:
            problems.append(Problem(path, meta.line_of("review_by"), "review_by: expected a date like 2027-06-30"))
        review_by = dt.date.max
    related = meta.get("related") or []
    if not isinstance(related, list):
        problems.append(Problem(path, meta.line_of("related"), "related: expected a list of topic ids"))
        related = []
    texts: dict[str, TopicText] = {}
    for lang in languages:
        lang_path = folder / f"{lang}.yaml"
        if not lang_path.exists():
            problems.append(Problem(path, 1, f"missing language '{lang}' ({lang_path.name})"))
            continue
        text = _load_text(lang_path, lang, environments[lang], menu == CONVERSATION_MENU, problems)
        if text is not None:
            texts[lang] = text
    return Topic(
        id=topic_id, menu=menu, needs_country=bool(meta.get("needs_country")),
        related=tuple(str(r) for r in related), calculator=calculator,
        as_of=str(meta.get("as_of") or ""), review_by=review_by, texts=texts, path=path,
    )


def _load_text(
    path: Path, lang: str, environment: jinja2.Environment, is_conversation: bool,
    problems: list[Problem],
) -> TopicText | None:
    data = read_yaml(path, problems)
    if data is None:
        return None
    ok = True
    for key in ("title", "answer", "examples"):
        if key not in data:
            problems.append(Problem(path, 1, f"missing field '{key}'"))
            ok = False
    if "sources" not in data and not is_conversation:
        problems.append(Problem(path, 1, "missing field 'sources'"))
    if not ok:
        return None
    sources = _paragraphs(data.get("sources"), path, data.line_of("sources"), problems)
    if not sources and not is_conversation:
        problems.append(Problem(path, data.line_of("sources"), "sources: cite at least one paragraph of the report"))
    answer, blocks = _compile(environment, data.get("answer"), path, data.line_of("answer"), "answer", problems)
    variants: dict[str, jinja2.Template] = {}
    raw_variants = data.get("variants") or {}
    if isinstance(raw_variants, dict):
        for group, source in raw_variants.items():
            line = raw_variants.line_of(group) if isinstance(raw_variants, LineDict) else 1
            if group not in COUNTRY_GROUPS:
                known = ", ".join(COUNTRY_GROUPS)
                problems.append(Problem(path, line, f"variants: unknown group '{group}' (use {known})"))
                continue
            compiled, used = _compile(environment, source, path, line, f"variants.{group}", problems)
            if compiled is not None:
                variants[group] = compiled
                blocks |= used
    else:
        problems.append(Problem(path, data.line_of("variants"), "variants: expected a mapping of group to answer"))
    examples = data.get("examples")
    if not isinstance(examples, list) or not all(isinstance(e, str | int) for e in examples):
        problems.append(Problem(path, data.line_of("examples"), "examples: expected a list of questions"))
        examples = []
    elif len(examples) < MIN_EXAMPLES:
        problems.append(Problem(
            path, data.line_of("examples"),
            f"examples: {len(examples)} given, at least {MIN_EXAMPLES} needed to recognise the topic",
        ))
    title = str(data.get("title") or "").strip()
    if not title:
        problems.append(Problem(path, data.line_of("title"), "title is empty"))
    if answer is None:
        return None
    return TopicText(
        lang=lang, title=title, sources=sources, answer=answer, variants=variants,
        examples=tuple(str(e) for e in examples), reviewed=data.get("reviewed") is True,
        path=path, blocks=frozenset(blocks),
    )


def _compile(
    environment: jinja2.Environment, source: Any, path: Path, key_line: int, what: str,
    problems: list[Problem],
) -> tuple[jinja2.Template | None, set[str]]:
    """Compile a template once, and name the blocks it includes."""
    if not isinstance(source, str) or not source.strip():
        problems.append(Problem(path, key_line, f"{what} is empty"))
        return None, set()
    try:
        parsed = environment.parse(source)
        return environment.from_string(parsed), included_blocks(parsed)
    except jinja2.TemplateSyntaxError as error:
        problems.append(Problem(path, key_line + (error.lineno or 1), f"{what}: template error: {error.message}"))
        return None, set()
