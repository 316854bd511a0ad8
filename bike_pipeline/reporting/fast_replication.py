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
) -> TickSeries:
    """As `replication.replicate`, on the replication engine."""
    series = empty_series(world, scenario, ticks, values)
    loss, new_price = values.for_world(world)
    found = fast_engine.run(
        world, scenario, seed, ticks, loss, new_price, values.mix_new_eur,
        policy.buy_per_week, stop_below,
    )  # fmt: skip
    if found.ticks_run < ticks:
        series = series.truncated(found.ticks_run)
    for row, name in enumerate(fast_engine.COUNT_COLUMNS_IN_KERNEL_ORDER):
        getattr(series, name)[:] = found.counts[row]
    for row, name in enumerate(fast_engine.EURO_COLUMNS_IN_KERNEL_ORDER):
        getattr(series, name)[:] += found.euros[row]
    series.station_stockouts = found.stockouts
    return series
