"""One tick's events as parallel NumPy columns (CONTRACT section 5), plus what changed.

Columns rather than objects: a tick of the `full` scenario at a million customers holds
hundreds of thousands of `rent_refused` events, and persistence copies them straight on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from bike_pipeline.db.models import EVENT_TYPES

(
    SUBSCRIBED,
    INSURED,
    RENTED_EVENT,
    DROPPED,
    REPAIR_NEEDED,
    TOTALLED_EVENT,
    RENT_REFUSED,
    REBALANCED,
) = range(8)
NONE = -1


@dataclass
class TickEvents:
    """Events of one tick in rule order; absent ids are -1, absent `cost_eur` is NaN.

    The nightly rebalancing's `rebalanced` events come last (after the rule events, in the
    order of the van's plan); `moved_stations` holds their (from, to) station codes, indices
    into `station_names`."""

    tick: int
    sim_time: datetime
    rush_hour: bool
    event_id: np.ndarray  # int64, increasing
    type: np.ndarray  # int8 index into EVENT_TYPES
    customer_id: np.ndarray  # int64
    bike_id: np.ndarray  # int64 or -1
    rental_id: np.ndarray  # int64 or -1
    minutes_held: np.ndarray  # int64 or -1 (dropped)
    cost_eur: np.ndarray  # float64 or NaN (repair_needed)
    customer_pays: np.ndarray  # int8: 1/0, -1 where not a repair
    repaired_bike_ids: np.ndarray  # bikes whose repair finished at the start of this tick
    replacements: np.ndarray  # (n, 2) int64: new bike id, the totalled bike it replaces
    # Model statistics that are not contract events (empty under the literal rules):
    churned_customer_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    station_stockouts: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    moved_stations: np.ndarray = field(default_factory=lambda: np.empty((0, 2), np.int64))
    station_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.event_id)

    @property
    def rebalancing_moves(self) -> int:
        """Bikes moved by the rebalancing this tick (its `rebalanced` events)."""
        return len(self.moved_stations)

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.type, minlength=len(EVENT_TYPES))
        return {name: int(found[i]) for i, name in enumerate(EVENT_TYPES)}

    def of_type(self, code: int) -> np.ndarray:
        return np.flatnonzero(self.type == code)

    def payload(self, i: int) -> dict[str, Any]:
        """Event `i` as the contract's JSON object (ids, type, time, and the type's fields)."""
        kind = int(self.type[i])
        event: dict[str, Any] = {
            "event_id": int(self.event_id[i]),
            "type": EVENT_TYPES[kind],
            "tick": self.tick,
            "sim_time": self.sim_time.isoformat(),
            "customer_id": int(self.customer_id[i]) if self.customer_id[i] != NONE else None,
            "bike_id": int(self.bike_id[i]) if self.bike_id[i] != NONE else None,
        }
        event.update(self.type_fields(i))
        return event

    def type_fields(self, i: int) -> dict[str, Any]:
        """The type's own fields (stored in `core.events.data`)."""
        kind = int(self.type[i])
        fields: dict[str, Any] = {}
        if kind in (RENTED_EVENT, DROPPED, REPAIR_NEEDED, TOTALLED_EVENT):
            fields["rental_id"] = int(self.rental_id[i])
        if kind == DROPPED:
            fields["minutes_held"] = int(self.minutes_held[i])
        if kind == REPAIR_NEEDED:
            fields["cost_eur"] = float(self.cost_eur[i])
            fields["customer_pays"] = bool(self.customer_pays[i])
        if kind == REBALANCED:
            source, sink = self.moved_stations[i - (len(self) - self.rebalancing_moves)]
            fields["from_station"] = self.station_names[int(source)]
            fields["to_station"] = self.station_names[int(sink)]
        return fields
