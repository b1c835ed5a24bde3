"""`python -m benchmarks [--quick] [--output PATH]`: measure, write RESULTS.md, print it.

Exits 1 only when a part of the benchmark fails (its error is written into the results);
no figure is ever asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from benchmarks import machine
from benchmarks.data import evaluation, training_set
from benchmarks.markdown import Check, targets
from benchmarks.plan import FULL, QUICK
from benchmarks.sections import SECTIONS, Context, Section

HERE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run for CI: few questions and runs, no end-to-end part"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the results (default benchmarks/RESULTS.md, or benchmarks/RESULTS.quick.md with --quick)",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    output = args.output or HERE / ("RESULTS.quick.md" if args.quick else "RESULTS.md")
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

    started = time.perf_counter()
    load_before = machine.load_average()
    from content import load_content
    from handlers.knowledge import build_knowledge

    content = load_content()
    context = Context(plan, content, build_knowledge(content), training_set(content), evaluation(plan.eval_every))
    sections: list[Section] = []
    failed = []
    for section in SECTIONS:
        name = section.__name__
        print(f"benchmarks: {name} …", file=sys.stderr, flush=True)
        part_started = time.perf_counter()
        try:
            part = section(context)
            sections.append(part)
            if part.broken:
                failed.append(name)
        except Exception as error:  # noqa: BLE001 - one broken part must not hide the others
            failed.append(name)
            traceback.print_exc()
            reason = f"{type(error).__name__}: {error}".splitlines()[0]
            sections.append(
                Section(
                    name,
                    f"Not measured: the benchmark itself broke here ({reason}); "
                    "the traceback is on the run's standard error.",
                    [],
                )
            )
        print(f"benchmarks: {name} took {time.perf_counter() - part_started:.0f} s", file=sys.stderr, flush=True)
    text = render(plan.name, sections, load_before, time.perf_counter() - started)
    output.write_text(text, encoding="utf-8")
    print(text)
    print(f"benchmarks: wrote {output}", file=sys.stderr)
    return 1 if failed else 0


def render(mode: str, sections: list[Section], load_before: str, seconds: float) -> str:
    checks: list[Check] = [check for section in sections for check in section.checks]
    command = "python -m benchmarks" + (" --quick" if mode == "quick" else "")
    head = [
        "# helpline benchmarks",
        f"`{command}` ({mode} mode), {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, took {seconds / 60:.1f} min. "
        "Timings are medians over runs with the lowest and highest run in brackets. "
        "How to run and what each figure means: [README.md](README.md).",
        "## Machine",
        "\n".join(machine.describe()),
        f"- Load average (1 / 5 / 15 min) at the start: {load_before}; at the end: {machine.load_average()}. "
        "The machine is shared with other developers' work, so timings carry their noise; "
        "CPU-time figures are steadier than wall-clock ones.",
        targets(checks),
    ]
    parts = head + [f"## {s.title}\n\n{s.body}" for s in sections]
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
