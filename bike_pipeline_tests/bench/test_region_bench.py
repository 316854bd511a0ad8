"""`bench region` end to end at a tiny size on the session's real servers, and its sampler."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.process_peaks import PeakSampler, by_role
from benchmarks.region_bench import _parse_stages, region
from bike_pipeline import services


def _bench_databases(app_url: str) -> list[str]:
    engine = sa.create_engine(app_url)
    with engine.connect() as conn:
        names = conn.execute(
            sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'bench_region_%'")
        ).scalars()
        found = list(names)
    engine.dispose()
    return found


def test_every_stage_runs_at_a_tiny_size_and_leaves_nothing_behind(
    servers: services.ServiceUrls,
) -> None:
    result = CliRunner().invoke(
        region,
        ["--customers", "2000", "--bikes", "100", "--days", "1", "--report-replications", "1",
         "--stages", "ingest,simulate,privacy,graph,report"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    out = result.output
    assert "loaded {'customers': 2000, 'bikes': 100}" in out
    assert "customers encrypted" in out and "2,100 nodes" in out
    assert "extrapolated from 1 replications per scenario" in out
    for scenario in ("calibrated", "seed", "full"):
        assert f"{scenario} " in out.split("extrapolated from", 1)[1]
    assert _bench_databases(servers.database_url) == []
    graphs = redis.Redis.from_url(servers.graph_url).execute_command("GRAPH.LIST")
    assert not [g for g in graphs if b"bench_region_" in g]
    assert not [k for k in redis.Redis.from_url(servers.redis_url).keys("bench_region_*")]


def test_stages_need_what_feeds_them() -> None:
    assert _parse_stages("ingest,simulate,graph") == ("ingest", "simulate", "graph")
    with pytest.raises(click.BadParameter, match="include 'ingest'"):
        _parse_stages("simulate")
    with pytest.raises(click.BadParameter, match="need 'simulate'"):
        _parse_stages("ingest,report")
    with pytest.raises(click.BadParameter, match="unknown stage"):
        _parse_stages("ingest,everything")


def test_the_sampler_sees_each_child_process_peak() -> None:
    grow = (
        "b = bytearray(160 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(1)"
    )
    with PeakSampler(interval_s=0.05) as sampler:
        child = subprocess.Popen([sys.executable, "-c", grow])
        assert child.wait() == 0
    # Earlier tests of the session may leave processes of their own (pool workers, the resource
    # tracker) under this one: only the child started here is asked about.
    mine = [peak for peak in sampler.peaks if peak.pid == child.pid]
    [(count, largest)] = by_role(mine).values()
    assert count == 1
    assert largest > 150


def test_the_report_stage_runs_on_a_local_cluster_of_two_workers(
    servers: services.ServiceUrls,
) -> None:
    result = CliRunner().invoke(
        region,
        ["--customers", "1000", "--bikes", "50", "--days", "1", "--report-replications", "1",
         "--stages", "ingest,simulate,dask"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "LocalCluster of 2 workers, sample: the default-depth report" in result.output
    assert "dask worker: 2 x" in result.output
    assert _bench_databases(servers.database_url) == []
