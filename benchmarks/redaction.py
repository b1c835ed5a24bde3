"""Section 4: how well the query log's redaction removes names and addresses (issue 11), what
it leaves of ordinary questions, and what it costs per message and at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence

from benchmarks.data import REPO, Question
from benchmarks.markdown import Check, pct, table
from benchmarks.timing import Spread, percentile
from storage.redaction import redact
from testing.redaction_scoring import Labelled, Score, load_set, score

RECALL_TARGET = 0.95
ALTERED_TARGET = 0.05
FRESH_PROCESS = """
import json, time
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

import yaml, stdnum.luhn  # imported by the bot before redaction anyway
before = rss()
started = time.perf_counter()
import storage.redaction
imported = time.perf_counter() - started
storage.redaction._load_everything()  # what the bot's background warm-up loads
print(json.dumps({"import": imported, "ready": time.perf_counter() - started, "rss": rss() - before}))
"""


def _row(name: str, result: Score) -> tuple[str, ...]:
    def rate(tally) -> str:
        return f"{pct(tally.rate)} ({tally.found}/{tally.total})"

    return (name, rate(result.names), rate(result.addresses), pct(result.precision), rate(result.ordinary_altered))


def _parts(messages: Sequence[Labelled]) -> list[tuple[str, list[Labelled]]]:
    groups = [
        ("all", list(messages)),
        ("tuning part", [m for m in messages if m.part == "tuning"]),
        ("held-out part", [m for m in messages if m.part == "held_out"]),
    ]
    for lang in ("ky", "ru", "en"):
        groups.append((lang, [m for m in messages if m.lang == lang]))
    for script in ("cyrillic", "latin"):
        groups.append((script, [m for m in messages if m.script == script]))
    return groups


def _fresh_process(runs: int) -> list[dict]:
    return [
        json.loads(
            subprocess.run([sys.executable, "-c", FRESH_PROCESS], cwd=REPO, capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        for _ in range(runs)
    ]


def redaction_section(questions: Sequence[Question], runs: int) -> tuple[str, list[Check]]:
    messages = load_set()
    overall = score(messages, redact)
    rows = [_row(name, score(group, redact)) for name, group in _parts(messages) if group]
    evaluation_altered = [q.text for q in questions if redact(q.text) != q.text]

    texts = [m.text for m in messages] + [q.text for q in questions]
    p50s, p99s, means, cpu_p99s = [], [], [], []
    for _ in range(runs):
        times, cpu_times = [], []
        for text in texts:
            cpu_started = time.thread_time()
            started = time.perf_counter()
            redact(text)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.thread_time() - cpu_started)
        p50s.append(percentile(times, 50))
        p99s.append(percentile(times, 99))
        means.append(sum(times) / len(times))
        cpu_p99s.append(percentile(cpu_times, 99))
    fresh = _fresh_process(runs)
    ms = {"unit": " ms", "digits": 2, "scale": 1000}

    body = [
        f"The labelled set `tests/privacy/redaction_set.yaml`: {len(messages)} messages in Kyrgyz, Russian and "
        "English, Cyrillic and Latin letters, written for it as migrants write (invented names and addresses). "
        "A name or address counts as redacted when none of its words or numbers is left in the logged text; "
        "*precision* is, of all the words redaction removed, the share that belonged to a labelled name or "
        "address; an ordinary message counts as altered when the logged text differs at all. The held-out part "
        "was written after the rules were tuned on the tuning part; its first measurement and the changes made "
        "after it are in `tests/privacy/README.md`.",
        table(["messages", "name recall", "address recall", "precision (words)", "ordinary messages altered"], rows),
        f"Ordinary questions from elsewhere: of the {len(questions)} routing evaluation questions (tests/eval, "
        f"written for routing, none for this), {len(evaluation_altered)} "
        f"({pct(len(evaluation_altered) / len(questions) if questions else None)}) were altered by redaction"
        + (": " + "; ".join(f"«{t}»" for t in evaluation_altered[:5]) if evaluation_altered else "")
        + ".",
        "Misses in the labelled set: "
        + ("; ".join(f"«{m}»" for m in overall.names.misses + overall.addresses.misses) or "none")
        + ".",
        f"**Cost.** `redact()` per message over the labelled set and these evaluation questions ({len(texts)} "
        "texts per run; a word's dictionary look-up is cached after the first time it is seen, so the first run "
        "is the slowest). It runs when the log row is written, so it is also inside section 2's core latency. "
        "Where the wall-clock p99 is far above the p99 of CPU time, the process was waiting for the processor:",
        table(
            ["p50", "p99", "mean", "p99 of CPU time"],
            [
                (
                    Spread.of(p50s).show(**ms),
                    Spread.of(p99s).show(**ms),
                    Spread.of(means).show(**ms),
                    Spread.of(cpu_p99s).show(**ms),
                )
            ],
        ),
        "In a fresh process (with yaml and python-stdnum already imported, as the bot has them): importing "
        "`storage.redaction`, then until what its warm-up loads (word lists and pymorphy3's Russian dictionary) "
        "is done, and the resident memory this adds:",
        table(
            ["import", "word lists and dictionary ready", "added VmRSS"],
            [
                (
                    Spread.of([f["import"] for f in fresh]).show(" s", 2),
                    Spread.of([f["ready"] for f in fresh]).show(" s", 2),
                    f"{fresh[-1]['rss']:.0f} MiB",
                )
            ],
        ),
    ]
    checks = [
        Check(
            "redaction: name recall (labelled set)",
            "≥ 95 %",
            pct(overall.names.rate),
            overall.names.rate is not None and overall.names.rate >= RECALL_TARGET,
        ),
        Check(
            "redaction: address recall (labelled set)",
            "≥ 95 %",
            pct(overall.addresses.rate),
            overall.addresses.rate is not None and overall.addresses.rate >= RECALL_TARGET,
        ),
        Check(
            "redaction: ordinary messages altered",
            "≤ 5 %",
            pct(overall.ordinary_altered.rate),
            overall.ordinary_altered.rate is not None and overall.ordinary_altered.rate <= ALTERED_TARGET,
        ),
    ]
    return "\n\n".join(body), checks
