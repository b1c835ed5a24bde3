"""YAML reading that remembers on which line each key and list item stood.

Validation messages point caseworkers to `path:line`, so the loader keeps the line of
every mapping key and sequence item next to the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content.problems import Problem


class LineDict(dict):
    """A mapping with `lines[key]`: the 1-based line where the key stands."""

    lines: dict[Any, int]

    def line_of(self, key: Any, default: int = 1) -> int:
        return self.lines.get(key, default)


class LineList(list):
    """A list with `lines[i]`: the 1-based line of item i."""

    lines: list[int]


# libyaml's parser when PyYAML was built with it (its wheels are): ten times faster, same marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    """A date that is no real day (2026-02-30) stays text, for validation to point at, not a crash."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path, problems: list[Problem]) -> LineDict | None:
    """Read a YAML mapping; on failure record a problem and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(path, 1, f"cannot read file: {error}"))
        return None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        last_line = text.rstrip("\n").count("\n") + 1  # libyaml marks end-of-file errors past the end
        line = min(mark.line + 1, last_line) if mark else 1
        problems.append(Problem(path, line, f"YAML syntax error: {error.problem or error}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(path, 1, f"YAML syntax error: {error}"))
        return None
    if not isinstance(data, LineDict):
        problems.append(Problem(path, 1, "expected a mapping of keys to values"))
        return None
    return data
