"""What each bike of a world is worth to the report: its purchase price (lost when it is
totalled) and the price of a new bike of its model (paid when it is replaced).

The dump's bikes carry their own purchase price and model (`core.bikes`); bikes bought
during a run (a larger initial fleet, replacements, a purchase policy) are costed once,
when bought, so a bought bike totalled later adds no second loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.simulation.store.baseline import dump_bikes_condition
from bike_pipeline.simulation.world import WorldState

C = CORE_SCHEMA


@dataclass(frozen=True)
class BikeValues:
    """Per dump bike (sorted ids): purchase price and new price of its model; and the mean
    new price of the dump's model mix, for bikes bought without a model."""

    bike_ids: np.ndarray  # int64, sorted
    purchase_eur: np.ndarray  # float64
    model_new_eur: np.ndarray  # float64
    mix_new_eur: float

    @classmethod
    def from_models(
        cls, bike_ids: np.ndarray, models: list[str], purchase: np.ndarray, costs: OperatingCosts
    ) -> BikeValues:
        order = np.argsort(bike_ids, kind="stable")
        ordered = [models[i] for i in order]
        return cls(
            np.asarray(bike_ids, np.int64)[order],
            np.asarray(purchase, np.float64)[order],
            np.array([costs.new_bike(m) for m in ordered], np.float64),
            costs.fleet_mix_price(ordered),
        )

    def _index(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.searchsorted(self.bike_ids, ids)
        at = np.minimum(at, max(len(self.bike_ids) - 1, 0))
        known = self.bike_ids[at] == ids if len(self.bike_ids) else np.zeros(len(ids), bool)
        return at, known

    def for_world(self, world: WorldState) -> tuple[np.ndarray, np.ndarray]:
        """Per bike index of `world`: the loss when totalled (the purchase price of a dump
        bike, 0 for a bike bought for this world) and the price of its replacement."""
        at, known = self._index(world.bike_ids)
        loss = np.where(known, self.purchase_eur[at] if len(at) else 0.0, 0.0)
        new = np.where(known, self.model_new_eur[at] if len(at) else 0.0, self.mix_new_eur)
        return loss.astype(np.float64), new.astype(np.float64)


def bike_values_from_database(conn: sa.Connection, costs: OperatingCosts) -> BikeValues:
    """The dump's bikes as ingested (the simulation's baseline when one ran: the bikes it
    bought are not part of the dump)."""
    dump_bikes = dump_bikes_condition(conn, "bike_id")
    rows = conn.execute(
        sa.text(f"SELECT bike_id, model, purchase_price_eur FROM {C}.bikes WHERE {dump_bikes}")
    ).all()
    return BikeValues.from_models(
        np.array([r[0] for r in rows], np.int64),
        [r[1] for r in rows],
        np.array([float(r[2]) for r in rows], np.float64),
        costs,
    )
