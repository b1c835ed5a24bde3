"""What the review's two passes share: answers read one per line, the prompt, and the walk
through the items with what it did (review/loop.py, review/pointer_review.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TextIO, TypeVar

SKIP = "s"  # the verdict that leaves an item as it is

Item = TypeVar("Item")
Verdict = TypeVar("Verdict")
Added = TypeVar("Added")


@dataclass
class Walked(Generic[Added]):
    """What one pass did; `stopped` when the reviewer quit (or the input ended) before its end."""

    added: list[Added] = field(default_factory=list)
    skipped: int = 0
    left: int = 0
    stopped: bool = False


def answer_lines(inp: TextIO, out: TextIO) -> Iterator[str]:
    """Answers one per line; piped answers are echoed so the transcript reads like a session."""
    echo = not (hasattr(inp, "isatty") and inp.isatty())
    for line in inp:
        if echo:
            out.write(line.strip() + "\n")
        yield line.strip()


def prompt(out: TextIO, answers: Iterator[str]) -> str | None:
    """The reviewer's next answer, or None at the end of the input."""
    out.write("> ")
    out.flush()
    answer = next(answers, None)
    if answer is None:
        out.write("\n")
    return answer


def walk(
    items: list[Item],
    decide: Callable[[int, Item], Verdict | None],
    apply: Callable[[Verdict, Item], Added | None],
) -> Walked[Added]:
    """Ask `decide` about each item (its 1-based position given; None stops the walk, SKIP skips)
    and `apply` the verdict; an item `apply` could not add counts as skipped."""
    walked: Walked[Added] = Walked()
    for position, item in enumerate(items, 1):
        verdict = decide(position, item)
        if verdict is None:
            walked.stopped, walked.left = True, len(items) - position + 1
            break
        added = None if verdict == SKIP else apply(verdict, item)
        if added is None:
            walked.skipped += 1
        else:
            walked.added.append(added)
    return walked
