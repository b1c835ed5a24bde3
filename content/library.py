"""Loading the content folder into memory, ready to render answers fast.

`load_content` reads every file, compiles every template and renders each answer for every
language and country once, so a mistake is found when content is loaded, never while a
migrant waits for an answer. Content with any problem is refused as a whole: the caller
keeps serving the last good version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from content.bare_replies import BareReplies, load_bare_replies
from content.calculators import CALCULATORS
from content.codecache import TemplateCodeCache, compile_template
from content.danger import DangerKind, load_danger
from content.language_data import Language, read_languages
from content.plural import form_problems
from content.problems import ContentError, Problem
from content.rendering import included_blocks, make_environment, tidy, with_updates
from content.signoff import SignOff, read_signoff
from content.updates import GENERAL_ANSWER, Update, load_updates
from content.yamlfile import LineDict, read_yaml

DEFAULT_DIR = Path(__file__).resolve().parent
MAX_MESSAGE = 4096
PARAGRAPHS = range(1, 379)
COUNTRY_GROUPS = ("eaeu", "korea", "turkey", "kyrgyzstan", "other")
CONVERSATION_MENU = "conversation"
# Who reads a topic's answers (see content/README.md, "Who an answer is for"): Kyrgyz
# citizens working or going abroad, or foreigners in Kyrgyzstan. A topic without `audience:`
# is for foreigners when it sits in the foreigners' menu, else for migrants; the
# `kyrgyzstan` variant of any topic is always read by a foreigner in Kyrgyzstan.
AUDIENCES = ("migrants", "foreigners")
FOREIGNERS_MENU = "foreigners_kg"
# Topics the conversation treats specially, marked with `role:` in their topic.yaml.
ROLES = ("greeting", "menu", "human_handoff", "change_language", "hotline", "thanks")
MIN_EXAMPLES = 12

# The bot's own words; the language's name and month names are in languages/<lang>.yaml.
UI_KEYS = (
    "greeting",
    "about",
    "menu_prompt",
    "menu_groups",
    "buttons",
    "fallback",
    "fallback_hint",
    "source_line",
    "as_of_line",
    "ask_country",
    "country_saved",
    "choose_language",
    "language_saved",
    "feedback_thanks",
    "related",
    "non_text",
    "empty_message",
    "too_long",
    "date_hint",
    "group_chat",
    "unknown_command",
    "commands",
    "country_unknown_note",
    "danger_offer",
    "handoff",
    "caseworkers",
    "flood",
    "admin",
    "update_line",
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
    # Per variant: the paragraphs it cites (when it has its own `variant_sources:` list), the
    # blocks it includes, and the line it starts on. "" stands for `answer`.
    variant_sources: dict[str, tuple[int, ...]] = field(default_factory=dict)
    blocks_by_variant: dict[str, frozenset[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    updates: tuple[Update, ...] = ()
    signoff: SignOff = SignOff()

    def variant_for(self, group: str | None) -> str:
        """The variant a person in this country group reads; "" is the general `answer`."""
        return group if group in self.variants else ""

    def sources_for(self, variant: str) -> tuple[int, ...]:
        """The paragraphs behind one variant: its own list, or the file's `sources`."""
        return self.variant_sources.get(variant, self.sources)


@dataclass(frozen=True)
class Topic:
    id: str
    menu: str
    needs_country: bool
    audience: str
    related: tuple[str, ...]
    calculator: str | None
    as_of: str
    review_by: dt.date
    texts: dict[str, TopicText]
    path: Path
    role: str | None = None  # one of ROLES: what the conversation does with it besides answering


@dataclass(frozen=True)
class RenderedAnswer:
    title: str
    body: str
    sources: tuple[int, ...]
    as_of: str
    variant: str = GENERAL_ANSWER  # which answer of the file was used: "answer" or a variant group
    updates: tuple[Update, ...] = ()  # the dated updates shown at the end of the body
    report_body: str = ""  # the body without the updates: what rests on the report alone


@dataclass
class Content:
    """Everything the bot says, loaded and checked."""

    directory: Path
    languages: tuple[str, ...]
    topics: dict[str, Topic]
    ui: dict[str, dict[str, Any]]
    countries: dict[str, Country]
    country_order: tuple[str, ...]
    block_sources: dict[str, tuple[int, ...]]  # every paragraph a block may cite
    off_topic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    danger: list[DangerKind] = field(default_factory=list)
    # The paragraphs behind the lines a block shows each reader (blocks/sources.yaml).
    block_sources_by_reader: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    # What each language's readers need: its months, its words (languages/<lang>.yaml).
    words: dict[str, Language] = field(default_factory=dict)
    # Replies that ask nothing ("да", "не знаю", "рахмат"): never routed to a topic (bare_replies.yaml).
    bare_replies: BareReplies = field(default_factory=dict)

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
        variant = text.variant_for(known.group if known else None)
        template = text.variants[variant] if variant else text.answer
        body = template.render(
            lang=lang,
            country=known.code if known else None,
            country_name=known.names.get(lang, "") if known and known.code != "XX" else "",
            group=known.group if known else None,
            emergency=known.emergency if known else None,
            calc=calc,
        )
        sources = set(text.sources_for(variant))
        for block in text.blocks_by_variant.get(variant, text.blocks):
            sources.update(self.block_sources_for(block, known.group if known else None))
        shown = variant or GENERAL_ANSWER
        updates = tuple(update for update in text.updates if update.applies_to(shown))
        long_date = template.environment.filters["long_date"]
        lines = [(self._update_line(update, lang, long_date), update.text) for update in updates]
        report_body = tidy(body)
        return RenderedAnswer(
            text.title,
            with_updates(report_body, lines),
            tuple(sorted(sources)),
            topic.as_of,
            shown,
            updates,
            report_body,
        )

    def variant_of(self, topic_id: str, lang: str, country: str | None) -> str:
        """The answer a person in this country reads: their group's variant, else the general one."""
        known = self.countries.get(country) if country else None
        return self.topics[topic_id].texts[lang].variant_for(known.group if known else None) or GENERAL_ANSWER

    def _update_line(self, update: Update, lang: str, long_date: Callable[[dt.date], str]) -> str:
        """An update's own source line, e.g. "Update (source: <title>, checked 20 November 2026)"."""
        checked = update.source.checked
        return (
            str(self.ui[lang]["update_line"])
            .strip()
            .format(
                title=update.source.title,
                checked=long_date(checked) if checked else update.source.checked_raw,
            )
        )

    def block_sources_for(self, block: str, group: str | None) -> tuple[int, ...]:
        """The paragraphs behind what a block shows a reader in this country group."""
        by_reader = self.block_sources_by_reader.get(block)
        if not by_reader:
            return self.block_sources.get(block, ())
        return by_reader.get(group or "unknown", by_reader.get("default", ()))

    def title(self, topic_id: str, lang: str) -> str:
        return self.topics[topic_id].texts[lang].title

    def menu_topics(self, group: str) -> list[str]:
        return [t.id for t in self.topics.values() if t.menu == group]

    def unreviewed(self) -> list[Path]:
        return sorted(text.path for topic in self.topics.values() for text in topic.texts.values() if not text.reviewed)


def load_content(directory: Path | str | None = None, template_cache: Path | None = None) -> Content:
    """Load and fully check content; raise ContentError listing every problem.

    With `template_cache` (a folder), compiled templates are kept there for the next start.
    """
    content, problems = check_content(directory, template_cache)
    if problems or content is None:
        raise ContentError(problems)
    return content


def check_content(
    directory: Path | str | None = None,
    template_cache: Path | None = None,
) -> tuple[Content | None, list[Problem]]:
    """Load content and collect every problem instead of stopping at the first."""
    from content.alerts import check_alerts  # alert files and the /alerts dialogue
    from content.glossary import check_glossary
    from content.validation import (
        check_hotline_audience,
        check_rendering,
        check_shared_examples,
        check_signoffs,
        check_update_sources,
    )

    root = Path(directory) if directory else DEFAULT_DIR
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(root, 1, "content folder not found")]
    words = read_languages(root, problems)
    ui = _load_ui(root, words, problems)
    languages = tuple(sorted(set(ui) & set(words)))
    if not languages:
        problems.append(Problem(root / "ui", 1, "no complete language (languages/<lang>.yaml with ui/<lang>.yaml)"))
        return None, problems
    countries, order = _load_countries(root / "countries.yaml", problems)
    block_sources_by_reader = _load_block_sources(root / "blocks" / "sources.yaml", problems)
    block_sources = {
        block: tuple(sorted({n for numbers in by_reader.values() for n in numbers}))
        for block, by_reader in block_sources_by_reader.items()
    }
    environments = {
        lang: make_environment(root / "blocks" / lang, words[lang].months_shown, words[lang].date_format)
        for lang in languages
    }
    code_cache = TemplateCodeCache(template_cache) if template_cache is not None else None
    for environment in environments.values():
        environment.bytecode_cache = code_cache
    menu_groups = set(ui[languages[0]].get("menu_groups") or {}) | {CONVERSATION_MENU}
    topics = _load_topics(root / "topics", languages, environments, menu_groups, problems)
    off_topic = _load_off_topic(root / "off_topic.yaml", languages, problems)
    danger = load_danger(root / "danger.yaml", set(topics), problems)
    content = Content(
        root,
        languages,
        topics,
        ui,
        countries,
        order,
        block_sources,
        off_topic,
        danger,
        block_sources_by_reader,
        {lang: words[lang] for lang in languages},
        load_bare_replies(root / "bare_replies.yaml", languages, topics, problems),
    )
    check_shared_examples(content, problems)
    check_hotline_audience(content, problems)
    check_rendering(content, problems)
    check_glossary(content, problems)
    check_update_sources(content, problems)
    check_signoffs(content, problems)
    check_alerts(content, problems)
    if code_cache is not None:
        code_cache.save()  # after check_rendering, which compiled the shared blocks too
    return content, problems


def _load_ui(root: Path, words: dict[str, Language], problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """ui/<lang>.yaml for every language, with `language_name` from the language's data file."""
    ui: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "ui").glob("*.yaml")):
        data = read_yaml(path, problems)
        if data is None:
            continue
        for key in UI_KEYS:
            if key not in data or data[key] in (None, "", [], {}):
                problems.append(Problem(path, 1, f"missing field '{key}'"))
        admin = data.get("admin") if isinstance(data.get("admin"), dict) else {}
        for key, label in admin.items():
            if (problem := form_problems(str(label), path.stem)) is not None:
                problems.append(Problem(path, 1, f"admin.{key} cannot be filled in: {problem}"))
        if path.stem in words:
            data["language_name"] = words[path.stem].name
        elif not (root / "languages" / path.name).exists():
            problems.append(Problem(path, 1, f"no languages/{path.name}: a language needs its data file too"))
        ui[path.stem] = data
    for code in sorted(set(words) - set(ui)):
        problems.append(
            Problem(
                root / "languages" / f"{code}.yaml",
                1,
                f"no ui/{code}.yaml: a language needs its interface words too",
            )
        )
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
            str(code),
            entry["group"],
            str(emergency) if emergency else None,
            dict(entry.get("names") or {}),
        )
    order = tuple(str(code) for code in data.get("order") or countries)
    for code in order:
        if code not in countries:
            problems.append(Problem(path, data.line_of("order"), f"order: unknown country '{code}'"))
    return countries, tuple(code for code in order if code in countries)


def _load_block_sources(path: Path, problems: list[Problem]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Block → reader → paragraphs. A plain list holds for every reader; a mapping names the
    readers a block shows different lines to: a country group, `unknown`, and `default`."""
    data = read_yaml(path, problems) if path.exists() else None
    if data is None:
        return {}
    readers = ("default", "unknown", *COUNTRY_GROUPS)
    result: dict[str, dict[str, tuple[int, ...]]] = {}
    for block, value in data.items():
        if not isinstance(value, LineDict):
            result[str(block)] = {"default": _paragraphs(value, path, data.line_of(block), problems)}
            continue
        result[str(block)] = {}
        for reader, paragraphs in value.items():
            if reader not in readers:
                problems.append(
                    Problem(
                        path,
                        value.line_of(reader),
                        f"{block}: unknown reader '{reader}' (use {', '.join(readers)})",
                    )
                )
                continue
            result[str(block)][str(reader)] = _paragraphs(paragraphs, path, value.line_of(reader), problems)
    return result


def _load_off_topic(path: Path, languages: tuple[str, ...], problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Questions the bot must not answer, used to teach the router what is off-topic."""
    if not path.exists():
        return {}
    data = read_yaml(path, problems)
    if data is None:
        return {}
    return {lang: tuple(str(q) for q in data.get(lang) or []) for lang in languages}


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
            problems.append(
                Problem(
                    folder / "topic.yaml",
                    1,
                    f"duplicate topic id '{topic.id}' (also in {seen_at[topic.id]})",
                )
            )
            continue
        topics[topic.id] = topic
        seen_at[topic.id] = folder / "topic.yaml"
    roles: dict[str, str] = {}
    for topic in topics.values():
        if topic.role is not None and roles.setdefault(topic.role, topic.id) != topic.id:
            problems.append(Problem(topic.path, 1, f"role '{topic.role}' is also given to '{roles[topic.role]}'"))
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
        problems.append(
            Problem(
                path,
                meta.line_of("id"),
                f"id '{topic_id}' differs from the folder name '{folder.name}'",
            )
        )
    menu = str(meta.get("menu") or CONVERSATION_MENU)
    if menu not in menu_groups:
        problems.append(Problem(path, meta.line_of("menu"), f"menu: unknown group '{menu}'"))
    calculator = meta.get("calculator")
    if calculator is not None and calculator not in CALCULATORS:
        known = ", ".join(CALCULATORS)
        problems.append(
            Problem(
                path,
                meta.line_of("calculator"),
                f"calculator: unknown '{calculator}' (known: {known})",
            )
        )
        calculator = None
    role = meta.get("role")
    if role is not None and role not in ROLES:
        problems.append(Problem(path, meta.line_of("role"), f"role: unknown '{role}' (known: {', '.join(ROLES)})"))
        role = None
    review_by = meta.get("review_by")
    if not isinstance(review_by, dt.date):
        if review_by is not None:
            problems.append(Problem(path, meta.line_of("review_by"), "review_by: expected a date like 2027-06-30"))
        review_by = dt.date.max
    audience = meta.get("audience") or (
        "foreigners" if menu == FOREIGNERS_MENU else "" if menu == CONVERSATION_MENU else "migrants"
    )
    if audience and audience not in AUDIENCES:
        problems.append(
            Problem(
                path,
                meta.line_of("audience"),
                f"audience: use one of {', '.join(AUDIENCES)}, not '{audience}'",
            )
        )
        audience = "migrants"
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
        id=topic_id,
        menu=menu,
        needs_country=bool(meta.get("needs_country")),
        audience=str(audience),
        related=tuple(str(r) for r in related),
        calculator=calculator,
        as_of=str(meta.get("as_of") or ""),
        review_by=review_by,
        texts=texts,
        path=path,
        role=str(role) if role is not None else None,
    )


def _load_text(
    path: Path,
    lang: str,
    environment: jinja2.Environment,
    is_conversation: bool,
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
    blocks_by_variant = {"": frozenset(blocks)}
    lines = {"": data.line_of("answer")}
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
                blocks_by_variant[group] = frozenset(used)
                lines[group] = line
    else:
        problems.append(Problem(path, data.line_of("variants"), "variants: expected a mapping of group to answer"))
    variant_sources = _load_variant_sources(data, path, set(variants), problems)
    examples = data.get("examples")
    if not isinstance(examples, list) or not all(isinstance(e, str | int) for e in examples):
        problems.append(Problem(path, data.line_of("examples"), "examples: expected a list of questions"))
        examples = []
    elif len(examples) < MIN_EXAMPLES:
        problems.append(
            Problem(
                path,
                data.line_of("examples"),
                f"examples: {len(examples)} given, at least {MIN_EXAMPLES} needed to recognise the topic",
            )
        )
    title = str(data.get("title") or "").strip()
    if not title:
        problems.append(Problem(path, data.line_of("title"), "title is empty"))
    if answer is None:
        return None
    return TopicText(
        lang=lang,
        title=title,
        sources=sources,
        answer=answer,
        variants=variants,
        examples=tuple(str(e) for e in examples),
        reviewed=data.get("reviewed") is True,
        path=path,
        blocks=frozenset(blocks),
        variant_sources=variant_sources,
        blocks_by_variant=blocks_by_variant,
        lines=lines,
        updates=load_updates(data, path, problems),
        signoff=read_signoff(data),
    )


def _load_variant_sources(
    data: LineDict,
    path: Path,
    variants: set[str],
    problems: list[Problem],
) -> dict[str, tuple[int, ...]]:
    """`variant_sources:`: the paragraphs each variant rests on, when they differ from `sources`.

    The Korea answer must not show the paragraphs behind the Kyrgyzstan one, so a variant
    lists its own; one without a list cites the file's `sources`.
    """
    raw = data.get("variant_sources")
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        problems.append(
            Problem(
                path,
                data.line_of("variant_sources"),
                "variant_sources: expected a mapping of group to paragraphs",
            )
        )
        return {}
    result: dict[str, tuple[int, ...]] = {}
    for group, paragraphs in raw.items():
        line = raw.line_of(group)
        if group not in variants:
            problems.append(Problem(path, line, f"variant_sources: '{group}' is not one of this file's variants"))
            continue
        numbers = _paragraphs(paragraphs, path, line, problems)
        if not numbers:
            problems.append(Problem(path, line, f"variant_sources.{group}: cite at least one paragraph of the report"))
            continue
        result[str(group)] = numbers
    return result


def _compile(
    environment: jinja2.Environment,
    source: Any,
    path: Path,
    key_line: int,
    what: str,
    problems: list[Problem],
) -> tuple[jinja2.Template | None, set[str]]:
    """Compile a template once, and name the blocks it includes."""
    if not isinstance(source, str) or not source.strip():
        problems.append(Problem(path, key_line, f"{what} is empty"))
        return None, set()
    try:
        parsed = environment.parse(source)
        return compile_template(environment, parsed, source, f"{path}:{what}"), included_blocks(parsed)
    except jinja2.TemplateSyntaxError as error:
        problems.append(Problem(path, key_line + (error.lineno or 1), f"{what}: template error: {error.message}"))
        return None, set()
