"""Appending a question to a list in a content YAML file without disturbing the rest.

Caseworkers edit these files by hand, with comments and their own layout; rewriting them
through a YAML dumper would lose both. So the new item is inserted as one line after the
list's last item, quoted only as YAML requires, and the file is read back to prove the list
now ends with exactly that question. On any doubt the original file is put back.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from content.problems import Problem
from content.yamlfile import read_yaml

_SPACES = re.compile(r"\s+")


class EditError(Exception):
    """The file could not be changed safely; it is left as it was."""


def one_line(question: str) -> str:
    """A question as one example line: runs of whitespace (newlines too) become one space."""
    return _SPACES.sub(" ", question).strip()


def yaml_scalar(text: str) -> str:
    """`text` as a one-line YAML scalar: plain when it is safe, quoted when it is not."""
    dumped = yaml.safe_dump([text], allow_unicode=True, width=1_000_000, default_flow_style=False)
    if not dumped.startswith("- ") or dumped.count("\n") != 1:
        raise EditError(f"cannot write {text!r} as one YAML line")
    return dumped[2:].rstrip("\n")


def append_item(path: Path, key: str, item: str, *, under: str | None = None) -> None:
    """Add `item` at the end of the block list under the top-level `key` of `path`, or, with
    `under`, under `key` inside the top-level mapping `under` (a danger kind's `examples`, say).

    A missing top-level key is added at the end of the file with the item as its only entry;
    a missing key inside `under` is an EditError, since where it belongs in the block is the
    caseworker's call.
    """
    item = one_line(item)
    if not item:
        raise EditError("an empty question cannot be an example")
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    first, stop, indent = (0, len(lines), "") if under is None else _block(path, lines, under)
    name = f"'{under}: {key}'" if under else f"'{key}'"
    named = rf"^{re.escape(indent)}{re.escape(key)}\s*:"
    header = re.compile(rf"{named}\s*(#.*)?$")
    start = next((i for i in range(first, stop) if header.match(lines[i].rstrip("\r\n"))), None)
    entry = yaml_scalar(item)
    if start is None and any(re.match(named, lines[i]) for i in range(first, stop)):
        raise EditError(f"{path}: {name} is not written as a block list (one '- item' per line); add it by hand")
    if start is None and under is not None:
        raise EditError(f"{path}: {name} is not in the file; add the list by hand")
    if start is None:
        tail = "" if not original or original.endswith("\n") else "\n"
        updated = f"{original}{tail}{key}:\n  - {entry}\n"
    else:
        last, item_indent = _list_end(lines, start)
        if not lines[last].endswith("\n"):
            lines[last] += "\n"
        lines.insert(last + 1, f"{item_indent}- {entry}\n")
        updated = "".join(lines)
    _check(path, updated, (under, key) if under else (key,), item)
    _replace(path, updated)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _meaningful(line: str) -> bool:
    """Neither blank nor a comment: a line that belongs to the YAML structure."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block(path: Path, lines: list[str], under: str) -> tuple[int, int, str]:
    """The lines of the top-level mapping `under` (first, stop) and the indentation of its keys."""
    header = re.compile(rf"^{re.escape(under)}\s*:\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line.rstrip("\r\n"))), None)
    if start is None:
        raise EditError(f"{path}: no '{under}' block in the file")
    stop = next(
        (i for i in range(start + 1, len(lines)) if _meaningful(lines[i]) and not lines[i][0].isspace()), len(lines)
    )
    keys = next((_indent(lines[i]) for i in range(start + 1, stop) if _meaningful(lines[i])), "")
    if not keys:
        raise EditError(f"{path}: '{under}' is not written as a block of keys; add it by hand")
    return start + 1, stop, keys


def _list_end(lines: list[str], start: int) -> tuple[int, str]:
    """Index of the last line belonging to the list whose key is on line `start`, and the
    indentation of its items. Blank and comment lines after the last item stay after it."""
    own = _indent(lines[start])
    last, indent = start, None
    for i in range(start + 1, len(lines)):
        if not _meaningful(lines[i]):
            continue
        depth = len(_indent(lines[i]))
        if depth < len(own) or (depth == len(own) and not lines[i].lstrip().startswith("-")):
            break  # the next key at this level or above
        if indent is None and lines[i].lstrip().startswith("-"):
            indent = _indent(lines[i])
        last = i
    return last, own + "  " if indent is None else indent


def _check(path: Path, text: str, keys: tuple[str, ...], item: str) -> None:
    """Parse the would-be file and make sure the list at `keys` now ends with the new item."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".yaml", delete=False) as handle:
        handle.write(text)
    try:
        problems: list[Problem] = []
        data = read_yaml(Path(handle.name), problems)
    finally:
        os.unlink(handle.name)
    values = data
    for key in keys:
        values = values.get(key) if isinstance(values, dict) else None
    if problems or not isinstance(values, list) or not values or str(values[-1]) != item:
        detail = "; ".join(p.message for p in problems) or "the list does not end with the new question"
        raise EditError(f"{path}: not changed, the edit would break the file ({detail})")


def _replace(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a crash never leaves half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
