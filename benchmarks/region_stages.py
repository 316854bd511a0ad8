"""The work of each stage of `bench region`, and of each stage's anchor, as plain functions.

Each runs in a forked child (`measure_in_child`) against the bench's own database, graph
and Redis stream, and calls the very code the README's run calls (`main_run.STEPS`): the
Dagster assets of these jobs are thin wrappers of `ingest_file`, `run_simulation`,
`build_bi` / `build_analytics`, `sync_graph` and the report's Monte Carlo (`run_tasks`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa

from benchmarks.graph_bench import BULK_CREATE, _all_rows
from bike_pipeline.db.engine import engine_for
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.graph.connection import open_graph
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.privacy.build import build_analytics, build_bi
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation

SIMULATION_SEED = 42
BENCH_PII_KEY = "bench-region-pii-key"
BENCH_PSEUDONYM_KEY = "bench-region-pseudonym-key"


def ingest_dump(url: str, dump: Path) -> dict[str, tuple[int, int]]:
    """Both files of the dump, customers first (as the `ingest_dump` job): loaded, rejected."""
    found = {}
    for kind in ("customers", "bikes"):
        result = ingest_file(engine_for(url), dump / f"{kind}.csv", kind)
        found[kind] = (result.loaded, result.rejected)
    return found


def simulate(url: str, redis_url: str, keys: EventKeys, scenario: str, days: float) -> int:
    """`days` of `scenario` persisted and relayed to Redis, as `simulation_ticks` does."""
    request = SimulationRequest(
        ticks=round(days * TICKS_PER_DAY), seed=SIMULATION_SEED, scenario=scenario, reset=True
    )
    client = redis.Redis.from_url(redis_url)
    result = run_simulation(engine_for(url), request, client, event_keys=keys)
    if not result.relay_ok or result.relayed != result.events:
        raise RuntimeError(f"relayed {result.relayed:,} of {result.events:,} events")
    return result.events


def privacy_tables(url: str) -> tuple[int, int]:
    """`bi_events` and `analytics_customers` (the `privacy_tables` job): events, customers."""
    engine = engine_for(url)
    bi = build_bi(engine, Pseudonymiser(BENCH_PSEUDONYM_KEY))
    rows = build_analytics(engine, PiiCipher(BENCH_PII_KEY))
    return bi.added, rows


def graph_sync(url: str, graph_url: str, graph_name: str) -> tuple[int, int]:
    """The `graph_links` job: nodes, then rental links. (nodes created, links created)"""
    counts = sync_graph(engine_for(url), open_graph(graph_url, graph_name))
    nodes = counts.nodes.customer_nodes_created + counts.nodes.bike_nodes_created
    return nodes, counts.links.relations_created


def graph_bulk_anchor(url: str, graph_url: str, graph_name: str, rentals: int) -> int:
    """The graph bench's anchor: every rental in one `UNWIND ... CREATE` (rows prepared in
    the child, outside the timed part: the caller times the query from the result)."""
    rows = _all_rows(engine_for(url), rentals)
    started = time.perf_counter()
    created = open_graph(graph_url, graph_name).query(f"CYPHER rows={rows} {BULK_CREATE}")
    if int(created.relationships_created) != rentals:
        raise RuntimeError(f"bulk CREATE made {created.relationships_created} of {rentals}")
    return round((time.perf_counter() - started) * 1e6)


def count(url: str, table: str) -> int:
    with engine_for(url).connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


@dataclass(frozen=True)
class ReplicationSample:
    scenario: str
    replications: int
    seconds: float
    planned: int  # replications of this scenario in the whole report at its depth


def _names(run_scenario: str, scenarios: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([run_scenario, *scenarios]))


def sample_report(url: str, days: int, replications: int, workers: int) -> list[ReplicationSample]:
    """`replications` of each of the report's scenarios on `workers` (the report's own
    Monte Carlo, `run_tasks`, uncached) from the simulated world, each scenario's batch
    timed, with the number of replications the default-depth report runs for it."""
    from bike_pipeline.reporting.analysis import sensitivity
    from bike_pipeline.reporting.analysis.duration import planned_replications
    from bike_pipeline.reporting.analysis.monte_carlo import Task, run_tasks, shutdown_pools
    from bike_pipeline.reporting.analysis.settings import ReportSettings
    from bike_pipeline.reporting.analysis.study import CURRENT_SEED
    from bike_pipeline.reporting.bike_values import bike_values_from_database
    from bike_pipeline.reporting.costs import OperatingCosts
    from bike_pipeline.reporting.db_series import persisted_run
    from bike_pipeline.simulation import fast_engine
    from bike_pipeline.simulation.scenario import load_scenario
    from bike_pipeline.simulation.store.world_load import load_world

    settings = ReportSettings(days=days, workers=workers, show_progress=False)
    with engine_for(url).connect() as conn:
        run = persisted_run(conn)
        world = load_world(conn, run.scenario, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(run.scenario))
    names = _names(run.scenario_name, settings.scenarios)
    calibrated = load_scenario("calibrated")
    first = load_scenario(names[0])
    knobs = len(sensitivity.rule_variants(first, calibrated, len(world.customer_ids)))
    per_scenario, tornado = planned_replications(settings, knobs)
    fast_engine.warm_up()
    found = []
    try:
        run_tasks([Task(world, first, 0, TICKS_PER_DAY, values)] * workers, workers, "warm-up",
                  False)  # fmt: skip
        for i, name in enumerate(names):
            scenario = load_scenario(name)
            seeds = range(CURRENT_SEED, CURRENT_SEED + replications)
            tasks = [Task(world, scenario, s, settings.ticks, values) for s in seeds]
            started = time.perf_counter()
            run_tasks(tasks, workers, f"sample {name}", show_progress=False)
            planned = per_scenario + (tornado if i == 0 else 0)
            found.append(
                ReplicationSample(name, replications, time.perf_counter() - started, planned)
            )
    finally:
        shutdown_pools()
    return found


def full_report(url: str, reports_dir: Path, days: int, workers: int) -> int:
    """The whole report at the default depth (`fleet_report`): replications simulated."""
    from bike_pipeline.reporting.analysis.settings import ReportSettings
    from bike_pipeline.reporting.build import build_report

    settings = ReportSettings(days=days, workers=workers, show_progress=True)
    report = build_report(engine_for(url), reports_dir, settings)
    return sum(1 for _ in (reports_dir / "monte_carlo_cache").glob("*.json")) or len(report.files)
