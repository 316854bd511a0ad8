"""One Monte Carlo replication on the replication engine (`simulation/fast_engine.py`).

The same inputs and the same `TickSeries` as `replication.replicate` (the canonical engine
step by step): the report runs this one; the equivalence tests prove the two draw the same
model, and a persisted run is reproduced exactly only by the canonical one.
"""

from __future__ import annotations

from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.replication import Policy, empty_series
from bike_pipeline.reporting.series import TickSeries
from bike_pipeline.simulation import fast_engine
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

NO_POLICY = Policy()


def replicate_fast(
    world: WorldState,
    scenario: Scenario,
    seed: int,
    ticks: int,
    values: BikeValues,
    stop_below: float | None = None,
    policy: Policy = NO_POLICY,
    extra_bikes: int = 0,
) -> TickSeries:
    """As `replication.replicate`, on the replication engine; `extra_bikes` new bikes
    complete the fleet (`reporting.worlds.cut_fleet`: the same as replicating
    `with_fleet(world, its bikes + extra_bikes)`)."""
    series = empty_series(world, scenario, ticks, values)
    series.baseline.bikes += extra_bikes
    if ticks:  # bought at tick 0, as a larger fleet than the dump's is
        series.bought_bike_eur[0] += extra_bikes * values.mix_new_eur
    loss, new_price = values.for_world(world)
    found = fast_engine.run(
        world, scenario, seed, ticks, loss, new_price, values.mix_new_eur,
        policy.buy_per_week, stop_below, extra_bikes,
    )  # fmt: skip
    if found.ticks_run < ticks:
        series = series.truncated(found.ticks_run)
    for row, name in enumerate(fast_engine.COUNT_COLUMNS_IN_KERNEL_ORDER):
        getattr(series, name)[:] = found.counts[row]
    for row, name in enumerate(fast_engine.EURO_COLUMNS_IN_KERNEL_ORDER):
        getattr(series, name)[:] += found.euros[row]
    series.station_stockouts = found.stockouts
    return series
