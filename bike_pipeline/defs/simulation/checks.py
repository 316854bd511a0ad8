"""Blocking checks of the simulated worlds (the live one and the report's six-month one):
the model's invariants in SQL, and every rental's `rented` event in core.events."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from bike_pipeline.defs.reporting.assets import six_month_simulation
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.simulation.assets import SIMULATED_WORLD, SIMULATION_EVENTS

if TYPE_CHECKING:
    import sqlalchemy as sa

INVARIANTS_HELP = (
    "Rented bikes have exactly one open rental and open rentals a rented bike, no customer "
    "holds two bikes, no totalled bike is rented again."
)


def _invariants(engine: sa.Engine) -> dg.AssetCheckResult:
    from bike_pipeline.simulation.store.invariants import broken_invariants

    broken = broken_invariants(engine)
    failing = [name for name, count in broken.items() if count]
    return dg.AssetCheckResult(
        passed=not failing,
        description=f"broken: {', '.join(failing)}" if failing else None,
        metadata=broken,
    )


@dg.asset_check(asset=SIMULATED_WORLD, blocking=True, description=INVARIANTS_HELP)
def world_invariants_hold(postgres: PostgresResource) -> dg.AssetCheckResult:
    return _invariants(postgres.engine())


@dg.asset_check(asset=six_month_simulation, blocking=True, description=INVARIANTS_HELP)
def six_month_invariants_hold(postgres: PostgresResource) -> dg.AssetCheckResult:
    from bike_pipeline.simulation.store.report_world import report_engine  # alembic: lazily

    return _invariants(report_engine(postgres.engine()))


@dg.asset_check(
    asset=SIMULATION_EVENTS,
    blocking=True,
    description="Every rental in core.rentals has its `rented` event in core.events.",
)
def every_rental_has_its_event(postgres: PostgresResource) -> dg.AssetCheckResult:
    from bike_pipeline.simulation.store.invariants import rentals_without_rented_event

    missing = rentals_without_rented_event(postgres.engine())
    return dg.AssetCheckResult(
        passed=missing == 0,
        description=f"{missing} rentals without a rented event" if missing else None,
        metadata={"rentals_without_event": missing},
    )
