"""What the benchmark ran on: CPU, cores, memory, Python, library versions, load."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

LIBRARIES = ("scikit-learn", "numpy", "scipy", "rapidfuzz", "aiogram", "python-telegram-bot", "aiohttp", "sqlite-utils")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def versions() -> str:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def describe() -> list[str]:
    """Markdown bullet lines naming the machine."""
    cores = len(os.sched_getaffinity(0))
    return [
        f"- CPU: {cpu_model()}, {cores} cores usable ({os.cpu_count()} online)",
        f"- RAM: {memory_gib():.1f} GiB",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.system()} "
        f"{platform.release()}",
        f"- Libraries: {versions()}",
    ]
