"""Writing committed ticks: the rows of a batch of whole ticks, inside the caller's transaction.

Customers, bikes, rentals, events, outbox and the progress row of one batch, with COPY for
the bulk rows (events, new rentals) and array-parameter updates for the few changed rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from psycopg2.extensions import cursor as Cursor

from bike_pipeline.constants import BIKE_STATUSES
from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.clock import sim_time
from bike_pipeline.simulation.copy_csv import copy_into, nullable
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    EVENT_TYPES,
    NONE,
    REBALANCED,
    RENTED_EVENT,
    SUBSCRIBED,
    TickEvents,
)
from bike_pipeline.simulation.world import IN_REPAIR, WorldState

C = CORE_SCHEMA


def write_ticks(
    cursor: Cursor,
    batch: Sequence[TickEvents],
    state: WorldState,
    scenario: Scenario,
    stations_before: np.ndarray | None = None,
) -> None:
    """Every row of `batch` (consecutive ticks, the last leading to `state`).
    `stations_before` is each bike's station as last written (rides and the nightly
    `rebalanced` moves change it); None when the scenario has no stations."""
    times = [events.sim_time for events in batch]
    _write_replacements(cursor, batch, scenario)
    _write_customers(cursor, batch, state, times)
    _write_bikes(cursor, batch, state, scenario)
    if stations_before is not None:
        _write_stations(cursor, state, stations_before)
    _write_rentals(cursor, batch, times)
    first_id, last_id = _write_events(cursor, batch)
    if last_id >= first_id:
        cursor.execute(
            f"INSERT INTO {C}.event_outbox (event_id) SELECT generate_series(%s, %s)",
            (first_id, last_id),
        )
    cursor.execute(
        f"UPDATE {C}.simulation_state SET last_tick = %s, next_event_id = %s, "
        "next_rental_id = %s, updated_at = now()",
        (batch[-1].tick, state.next_event_id, state.next_rental_id),
    )


def _unnest(*columns: str) -> str:
    """`unnest(%s::t1[], ...) AS v(c1, ...)`: rows from array parameters. The planner knows
    a literal array's length, so an update of a few rows uses the primary key index (a
    temporary table without statistics made it scan the whole table every tick)."""
    names = ", ".join(column.split()[0] for column in columns)
    arrays = ", ".join(f"%s::{column.split()[1]}[]" for column in columns)
    return f"unnest({arrays}) AS v({names})"


def _write_replacements(cursor: Cursor, batch: Sequence[TickEvents], scenario: Scenario) -> None:
    """New bikes for totalled ones: the old bike's model and station, bought that day at the
    scenario's price of that model (`Prices.bike_price`, the flat `bike` price otherwise)."""
    models = list(scenario.prices.bike_by_model)
    model_prices = [scenario.prices.bike_price(model) for model in models]
    for events in batch:
        if not len(events.replacements):
            continue
        cursor.execute(
            f"INSERT INTO {C}.bikes (bike_id, frame_number, model, purchased_on, "
            "purchase_price_eur, status, station, latitude, longitude) "
            "SELECT v.new_id, 'REPLACEMENT-' || v.new_id, b.model, %s, "
            "coalesce(p.price, %s), 'available', b.station, b.latitude, b.longitude "
            f"FROM unnest(%s::int[], %s::int[]) AS v(new_id, old_id) "
            f"JOIN {C}.bikes b ON b.bike_id = v.old_id "
            "LEFT JOIN unnest(%s::text[], %s::numeric[]) AS p(model, price) ON p.model = b.model",
            (
                events.sim_time.date(),
                scenario.prices.bike,
                events.replacements[:, 0].tolist(),
                events.replacements[:, 1].tolist(),
                models,
                model_prices,
            ),
        )


def _write_customers(
    cursor: Cursor, batch: Sequence[TickEvents], state: WorldState, times: list
) -> None:
    """Subscriptions and churn (`registered_at` NULL again, insurance gone) of the batch, as
    each customer stands at its end."""
    ids, when = [], []
    for events, moment in zip(batch, times, strict=True):
        subscribed = events.customer_id[events.type == SUBSCRIBED]
        ids.append(subscribed)
        when.extend([moment.isoformat()] * len(subscribed))
    subscribed_at = dict(zip(np.concatenate(ids).tolist(), when, strict=True))
    churned = [events.churned_customer_ids for events in batch]
    customer_ids = np.unique(np.concatenate([*ids, *churned]))
    if not len(customer_ids):
        return
    index = np.searchsorted(state.customer_ids, customer_ids)
    registered = state.registered[index]
    registered_at = [
        subscribed_at[c] if r else None
        for c, r in zip(customer_ids.tolist(), registered.tolist(), strict=True)
    ]
    cursor.execute(
        f"UPDATE {C}.customers c SET registered_at = v.registered_at, insured = v.insured "
        f"FROM {_unnest('customer_id int', 'registered_at timestamptz', 'insured bool')} "
        "WHERE c.customer_id = v.customer_id",
        (customer_ids.tolist(), registered_at, state.insured[index].tolist()),
    )


def _write_bikes(
    cursor: Cursor, batch: Sequence[TickEvents], state: WorldState, scenario: Scenario
) -> None:
    touched = [events.bike_id[events.bike_id != NONE] for events in batch]
    touched += [events.repaired_bike_ids for events in batch]
    bike_ids = np.unique(np.concatenate(touched))
    if not len(bike_ids):
        return
    index = np.searchsorted(state.bike_ids, bike_ids)
    status = state.bike_status[index]
    ready = [
        sim_time(scenario.start, int(t)).isoformat() if s == IN_REPAIR else None
        for s, t in zip(status, state.bike_ready_tick[index], strict=True)
    ]
    cursor.execute(
        f"UPDATE {C}.bikes b SET status = v.status, repair_done_at = v.repair_done_at "
        f"FROM {_unnest('bike_id int', 'status text', 'repair_done_at timestamptz')} "
        "WHERE b.bike_id = v.bike_id",
        (bike_ids.tolist(), [BIKE_STATUSES[code] for code in status], ready),
    )


def _write_stations(cursor: Cursor, state: WorldState, before: np.ndarray) -> None:
    """Bikes that changed station (rides, rebalancing) and the bikes bought in the batch
    (inserted at the totalled bike's old place) at their station, with its coordinates."""
    moved = np.flatnonzero(state.bike_station[: len(before)] != before)
    changed = np.concatenate([moved, np.arange(len(before), len(state.bike_ids))])
    if not len(changed):
        return
    codes = state.bike_station[changed]
    coordinates = state.station_coordinates
    assert coordinates is not None, "load_world sets the stations' coordinates"
    cursor.execute(
        f"UPDATE {C}.bikes b SET station = v.station, latitude = v.latitude, "
        f"longitude = v.longitude FROM "
        f"{_unnest('bike_id int', 'station text', 'latitude float8', 'longitude float8')} "
        "WHERE b.bike_id = v.bike_id",
        (
            state.bike_ids[changed].tolist(),
            [state.station_names[code] for code in codes],
            coordinates[codes, 0].tolist(),
            coordinates[codes, 1].tolist(),
        ),
    )


def _write_rentals(cursor: Cursor, batch: Sequence[TickEvents], times: list) -> None:
    """Close the older rentals that ended, then insert those opened in the batch (already
    closed if they ended in it): an open rental never appears twice per bike or customer."""
    opened: list[tuple[int, int, int, int]] = []
    closed: dict[int, int] = {}
    for events in batch:
        for i in np.flatnonzero(events.type == RENTED_EVENT):
            opened.append(
                (
                    int(events.rental_id[i]),
                    int(events.customer_id[i]),
                    int(events.bike_id[i]),
                    events.tick,
                )
            )
        for rental in events.rental_id[events.type == DROPPED]:
            closed[int(rental)] = events.tick
    first_tick = batch[0].tick

    def at(tick: int) -> str:
        return times[tick - first_tick].isoformat()

    ends = [closed.pop(rental, None) for rental, *_ in opened]
    if closed:
        cursor.execute(
            f"UPDATE {C}.rentals r SET ended_at = v.ended_at, end_tick = v.end_tick "
            f"FROM {_unnest('rental_id bigint', 'ended_at timestamptz', 'end_tick int')} "
            "WHERE r.rental_id = v.rental_id",
            (list(closed), [at(t) for t in closed.values()], list(closed.values())),
        )
    if opened:
        copy_into(
            cursor,
            f"{C}.rentals",
            {
                "rental_id": [r[0] for r in opened],
                "customer_id": [r[1] for r in opened],
                "bike_id": [r[2] for r in opened],
                "started_at": [at(r[3]) for r in opened],
                "ended_at": pa.array([None if e is None else at(e) for e in ends], pa.string()),
                "start_tick": [r[3] for r in opened],
                "end_tick": pa.array(ends, pa.int64()),
            },
        )


def _type_data(events: TickEvents) -> np.ndarray:
    """The JSON text of each event's type fields ('{}' for the types that have none)."""
    data = np.full(len(events), "{}", dtype=object)
    for i in np.flatnonzero((events.rental_id != NONE) | (events.type == REBALANCED)):
        fields = events.type_fields(int(i))
        data[i] = "{" + ", ".join(f'"{k}": {_json(v)}' for k, v in fields.items()) + "}"
    return data


def _json(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # station names come from the dump: any text
        return json.dumps(value)
    return repr(value)


def _write_events(cursor: Cursor, batch: Sequence[TickEvents]) -> tuple[int, int]:
    non_empty = [events for events in batch if len(events)]
    if not non_empty:
        return 0, -1
    lengths = [len(events) for events in non_empty]
    which = np.repeat(np.arange(len(non_empty)), lengths)
    kind = np.concatenate([events.type for events in non_empty])
    event_ids = np.concatenate([events.event_id for events in non_empty])
    copy_into(
        cursor,
        f"{C}.events",
        {
            "event_id": event_ids,
            "tick": np.array([events.tick for events in non_empty])[which],
            "sim_time": pc.take(
                pa.array([events.sim_time.isoformat() for events in non_empty]), pa.array(which)
            ),
            "type": pc.take(pa.array(EVENT_TYPES), pa.array(kind)),
            "customer_id": nullable(np.concatenate([events.customer_id for events in non_empty])),
            "bike_id": nullable(np.concatenate([events.bike_id for events in non_empty])),
            "rental_id": nullable(np.concatenate([events.rental_id for events in non_empty])),
            "data": pa.array(np.concatenate([_type_data(events) for events in non_empty])),
        },
    )
    return int(event_ids[0]), int(event_ids[-1])
