"""The TickSeries of the simulation persisted in core.*: counts per tick straight from SQL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.reporting.replication import baseline_of
from bike_pipeline.reporting.series import TickSeries, open_rental_minutes, started_hours
from bike_pipeline.simulation.clock import sim_time
from bike_pipeline.simulation.engine import is_rebalancing_tick, rebalances
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.store.churn import churn_per_tick
from bike_pipeline.simulation.store.progress import read_progress
from bike_pipeline.simulation.store.world_load import load_world

C = CORE_SCHEMA

_COLUMN_OF_TYPE = {
    "subscribed": "subscribed",
    "insured": "insured",
    "rented": "rented",
    "dropped": "dropped",
    "repair_needed": "repairs",
    "totalled": "totalled",
    "rent_refused": "refused",
    "rebalanced": "rebalancing_moves",
}


class NoSimulation(RuntimeError):
    """The database holds no simulated tick to report on."""


@dataclass
class PersistedRun:
    seed: int
    scenario_name: str
    scenario: Scenario
    series: TickSeries
    # False for a run persisted before the moves were events: its scenario rebalances and
    # the run passed a rebalancing tick, yet core.events holds no `rebalanced` event. Its
    # rebalancing moves (and their cost) are then unknown, never 0.
    rebalancing_recorded: bool = True


def rebalancing_ticks(scenario: Scenario, ticks: int) -> int:
    """How many of the first `ticks` ticks are rebalancing ticks of the scenario."""
    if not rebalances(scenario):
        return 0
    return sum(is_rebalancing_tick(scenario, sim_time(scenario.start, t)) for t in range(ticks))


def persisted_run(conn: sa.Connection) -> PersistedRun:
    progress = read_progress(conn)
    if progress is None or progress.last_tick < 0:
        raise NoSimulation(
            "no simulation in this database yet: run `bike-pipeline simulate` or "
            "`bike-pipeline run` first"
        )
    scenario = progress.scenario.scenario()
    ticks = progress.last_tick + 1
    world = load_world(conn, scenario, at_start=True)
    series = TickSeries.empty(
        ticks, scenario.start, scenario.repair_turnaround_ticks, baseline_of(world)
    )
    by_type = conn.execute(
        sa.text(f"SELECT tick, type, count(*) FROM {C}.events GROUP BY tick, type")
    ).all()
    for tick, kind, count in by_type:
        getattr(series, _COLUMN_OF_TYPE[kind])[tick] = count
    paid = conn.execute(
        sa.text(
            f"SELECT tick, count(*) FROM {C}.events WHERE type = 'repair_needed' "
            "AND (data->>'customer_pays')::boolean GROUP BY tick"
        )
    ).all()
    for tick, count in paid:
        series.repairs_paid[tick] = count
    minutes = conn.execute(
        sa.text(f"SELECT tick, (data->>'minutes_held')::int FROM {C}.events WHERE type = 'dropped'")
    ).all()
    if minutes:
        drop_ticks = np.array([m[0] for m in minutes], np.int64)
        hours = started_hours(np.array([m[1] for m in minutes], np.int64))
        np.add.at(series.rental_hours, drop_ticks, hours)
    still_open = conn.execute(
        sa.text(f"SELECT start_tick FROM {C}.rentals WHERE ended_at IS NULL")
    ).scalars()
    open_starts = np.fromiter(still_open, np.int64)
    if len(open_starts):
        series.rental_hours[-1] += int(started_hours(open_rental_minutes(open_starts, ticks)).sum())
    if scenario.replace_totalled:
        series.replaced[:] = series.totalled
    if scenario.churn.per_refusal:
        for tick, churned, insured in churn_per_tick(conn):
            series.churned[tick] = churned
            series.churned_insured[tick] = insured
    recorded = not (rebalancing_ticks(scenario, ticks) and series.rebalancing_moves.sum() == 0)
    return PersistedRun(progress.seed, progress.scenario.name, scenario, series, recorded)
