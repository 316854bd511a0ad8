"""Confidence intervals of figures over Monte Carlo replications.

Means get a two-sided Student-t interval; proportions (service levels, utilisation) get the
t interval on the logit scale (delta method) mapped back, so they stay inside [0, 1]. Every
interval carries its number of replications `n`.

Per-ride figures are pooled over the replications rather than averaged per replication
(`POOLED`): the share of rides totalled or sent to repair is one independent Bernoulli trial
per dropped ride, so its Wilson score interval on the pooled counts is exact in coverage
and keeps its width at 0 and 1 events; a per-ride mean (rental length, billed hours) is the
ratio of the pooled sums, whose limit is the per-ride mean itself (a mean of per-replication
ratios carries the O(1 / rides) bias of each ratio), with a delta-method t interval.
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
    }
)
# Per-ride figures: (numerator, denominator) of the replication's counts, and whether the
# numerator counts independent Bernoulli trials of the denominator (a Wilson interval).
POOLED: dict[str, tuple[str, str, bool]] = {
    "totalled_per_ride": ("totalled", "dropped", True),
    "repairs_per_ride": ("repairs", "dropped", True),
    "mean_rental_ticks": ("held_ticks", "dropped", False),
    "mean_billed_hours": ("dropped_hours", "dropped", False),
}


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
    error of logit(mean) is se(mean) / (mean (1 - mean))), inside [0, 1].

    Replications all at the same value (all 0 or all 1, typically) say nothing about the
    spread: they get the Wilson interval of n trials with that share of successes, as if
    each replication were one trial, which is wide (n = 20 at 1.0 gives 0.84 to 1) but never
    claims a certainty the replications cannot give. Counts, where a figure has them, give
    a narrower honest interval (`pooled_proportion_interval`)."""
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    spread = float(data.std(ddof=1))
    if spread == 0 or not 0 < mean < 1:
        low, high = wilson(mean * n, n, confidence)
        return Interval(mean, min(low, mean), max(high, mean), n)
    centre = math.log(mean / (1 - mean))
    half = _t(confidence, n) * spread / math.sqrt(n) / (mean * (1 - mean))
    low, high = (1 / (1 + math.exp(-(centre + s * half))) for s in (-1, 1))
    return Interval(mean, low, high, n)


def wilson(successes: float, trials: float, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a binomial share: inside [0, 1], and of positive width at 0
    and at `trials` successes (0 of 100 gives 0 to 0.037)."""
    if trials <= 0:
        raise ValueError(f"a share needs at least one trial, got {trials}")
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes do not lie within 0 to {trials} trials")
    z = float(stats.norm.ppf((1 + confidence) / 2))
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half /= 1 + z * z / trials
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def pooled_proportion_interval(
    successes: Sequence[float], trials: Sequence[float], confidence: float = CONFIDENCE
) -> Interval:
    """The pooled share sum(successes) / sum(trials) over n replications with its Wilson
    interval: right when every trial is an independent Bernoulli draw of one probability
    (the outcome of a dropped ride), whatever the number of trials per replication."""
    hits, total = float(np.sum(successes)), float(np.sum(trials))
    low, high = wilson(hits, total, confidence)
    return Interval(hits / total, low, high, len(successes))


def ratio_interval(
    numerators: Sequence[float], denominators: Sequence[float], confidence: float = CONFIDENCE
) -> Interval:
    """The ratio of pooled sums R = sum(y) / sum(x) over n replications, with a t interval
    from the delta method: se(R) = sd(y - R x) / (sqrt(n) mean(x)). Its limit is E[y] / E[x],
    e.g. the mean length of a ride when y sums ride lengths and x counts rides."""
    y = np.asarray(numerators, dtype=np.float64)
    x = np.asarray(denominators, dtype=np.float64)
    n = len(y)
    if n == 0 or len(x) != n:
        raise ValueError(f"{n} numerators against {len(x)} denominators")
    if x.sum() <= 0:
        raise ValueError("the denominators sum to zero: no ratio")
    ratio = float(y.sum() / x.sum())
    if n == 1:
        return Interval(ratio, math.nan, math.nan, 1)
    half = _t(confidence, n) * float((y - ratio * x).std(ddof=1)) / math.sqrt(n) / float(x.mean())
    return Interval(ratio, ratio - half, ratio + half, n)


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
    results: Sequence[dict[str, float | int | None]],
    confidence: float = CONFIDENCE,
) -> dict[str, Interval]:
    """An interval per numeric figure present (not None) in every replication; a per-ride
    figure (`POOLED`) from the pooled counts of every replication that has them."""
    keys = [k for k in results[0] if all(r.get(k) is not None for r in results)]
    found = {
        k: (proportion_interval if k in PROPORTIONS else interval)(
            [float(r[k]) for r in results],  # type: ignore[arg-type]
            confidence,
        )
        for k in keys
    }
    for key, (numerator, denominator, bernoulli) in POOLED.items():
        if any(r.get(numerator) is None or r.get(denominator) is None for r in results):
            continue
        ys = [float(r[numerator]) for r in results]  # type: ignore[arg-type]
        xs = [float(r[denominator]) for r in results]  # type: ignore[arg-type]
        if sum(xs) <= 0:
            continue
        pooled = pooled_proportion_interval if bernoulli else ratio_interval
        found[key] = pooled(ys, xs, confidence)
    return found


def meets_target(level: Interval, target: float) -> bool:
    """Whether a service level keeps `target`: its 95% interval lies above it, or every
    replication served every trip (n identical values at 1.0: the interval is only as narrow
    as n trials allow, but none fell short)."""
    return level.low >= target or level.mean >= 1.0
