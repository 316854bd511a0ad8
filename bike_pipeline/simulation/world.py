"""The world state the engine advances: customers, bikes and open rentals as NumPy arrays.

Customers and bikes are kept sorted by id and addressed by index; open rentals are kept
sorted by rental id. That canonical order is what makes a tick's random draws map to the
same customers and bikes whether the state was built in memory or loaded from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from bike_pipeline.constants import BIKE_STATUSES as BIKE_STATUSES  # the codes' names

AVAILABLE, RENTED, IN_REPAIR, TOTALLED = 0, 1, 2, 3
NO_BIKE = -1


@dataclass
class WorldState:
    customer_ids: np.ndarray  # int64, sorted
    registered: np.ndarray  # bool
    insured: np.ndarray  # bool
    holding: np.ndarray  # int64: index of the bike held, NO_BIKE when none
    bike_ids: np.ndarray  # int64, sorted
    bike_status: np.ndarray  # int8, one of the status codes above
    bike_ready_tick: np.ndarray  # int64: tick a bike in repair is usable again, else -1
    rental_ids: np.ndarray  # int64, sorted: the open rentals
    rental_customer: np.ndarray  # int64 customer index
    rental_bike: np.ndarray  # int64 bike index
    rental_start_tick: np.ndarray  # int64
    subscribe_from_tick: np.ndarray  # int64 per customer: first tick they may subscribe (0: any)
    bike_station: np.ndarray  # int64 per bike: index into `station_names`
    station_names: tuple[str, ...] = ("",)
    # Station model inputs, fixed for a run (see `simulation/stations.py`): per station its
    # (latitude, longitude) or None when unknown, and its relative rental demand.
    station_coordinates: np.ndarray | None = None  # float64 (stations, 2)
    station_demand: np.ndarray | None = None  # float64 per station
    # Per customer the first tick they may try to rent again after balking (0: any).
    rent_from_tick: np.ndarray | None = None  # int64
    next_tick: int = 0
    next_event_id: int = 1
    next_rental_id: int = 1

    @classmethod
    def build(
        cls,
        customer_ids: np.ndarray,
        registered: np.ndarray,
        insured: np.ndarray,
        bike_ids: np.ndarray,
        bike_status: np.ndarray,
        bike_ready_tick: np.ndarray,
        open_rentals: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
        next_tick: int = 0,
        next_event_id: int = 1,
        next_rental_id: int = 1,
        subscribe_from_tick: np.ndarray | None = None,
        bike_station: np.ndarray | None = None,
        station_names: tuple[str, ...] = ("",),
        station_coordinates: np.ndarray | None = None,
        station_demand: np.ndarray | None = None,
        rent_from_tick: np.ndarray | None = None,
    ) -> WorldState:
        """Sort everything into canonical order; `open_rentals` holds ids
        (rental_id, customer_id, bike_id, start_tick). Without `subscribe_from_tick` every
        customer may subscribe from tick 0; without `bike_station` every bike stands at
        station 0 of `station_names`. `station_demand` (relative demand per station) defaults to
        the number of bikes at each station now: pass the dump's counts when resuming so a
        resumed run draws like an uninterrupted one. `rent_from_tick` (balking) defaults to 0:
        on a resume it is the last `rent_refused` tick + 1 + `retry.balk_ticks` per customer."""
        c_order = np.argsort(customer_ids, kind="stable")
        b_order = np.argsort(bike_ids, kind="stable")
        customer_ids = np.asarray(customer_ids, dtype=np.int64)[c_order]
        bike_ids = np.asarray(bike_ids, dtype=np.int64)[b_order]
        if np.any(np.diff(customer_ids) <= 0) or np.any(np.diff(bike_ids) <= 0):
            raise ValueError("customer and bike ids must be unique")
        empty = np.empty(0, dtype=np.int64)
        r_ids, r_customers, r_bikes, r_start = open_rentals or (empty, empty, empty, empty)
        r_order = np.argsort(r_ids, kind="stable")
        r_ids = np.asarray(r_ids, dtype=np.int64)[r_order]
        r_cust = np.searchsorted(customer_ids, np.asarray(r_customers, dtype=np.int64)[r_order])
        r_bike = np.searchsorted(bike_ids, np.asarray(r_bikes, dtype=np.int64)[r_order])
        holding = np.full(len(customer_ids), NO_BIKE, dtype=np.int64)
        holding[r_cust] = r_bike
        status = np.asarray(bike_status, dtype=np.int8)[b_order].copy()
        status[r_bike] = RENTED
        if subscribe_from_tick is None:
            subscribe_from_tick = np.zeros(len(customer_ids), dtype=np.int64)
        if bike_station is None:
            bike_station = np.zeros(len(bike_ids), dtype=np.int64)
        bike_station = np.asarray(bike_station, dtype=np.int64)[b_order].copy()
        if station_demand is None:
            station_demand = np.bincount(bike_station, minlength=len(station_names))
        if rent_from_tick is None:
            rent_from_tick = np.zeros(len(customer_ids), dtype=np.int64)
        if station_coordinates is not None:
            station_coordinates = np.asarray(station_coordinates, dtype=np.float64).reshape(-1, 2)
        return cls(
            customer_ids=customer_ids,
            registered=np.asarray(registered, dtype=bool)[c_order].copy(),
            insured=np.asarray(insured, dtype=bool)[c_order].copy(),
            holding=holding,
            bike_ids=bike_ids,
            bike_status=status,
            bike_ready_tick=np.asarray(bike_ready_tick, dtype=np.int64)[b_order].copy(),
            rental_ids=r_ids,
            rental_customer=r_cust.astype(np.int64),
            rental_bike=r_bike.astype(np.int64),
            rental_start_tick=np.asarray(r_start, dtype=np.int64)[r_order],
            subscribe_from_tick=np.asarray(subscribe_from_tick, dtype=np.int64)[c_order].copy(),
            bike_station=bike_station,
            station_names=tuple(station_names),
            station_coordinates=station_coordinates,
            station_demand=np.asarray(station_demand, dtype=np.float64),
            rent_from_tick=np.asarray(rent_from_tick, dtype=np.int64)[c_order].copy(),
            next_tick=next_tick,
            next_event_id=next_event_id,
            next_rental_id=next_rental_id,
        )

    def copy(self) -> WorldState:
        return WorldState(
            **{
                f.name: (v.copy() if isinstance(v := getattr(self, f.name), np.ndarray) else v)
                for f in fields(self)
            }
        )

    def equals(self, other: WorldState) -> bool:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, np.ndarray):
                if not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True
