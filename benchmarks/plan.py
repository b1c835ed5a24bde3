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
    startup_runs: int
    frameworks: tuple[str, ...]  # end to end; empty skips it
    e2e_messages: int
    e2e_shipped_messages: int
    e2e_rounds: int
    e2e_users: int
    growth_scales: tuple[int, ...]
    growth_runs: int
    report_rows: int
    report_runs: int


FULL = Plan(
    name="full", eval_every=1, fuzzy_scorers=FUZZY_SCORERS, latency_runs=5, startup_runs=5,
    frameworks=("aiogram", "ptb"), e2e_messages=1000, e2e_shipped_messages=200, e2e_rounds=3, e2e_users=100,
    growth_scales=(1, 3, 10), growth_runs=3, report_rows=1_000_000, report_runs=3,
)
QUICK = Plan(
    name="quick", eval_every=8, fuzzy_scorers=("ratio", "token_set_ratio"), latency_runs=1, startup_runs=1,
    frameworks=(), e2e_messages=0, e2e_shipped_messages=0, e2e_rounds=0, e2e_users=0,
    growth_scales=(1, 2), growth_runs=1, report_rows=20_000, report_runs=1,
)
