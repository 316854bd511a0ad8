"""Monte Carlo replications on all cores, cached on disk, behind a progress bar.

Each replication is the engine alone from a world with its own seed (`replicate`), run in
a process pool (spawned workers: no inherited database connections or threads; the pool
is kept for the process's life). A replication's figures depend only on its inputs, so
they are cached as JSON under a key hashed from all of them: a report run again, or
another report sharing replications, does not simulate them twice.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import Policy, replicate
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

CACHE_VERSION = 2
Figures = dict[str, float | int | None]
# Figures that do not grow with the number of customers (kept as they are when a
# subsampled world's figures are scaled back to the whole).
INTENSIVE = frozenset(
    {
        "ticks",
        "days",
        "service_level",
        "rush_service_level",
        "worst_week_rush_service_level",
        "service_level_attempts",
        "utilisation",
        "mean_rental_ticks",
        "mean_billed_hours",
        "totalled_per_ride",
        "hours_until_90pct_registered",
        "hours_until_refusals_outnumber_rentals",
        "days_until_half_the_fleet_is_totalled",
        "days_until_no_usable_bike",
    }
)


@dataclass(frozen=True)
class Task:
    """One replication: `world` at tick 0, run `ticks` ticks of `scenario` with `seed`,
    bikes priced by `values`, under `policy`. `stop_below`: stop at the end of the first
    week whose rush-hour service level falls below it. `scale`: the share of the customers
    `world` holds (a subsample); its figures are scaled back by 1 / scale."""

    world: WorldState
    scenario: Scenario
    seed: int
    ticks: int
    values: BikeValues
    stop_below: float | None = None
    policy: Policy = field(default_factory=Policy)
    scale: float = 1.0

    def key(self) -> str:
        digest = hashlib.sha256(f"{CACHE_VERSION}|{self.scenario!r}".encode())
        digest.update(
            f"|{self.seed}|{self.ticks}|{self.stop_below}|{self.policy}|{self.scale}".encode()
        )
        for name in ("customer_ids", "registered", "insured", "bike_ids", "bike_status"):
            digest.update(np.ascontiguousarray(getattr(self.world, name)).tobytes())
        digest.update(self.world.bike_ready_tick.tobytes())
        digest.update(self.values.bike_ids.tobytes() + self.values.purchase_eur.tobytes())
        digest.update(self.values.model_new_eur.tobytes() + repr(self.values.mix_new_eur).encode())
        return digest.hexdigest()[:24]


def scaled(figures: Figures, scale: float) -> Figures:
    if scale == 1.0:
        return figures
    return {k: v if k in INTENSIVE or v is None else float(v) / scale for k, v in figures.items()}


def run_task(task: Task) -> Figures:
    series = replicate(
        task.world, task.scenario, task.seed, task.ticks, task.values, task.stop_below, task.policy
    )
    figures = headline(series, task.scenario.prices)
    stockouts = series.station_stockouts
    figures["worst_station_stockouts"] = int(stockouts.max()) if len(stockouts) else 0
    figures |= {f"stockouts_station_{i}": int(n) for i, n in enumerate(stockouts)}
    return scaled(figures, task.scale)


def workers_available() -> int:
    return len(os.sched_getaffinity(0))


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per size, kept until `shutdown_pools` (or exit): spawning a worker imports
    NumPy and the engine (about a second), too much to pay for every round."""
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


def _json_safe(figures: Figures) -> dict:
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in figures.items()
    }


def run_tasks(
    tasks: Sequence[Task],
    workers: int | None = None,
    label: str = "replications",
    show_progress: bool = True,
    cache_dir: Path | None = None,
) -> list[Figures]:
    """The figures of each task, in the order of `tasks`; `workers=1` runs in this process
    (no pool). With `cache_dir`, cached tasks are read, the others run and stored."""
    results: list[Figures | None] = [None] * len(tasks)
    keys = [t.key() for t in tasks] if cache_dir is not None else []
    if cache_dir is not None:
        for i, key in enumerate(keys):
            path = cache_dir / f"{key}.json"
            if path.is_file():
                results[i] = json.loads(path.read_text())
    todo = [i for i, r in enumerate(results) if r is None]
    workers = min(workers or workers_available(), max(1, len(todo)))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, disable=not show_progress or not todo, transient=False) as progress:
        bar = progress.add_task(label, total=len(todo))

        def done(i: int, figures: Figures) -> None:
            results[i] = figures
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / f"{keys[i]}.json").write_text(json.dumps(_json_safe(figures)))
            progress.advance(bar)

        if workers == 1:
            for i in todo:
                done(i, run_task(tasks[i]))
        else:
            pool = _pool(workers)
            futures = {pool.submit(run_task, tasks[i]): i for i in todo}
            for future in as_completed(futures):
                done(futures[future], future.result())
    return [r for r in results if r is not None]
