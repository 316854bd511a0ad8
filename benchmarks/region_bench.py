"""`bike-pipeline bench region`: a region-sized world through every stage of the README's run.

Generates a dump (`--customers`, `--bikes` at the dump's stations), then in a throwaway
database, graph and Redis stream runs the stages of `bike-pipeline run` (`main_run.STEPS`),
each in its own forked child: ingest, `--days` of `--scenario` persisted and relayed,
the privacy tables, the graph sync, and the report's Monte Carlo on local cores and on a
`distributed.LocalCluster` of two workers. Per stage: wall time, the peak RSS of every
process it ran (the stage's own and the report's workers, sampled with psutil), and the
ratio to the anchor of the stage's own bench where one exists (ingest: raw COPY of the
files; simulate: COPY of the same event rows into core.events; privacy: the same load in
clear; graph: one bulk UNWIND ... CREATE of the same rentals).

The report at the default depth simulates thousands of replications of every scenario;
at region size that is hours on two cores, so `--report-depth sample` (the default) times
`--report-replications` of each scenario and extrapolates to the replications the report
would run (printed as such); `default` runs the whole report; `none` skips it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import psutil
import redis
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from benchmarks import region_stages as stages
from benchmarks.graph_bench import _fresh_graph
from benchmarks.ingest_bench import _raw_copy
from benchmarks.measure import Measurement, measure_in_child
from benchmarks.privacy_bench import PLAIN_TABLE, _CopyingPseudonymiser, _plain_copy
from benchmarks.process_peaks import PeakSampler, by_role, role_of
from benchmarks.simulate_bench import _copy_anchor, _export_events
from bike_pipeline import services
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.generate import write_dump
from bike_pipeline.graph.connection import graph_exists, open_graph
from bike_pipeline.ingest.specs import BIKES, CUSTOMERS
from bike_pipeline.privacy.analytics_models import CUSTOMERS_TABLE
from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.services.embedded_postgres_server import ensure_database
from bike_pipeline.settings import Settings

STAGES = ("ingest", "simulate", "privacy", "graph", "report", "dask")
DASK_SCHEDULER_VAR = "BIKE_PIPELINE_DASK_SCHEDULER"
DASK_WORKERS = 2


@dataclass
class StageRow:
    stage: str
    ours: Measurement
    roles: dict[str, tuple[int, float]]
    anchor: Measurement | None = None
    note: str = ""


def _measured(
    label: str, items: int, work: Callable[[], Any], spawned: str = ""
) -> tuple[Measurement, dict]:
    """`work` in a forked child; its peaks per process, spawned ones named `spawned`."""

    def classify(process: psutil.Process) -> str:
        role = role_of(process)
        return spawned if spawned and role == "replication worker (spawned)" else role

    with PeakSampler(classify=classify) as sampler:
        m = measure_in_child(label, items, work)
    return m, by_role(sampler.peaks)


def _roles_text(row: StageRow) -> str:
    return "; ".join(
        f"{role}: {n} x max {mib:,.0f}" for role, (n, mib) in sorted(row.roles.items())
    )


def _print(rows: list[StageRow]) -> None:
    table = Table(title="A region-sized world through the README's run")
    for column in ("stage", "seconds", "anchor s", "x anchor", "peak RSS MiB (ru_maxrss)",
                   "peak RSS per process, MiB (sampled)", "note"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("stage", "note") else "right")
    for r in rows:
        table.add_row(
            r.stage,
            f"{r.ours.seconds:,.1f}",
            f"{r.anchor.seconds:,.1f}" if r.anchor else "-",
            f"{r.ours.ratio_to(r.anchor):.2f}" if r.anchor else "-",
            f"{r.ours.peak_rss_mib:,.0f}",
            _roles_text(r),
            r.note,
        )
    Console(width=max(Console().width, 160)).print(table)


def _extrapolated(samples: list[stages.ReplicationSample], workers: int) -> tuple[str, float]:
    total = sum(s.seconds / s.replications * s.planned for s in samples)
    sampled = ", ".join(
        f"{s.scenario} {s.seconds / s.replications:,.2f} s per replication on {workers} "
        f"cores x {s.planned:,}"
        for s in samples
    )
    replications = samples[0].replications if samples else 0
    return (
        f"extrapolated from {replications} replications per scenario: {sampled}",
        total,
    )


def _parse_stages(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in chosen if s not in STAGES]
    if unknown:
        raise click.BadParameter(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES)}")
    if set(chosen) - {"ingest"} and "ingest" not in chosen:
        raise click.BadParameter("every stage needs the ingested dump: include 'ingest'")
    if set(chosen) - {"ingest", "simulate"} and "simulate" not in chosen:
        raise click.BadParameter("privacy, graph and the report need 'simulate'")
    return chosen


@click.command()
@click.option("--customers", type=click.IntRange(min=1), default=500_000, show_default=True)
@click.option("--bikes", type=click.IntRange(min=1), default=30_000, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True,
              help="Days simulated, and days of each report replication (as `run`).")  # fmt: skip
@click.option("--scenario", default="calibrated", show_default=True)
@click.option("--stages", "stage_text", default=",".join(STAGES), show_default=True,
              help="Comma-separated stages (ingest and simulate feed the others).")  # fmt: skip
@click.option("--report-depth", type=click.Choice(["sample", "default", "none"]),
              default="sample", show_default=True,
              help="sample: time some replications per scenario and extrapolate; "
              "default: the whole report (hours at region size); none: skip.")  # fmt: skip
@click.option("--report-replications", type=click.IntRange(min=1), default=2,
              show_default=True, help="Replications per scenario of the sample.")  # fmt: skip
@click.option("--seed", type=int, default=42, show_default=True)
def region(
    customers: int,
    bikes: int,
    days: int,
    scenario: str,
    stage_text: str,
    report_depth: str,
    report_replications: int,
    seed: int,
) -> None:
    """Every stage of the README's run on a generated region-sized dump: time and memory."""
    chosen = _parse_stages(stage_text)
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    graph_url = services.graph_url(settings)
    redis_url = services.redis_url(settings)
    tag = f"bench_region_{os.getpid()}"
    keys = EventKeys(stream=f"{tag}.events", channel_prefix=f"{tag}.events.")
    graphs = {"ours": f"{tag}_graph", "anchor": f"{tag}_bulk"}
    rows: list[StageRow] = []
    with tempfile.TemporaryDirectory(prefix="bench_region_") as folder:
        dump = Path(folder) / "dump"
        generated, roles = _measured(
            "generate", customers + bikes, lambda: write_dump(dump, customers, bikes, seed) and 0
        )
        rows.append(StageRow("generate the dump", generated, roles))
        click.echo(
            f"generated {customers:,} customers, {bikes:,} bikes in {generated.seconds:.1f} s"
        )
        try:
            url = ensure_database(app_url, tag)
            create_schema(engine_for(url))
            engine_for(url).dispose()
            if "ingest" in chosen:
                rows.append(_ingest(url, dump, customers + bikes))
            simulated = None
            if "simulate" in chosen:
                simulated = _simulate(url, redis_url, keys, scenario, days)
                rows.append(simulated)
            if "privacy" in chosen:
                rows.extend(_privacy(url))
            if "graph" in chosen:
                rows.append(_graph(url, graph_url, graphs))
            if "report" in chosen and report_depth != "none":
                rows.append(
                    _report(url, Path(folder), days, report_depth, report_replications, "local")
                )
            if "dask" in chosen and report_depth != "none":
                on_dask = _dask(url, Path(folder), days, report_depth, report_replications)
                if on_dask is None:
                    click.echo(NEEDS_DASK)
                else:
                    rows.append(on_dask)
            if simulated is not None:  # last: it empties core.events and loads it again
                simulated.anchor = _simulate_anchor(url, Path(folder))
        finally:
            engine_for.cache_clear()
            _clean_up(app_url, tag, graph_url, graphs, redis_url, keys)
    _print(rows)
    for r in rows:
        if r.note:
            click.echo(f"{r.stage}: {r.note}")


def _ingest(url: str, dump: Path, items: int) -> StageRow:
    def anchor() -> int:
        return _raw_copy(url, dump / "customers.csv", CUSTOMERS) + _raw_copy(
            url, dump / "bikes.csv", BIKES
        )

    raw, _ = _measured("raw COPY of both files", items, anchor)
    ours, roles = _measured("ingest", items, lambda: stages.ingest_dump(url, dump))
    loaded = {kind: loaded for kind, (loaded, _) in ours.result.items()}
    return StageRow("ingest (customers, bikes)", ours, roles, raw, f"loaded {loaded}")


def _simulate(url: str, redis_url: str, keys: EventKeys, scenario: str, days: int) -> StageRow:
    ours, roles = _measured(
        "simulate", 0, lambda: stages.simulate(url, redis_url, keys, scenario, days)
    )
    rentals = stages.count(url, "core.rentals")
    return StageRow(
        f"simulate {days} days of {scenario} (persisted, relayed)",
        replace(ours, items=ours.result),
        roles,
        note=f"{ours.result:,} events, {rentals:,} rentals",
    )


def _simulate_anchor(url: str, folder: Path) -> Measurement:
    rows_file = folder / "events.copy"
    _export_events(url, rows_file)
    engine_for(url).dispose()
    anchor, _ = _measured(
        "COPY of the events", 0, lambda: _copy_anchor(url, rows_file, into_core=True)
    )
    return anchor


def _privacy(url: str) -> list[StageRow]:
    ours, roles = _measured("privacy", 0, lambda: stages.privacy_tables(url))
    events, customers = ours.result
    with engine_for(url).begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {PLAIN_TABLE} (LIKE {CUSTOMERS_TABLE} INCLUDING ALL)"))
        conn.execute(sa.text("TRUNCATE bi.events"))
    engine_for(url).dispose()
    clear, _ = _measured("analytics in clear", customers, lambda: _plain_copy(url))
    copied, _ = _measured(
        "bi with values copied",
        events,
        lambda: build_bi_events(engine_for(url), _CopyingPseudonymiser("x")).added,
    )
    both = replace(clear, seconds=clear.seconds + copied.seconds)
    return [
        StageRow(
            "privacy tables (bi.events + analytics.customers)",
            ours,
            roles,
            both,
            f"{events:,} events pseudonymised, {customers:,} customers encrypted; anchor: "
            f"the same loads in clear ({clear.seconds:.1f} + {copied.seconds:.1f} s)",
        )
    ]


def _graph(url: str, graph_url: str, graphs: dict[str, str]) -> StageRow:
    ours, roles = _measured("graph", 0, lambda: stages.graph_sync(url, graph_url, graphs["ours"]))
    nodes, links = ours.result
    _fresh_graph(engine_for(url), graph_url, graphs["anchor"])
    engine_for(url).dispose()
    bulk, _ = _measured(
        "bulk", links, lambda: stages.graph_bulk_anchor(url, graph_url, graphs["anchor"], links)
    )
    anchor = replace(bulk, seconds=bulk.result / 1e6)
    return StageRow(
        "graph sync (nodes + links)",
        ours,
        roles,
        anchor,
        f"{nodes:,} nodes, {links:,} links; anchor: one UNWIND ... CREATE of the links into "
        "a graph already holding the nodes (ours also loads the nodes)",
    )


def _report(
    url: str, folder: Path, days: int, depth: str, replications: int, where: str
) -> StageRow:
    label = f"report Monte Carlo, {where}"
    spawned = "dask worker" if where != "local" else ""
    if depth == "default":
        ours, roles = _measured(
            label,
            0,
            lambda: stages.full_report(url, folder / f"reports_{where}", days, 2),
            spawned,
        )
        return StageRow(f"{label}, default depth", ours, roles, note="the whole report")
    ours, roles = _measured(
        label,
        0,
        lambda: stages.sample_report(url, days, replications, DASK_WORKERS),
        spawned,
    )
    text, total = _extrapolated(ours.result, DASK_WORKERS)
    return StageRow(
        f"{label}, sample", ours, roles,
        note=f"the default-depth report: ~{total / 60:,.1f} min, {text}",
    )  # fmt: skip


NEEDS_DASK = (
    "LocalCluster stage not run: it needs the Dask path (issue 22 item 1: the distributed "
    "package, and monte_carlo.run_tasks sending replications to BIKE_PIPELINE_DASK_SCHEDULER)"
)


def _dask(url: str, folder: Path, days: int, depth: str, replications: int) -> StageRow | None:
    """The report stage again with the replications on a LocalCluster of two workers; None
    without the Dask path."""
    try:
        from distributed import LocalCluster
    except ImportError:
        return None
    with LocalCluster(
        n_workers=DASK_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        os.environ[DASK_SCHEDULER_VAR] = cluster.scheduler_address
        try:
            return _report(url, folder, days, depth, replications, "LocalCluster of 2 workers")
        finally:
            del os.environ[DASK_SCHEDULER_VAR]


def _clean_up(
    app_url: str,
    tag: str,
    graph_url: str,
    graphs: dict[str, str],
    redis_url: str,
    keys: EventKeys,
) -> None:
    for name in graphs.values():
        target = open_graph(graph_url, name)
        if graph_exists(target):
            target.delete()
    redis.Redis.from_url(redis_url).delete(keys.stream)
    admin = sa.create_engine(app_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)'))
    admin.dispose()
