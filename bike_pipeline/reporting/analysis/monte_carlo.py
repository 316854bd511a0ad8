"""Monte Carlo replications on all cores, cached on disk, behind a progress bar.

Each replication is the replication engine alone (`replicate_fast`, the compiled loop of
`simulation/fast_engine.py`) from a world with its own seed, run in
a process pool (spawned workers: no inherited database connections or threads; the pool
is kept for the process's life). A replication's figures depend only on its inputs, so
they are cached as JSON under a key hashed from all of them and from the code that computes them: a
report run again, or another report sharing replications, does not simulate them twice, and
a changed engine never answers from an old one's cache.

When a Dask distributed scheduler is named (`BIKE_PIPELINE_DASK_SCHEDULER`, or
`dask_scheduler` around a call), the replications run on its workers instead (`dask_runner`):
the same tasks and seeds, the cache read and written here, the same progress bar.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import importlib.util
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

from bike_pipeline.reporting.analysis import dask_runner, validation
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import Policy
from bike_pipeline.simulation import fast_engine
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

CACHE_VERSION = 3
Figures = dict[str, float | int | None]
# The modules whose code decides a replication's figures: the cache key hashes their source,
# so an upgrade that changes the engine or a figure never serves the old engine's figures.
REPLICATION_MODULES = (
    "bike_pipeline.reporting.analysis.monte_carlo",
    "bike_pipeline.reporting.analysis.validation",
    "bike_pipeline.reporting.fast_replication",
    "bike_pipeline.reporting.replication",
    "bike_pipeline.reporting.headline",
    "bike_pipeline.reporting.money",
    "bike_pipeline.reporting.costs",
    "bike_pipeline.reporting.series",
    "bike_pipeline.reporting.bike_values",
    "bike_pipeline.simulation.fast_kernel",
    "bike_pipeline.simulation.fast_engine",
    "bike_pipeline.simulation.fast_random",
    "bike_pipeline.simulation.engine",
    "bike_pipeline.simulation.stations",
    "bike_pipeline.simulation.ride_duration",
    "bike_pipeline.simulation.clock",
    "bike_pipeline.simulation.world",
)


@functools.cache
def code_digest() -> str:
    """SHA-256 of the source of `REPLICATION_MODULES` (read once per process)."""
    digest = hashlib.sha256()
    for name in REPLICATION_MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        digest.update(name.encode() + b"\0")
        if origin:
            digest.update(Path(origin).read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Task:
    """One replication: `world` at tick 0, run `ticks` ticks of `scenario` with `seed`,
    bikes priced by `values`, under `policy`. `stop_below`: stop at the end of the first
    week whose rush-hour service level falls below it."""

    world: WorldState
    scenario: Scenario
    seed: int
    ticks: int
    values: BikeValues
    stop_below: float | None = None
    policy: Policy = field(default_factory=Policy)
    extra_bikes: int = 0  # new bikes completing the fleet (`worlds.cut_fleet`)

    def key(self) -> str:
        digest = hashlib.sha256(f"{CACHE_VERSION}|{code_digest()}|{self.scenario!r}".encode())
        digest.update(
            f"|{self.seed}|{self.ticks}|{self.stop_below}|{self.policy}|{self.extra_bikes}".encode()
        )
        for name in ("customer_ids", "registered", "insured", "bike_ids", "bike_status"):
            digest.update(np.ascontiguousarray(getattr(self.world, name)).tobytes())
        digest.update(self.world.bike_ready_tick.tobytes())
        digest.update(self.values.bike_ids.tobytes() + self.values.purchase_eur.tobytes())
        digest.update(self.values.model_new_eur.tobytes() + repr(self.values.mix_new_eur).encode())
        return digest.hexdigest()[:24]


def run_task(task: Task) -> Figures:
    series = replicate_fast(
        task.world, task.scenario, task.seed, task.ticks, task.values, task.stop_below,
        task.policy, task.extra_bikes,
    )  # fmt: skip
    figures = headline(series, task.scenario.prices)
    held, dropped = validation.horizon_expectation(task.scenario, series.rented)
    figures |= {"expected_held_ticks": held, "expected_dropped": dropped}
    stockouts = series.station_stockouts
    figures["worst_station_stockouts"] = int(stockouts.max()) if len(stockouts) else 0
    figures |= {f"stockouts_station_{i}": int(n) for i, n in enumerate(stockouts)}
    return figures


def run_parts(
    world: WorldState,
    scenario: Scenario,
    values: BikeValues,
    seed: int,
    ticks: int,
    stop_below: float | None,
    policy: Policy,
    extra_bikes: int,
) -> Figures:
    """`run_task` from a task's parts: on a Dask worker the world, scenario and values arrive
    as scattered data, the rest with each task."""
    task = Task(world, scenario, seed, ticks, values, stop_below, policy, extra_bikes)
    return run_task(task)


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
    dask_runner.close_clients()


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
    scheduler: str | None = None,
) -> list[Figures]:
    """The figures of each task, in the order of `tasks`; `workers=1` runs in this process
    (no pool). With `cache_dir`, cached tasks are read, the others run and stored.
    `scheduler` (else `dask_scheduler`'s, else `BIKE_PIPELINE_DASK_SCHEDULER`): the address of
    a Dask scheduler whose workers run them (`workers` is then theirs, not ours)."""
    scheduler = scheduler or dask_runner.scheduler_address()
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

        if todo and not scheduler:
            fast_engine.warm_up()  # compiled once here: the workers load numba's cache
        if scheduler and workers != 1:
            for i, figures in dask_runner.run_on_cluster(scheduler, tasks, todo, code_digest()):
                done(i, figures)
        elif workers == 1:
            for i in todo:
                done(i, run_task(tasks[i]))
        else:
            pool = _pool(workers)
            futures = {pool.submit(run_task, tasks[i]): i for i in todo}
            for future in as_completed(futures):
                done(futures[future], future.result())
    return [r for r in results if r is not None]
