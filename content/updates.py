"""Dated updates: a fact newer than the report, added by a caseworker with its own source.

The report describes 2022. When a caseworker learns that a rule has changed, they add an
`updates:` entry to the language file instead of rewriting the report-based answer, so the
migrant sees both what the report says and what is newer, each with where it comes from.
Loading keeps whatever was written, with its lines; `content.validation` refuses an update
whose source is incomplete, so only sourced updates reach a migrant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content.problems import Problem
from content.yamlfile import LineDict

GENERAL_ANSWER = "answer"  # in `variants:` of an update: the answer for everyone without a variant of their own


@dataclass(frozen=True)
class UpdateSource:
    """Where an update comes from: what a reader needs to find and re-check it."""

    title: str
    url: str
    document: str
    checked: dt.date | None  # None when the file does not hold a valid date
    checked_raw: str


@dataclass(frozen=True)
class Update:
    text: str
    variants: tuple[str, ...]  # the answers it amends: "answer" and/or variant groups; empty means all
    source: UpdateSource
    path: Path
    line: int  # where the update starts, for path:line
    lines: dict[str, int] = field(default_factory=dict)  # line of `text`, `variants`, `source`, and source fields

    def applies_to(self, variant: str) -> bool:
        return not self.variants or variant in self.variants


def load_updates(data: LineDict, path: Path, problems: list[Problem]) -> tuple[Update, ...]:
    """The `updates:` list of a language file; shapes that cannot be read are problems."""
    raw = data.get("updates")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(path, data.line_of("updates"), "updates: expected a list of updates"))
        return ()
    item_lines = getattr(raw, "lines", [data.line_of("updates")] * len(raw))
    updates: list[Update] = []
    for item, line in zip(raw, item_lines, strict=False):
        if not isinstance(item, LineDict):
            problems.append(Problem(path, line, "updates: each update needs text: and source:"))
            continue
        updates.append(_update(item, path, line))
    return tuple(updates)


def _update(item: LineDict, path: Path, line: int) -> Update:
    source_map = item.get("source")
    if not isinstance(source_map, LineDict):  # missing, or not a mapping: every field is then missing
        source_map = LineDict()
        source_map.lines = {}
    lines = {key: item.line_of(key, line) for key in ("text", "variants", "source")}
    lines.update({f"source.{key}": source_map.line_of(key, lines["source"]) for key in source_map})
    variants = item.get("variants") or []
    if isinstance(variants, str):
        variants = [variants]
    checked = source_map.get("checked")
    return Update(
        text=_text(item.get("text")),
        variants=tuple(str(v) for v in variants) if isinstance(variants, list) else (str(variants),),
        source=UpdateSource(
            title=_text(source_map.get("title")),
            url=_text(source_map.get("url")),
            document=_text(source_map.get("document")),
            checked=checked if isinstance(checked, dt.date) and not isinstance(checked, dt.datetime) else None,
            checked_raw=_text(checked),
        ),
        path=path,
        line=line,
        lines=lines,
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
