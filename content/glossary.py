"""The caseworkers' glossary: one preferred term per concept, and the forms to avoid.

`glossary.yaml` lists, per language, a preferred term, the forms that must not be written
instead (a Russian word in Kyrgyz, a calque, a second name for the same thing) and why.
Validation reads every text the bot sends in that language (titles, answers, variants,
shared blocks, interface strings, the alerts dialogue and each alert's title and text,
never the `examples:` a migrant types) and names the `path:line` of each avoided form, so
a slip is caught before a migrant reads it.

Each word of a form matches any word that begins with it, ignoring case and ё/е:
«отчёт» catches «Отчётто», «эмгекке жараксыз» catches «эмгекке жараксыздык».
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from content.alerts import ALERTS_DIR, WORDS_DIR
from content.problems import Problem
from content.yamlfile import LineDict, read_yaml

if TYPE_CHECKING:
    from content.library import Content

GLOSSARY_FILE = "glossary.yaml"
# What a migrant types, kept as typed: the router learns from misspellings and Russianisms.
NOT_CHECKED_KEYS = frozenset({"examples"})

_WORD = re.compile(r"\w+")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Term:
    """One glossary entry: write `use`; the `avoid` patterns find what to replace."""

    use: str
    why: str
    avoid: tuple[re.Pattern[str], ...]
    allowed_in: tuple[re.Pattern[str], ...]


def form_pattern(form: str) -> re.Pattern[str] | None:
    """A pattern where each word of `form` starts a word of the text, on one line."""
    words = _WORD.findall(form)
    if not words:
        return None
    parts = [_letters(word) + r"\w*" for word in words]
    return re.compile(r"(?<!\w)" + r"[^\w\n]+".join(parts), re.IGNORECASE)


def _letters(word: str) -> str:
    return "".join("[её]" if letter in "еёЕЁ" else re.escape(letter) for letter in word)


def load_glossary(path: Path, problems: list[Problem]) -> dict[str, list[Term]]:
    """Read the glossary; a broken entry is reported and skipped, never raised."""
    if not path.exists():
        return {}
    data = read_yaml(path, problems)
    if data is None:
        return {}
    glossary: dict[str, list[Term]] = {}
    for lang, entries in data.items():
        if not isinstance(entries, list):
            problems.append(Problem(path, data.line_of(lang), f"glossary {lang}: expected a list of terms"))
            continue
        lines = getattr(entries, "lines", [data.line_of(lang)] * len(entries))
        terms = (_term(entry, path, line, problems) for entry, line in zip(entries, lines, strict=False))
        glossary[str(lang)] = [term for term in terms if term is not None]
    return glossary


def _term(entry: Any, path: Path, line: int, problems: list[Problem]) -> Term | None:
    if not isinstance(entry, LineDict):
        problems.append(Problem(path, line, "glossary: each term needs use, avoid and why"))
        return None
    use, why = entry.get("use"), entry.get("why")
    for key, value in (("use", use), ("why", why)):
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(path, entry.line_of(key, line), f"glossary: '{key}' must be a text"))
            return None
    if not entry.get("avoid"):
        where = entry.line_of("avoid", line)
        problems.append(Problem(path, where, f"glossary '{use}': list at least one form to avoid"))
        return None
    avoid, allowed_in = _forms(entry, "avoid", path, problems), _forms(entry, "allowed_in", path, problems)
    if avoid is None or allowed_in is None:
        return None
    for form, pattern in avoid:
        if pattern.search(use) and not any(allowed.search(use) for _, allowed in allowed_in):
            problems.append(
                Problem(
                    path,
                    entry.line_of("avoid", line),
                    f"glossary '{use}': the form '{form}' would also forbid the preferred term",
                )
            )
            return None
    return Term(
        use.strip(),
        " ".join(why.split()),
        tuple(pattern for _, pattern in avoid),
        tuple(pattern for _, pattern in allowed_in),
    )


def _forms(
    entry: LineDict,
    key: str,
    path: Path,
    problems: list[Problem],
) -> list[tuple[str, re.Pattern[str]]] | None:
    """Each form of a list with its pattern; None (and a problem) when the list is malformed."""
    value = entry.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    where = entry.line_of(key, entry.line_of("use"))
    if not isinstance(value, list):
        problems.append(Problem(path, where, f"glossary: '{key}' must be a list of words or phrases"))
        return None
    forms: list[tuple[str, re.Pattern[str]]] = []
    for form in value:
        pattern = form_pattern(form) if isinstance(form, str) else None
        if pattern is None:
            problems.append(Problem(path, where, f"glossary: '{key}' has an entry without words: {form!r}"))
            return None
        forms.append((form, pattern))
    return forms


def avoided_forms(text: str, terms: list[Term]) -> Iterator[tuple[str, Term]]:
    """Each avoided form found in one line of text, with the term to write instead."""
    for term in terms:
        allowed = [match.span() for pattern in term.allowed_in for match in pattern.finditer(text)]
        for pattern in term.avoid:
            for match in pattern.finditer(text):
                if not any(start <= match.start() and match.end() <= end for start, end in allowed):
                    yield match.group(0), term


def check_glossary(content: Content, problems: list[Problem]) -> None:
    """Report every avoided form in the texts the bot sends, as path:line."""
    glossary = load_glossary(content.directory / GLOSSARY_FILE, problems)
    for lang, terms in glossary.items():
        if lang not in content.languages or not terms:
            continue
        paths = [
            *(topic.texts[lang].path for topic in content.topics.values() if lang in topic.texts),
            content.directory / "ui" / f"{lang}.yaml",
            content.directory / WORDS_DIR / f"{lang}.yaml",
        ]
        screen = _any_avoided(terms)
        for path in paths:
            _check_lines(path, _yaml_text_lines(path), terms, screen, problems)
        for alert in sorted((content.directory / ALERTS_DIR).glob("*.yaml")):  # every language in one file
            _check_lines(alert, _yaml_text_lines(alert, under=lang), terms, screen, problems)
        for block in sorted((content.directory / "blocks" / lang).glob("*.j2")):
            _check_lines(block, _all_lines(block), terms, screen, problems)


def _any_avoided(terms: list[Term]) -> re.Pattern[str]:
    """One pattern matching wherever any avoided form does: most lines hold none, and the
    bot checks its content at every start, so one scan per line rules them out."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for term in terms for pattern in term.avoid), re.IGNORECASE)


def _check_lines(
    path: Path, lines: Iterator[tuple[int, str]], terms: list[Term], screen: re.Pattern[str], problems: list[Problem]
) -> None:
    reported: set[tuple[int, str]] = set()
    for number, text in lines:
        if screen.search(text) is None:
            continue
        for found, term in avoided_forms(text, terms):
            if (number, found.casefold()) in reported:
                continue
            reported.add((number, found.casefold()))
            problems.append(Problem(path, number, f"glossary: write '{term.use}', not '{found}' ({term.why})"))


def _all_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # the loader has already reported an unreadable file
    yield from enumerate(text.splitlines(), start=1)


def _yaml_text_lines(path: Path, under: str | None = None) -> Iterator[tuple[int, str]]:
    """The source lines of every value in a YAML file, except under NOT_CHECKED_KEYS;
    with `under`, only the values of keys named so (an alert's `ky:` text and `title: {ky: …}`).

    Lines come from the file itself, not from the parsed value, so the line number is
    exact whatever the quoting or block style; the key before a value is cut off.
    """
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return  # the loader has already reported a file it cannot read
    lines = text.splitlines()
    roots = [root] if under is None else list(_values_under(root, under))
    for node in (scalar for top in roots for scalar in _scalars(top)):
        start, end = node.start_mark, node.end_mark
        last = end.line if end.column > 0 else end.line - 1
        for index in range(start.line, min(last, len(lines) - 1) + 1):
            line = lines[index][start.column :] if index == start.line else lines[index]
            yield index + 1, line


def _values_under(node: yaml.Node | None, key: str, seen: set[int] | None = None) -> Iterator[yaml.Node]:
    """The values of every mapping key named `key`, at any depth; an alias is walked once."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _values_under(child, key, seen)
    elif isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                yield value
            else:
                yield from _values_under(value, key, seen)


def _scalars(node: yaml.Node | None, seen: set[int] | None = None) -> Iterator[yaml.ScalarNode]:
    """Every scalar under a node, skipping NOT_CHECKED_KEYS; an alias is walked once."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _scalars(child, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not (isinstance(key, yaml.ScalarNode) and key.value in NOT_CHECKED_KEYS):
                yield from _scalars(value, seen)
