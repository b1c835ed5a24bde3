"""A loadable copy of the content for tests while other people's topics are unfinished.

Caseworkers add topics in steps: a topic folder may exist before its language files, or
name a related topic that is not written yet. The bot refuses such content (rightly), so
the Telegram tests run on a copy without those topics and links. The real files are never
touched; once the content validates, the copy is identical to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from content.library import DEFAULT_DIR, check_content


def loadable_copy(target: Path, source: Path = DEFAULT_DIR) -> Path:
    """Copy `source` to `target`, leaving out unfinished topics; raise if still broken."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for _ in range(5):
        content, problems = check_content(target)
        if not problems and content is not None:
            return target
        topics_dir = target / "topics"
        broken = {p.path.parent.name for p in problems
                  if p.path.parent.parent == topics_dir and "related:" not in p.message}
        for name in broken:
            shutil.rmtree(topics_dir / name)
        known = {path.name for path in topics_dir.iterdir() if path.is_dir()}
        for meta_path in topics_dir.glob("*/topic.yaml"):
            meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
            related = meta.get("related") or []
            if any(topic not in known for topic in related):
                meta["related"] = [topic for topic in related if topic in known]
                meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    raise RuntimeError("content does not load even without unfinished topics:\n"
                       + "\n".join(str(p) for p in problems))
