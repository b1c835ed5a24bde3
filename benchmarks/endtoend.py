"""Section 2b: helpline through each Telegram front end, next to an echo bot on the same library.

Every bot is a separate process polling its own Bot API emulator (testing/telegram_emulator.py)
served from this process. Two parts:

- **start-up**: time from spawning the process to its first getUpdates call: `helpline run`
  on an empty data dir (it trains its models), the same command restarted (models read back
  from the cache), and the echo bot; plus the CPU time the process used until then.
- **bursts**: `helpline run` as shipped (sends spaced to Telegram's limits), the same with the
  limits lifted (benchmarks/unlimited_bot.py) and the echo bot (benchmarks/echo_bot.py) each get
  the same bursts of messages from many people at once. Rounds alternate between the bots so
  all see the same machine load. Per bot: CPU seconds per 1,000 messages (user + system of the
  bot process, from /proc: a busy machine stretches it far less than wall-clock time), how
  many getUpdates results held each update, time from pushing an update to its reply, and the
  peak resident memory during the bursts.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import signal
import statistics
import sys
import time
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from benchmarks.data import REPO
from benchmarks.timing import Spread, percentile
from testing.telegram_emulator import Emulator

QUIET_SECONDS = 1.5  # no reply for this long after the last expected one: the round is over
READY_SECONDS = 240.0
ROUND_SECONDS = 600.0
STOP_SECONDS = 30.0
COUNTRIES = ("RU", "KZ", "KR", "TR")
HASH_KEY = "benchmark-hash-key-0123456789"
FIRST_USER = 910_000_001
SHIPPED, UNLIMITED, ECHO = "helpline", "helpline, limits lifted", "echo bot"
MODULES = {SHIPPED: "bot.cli", UNLIMITED: "benchmarks.unlimited_bot", ECHO: "benchmarks.echo_bot"}
LIBRARIES = {"aiogram": "aiogram", "ptb": "telegram"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
COLD, WARM = "helpline, first start (trains)", "helpline, restart (models cached)"


class BotFailed(Exception):
    """A bot process died or stalled; the message says which and why, in one line."""


class BenchEmulator(Emulator):
    """The test emulator, counting what the benchmark reports instead of keeping chat histories.

    Latency is matched per chat: replies in one chat come in the order its updates were
    pushed. helpline sends a typing action when it starts on an update and may answer with
    more than one message, so there the typing action marks which update the next message
    answers; the echo bot answers each update with exactly one message.
    """

    def __init__(self, typing_starts_answer: bool) -> None:
        super().__init__()
        self.typing_starts_answer = typing_starts_answer
        self.sent = 0
        self.last_sent = 0.0
        self.fetched: Counter[int] = Counter()  # update id -> getUpdates results that held it
        self.latencies: list[float] = []  # seconds from push to reply, this burst
        self._waiting: dict[int, deque[float]] = defaultdict(deque)  # chat -> push times not yet answered
        self._answering: dict[int, float] = {}  # chat -> push time of the update being answered

    def start_burst(self) -> None:
        self.calls.clear()
        self.fetched.clear()
        self.latencies.clear()
        self._waiting.clear()
        self._answering.clear()

    async def push(self, update: dict[str, Any]) -> int:
        self._waiting[_chat_of(update)].append(time.monotonic())
        return await super().push(update)

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        updates = await super()._m_getupdates(params)
        self.fetched.update(update["update_id"] for update in updates)
        return updates

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        chat = int(params["chat_id"])
        if self.typing_starts_answer and self._waiting[chat]:
            self._answering[chat] = self._waiting[chat].popleft()
        return await super()._m_sendchataction(params)

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        message = await super()._m_sendmessage(params)
        self.chats.clear()
        now = time.monotonic()
        self.sent += 1
        self.last_sent = now
        chat = int(params["chat_id"])
        if self.typing_starts_answer:
            pushed = self._answering.pop(chat, None)
        else:
            pushed = self._waiting[chat].popleft() if self._waiting[chat] else None
        if pushed is not None:
            self.latencies.append(now - pushed)
        return message

    def first_poll(self) -> float | None:
        """When the first getUpdates call arrived (time.monotonic), or None."""
        polls = self.called("getUpdates")
        return polls[0].at if polls else None


def _chat_of(update: dict[str, Any]) -> int:
    if "callback_query" in update:
        return int(update["callback_query"]["message"]["chat"]["id"])
    message = update.get("message") or update.get("edited_message") or {}
    return int(message.get("chat", {}).get("id", 0))


@dataclass
class BotProcess:
    """One bot (helpline or echo) on one framework, with its emulator and log file."""

    kind: str
    framework: str
    emulator: BenchEmulator
    process: asyncio.subprocess.Process
    log: TextIO
    log_path: Path
    spawned: float  # time.monotonic() just before the process was spawned
    cpu_per_1000: list[float] = field(default_factory=list)
    fetched: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # every measured reply, all rounds
    rates: list[float] = field(default_factory=list)
    calls_per_message: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.framework})"


@dataclass(frozen=True)
class Burst:
    """One bot's figures over the counted bursts."""

    kind: str
    framework: str
    messages: int  # per burst
    people: int
    cpu_per_1000: Spread  # CPU seconds of the bot process per 1,000 messages
    fetched: Spread  # times each update was in a getUpdates result, averaged over a burst
    p50: float  # seconds from pushing an update to its reply, over all bursts
    p95: float
    rate: Spread  # messages per second, first push to last reply
    calls_per_message: float  # Bot API calls other than getUpdates
    peak_mib: float  # VmHWM during the counted bursts
    rss_mib: float  # VmRSS after them


@dataclass(frozen=True)
class Ready:
    """Spawning the process until its first getUpdates."""

    kind: str
    framework: str
    seconds: Spread  # wall clock
    cpu: Spread  # CPU seconds the process used until then
    peak_mib: float  # VmHWM by then, median


@dataclass(frozen=True)
class Figures:
    ready: list[Ready]
    bursts: list[Burst]
    skipped: list[str]  # one line per framework that could not be measured, saying why


def installed(framework: str) -> bool:
    return importlib.util.find_spec(LIBRARIES[framework]) is not None


def _command(kind: str, framework: str) -> list[str]:
    arguments = ["--framework", framework] if kind == ECHO else ["run", "--framework", framework]
    return [sys.executable, "-m", MODULES[kind], *arguments]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_mib(pid: int) -> tuple[float, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    return int(fields["VmRSS"]) / 1024, int(fields["VmHWM"]) / 1024


def reset_peak(pid: int) -> bool:
    """Start VmHWM afresh (Linux clear_refs), so the peak covers the bursts only."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def start_bot(kind: str, framework: str, data: Path) -> BotProcess:
    emulator = BenchEmulator(typing_starts_answer=kind != ECHO)
    url = await emulator.start()
    data.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": url,
        "HELPLINE_DATA_DIR": str(data),
        "HELPLINE_HASH_KEY": HASH_KEY,
        "PYTHONPATH": str(REPO),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    log_path = data / "bot.log"
    log = log_path.open("a")
    spawned = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *_command(kind, framework), cwd=data, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
    )
    return BotProcess(kind, framework, emulator, process, log, log_path, spawned)


async def wait_ready(bot: BotProcess) -> float:
    """Seconds from spawning the process to its first getUpdates call."""
    deadline = time.monotonic() + READY_SECONDS
    while (polled := bot.emulator.first_poll()) is None:
        _check_alive(bot)
        if time.monotonic() > deadline:
            raise BotFailed(f"{bot.label} did not call getUpdates within {READY_SECONDS:.0f} s")
        await asyncio.sleep(0.01)
    return polled - bot.spawned


def _check_alive(bot: BotProcess) -> None:
    if bot.process.returncode is not None:
        lines = bot.log_path.read_text(errors="replace").strip().splitlines()
        raise BotFailed(f"{bot.label} exited with {bot.process.returncode}: {lines[-1] if lines else 'no output'}")


async def stop_bot(bot: BotProcess) -> None:
    if bot.process.returncode is None:
        bot.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.process.wait(), STOP_SECONDS)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()
    bot.log.close()
    await bot.emulator.stop()


# -- start-up ---------------------------------------------------------------------------


async def _ready_once(kind: str, framework: str, data: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, VmHWM MiB) from spawn to the first getUpdates."""
    bot = await start_bot(kind, framework, data)
    try:
        seconds = await wait_ready(bot)
        cpu = cpu_seconds(bot.process.pid)
        return seconds, cpu, memory_mib(bot.process.pid)[1]
    finally:
        await stop_bot(bot)


async def start_up(framework: str, runs: int, folder: Path) -> list[Ready]:
    """Per run: helpline on an empty data dir, the same restarted, and the echo bot."""
    samples: dict[str, list[tuple[float, float, float]]] = {COLD: [], WARM: [], ECHO: []}
    for run in range(runs):
        data = folder / f"start-{framework}-{run}"
        samples[COLD].append(await _ready_once(SHIPPED, framework, data))
        samples[WARM].append(await _ready_once(SHIPPED, framework, data))
        samples[ECHO].append(await _ready_once(ECHO, framework, folder / f"start-echo-{framework}-{run}"))
    return [
        Ready(
            kind,
            framework,
            Spread.of([s[0] for s in got]),
            Spread.of([s[1] for s in got]),
            statistics.median(s[2] for s in got),
        )
        for kind, got in samples.items()
    ]


# -- bursts -----------------------------------------------------------------------------


async def _answered(bot: BotProcess, target: int) -> None:
    """Wait until at least `target` messages were sent and the bot has gone quiet."""
    deadline = time.monotonic() + ROUND_SECONDS
    emulator = bot.emulator
    while emulator.sent < target or time.monotonic() - emulator.last_sent < QUIET_SECONDS:
        _check_alive(bot)
        if time.monotonic() > deadline:
            raise BotFailed(f"{bot.label}: {target - emulator.sent} replies still missing after {ROUND_SECONDS:.0f} s")
        await asyncio.sleep(0.02)


async def press_country(bot: BotProcess, users: Sequence[int]) -> None:
    """Each user picks a host country first, so later answers are rendered for it."""
    emulator = bot.emulator
    target = emulator.sent + len(users)
    for user in users:
        menu = emulator.message_update(user, "menu")["message"]
        await emulator.push(emulator.callback_update(user, menu, f"c:{COUNTRIES[user % len(COUNTRIES)]}"))
    await _answered(bot, target)


async def one_burst(bot: BotProcess, texts: Sequence[str], users: Sequence[int], counted: bool = True) -> None:
    """Push all messages at once, wait for every reply, and keep the round's figures."""
    emulator = bot.emulator
    emulator.start_burst()
    sent_before = emulator.sent
    updates = [emulator.message_update(users[i % len(users)], text) for i, text in enumerate(texts)]
    cpu_before = cpu_seconds(bot.process.pid)
    started = time.monotonic()
    for update in updates:
        await emulator.push(update)
    await _answered(bot, sent_before + len(texts))
    if not counted:
        return
    bot.cpu_per_1000.append((cpu_seconds(bot.process.pid) - cpu_before) * 1000 / len(texts))
    bot.fetched.append(sum(emulator.fetched[u["update_id"]] for u in updates) / len(updates))
    bot.latencies.extend(emulator.latencies)
    bot.rates.append(len(texts) / (emulator.last_sent - started))
    calls = [c for c in emulator.calls if c.method.lower() != "getupdates"]
    bot.calls_per_message.append(len(calls) / len(texts))


def _seed_cache(cache: Path | None, data: Path) -> None:
    """A restarted bot: its data dir already holds the trained models."""
    if cache is not None and cache.is_dir():
        shutil.copytree(cache, data / "cache", dirs_exist_ok=True)


async def bursts(
    framework: str, texts: Sequence[str], people: int, rounds: int, folder: Path, cache: Path | None
) -> list[Burst]:
    """The three bots on one framework, warmed up, then `rounds` bursts each, alternating."""
    bots: list[BotProcess] = []
    users = list(range(FIRST_USER, FIRST_USER + people))
    try:
        for kind in (SHIPPED, UNLIMITED, ECHO):
            data = folder / f"burst-{MODULES[kind]}-{framework}"
            data.mkdir(parents=True)
            if kind != ECHO:
                _seed_cache(cache, data)
            bots.append(await start_bot(kind, framework, data))
        for bot in bots:
            await wait_ready(bot)
        for bot in bots:
            if bot.kind != ECHO:
                await press_country(bot, users)
            await one_burst(bot, texts[:people], users, counted=False)  # warm-up
            reset_peak(bot.process.pid)
        for _ in range(rounds):
            for bot in bots:
                await one_burst(bot, texts, users)
        memory = {bot.kind: memory_mib(bot.process.pid) for bot in bots}
    finally:
        for bot in bots:
            with contextlib.suppress(Exception):
                await stop_bot(bot)
    return [
        Burst(
            b.kind,
            framework,
            len(texts),
            people,
            Spread.of(b.cpu_per_1000),
            Spread.of(b.fetched),
            percentile(b.latencies, 50),
            percentile(b.latencies, 95),
            Spread.of(b.rates),
            statistics.mean(b.calls_per_message),
            memory[b.kind][1],
            memory[b.kind][0],
        )
        for b in bots
    ]


async def measure(
    frameworks: Sequence[str], texts: Sequence[str], people: int, rounds: int, start_runs: int, folder: Path
) -> Figures:
    """Start-up, then bursts, per framework; a framework that cannot run is skipped with a reason."""
    ready: list[Ready] = []
    measured: list[Burst] = []
    skipped: list[str] = []
    for framework in frameworks:
        if not installed(framework):
            skipped.append(
                f"{framework}: not measured, {LIBRARIES[framework]} is not installed (pip install -e '.[test]')"
            )
            continue
        try:
            ready += await start_up(framework, start_runs, folder)
            cache = folder / f"start-{framework}-0" / "cache"
            measured += await bursts(framework, texts, people, rounds, folder, cache)
        except BotFailed as error:
            skipped.append(f"{framework}: not measured, {error}")
    return Figures(ready, measured, skipped)
