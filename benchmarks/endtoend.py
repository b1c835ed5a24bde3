"""Section 2b: messages per second through each Telegram front end, and resident memory.

Per framework three bots run as separate processes, each against its own Bot API emulator
(testing/telegram_emulator.py) served from this process: `helpline run` as shipped (its
sends spaced to Telegram's limits), the same with the limiter lifted
(benchmarks/unlimited_bot.py) and an echo bot on the same library (benchmarks/echo_bot.py).
A round pushes N text messages from many users at once and times until the last reply is
sent; rounds alternate between the bots so all see the same machine load. The CPU time
the bot process used in a round is read from /proc, which a busy machine disturbs less.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from benchmarks.data import REPO
from benchmarks.timing import Spread
from testing.telegram_emulator import Emulator

QUIET_SECONDS = 1.5  # no reply for this long after the last expected one: the round is over
READY_SECONDS = 240.0
ROUND_SECONDS = 600.0
COUNTRIES = ("RU", "KZ", "KR", "TR")
HASH_KEY = "benchmark-hash-key-0123456789"


class CountingEmulator(Emulator):
    """The test emulator, counting sent messages instead of keeping every chat's history."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0
        self.last_sent = 0.0

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        message = await super()._m_sendmessage(params)
        self.chats.clear()
        self.sent += 1
        self.last_sent = time.monotonic()
        return message


@dataclass
class BotProcess:
    """One bot (helpline or echo) on one framework, with its emulator and log file."""

    kind: str
    framework: str
    emulator: CountingEmulator
    process: asyncio.subprocess.Process
    log: TextIO
    log_path: Path
    rates: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU milliseconds per message
    calls_per_message: list[float] = field(default_factory=list)
    rss_mib: float = 0.0
    peak_mib: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.framework})"


@dataclass(frozen=True)
class Throughput:
    kind: str
    framework: str
    rate: Spread  # messages per second
    cpu_ms: Spread  # bot process CPU milliseconds per message
    calls_per_message: float
    messages: int
    rss_mib: float
    peak_mib: float


SHIPPED, UNLIMITED, ECHO = "helpline", "helpline, limiter lifted", "echo bot"
MODULES = {SHIPPED: "bot.cli", UNLIMITED: "benchmarks.unlimited_bot", ECHO: "benchmarks.echo_bot"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _command(kind: str, framework: str) -> list[str]:
    arguments = ["--framework", framework] if kind == ECHO else ["run", "--framework", framework]
    return [sys.executable, "-m", MODULES[kind], *arguments]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def start_bot(kind: str, framework: str, folder: Path) -> BotProcess:
    emulator = CountingEmulator()
    url = await emulator.start()
    data = folder / f"{MODULES[kind]}-{framework}"
    data.mkdir()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": emulator.token, "TELEGRAM_API_URL": url,
           "HELPLINE_DATA_DIR": str(data), "HELPLINE_HASH_KEY": HASH_KEY, "PYTHONPATH": str(REPO),
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    log_path = data / "bot.log"
    log = log_path.open("w")
    process = await asyncio.create_subprocess_exec(*_command(kind, framework), cwd=data, env=env,
                                                   stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    return BotProcess(kind, framework, emulator, process, log, log_path)


async def wait_ready(bot: BotProcess) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not bot.emulator.succeeded("getUpdates"):
        _check_alive(bot)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.label} did not start polling in {READY_SECONDS:.0f} s")
        await asyncio.sleep(0.05)


def _check_alive(bot: BotProcess) -> None:
    if bot.process.returncode is not None:
        tail = bot.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{bot.label} exited with {bot.process.returncode}:\n{tail}")


async def _answered(bot: BotProcess, target: int) -> None:
    """Wait until at least `target` messages were sent and the bot has gone quiet."""
    deadline = time.monotonic() + ROUND_SECONDS
    emulator = bot.emulator
    while emulator.sent < target or time.monotonic() - emulator.last_sent < QUIET_SECONDS:
        _check_alive(bot)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{bot.label}: {emulator.sent - target} replies short after {ROUND_SECONDS:.0f} s")
        await asyncio.sleep(0.02)


async def press_country(bot: BotProcess, users: Sequence[int]) -> None:
    """Each user picks a host country first, so later answers are rendered for it."""
    emulator = bot.emulator
    target = emulator.sent + len(users)
    for user in users:
        menu = emulator.message_update(user, "menu")["message"]
        await emulator.push(emulator.callback_update(user, menu, f"c:{COUNTRIES[user % len(COUNTRIES)]}"))
    await _answered(bot, target)


async def one_round(bot: BotProcess, texts: Sequence[str], users: Sequence[int]) -> None:
    """Push all messages at once; rate = messages / (last reply − first push)."""
    emulator = bot.emulator
    emulator.calls.clear()
    sent_before = emulator.sent
    updates = [emulator.message_update(users[i % len(users)], text) for i, text in enumerate(texts)]
    cpu_before = cpu_seconds(bot.process.pid)
    started = time.monotonic()
    for update in updates:
        await emulator.push(update)
    await _answered(bot, sent_before + len(texts))
    bot.rates.append(len(texts) / (emulator.last_sent - started))
    bot.cpu_ms.append((cpu_seconds(bot.process.pid) - cpu_before) * 1000 / len(texts))
    calls = [c for c in emulator.calls if c.method.lower() != "getupdates"]
    bot.calls_per_message.append(len(calls) / len(texts))


def read_memory(bot: BotProcess) -> None:
    """VmRSS (now) and VmHWM (peak) of the bot process, in MiB."""
    status = Path(f"/proc/{bot.process.pid}/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if line.startswith("Vm")}
    bot.rss_mib = int(fields["VmRSS"]) / 1024
    bot.peak_mib = int(fields["VmHWM"]) / 1024


async def stop_bot(bot: BotProcess) -> None:
    if bot.process.returncode is None:
        bot.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(bot.process.wait(), 30)
        except TimeoutError:
            bot.process.kill()
            await bot.process.wait()
    bot.log.close()
    await bot.emulator.stop()


async def measure(frameworks: Sequence[str], texts: Sequence[str], shipped_texts: Sequence[str], rounds: int,
                  users: int, folder: Path) -> list[Throughput]:
    """Start the three bots per framework, warm them up, then alternate rounds.

    The shipped helpline gets `shipped_texts` (fewer: its sends are spaced on purpose).
    """
    bots: list[BotProcess] = []
    try:
        for framework in frameworks:
            for kind in (SHIPPED, UNLIMITED, ECHO):
                bots.append(await start_bot(kind, framework, folder))
        for bot in bots:
            await wait_ready(bot)
        people = list(range(910_000_001, 910_000_001 + users))
        for bot in bots:
            if bot.kind != ECHO:
                await press_country(bot, people)
            await one_round(bot, texts[:users], people)  # warm-up, not counted
            bot.rates.clear()
            bot.cpu_ms.clear()
            bot.calls_per_message.clear()
        for _ in range(rounds):
            for bot in bots:
                await one_round(bot, shipped_texts if bot.kind == SHIPPED else texts, people)
        for bot in bots:
            read_memory(bot)
    finally:
        for bot in bots:
            with contextlib.suppress(Exception):
                await stop_bot(bot)
    return [Throughput(b.kind, b.framework, Spread.of(b.rates), Spread.of(b.cpu_ms),
                       sum(b.calls_per_message) / len(b.calls_per_message),
                       len(shipped_texts if b.kind == SHIPPED else texts), b.rss_mib, b.peak_mib) for b in bots]
