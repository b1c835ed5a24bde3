"""Section 2a: per-message latency of the core, and start-up time in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data import REPO, Question
from benchmarks.timing import Spread, percentile
from handlers.conversation import Conversation
from handlers.knowledge import Knowledge
from handlers.replies import Incoming
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog

BENCH_KEY = b"benchmark-hash-key-0123456789"
USERS = 40
COUNTRIES = ("RU", "KZ", "KR", "TR", "AE", "BY", "AM", "KG")
START_UP = """
import json, time
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

memory = [("Python interpreter", rss())]
started = time.perf_counter()
import numpy, scipy.sparse
memory.append(("+ numpy, scipy imported", rss()))
from content import load_content
from handlers.knowledge import build_knowledge
imported = time.perf_counter()
content = load_content()
loaded = time.perf_counter()
knowledge = build_knowledge(content)
trained = time.perf_counter()
ready_at = time.time()
cpu = time.process_time()
memory.append(("+ helpline's content loaded and models trained", rss()))
import aiogram, aiogram.types, aiogram.client.session.aiohttp
memory.append(("+ aiogram imported", rss()))
import telegram, telegram.ext
memory.append(("+ python-telegram-bot imported", rss()))
print(json.dumps({"imports": imported - started, "load": loaded - imported, "train": trained - loaded,
                  "ready_at": ready_at, "cpu": cpu, "memory": memory}))
"""


# A restart: the trained models and compiled templates are read back from the cache the bot keeps in its
# data dir.
WARM_START = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from content import load_content
from handlers.knowledge import build_knowledge
knowledge = build_knowledge(load_content(template_cache=Path(sys.argv[1])), cache_dir=Path(sys.argv[1]))
ready = time.perf_counter() - started
rss = next(int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines()
           if line.startswith("VmRSS:"))
print(json.dumps({"ready": ready, "rss": rss, "sklearn": "sklearn" in sys.modules}))
"""


@dataclass(frozen=True)
class WarmStart:
    ready: Spread  # seconds from the first import until the models are ready
    rss_mib: float
    sklearn_loaded: bool


def warm_start_up(runs: int) -> WarmStart:
    """Start-up when the models are already cached: the first run trains and fills the cache."""
    samples: list[dict] = []
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(runs + 1):
            done = subprocess.run(
                [sys.executable, "-c", WARM_START, cache], cwd=REPO, capture_output=True, text=True, check=True
            )
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    warm = samples[1:]
    return WarmStart(Spread.of([s["ready"] for s in warm]), warm[-1]["rss"], warm[-1]["sklearn"])


@dataclass(frozen=True)
class Latency:
    p50: Spread  # seconds
    p99: Spread
    mean: Spread
    cpu_p99: Spread  # the same messages' CPU time (this thread), which other processes cannot stretch
    cpu_mean: Spread
    messages: int


@dataclass(frozen=True)
class StartUp:
    imports: Spread
    load: Spread
    train: Spread
    ready: Spread  # imports + load + train
    wall: Spread  # from spawning the interpreter until trained
    cpu: Spread  # CPU time the process used until trained
    memory: list[tuple[str, float]]  # VmRSS (MiB) after each step, last run


def core_latency(knowledge: Knowledge, questions: Sequence[Question], runs: int) -> Latency:
    """Conversation.handle on every question, as USERS people whose host country is known.

    Each run uses a fresh SQLite database on disk (WAL, as the bot runs); time covers
    routing, rendering and writing the log row.
    """
    p50s, p99s, means, cpu_p99s, cpu_means = [], [], [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            db = open_database(Path(folder) / "bench.sqlite")
            conversation = Conversation(knowledge, QueryLog(db), Profiles(db), Pseudonymizer(BENCH_KEY))
            for user in range(1, USERS + 1):
                conversation.handle(Incoming(user, button=f"c:{COUNTRIES[user % len(COUNTRIES)]}"))
            times, cpu_times = [], []
            for number, question in enumerate(questions):
                incoming = Incoming(1 + number % USERS, question.text)
                cpu_started = time.thread_time()
                started = time.perf_counter()
                conversation.handle(incoming)
                times.append(time.perf_counter() - started)
                cpu_times.append(time.thread_time() - cpu_started)
            db.conn.close()
        p50s.append(percentile(times, 50))
        p99s.append(percentile(times, 99))
        means.append(sum(times) / len(times))
        cpu_p99s.append(percentile(cpu_times, 99))
        cpu_means.append(sum(cpu_times) / len(cpu_times))
    return Latency(
        Spread.of(p50s), Spread.of(p99s), Spread.of(means), Spread.of(cpu_p99s), Spread.of(cpu_means), len(questions)
    )


def start_up(runs: int) -> StartUp:
    """Import, load the content and train the models in a new interpreter, `runs` times.

    The same process then reports its resident memory after each step, and after importing
    the two Telegram libraries as well.
    """
    samples: list[dict] = []
    for _ in range(runs):
        spawned = time.time()
        done = subprocess.run([sys.executable, "-c", START_UP], cwd=REPO, capture_output=True, text=True, check=True)
        sample = json.loads(done.stdout.strip().splitlines()[-1])
        sample["ready"] = sample["imports"] + sample["load"] + sample["train"]
        sample["wall"] = sample["ready_at"] - spawned
        samples.append(sample)
    keys = ("imports", "load", "train", "ready", "wall", "cpu")
    spreads = {key: Spread.of([sample[key] for sample in samples]) for key in keys}
    return StartUp(**spreads, memory=[(name, float(mib)) for name, mib in samples[-1]["memory"]])
