"""The report's Monte Carlo on a Dask `LocalCluster` (two worker processes, one thread each):
the same figures as on local cores, also when a worker is killed mid-report."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import distributed
import pytest
import sqlalchemy as sa

from bike_pipeline.defs.resources import DaskResource
from bike_pipeline.reporting.analysis import dask_runner, monte_carlo
from bike_pipeline.reporting.build import Report, build_report
from bike_pipeline.settings import DASK_SCHEDULER_VAR
from bike_pipeline_tests.reporting.simulated_run import simulated_run
from bike_pipeline_tests.reporting.test_build import SMALL

ON_CLUSTER = replace(SMALL, workers=None)  # not 1: `workers=1` runs in the calling process
KILL_AFTER = 200  # replications cached before a worker is killed


@pytest.fixture
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as found:
        try:
            yield found
        finally:
            monte_carlo.shutdown_pools()  # closes the report's client before the cluster stops


@pytest.fixture
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    """The test's own client (a report closes its client when it ends)."""
    with distributed.Client(cluster, set_as_default=False) as found:
        yield found


def _figures(report: Report) -> dict[str, object]:
    """The headline figures and every CSV table, not where the report was written."""
    tables = {p.name: p.read_text() for p in sorted(report.directory.glob("*.csv"))}
    assert len(tables) > 5 and report.headline["recommended_fleet"] is not None
    return {k: v for k, v in report.headline.items() if k != "report_dir"} | tables


def _local_and_cluster(engine: sa.Engine, tmp_path: Path, address: str) -> tuple[Report, Report]:
    """The same report built on local cores and on the cluster, each with its own cache."""
    simulated_run(engine, tmp_path, scenario="full", days=1)
    local = build_report(engine, tmp_path / "local", SMALL)
    with dask_runner.dask_scheduler(address):
        on_cluster = build_report(engine, tmp_path / "cluster", ON_CLUSTER)
    return local, on_cluster


def _replications_run(client: distributed.Client, since: float) -> dict[str, int]:
    """Replication tasks each worker finished since `since` (the scheduler's task stream)."""
    counts: dict[str, int] = {}
    for record in client.get_task_stream(start=since):
        if str(record["key"]).startswith("replicate-"):
            counts[record["worker"]] = counts.get(record["worker"], 0) + 1
    return counts


def test_a_report_on_a_local_cluster_has_the_local_figures(
    engine: sa.Engine,
    tmp_path: Path,
    cluster: distributed.LocalCluster,
    client: distributed.Client,
) -> None:
    client.get_task_stream()  # starts the scheduler's task stream
    started = time.time()
    local, on_cluster = _local_and_cluster(engine, tmp_path, cluster.scheduler_address)
    assert _figures(on_cluster) == _figures(local)
    ran = _replications_run(client, started)
    cached = len(list((tmp_path / "cluster" / "monte_carlo_cache").glob("*.json")))
    # Every replication ran on the workers, both of them (a task repeated within a round, as
    # locally, runs twice under one cache key).
    assert sum(ran.values()) >= cached > 100 and len(ran) == 2, ran


def test_a_worker_killed_mid_report_changes_no_figure(
    engine: sa.Engine,
    tmp_path: Path,
    cluster: distributed.LocalCluster,
    client: distributed.Client,
) -> None:
    """A watcher kills one worker process (SIGKILL) once `KILL_AFTER` replications are
    cached: Dask runs its tasks again elsewhere (its nanny starts a new worker)."""
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    cache = tmp_path / "cluster" / "monte_carlo_cache"
    killed_at: list[int] = []
    stop = threading.Event()

    def kill_when_results_arrive() -> None:
        while not stop.wait(0.05):
            done = len(list(cache.glob("*.json"))) if cache.is_dir() else 0
            if done >= KILL_AFTER:
                os.kill(victim, signal.SIGKILL)
                killed_at.append(done)
                return

    watcher = threading.Thread(target=kill_when_results_arrive, daemon=True)
    watcher.start()
    try:
        local, on_cluster = _local_and_cluster(engine, tmp_path, cluster.scheduler_address)
    finally:
        stop.set()
        watcher.join()
    total = len(list(cache.glob("*.json")))
    assert killed_at and killed_at[0] < total, (killed_at, total)  # killed mid-report
    assert victim not in client.run(os.getpid).values()
    assert _figures(on_cluster) == _figures(local)


def test_an_unreachable_scheduler_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT_SECONDS", 2)
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(dask_runner.DaskSchedulerUnreachable) as raised:
        dask_runner.client(address)
    assert address in str(raised.value) and "within 2 s" in str(raised.value)


def test_the_resource_and_the_context_come_before_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DASK_SCHEDULER_VAR, "tcp://from-env:8786")
    assert dask_runner.scheduler_address() == "tcp://from-env:8786"
    assert DaskResource().address() == "tcp://from-env:8786"
    resource = DaskResource(scheduler_address="tcp://from-dagster:8786")
    with dask_runner.dask_scheduler(resource.address()):
        assert dask_runner.scheduler_address() == "tcp://from-dagster:8786"
        with dask_runner.dask_scheduler(None):  # None keeps what is configured
            assert dask_runner.scheduler_address() == "tcp://from-dagster:8786"
    monkeypatch.setenv(DASK_SCHEDULER_VAR, "")
    assert dask_runner.scheduler_address() is None and DaskResource().address() is None
