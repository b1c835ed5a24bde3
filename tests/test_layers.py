"""The tree shows the flow: content ← storage ← handlers (the core) ← review ← bot.

A module may import its own layer and the layers to its left, never one to its right, so
storage never learns about the core and the core never learns about Telegram.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = ("content", "storage", "handlers", "review", "bot")


def _imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in the file, wherever it sits."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _upward_imports() -> list[str]:
    wrong = []
    for rank, layer in enumerate(LAYERS):
        for path in sorted((REPO / layer).rglob("*.py")):
            for line, package in _imported_packages(path):
                if package in LAYERS and LAYERS.index(package) > rank:
                    wrong.append(f"{path.relative_to(REPO)}:{line}: {layer} imports {package}")
    return wrong


def test_no_module_imports_a_layer_above_its_own():
    assert _upward_imports() == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
    (tmp_path / "storage" / "sneaky.py").write_text("def f():\n    from handlers.conversation import Conversation\n")
    monkeypatch.setitem(globals(), "REPO", tmp_path)
    assert _upward_imports() == ["storage/sneaky.py:2: storage imports handlers"]


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_is_a_folder_at_the_top(layer):
    assert (REPO / layer / "__init__.py").is_file()
