"""Signing off a language file: who checked it, and when.

`helpline signoff TOPIC LANG --by NAME` sets `reviewed: true`, `reviewed_by` and
`reviewed_on` in `topics/<topic>/<lang>.yaml`. Caseworkers lay out and comment these files
by hand, so the three lines are edited in the text itself and everything else is left
byte for byte as it was; the result is read back and compared before it is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from content.yamlfile import LineDict

FIELDS = ("reviewed", "reviewed_by", "reviewed_on")
MAX_NAME = 80


class SignOffError(Exception):
    """The file could not be signed off; the message says why, for the caseworker."""


@dataclass(frozen=True)
class SignOff:
    """What a language file says about its review, with the lines of those keys."""

    reviewed: Any = False
    by: str = ""
    on: dt.date | None = None
    on_raw: str = ""
    lines: dict[str, int] = field(default_factory=dict)


def read_signoff(data: LineDict) -> SignOff:
    on = data.get("reviewed_on")
    return SignOff(
        reviewed=data.get("reviewed", False),
        by="" if data.get("reviewed_by") is None else str(data.get("reviewed_by")).strip(),
        on=on if isinstance(on, dt.date) and not isinstance(on, dt.datetime) else None,
        on_raw="" if on is None else str(on),
        lines={key: data.line_of(key) for key in FIELDS if key in data},
    )


def sign_off(path: Path, by: str, today: dt.date) -> None:
    """Mark one language file reviewed by `by` on `today`, editing only those three lines."""
    name = " ".join(by.split())
    if not name:
        raise SignOffError("give the reviewer's name with --by")
    if len(name) > MAX_NAME:
        raise SignOffError(f"the name is longer than {MAX_NAME} characters")
    try:
        original = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SignOffError(f"cannot read {path}: {error}") from None
    values = {"reviewed": "true", "reviewed_by": json.dumps(name, ensure_ascii=False), "reviewed_on": today.isoformat()}
    edited = _with_values(original, values)
    _check_only_review_changed(path, original, edited, {"reviewed": True, "reviewed_by": name, "reviewed_on": today})
    temporary = path.with_name(f".{path.name}.signoff")
    temporary.write_text(edited, encoding="utf-8")
    os.replace(temporary, path)


def _key_line(key: str) -> re.Pattern[str]:
    """A top-level `key: value  # comment` line, value and comment captured apart."""
    value = r"""(?:"[^"]*"|'[^']*'|[^#\s][^#]*?)?"""
    return re.compile(rf"^{key}:(?P<gap>[ \t]*)(?P<value>{value})(?P<rest>[ \t]*(?:#.*)?)$")


def _with_values(text: str, values: dict[str, str]) -> str:
    lines = text.splitlines(keepends=True)
    last_found = -1
    for key in FIELDS:
        pattern = _key_line(key)
        index = next((i for i, line in enumerate(lines) if pattern.match(line.rstrip("\r\n"))), None)
        if index is None:
            newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
            lines.insert(last_found + 1, f"{key}: {values[key]}{newline}")
            last_found += 1
            continue
        line = lines[index]
        body = line.rstrip("\r\n")
        if index + 1 < len(lines) and lines[index + 1][:1] in (" ", "\t") and lines[index + 1].strip():
            raise SignOffError(f"line {index + 1}: '{key}' runs over several lines; make it one line and try again")
        match = pattern.match(body)
        assert match is not None
        gap = match.group("gap") or " "
        rest = match.group("rest")
        lines[index] = f"{key}:{gap}{values[key]}{rest}{line[len(body) :]}"
        last_found = max(last_found, index)
    return "".join(lines)


def _check_only_review_changed(path: Path, original: str, edited: str, expected: dict[str, Any]) -> None:
    """Refuse to write unless the edit changed exactly the review fields, to the values wanted."""
    try:
        before = yaml.safe_load(original)
        after = yaml.safe_load(edited)
    except yaml.YAMLError as error:
        raise SignOffError(f"{path} is not valid YAML ({error}); fix it first") from None
    if not isinstance(before, dict) or not isinstance(after, dict):
        raise SignOffError(f"{path} is not a mapping of keys to values")
    rest_before = {k: v for k, v in before.items() if k not in FIELDS}
    rest_after = {k: v for k, v in after.items() if k not in FIELDS}
    got = {key: after.get(key) for key in FIELDS}
    if rest_before != rest_after or got != expected:
        raise SignOffError(f"{path}: could not edit the review lines safely; set them by hand")
