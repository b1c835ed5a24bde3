"""Small helpers for timings: a median with its range over runs, and percentiles."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """The median of several runs with the lowest and highest run."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("no runs to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, unit: str = "", digits: int = 1, scale: float = 1.0) -> str:
        """'1.2 ms (1.1–1.4, 5 runs)'; one run is shown without a range."""

        def fmt(value: float) -> str:
            return f"{value * scale:,.{digits}f}"

        head = f"{fmt(self.median)}{unit}"
        if self.runs == 1:
            return f"{head} (1 run)"
        return f"{head} ({fmt(self.low)}–{fmt(self.high)}, {self.runs} runs)"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation."""
    return float(np.percentile(np.asarray(values, dtype=float), q))
