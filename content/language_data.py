"""The languages of the bot, one data file each: content/languages/<code>.yaml.

A language is the words helpline reads in it (how people name it, its months, the words that
say "I arrived" or "my job ended", the phrases that introduce a name or an address) and how
it writes a date. These sit apart from ui/<code>.yaml, which holds what the bot says, because
lower layers read them without the rest of the content: storage/redaction builds its name and
address patterns from them, handlers/understanding its date reader. Adding a language is
adding files, never Python; a file with a required key missing or empty is reported at
`path:line` and the language is left out rather than half-used.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content.problems import Problem
from content.yamlfile import LineDict, read_yaml

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent
FOLDER = "languages"
MONTHS = 12
# Keys every language file needs, with a non-empty value; `redaction.*` ones inside `redaction:`.
REQUIRED = ("name", "called", "date_format", "months", "arrival_words", "end_words", "redaction")
REQUIRED_REDACTION = ("name_labels", "house_before_number")
# A name introducer of either kind, and a street keyword before or after the name, is needed.
REQUIRED_REDACTION_ONE_OF = (("name_after", "name_after_one_word"), ("street_before", "street_after"))
REDACTION_KEYS = (
    "name_after",
    "name_after_one_word",
    "name_labels",
    "name_before_dash",
    "street_abbreviations",
    "street_before",
    "street_after",
    "house_before_number",
    "house_after_number",
)
DATE_FIELDS = ("{day}", "{month}", "{year}")


@dataclass(frozen=True)
class RedactionWords:
    """Phrases after or around which personal data stands; see storage/redaction/triggers.py."""

    name_after: tuple[str, ...] = ()  # a name of up to three words follows
    name_after_one_word: tuple[str, ...] = ()  # a lower-case name after these is one word
    name_labels: tuple[str, ...] = ()  # "Name:" in a form
    name_before_dash: tuple[str, ...] = ()  # "Я — Айбек"
    street_abbreviations: tuple[str, ...] = ()  # "ул. Ленина 5"
    street_before: tuple[str, ...] = ()  # "улица Ленина 5"
    street_after: tuple[str, ...] = ()  # "Ленин көчөсү 12"
    house_before_number: tuple[str, ...] = ()  # "кв 12"
    house_after_number: tuple[str, ...] = ()  # "45-батир"


@dataclass(frozen=True)
class Language:
    """One language's data file, complete and checked."""

    code: str
    name: str
    called: tuple[str, ...]
    date_format: str
    months_shown: tuple[str, ...]
    months_read: tuple[tuple[str, ...], ...]  # per month, January first
    arrival_words: tuple[str, ...]
    end_words: tuple[str, ...]
    redaction: RedactionWords
    own_letters: str = ""
    not_months: tuple[str, ...] = ()


def read_languages(content_dir: Path, problems: list[Problem]) -> dict[str, Language]:
    """Every complete language file under `content_dir/languages`, by code; problems appended."""
    languages: dict[str, Language] = {}
    for path in sorted((content_dir / FOLDER).glob("*.yaml")):
        found: list[Problem] = []
        data = read_yaml(path, found)
        language = _language(path, data, found) if data is not None else None
        problems.extend(found)
        if language is not None and not found:
            languages[language.code] = language
    return languages


@functools.cache
def bundled_languages() -> tuple[Language, ...]:
    """The languages shipped in content/languages, for code that runs without loaded content
    (redaction, the date reader's default, CLI choices). A broken file is logged and skipped."""
    problems: list[Problem] = []
    languages = read_languages(BUNDLED_DIR, problems)
    for problem in problems:
        log.error("language data: %s", problem)
    return tuple(languages.values())


def _language(path: Path, data: Any, problems: list[Problem]) -> Language | None:
    if not isinstance(data, LineDict):
        problems.append(Problem(path, 1, "expected a mapping of keys such as 'name:' and 'months:'"))
        return None
    for key in REQUIRED:
        _require(data, key, path, problems, where=key)
    redaction = data.get("redaction")
    if isinstance(redaction, LineDict):
        line = data.line_of("redaction")
        for key in REQUIRED_REDACTION:
            _require(redaction, key, path, problems, where=f"redaction.{key}", line=line)
        for keys in REQUIRED_REDACTION_ONE_OF:
            if not any(_words(redaction.get(key)) for key in keys):
                problems.append(Problem(path, line, f"redaction: needs {' or '.join(keys)}"))
        for key in redaction:
            if key not in REDACTION_KEYS:
                problems.append(Problem(path, redaction.line_of(key), f"redaction.{key}: unknown key"))
    elif redaction is not None:
        problems.append(Problem(path, data.line_of("redaction"), "redaction: expected a mapping"))
    months = _months(data, path, problems)
    date_format = str(data.get("date_format") or "")
    if date_format and not all(field in date_format for field in DATE_FIELDS):
        problems.append(Problem(path, data.line_of("date_format"), "date_format: needs {day}, {month} and {year}"))
    if problems or months is None or not isinstance(redaction, LineDict):
        return None
    return Language(
        code=path.stem,
        name=str(data["name"]).strip(),
        called=_words(data["called"]),
        date_format=date_format,
        months_shown=tuple(shown for shown, _ in months),
        months_read=tuple(read for _, read in months),
        arrival_words=_words(data["arrival_words"]),
        end_words=_words(data["end_words"]),
        redaction=RedactionWords(**{key: _words(redaction.get(key)) for key in REDACTION_KEYS}),
        own_letters=str(data.get("own_letters") or ""),
        not_months=_words(data.get("not_months")),
    )


def _require(
    data: LineDict,
    key: str,
    path: Path,
    problems: list[Problem],
    *,
    where: str,
    line: int | None = None,
) -> None:
    value = data.get(key)
    if key not in data:
        problems.append(Problem(path, line or 1, f"missing '{where}': every language needs it"))
    elif value is None or (isinstance(value, str | list | dict) and not _filled(value)):
        problems.append(Problem(path, data.line_of(key), f"'{where}' is empty"))


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return any(item not in (None, "") for item in value)
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def _months(data: LineDict, path: Path, problems: list[Problem]) -> list[tuple[str, tuple[str, ...]]] | None:
    """Twelve `{shown: …, read: […]}` entries, January first."""
    months = data.get("months")
    if not isinstance(months, list):
        if months is not None:
            problems.append(Problem(path, data.line_of("months"), "months: expected a list of 12 months"))
        return None
    if not months:
        return None  # reported as empty
    if len(months) != MONTHS:
        problems.append(Problem(path, data.line_of("months"), f"months: {len(months)} given, 12 needed"))
        return None
    result = []
    for number, (entry, line) in enumerate(zip(months, getattr(months, "lines", []), strict=False), start=1):
        shown = str(entry.get("shown") or "").strip() if isinstance(entry, dict) else ""
        read = _words(entry.get("read")) if isinstance(entry, dict) else ()
        if not shown or not read:
            problems.append(Problem(path, line, f"months: month {number} needs 'shown' and 'read'"))
            continue
        result.append((shown, read))
    return result if len(result) == MONTHS else None


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(item).strip() for item in value if item not in (None, "") and str(item).strip())
