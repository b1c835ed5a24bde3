"""How much each mode measures: the full run for RESULTS.md, the quick one for CI."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.baselines import FUZZY_SCORERS


@dataclass(frozen=True)
class Plan:
    name: str
    eval_every: int  # route every n-th evaluation question (1: all)
    fuzzy_scorers: tuple[str, ...]  # rapidfuzz scorers tried for baseline (b)
    latency_runs: int
    startup_runs: int  # fresh processes timed: the core's start-up, and each bot's first getUpdates
    frameworks: tuple[str, ...]  # end to end; empty skips it
    burst_messages: int  # end to end: messages pushed at once in one burst
    burst_people: int  # ... from this many people
    burst_rounds: int  # counted bursts per bot, after a warm-up
    growth_scales: tuple[int, ...]
    growth_runs: int
    report_rows: int
    report_runs: int


FULL = Plan(
    name="full",
    eval_every=1,
    fuzzy_scorers=FUZZY_SCORERS,
    latency_runs=5,
    startup_runs=5,
    frameworks=("ptb", "aiogram"),
    burst_messages=600,
    burst_people=200,
    burst_rounds=3,
    growth_scales=(1, 3, 10),
    growth_runs=3,
    report_rows=1_000_000,
    report_runs=3,
)
QUICK = Plan(
    name="quick",
    eval_every=8,
    fuzzy_scorers=("ratio", "token_set_ratio"),
    latency_runs=1,
    startup_runs=1,
    frameworks=("ptb",),
    burst_messages=60,
    burst_people=20,
    burst_rounds=1,
    growth_scales=(1, 2),
    growth_runs=1,
    report_rows=20_000,
    report_runs=1,
)
