"""Replications on the workers of a Dask distributed scheduler (`distributed.Client` futures).

The caller (`monte_carlo.run_tasks`) keeps the cache and the progress bar; this module only
runs the tasks it is given and yields each one's figures as it completes. Each distinct
world, scenario and bike values object travels to the workers once (scattered to all of
them), and every task refers to it: a task carries only its seed and small options. A
replication's figures depend only on its inputs, so where it runs, or runs again after its
worker was lost (Dask reschedules the tasks of a worker that leaves; `RETRIES` more for a
task that raised), changes nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from bike_pipeline.settings import DASK_SCHEDULER_VAR, Settings

if TYPE_CHECKING:
    import distributed

    from bike_pipeline.reporting.analysis.monte_carlo import Figures, Task

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_SECONDS = 30
RETRIES = 2  # a task that raised (not a lost worker: Dask reschedules those itself)
RESCATTERS = 3  # rounds scattered again after a lost worker took their world's last copy

_ADDRESS: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dask_scheduler", default=None
)
_CLIENTS: dict[str, distributed.Client] = {}


class DaskSchedulerUnreachable(ConnectionError):
    """The configured Dask scheduler did not answer; the message names it and the timeout."""


class ScatteredDataLost(RuntimeError):
    """Replications kept losing their scattered world with their workers."""


class WorkerCodeDiffers(RuntimeError):
    """A Dask worker runs other replication code than this process: its figures would be
    cached under this code's key, so they are refused."""


def scheduler_address() -> str | None:
    """The scheduler of `dask_scheduler` around this call, else BIKE_PIPELINE_DASK_SCHEDULER."""
    return _ADDRESS.get() or Settings.from_env().dask_scheduler


@contextlib.contextmanager
def dask_scheduler(address: str | None) -> Iterator[None]:
    """Run the replications started inside on the scheduler at `address` (None: unchanged,
    so the environment variable still counts). The Dagster report resource uses it."""
    token = _ADDRESS.set(address or _ADDRESS.get())
    try:
        yield
    finally:
        _ADDRESS.reset(token)


def client(address: str) -> distributed.Client:
    """One client per scheduler, kept until `close_clients` (connecting takes a moment)."""
    if address not in _CLIENTS:
        import distributed

        try:
            _CLIENTS[address] = distributed.Client(
                address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError) as error:
            raise DaskSchedulerUnreachable(
                f"the Dask scheduler at {address} (from {DASK_SCHEDULER_VAR} or the report's "
                f"dask resource) did not answer within {CONNECT_TIMEOUT_SECONDS} s: {error}. "
                f"Start it, fix the address, or unset it to run on this machine's cores"
            ) from None
    return _CLIENTS[address]


def close_clients() -> None:
    while _CLIENTS:
        _, found = _CLIENTS.popitem()
        found.close()


def replicate(digest: str, world: Any, scenario: Any, values: Any, *rest: Any) -> Figures:
    """The task a worker runs: `monte_carlo.run_parts`, after checking that the worker's
    replication code is the client's (`digest`)."""
    from bike_pipeline.reporting.analysis import monte_carlo

    if monte_carlo.code_digest() != digest:
        raise WorkerCodeDiffers(
            f"this Dask worker's replication code (digest {monte_carlo.code_digest()[:12]}) is "
            f"not the report's ({digest[:12]}): install the same bike_pipeline on the workers"
        )
    return monte_carlo.run_parts(world, scenario, values, *rest)


def run_on_cluster(
    address: str, tasks: Sequence[Task], todo: Sequence[int], digest: str
) -> Iterator[tuple[int, Figures]]:
    """(index in `tasks`, figures) of each task of `todo`, in the order they complete.

    Dask's memory manager keeps fewer copies of scattered data once few tasks still need it,
    so a lost worker can take the last copy with it: the tasks that then fail for want of
    their world are scattered and submitted again (at most `RESCATTERS` times)."""
    dask = client(address)
    pending = list(todo)
    for _ in range(RESCATTERS + 1):
        pending = yield from _round(dask, tasks, pending, digest)
        if not pending:
            return
        log.warning("%d replications lost their scattered world with a worker: again", len(pending))
    raise ScatteredDataLost(
        f"{len(pending)} replications lost their scattered world {RESCATTERS + 1} times on "
        f"the Dask scheduler at {address}: are its workers dying (memory)?"
    )


def _round(
    dask: distributed.Client, tasks: Sequence[Task], todo: Sequence[int], digest: str
) -> Generator[tuple[int, Figures], None, list[int]]:
    """Scatter, submit, yield what completes; returns the tasks whose data was lost."""
    import distributed

    shared: dict[int, object] = {}
    for i in todo:
        for part in (tasks[i].world, tasks[i].scenario, tasks[i].values):
            shared.setdefault(id(part), part)
    scattered = dask.scatter(list(shared.values()), broadcast=True, hash=False)
    remote = dict(zip(shared, scattered, strict=True))
    futures: dict[distributed.Future, int] = {}
    lost: list[int] = []
    try:
        for i in todo:
            task = tasks[i]
            future = dask.submit(
                replicate, digest,
                remote[id(task.world)], remote[id(task.scenario)], remote[id(task.values)],
                task.seed, task.ticks, task.stop_below, task.policy, task.extra_bikes,
                pure=False, retries=RETRIES,
            )  # fmt: skip
            futures[future] = i
        for future in distributed.as_completed(futures, loop=dask.loop):
            try:
                figures = future.result()
            except distributed.client.FutureCancelledError:
                lost.append(futures[future])
                continue
            yield futures[future], figures
    finally:
        dask.cancel([*futures, *scattered])
    return sorted(lost)
