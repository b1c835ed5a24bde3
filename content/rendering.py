"""Jinja2 environments that turn answer templates into text, one per language.

Each language gets its own environment whose loader points at `blocks/<lang>/`, so
`{% include "hotline.j2" %}` picks the block in the answer's own language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes


def make_environment(blocks_dir: Path, month_names: Sequence[str], date_format: str) -> jinja2.Environment:
    """An environment that fails loudly on unknown names and never auto-escapes.

    Answers are plain text; the Telegram front ends escape them for HTML as they send.
    """
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(blocks_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )

    def long_date(value: dt.date) -> str:
        return date_format.format(day=value.day, month=month_names[value.month - 1], year=value.year)

    environment.filters["long_date"] = long_date
    return environment


def included_blocks(parsed: jinja2.nodes.Template) -> set[str]:
    """Names of the blocks a parsed template includes, without the `.j2` suffix."""
    names = jinja2.meta.find_referenced_templates(parsed)
    return {name.removesuffix(".j2") for name in names if isinstance(name, str)}


def tidy(text: str) -> str:
    """Trim trailing spaces and collapse runs of blank lines left by template logic."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidied: list[str] = []
    for line in lines:
        if not line and tidied and not tidied[-1]:
            continue
        tidied.append(line)
    return "\n".join(tidied)


def with_updates(body: str, updates: Sequence[tuple[str, str]]) -> str:
    """The answer followed by each dated update: its source line, then its text.

    `updates` holds (source line, text) pairs already worded in the answer's language; they
    come after the report-based answer so the two are never mixed up.
    """
    parts = [body, *(f"{line}\n{text}" for line, text in updates)]
    return "\n\n".join(part for part in parts if part)
