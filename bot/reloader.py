"""Live content: notice edited files, check them, and swap them in without a restart.

Broken content never replaces good content. The bot keeps serving the last valid
version, and the problems (as `path:line: message`) go to whoever is told, the admins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from content import ContentError, load_content
from handlers.conversation import Conversation
from handlers.knowledge import build_knowledge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    topics: int
    problems: tuple[str, ...]


def content_stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of every content file: changes when any file does."""
    entries = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".j2"):
            stat = path.stat()
            entries.append((str(path.relative_to(directory)), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


class ContentReloader:
    def __init__(
        self, conversation: Conversation, directory: Path | None = None, cache_dir: Path | None = None
    ) -> None:
        self.conversation = conversation
        self.cache_dir = cache_dir
        self.directory = directory or conversation.knowledge.content.directory
        self._stamp = content_stamp(self.directory)

    def reload(self) -> ReloadResult:
        """Load, check and train on the content now; swap it in only when it is valid."""
        self._stamp = content_stamp(self.directory)
        try:
            content = load_content(self.directory)
        except ContentError as error:
            log.warning(
                "content reload refused: %d problem(s); still serving the previous version", len(error.problems)
            )
            return ReloadResult(
                False, len(self.conversation.knowledge.content.topics), tuple(str(p) for p in error.problems)
            )
        self.conversation.swap_knowledge(build_knowledge(content, self.cache_dir))
        log.info("content reloaded: %d topics", len(content.topics))
        return ReloadResult(True, len(content.topics), ())

    def changed(self) -> bool:
        return content_stamp(self.directory) != self._stamp

    async def watch(self, interval: float, report: Callable[[ReloadResult], object]) -> None:
        """Poll for changes; reload in a worker thread so replies go on meanwhile."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await asyncio.to_thread(self.changed):
                    result = await asyncio.to_thread(self.reload)
                    outcome = report(result)
                    if asyncio.iscoroutine(outcome):
                        await outcome
            except Exception as error:  # noqa: BLE001 - a watcher failure must not stop the bot
                log.error("content watcher error: %s", type(error).__name__)
