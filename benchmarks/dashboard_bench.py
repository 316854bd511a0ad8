"""`bike-pipeline bench dashboard`: the cost of one dashboard refresh while events arrive.

A throwaway database holds N committed events (synthetic, `synthetic_events.py`), already
relayed to a bench-only stream. Then, T times, a tick's worth of K new events is committed
and relayed, and the dashboard's figures are refreshed. Only the refreshes are timed:

- anchor: recount from PostgreSQL on every refresh (events per type, hourly demand,
  the recent events, fleet status), what a dashboard without the stream would do;
- ours: `LiveEvents.refresh` (the baseline once, then only the stream entries after the
  last id seen) plus the fleet status, as `DashboardData` does.

The anchor's cost grows with N; ours stays with K, which is why the dashboard stays
responsive six months into a simulation.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import click
import redis
import sqlalchemy as sa

from benchmarks.dashboard_tabs import run_tabs
from benchmarks.measure import Measurement, measure_in_child
from benchmarks.report import print_measurements
from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.app import REFRESH_MS
from bike_pipeline.dashboard.live_events import RECENT_EVENTS, LiveEvents
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.stream import reset_stream
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.store.models import SimulationState

BENCH_KEYS = EventKeys(
    stream="bike_pipeline.bench.dashboard.events", channel_prefix="bike_pipeline.bench.dashboard."
)


def _recount(engine: sa.Engine) -> int:
    """Every figure from PostgreSQL, as if nothing had been counted before."""
    top = queries.last_event_id(engine)
    queries.event_counts_upto(engine, top)
    queries.hourly_demand_upto(engine, top)
    queries.recent_events_upto(engine, top, RECENT_EVENTS)
    queries.fleet_status(engine)
    return top


def _refreshes(
    database_url: str, redis_url: str, ticks: int, per_tick: int, recount: bool
) -> list[float]:
    """Commit and relay `ticks` ticks of `per_tick` events, refreshing after each; return
    the seconds of each refresh."""
    engine = engine_for(database_url)
    client = redis.Redis.from_url(redis_url)
    live = LiveEvents(engine, client, BENCH_KEYS)

    def refresh() -> None:
        if recount:
            _recount(engine)
        else:
            live.refresh()
            queries.fleet_status(engine)

    refresh()  # the first refresh (ours: the baseline) is not the steady state
    seconds: list[float] = []
    for _ in range(ticks):
        insert_synthetic_events(engine, per_tick, queries.last_event_id(engine) + 1)
        relay_pending(engine, client, keys=BENCH_KEYS)
        start = time.perf_counter()
        refresh()
        seconds.append(time.perf_counter() - start)
    return seconds


def _measure(
    label: str, database_url: str, redis_url: str, ticks: int, per_tick: int, recount: bool
) -> tuple[Measurement, list[float]]:
    """Time only the refreshes (the child also commits and relays the ticks)."""
    measured = measure_in_child(
        label, ticks, lambda: _refreshes(database_url, redis_url, ticks, per_tick, recount)
    )
    each: list[float] = measured.result
    return replace(measured, seconds=sum(each), result=None), each


def _start_simulation_state(engine: sa.Engine, next_event_id: int) -> None:
    """The live figures key on the simulation's identity, which a real run records."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(SimulationState).values(
                seed=0,
                scenario="bench",
                scenario_content="{}",
                scenario_sha256="",
                last_tick=0,
                next_event_id=next_event_id,
                next_rental_id=1,
            )
        )


@click.command()
@click.option("--events", type=click.IntRange(min=1), default=500_000, show_default=True)
@click.option("--ticks", type=click.IntRange(min=1), default=30, show_default=True)
@click.option(
    "--per-tick", type=click.IntRange(min=1), default=100, show_default=True, help="New events."
)
@click.option(
    "--clients",
    type=click.IntRange(min=1),
    default=None,
    help="Instead: this many tabs refreshing the served page at the default refresh, "
    "while a tick of events arrives each interval; prints p50/p99 latency.",
)
@click.option(
    "--seconds", type=click.FloatRange(min=1), default=60, show_default=True, help="With --clients."
)
def dashboard(events: int, ticks: int, per_tick: int, clients: int | None, seconds: float) -> None:
    """Refreshing the dashboard's figures after each tick: stream increments against a
    recount from PostgreSQL, with N events already committed. With --clients: the served
    page under that many concurrent tabs."""
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    redis_url = services.redis_url(settings)
    scratch = ExitStack()
    bench_url = scratch.enter_context(scratch_database(app_url, "bench_dashboard", schema=True))
    client = redis.Redis.from_url(redis_url)
    try:
        engine = engine_for(bench_url)
        click.echo(f"inserting and relaying {events:,} synthetic events ...")
        insert_synthetic_events(engine, events)
        relay_pending(engine, client, keys=BENCH_KEYS)
        _start_simulation_state(engine, events + 1)
        engine.dispose()
        if clients is not None:
            with tempfile.TemporaryDirectory() as reports:
                result = run_tabs(
                    bench_url, redis_url, BENCH_KEYS, clients, seconds,
                    REFRESH_MS / 1000, per_tick, Path(reports),
                )  # fmt: skip
            click.echo(result.describe())
            return
        args = (bench_url, redis_url, ticks, per_tick)
        anchor, anchor_each = _measure("recount from PostgreSQL", *args, recount=True)
        ours, ours_each = _measure("stream increments (ours)", *args, recount=False)
        title = f"{ticks} dashboard refreshes, {per_tick} new events each, after {events:,}"
        print_measurements(title, anchor, [ours], "refreshes")
        for label, each in (("recount", anchor_each), ("ours", ours_each)):
            click.echo(
                f"{label}: median {statistics.median(each) * 1000:.1f} ms, "
                f"max {max(each) * 1000:.1f} ms per refresh"
            )
    finally:
        reset_stream(client, BENCH_KEYS)
        client.close()
        scratch.close()
