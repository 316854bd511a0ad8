"""`bike-pipeline bench simulate`: the simulation with everything on, against a COPY.

Ours is the real run (`run_simulation`): engine, state, rentals, events and outbox in
PostgreSQL, and the relay publishing every event to its Redis channel and stream. The
anchor is one `COPY` of the very same event rows into `core.events` (its indexes and
foreign keys to customers, bikes and rentals checked, as for ours): the least any system
storing these events must do. A COPY into a constraint-free copy of the table is shown
beside it, to show what the foreign keys cost. Two workloads: (a) the
`seed` scenario for six months of the default dump, (b) the `full` scenario for a week.
Then the live-tick latency (one tick, committed alone) at 10,000 and 1,000,000 customers.

Everything lives in throwaway databases and a throwaway stream, dropped at the end.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import click
import numpy as np
import redis
import sqlalchemy as sa

from benchmarks.measure import Measurement, measure_in_child
from benchmarks.report import print_measurements
from benchmarks.world_sql import bikes_sql, customers_sql
from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.tick_events import TickEvents

GOAL_RATIO = 2.0
SEED = 42

_FILL = [
    customers_sql(
        ":customers",
        registered_at="CASE WHEN i % 3 = 0 THEN TIMESTAMPTZ '2025-06-01 12:00+02' END",
        insured="i % 6 = 0",
    ),
    bikes_sql(":bikes"),
]


def _redis(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(services.redis_url(settings))


def _simulate(
    url: str, settings: Settings, keys: EventKeys, scenario: str, ticks: int, relay: bool
) -> tuple[int, int]:
    client = _redis(settings) if relay else None
    request = SimulationRequest(ticks=ticks, seed=SEED, scenario=scenario, reset=True)
    result = run_simulation(engine_for(url), request, client, event_keys=keys)
    if relay and (not result.relay_ok or result.relayed != result.events):
        raise RuntimeError(f"relayed {result.relayed:,} of {result.events:,} events")
    return result.events, result.relayed


def _copy_anchor(url: str, rows_file: Path, into_core: bool) -> int:
    """COPY the exported event rows in one transaction: into core.events itself (emptied
    first; its foreign keys checked as ours are), or into a constraint-free copy of it."""
    connection = engine_for(url).raw_connection()
    try:
        cursor = connection.cursor()
        if into_core:
            table = "core.events"
            cursor.execute("TRUNCATE core.event_outbox, core.events")
        else:
            table = "bench_events_copy"
            cursor.execute("DROP TABLE IF EXISTS bench_events_copy")
            cursor.execute("CREATE TABLE bench_events_copy (LIKE core.events INCLUDING ALL)")
        with rows_file.open("rb") as rows:
            cursor.copy_expert(f"COPY {table} FROM STDIN", rows)
        connection.commit()
        return cursor.rowcount
    finally:
        connection.close()


def _export_events(url: str, rows_file: Path) -> None:
    connection = engine_for(url).raw_connection()
    try:
        with rows_file.open("wb") as out:
            connection.cursor().copy_expert(
                "COPY (SELECT * FROM core.events ORDER BY event_id) TO STDOUT", out
            )
    finally:
        connection.close()


def _median(runs: list[Measurement]) -> Measurement:
    """The run of median time (an odd number of rounds gives a measured run, not a mean)."""
    return sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]


def _throughput(
    label: str,
    url: str,
    settings: Settings,
    keys: EventKeys,
    scenario: str,
    days: float,
    rounds: int,
) -> None:
    """`rounds` alternating rounds of every variant; the table shows each variant's median
    round, and every round's ratio is printed beside it (a single COPY varies by +-20%
    between runs on a shared machine, more than the gap being measured)."""
    ticks = round(days * TICKS_PER_DAY)
    runs: dict[str, list[Measurement]] = {"ours": [], "no relay": [], "bare": [], "anchor": []}
    events = relayed = 0
    with tempfile.TemporaryDirectory() as folder:
        rows_file = Path(folder) / "events.copy"
        for round_number in range(rounds):
            no_redis = measure_in_child(
                f"{scenario}, {days:g} days: state + events + outbox, no relay",
                0,
                lambda: _simulate(url, settings, keys, scenario, ticks, relay=False),
            )
            ours = measure_in_child(
                f"{scenario}, {days:g} days: state + events + outbox + Redis",
                0,
                lambda: _simulate(url, settings, keys, scenario, ticks, relay=True),
            )
            events, relayed = ours.result
            if no_redis.result[0] != events:
                raise click.ClickException("the runs with and without Redis differ in their events")
            if round_number == 0:
                _export_events(url, rows_file)
            runs["ours"].append(replace(ours, items=events))
            runs["no relay"].append(replace(no_redis, items=events))
            runs["bare"].append(
                measure_in_child(
                    "COPY into a copy of core.events without foreign keys",
                    events,
                    lambda: _copy_anchor(url, rows_file, into_core=False),
                )
            )
            runs["anchor"].append(
                measure_in_child(
                    "COPY of the same rows into core.events",
                    events,
                    lambda: _copy_anchor(url, rows_file, into_core=True),
                )
            )
    per_round = [o.ratio_to(a) for o, a in zip(runs["ours"], runs["anchor"], strict=True)]
    anchor, ours = _median(runs["anchor"]), _median(runs["ours"])
    title = f"{label}: {events:,} events, {relayed:,} relayed, median of {rounds} rounds"
    print_measurements(
        title, anchor, [ours, _median(runs["no relay"]), _median(runs["bare"])], "events"
    )
    ratio = ours.ratio_to(anchor)
    verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
    rounds_text = ", ".join(f"{r:.2f}x" for r in per_round)
    click.echo(
        f"ours / COPY = {ratio:.2f}x, medians of {rounds} rounds (goal: within {GOAL_RATIO}x): "
        f"{verdict}; round by round: {rounds_text}"
    )


def _tick_latencies(url: str, settings: Settings, keys: EventKeys, ticks: int) -> list[float]:
    """Seconds per tick (step + its own commit) with live-mode commits and no sleeping."""
    stamps: list[float] = []

    def stamp(events: TickEvents) -> None:
        stamps.append(time.perf_counter())

    request = SimulationRequest(
        ticks=ticks + 1,
        seed=SEED,
        scenario="seed",
        reset=True,
        pace_s=1e-9,  # commit every tick, as live mode does
        anchor=(0.0, 0),  # every tick already due: no sleeping
    )
    run_simulation(engine_for(url), request, _redis(settings), stamp, event_keys=keys)
    return np.diff(stamps).tolist()


def _latency(label: str, url: str, settings: Settings, keys: EventKeys, ticks: int) -> None:
    measured: Measurement = measure_in_child(
        label, ticks, lambda: _tick_latencies(url, settings, keys, ticks)
    )
    ms = np.array(measured.result) * 1000
    click.echo(
        f"live tick latency, {label}: p50 {np.percentile(ms, 50):.1f} ms, "
        f"p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms over {len(ms)} ticks; "
        f"peak RSS {measured.peak_rss_mib:,.0f} MiB"
    )


@click.command()
@click.option("--data-dir", default="data", show_default=True, help="The default dump.")
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=182,
    show_default=True,
    help="(a) days of the seed scenario.",
)
@click.option(
    "--full-days",
    type=click.FloatRange(min=0),
    default=7,
    show_default=True,
    help="(b) days of the full scenario.",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Alternating rounds of each throughput variant; the median round is shown.",
)
@click.option("--latency-ticks", type=click.IntRange(min=1), default=300, show_default=True)
@click.option(
    "--big-customers",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="Customers of the large latency world.",
)
@click.option("--big-bikes", type=click.IntRange(min=1), default=150_000, show_default=True)
def simulate(
    data_dir: str,
    days: float,
    full_days: float,
    rounds: int,
    latency_ticks: int,
    big_customers: int,
    big_bikes: int,
) -> None:
    """Simulation throughput against a COPY of its events, and live-tick latency."""
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    tag = f"bench_simulate_{os.getpid()}"
    keys = EventKeys(stream=f"{tag}.events", channel_prefix=f"{tag}.events.")
    try:
        with scratch_database(app_url, "bench_simulate", schema=True) as url:
            for kind in ("customers", "bikes"):
                ingested = ingest_file(engine_for(url), Path(data_dir) / f"{kind}.csv", kind)
                click.echo(
                    f"ingested {kind}: {ingested.loaded:,} rows ({ingested.rejected} rejected)"
                )
            engine_for(url).dispose()
            if days:
                _throughput("(a) seed scenario", url, settings, keys, "seed", days, rounds)
            if full_days:
                _throughput("(b) full scenario", url, settings, keys, "full", full_days, rounds)
            _latency("default dump (seed)", url, settings, keys, latency_ticks)
        with scratch_database(app_url, "bench_simulate_big", schema=True) as big_url:
            click.echo(f"filling {big_customers:,} customers, {big_bikes:,} bikes ...")
            with engine_for(big_url).begin() as conn:
                for statement in _FILL:
                    conn.execute(
                        sa.text(statement), {"customers": big_customers, "bikes": big_bikes}
                    )
            engine_for(big_url).dispose()
            _latency(f"{big_customers:,} customers (seed)", big_url, settings, keys, latency_ticks)
    finally:
        _redis(settings).delete(keys.stream)
