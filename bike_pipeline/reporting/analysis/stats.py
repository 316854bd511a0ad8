"""Confidence intervals of figures over Monte Carlo replications.

Means get a two-sided Student-t interval; proportions (service levels, utilisation, the
share of rides totalled) get the t interval on the logit scale (delta method) mapped back,
so they stay inside [0, 1]. Every interval carries its number of replications `n`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
PROPORTIONS = frozenset(
    {
        "service_level",
        "rush_service_level",
        "worst_week_rush_service_level",
        "service_level_attempts",
        "utilisation",
        "totalled_per_ride",
    }
)


@dataclass(frozen=True)
class Interval:
    """Mean of n replications with its two-sided confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n}

    def text(self, fmt: str = ",.0f") -> str:
        """`mean (95% CI low to high, n=N)`."""
        return f"{self.mean:{fmt}} (95% CI {self.low:{fmt}} to {self.high:{fmt}}, n={self.n})"


def _t(confidence: float, n: int) -> float:
    return float(stats.t.ppf((1 + confidence) / 2, n - 1))


def interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    half = _t(confidence, n) * float(data.std(ddof=1)) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def proportion_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """The mean proportion with a t interval on the logit scale (delta method: the standard
    error of logit(mean) is se(mean) / (mean (1 - mean))), inside [0, 1]. Replications all
    at the same value give that value as a zero-width interval."""
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    spread = float(data.std(ddof=1))
    if spread == 0 or not 0 < mean < 1:
        return Interval(mean, mean, mean, n)
    centre = math.log(mean / (1 - mean))
    half = _t(confidence, n) * spread / math.sqrt(n) / (mean * (1 - mean))
    low, high = (1 / (1 + math.exp(-(centre + s * half))) for s in (-1, 1))
    return Interval(mean, low, high, n)


def lower_bound(values: Sequence[float], confidence: float = CONFIDENCE) -> float:
    """One-sided lower confidence bound of the mean."""
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n < 2:
        return float(data.mean()) if n else math.nan
    return float(data.mean() - stats.t.ppf(confidence, n - 1) * data.std(ddof=1) / math.sqrt(n))


def prediction_upper(values: Sequence[float], confidence: float = CONFIDENCE) -> float:
    """One-sided upper prediction bound: a new replication's value stays below it with
    probability `confidence` (normal approximation)."""
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n < 2:
        return float(data.max()) if n else math.nan
    spread = data.std(ddof=1) * math.sqrt(1 + 1 / n)
    return float(data.mean() + stats.t.ppf(confidence, n - 1) * spread)


def intervals(
    results: Sequence[dict[str, float | int | None]], confidence: float = CONFIDENCE
) -> dict[str, Interval]:
    """An interval per numeric figure present (not None) in every replication."""
    keys = [k for k in results[0] if all(r.get(k) is not None for r in results)]
    return {
        k: (proportion_interval if k in PROPORTIONS else interval)(
            [float(r[k]) for r in results],  # type: ignore[arg-type]
            confidence,
        )
        for k in keys
    }
