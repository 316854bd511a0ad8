"""Monte Carlo replications on all cores, and Student-t confidence intervals of their figures.

Each replication is the engine alone from the same world with its own seed
(`replicate`), run in a process pool (spawned workers: no inherited database connections
or threads; the pool is kept for the process's life) behind a rich progress bar.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from scipy import stats

from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Task:
    """One replication: `world` at tick 0, run `ticks` ticks of `scenario` with `seed`.
    `stop_below`: stop at the end of the first week whose rush-hour service level falls below
    it (a fleet search only needs to know that it failed)."""

    world: WorldState
    scenario: Scenario
    seed: int
    ticks: int
    stop_below: float | None = None


def run_task(task: Task) -> dict[str, float | int | None]:
    series = replicate(task.world, task.scenario, task.seed, task.ticks, task.stop_below)
    return headline(series, task.scenario.prices)


def workers_available() -> int:
    return len(os.sched_getaffinity(0))


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per size, kept until `shutdown_pools` (or exit): spawning a worker imports
    NumPy and the engine (about a second), too much to pay for every round of a search."""
    if workers not in _POOLS:
        context = multiprocessing.get_context("spawn")
        _POOLS[workers] = ProcessPoolExecutor(workers, mp_context=context)
    return _POOLS[workers]


@atexit.register
def shutdown_pools() -> None:
    """Stop the kept workers. Call it when done: a process ending with `os._exit` (a forked
    benchmark child) skips `atexit` and would leave them orphaned."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(cancel_futures=True)


def run_tasks(
    tasks: Sequence[Task],
    workers: int | None = None,
    label: str = "replications",
    show_progress: bool = True,
) -> list[dict[str, float | int | None]]:
    """The headline figures of each task, in the order of `tasks`; `workers=1` runs in this
    process (no pool)."""
    workers = min(workers or workers_available(), max(1, len(tasks)))
    results: list[dict[str, float | int | None] | None] = [None] * len(tasks)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not show_progress, transient=False) as progress:
        bar = progress.add_task(label, total=len(tasks))
        if workers == 1:
            for i, task in enumerate(tasks):
                results[i] = run_task(task)
                progress.advance(bar)
        else:
            pool = _pool(workers)
            futures = {pool.submit(run_task, task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress.advance(bar)
    return [r for r in results if r is not None]


@dataclass(frozen=True)
class Interval:
    """Mean of n replications with its two-sided confidence interval (t distribution)."""

    mean: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n}


def interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    data = np.asarray(values, dtype=np.float64)
    n = len(data)
    if n == 0:
        raise ValueError("no values")
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


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
    return {k: interval([float(r[k]) for r in results], confidence) for k in keys}  # type: ignore[arg-type]
