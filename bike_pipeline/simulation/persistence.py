"""The simulation's state in PostgreSQL: load the world, commit ticks, reset.

One writer at a time: `SimulationWriter` holds a session-level advisory lock on its own
connection for as long as it is open; a second writer gets `SimulationBusy`. Each
`commit` writes one or more whole ticks in ONE transaction (customers, bikes, rentals,
events, outbox and the progress row), with COPY for the bulk rows, so the database is
always at a tick boundary and a resumed run continues from `last_tick + 1`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from psycopg2.extensions import cursor as Cursor

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.clock import sim_time, tick_at
from bike_pipeline.simulation.copy_csv import copy_into, nullable
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    EVENT_TYPES,
    NONE,
    RENTED_EVENT,
    SUBSCRIBED,
    TickEvents,
)
from bike_pipeline.simulation.world import BIKE_STATUSES, IN_REPAIR, WorldState

LOCK_NAME = "bike_pipeline.simulation.writer"
LOCK_POLL_SECONDS = 0.2
C = CORE_SCHEMA


class SimulationBusy(RuntimeError):
    """Another simulation writer holds the lock on this database."""


class SimulationMismatch(RuntimeError):
    """The database holds a simulation with another seed or scenario."""


@dataclass(frozen=True)
class Progress:
    seed: int
    scenario: str
    last_tick: int
    next_event_id: int
    next_rental_id: int


def _try_lock(conn: sa.Connection) -> bool:
    locked = conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:n))"), {"n": LOCK_NAME})
    return bool(locked.scalar_one())


def _unlock(conn: sa.Connection) -> None:
    conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": LOCK_NAME})


def _acquire(engine: sa.Engine, wait_s: float = 0.0) -> sa.Connection:
    """The writer lock on a connection of its own; waits up to `wait_s` for another writer
    to finish (live mode queues its next window behind the running one)."""
    conn = engine.connect()
    deadline = time.monotonic() + wait_s
    try:
        while not _try_lock(conn):
            conn.commit()
            if time.monotonic() >= deadline:
                raise SimulationBusy(
                    "another simulation is writing to this database (advisory lock "
                    f"{LOCK_NAME!r} is held); wait for it to finish or stop it first"
                )
            time.sleep(LOCK_POLL_SECONDS)
        conn.commit()
    except BaseException:
        conn.close()
        raise
    return conn


def _release(conn: sa.Connection) -> None:
    try:
        conn.rollback()
        _unlock(conn)
        conn.commit()
    finally:
        conn.close()


def read_progress(conn: sa.Connection) -> Progress | None:
    row = conn.execute(
        sa.text(
            f"SELECT seed, scenario, last_tick, next_event_id, next_rental_id "
            f"FROM {C}.simulation_state"
        )
    ).one_or_none()
    return Progress(*row) if row else None


def _snapshot_baseline(conn: sa.Connection) -> None:
    """Keep the ingested registrations and bike statuses for `reset_simulation`."""
    conn.execute(
        sa.text(f"TRUNCATE {C}.simulation_baseline_customers, {C}.simulation_baseline_bikes")
    )
    conn.execute(
        sa.text(
            f"INSERT INTO {C}.simulation_baseline_customers (customer_id, registered_at, insured) "
            f"SELECT customer_id, registered_at, insured FROM {C}.customers"
        )
    )
    conn.execute(
        sa.text(
            f"INSERT INTO {C}.simulation_baseline_bikes (bike_id, status, repair_done_at) "
            f"SELECT bike_id, status, repair_done_at FROM {C}.bikes"
        )
    )


def load_world(conn: sa.Connection, scenario: Scenario, progress: Progress) -> WorldState:
    """The world after `progress.last_tick`, read from core.* in canonical order.

    A bike in repair without `repair_done_at` (as the dump has them) is ready one repair
    turnaround after tick 0, the same on every load.
    """
    customers = conn.execute(
        sa.text(
            f"SELECT customer_id, registered_at IS NOT NULL, insured FROM {C}.customers "
            "ORDER BY customer_id"
        )
    ).all()
    bikes = conn.execute(
        sa.text(f"SELECT bike_id, status, repair_done_at FROM {C}.bikes ORDER BY bike_id")
    ).all()
    rentals = conn.execute(
        sa.text(
            f"SELECT rental_id, customer_id, bike_id, start_tick FROM {C}.rentals "
            "WHERE ended_at IS NULL ORDER BY rental_id"
        )
    ).all()
    code = {name: i for i, name in enumerate(BIKE_STATUSES)}
    status = np.array([code[b.status] for b in bikes], dtype=np.int8)
    ready = np.array(
        [
            -1
            if b.status != "in_repair"
            else (
                tick_at(scenario.start, b.repair_done_at)
                if b.repair_done_at is not None
                else scenario.repair_turnaround_ticks
            )
            for b in bikes
        ],
        dtype=np.int64,
    )

    def column(rows: Sequence[sa.Row], i: int, dtype: type = np.int64) -> np.ndarray:
        return np.array([r[i] for r in rows], dtype=dtype)

    return WorldState.build(
        column(customers, 0),
        column(customers, 1, bool),
        column(customers, 2, bool),
        column(bikes, 0),
        status,
        ready,
        open_rentals=(
            column(rentals, 0),
            column(rentals, 1),
            column(rentals, 2),
            column(rentals, 3),
        ),
        next_tick=progress.last_tick + 1,
        next_event_id=progress.next_event_id,
        next_rental_id=progress.next_rental_id,
    )


class SimulationWriter:
    """The single writer of a simulation: open, load the world, commit batches of ticks."""

    def __init__(
        self,
        engine: sa.Engine,
        scenario: Scenario,
        seed: int,
        scenario_name: str,
        lock_wait_s: float = 0.0,
    ):
        self.engine = engine
        self.lock_wait_s = lock_wait_s
        self.scenario = scenario
        self.seed = seed
        self.scenario_name = scenario_name
        self._conn: sa.Connection | None = None
        self.last_tick = -1

    def __enter__(self) -> SimulationWriter:
        self._conn = _acquire(self.engine, self.lock_wait_s)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._conn is not None:
            _release(self._conn)
            self._conn = None

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("SimulationWriter used outside its `with` block")
        return self._conn

    def open_world(self) -> WorldState:
        """Start (snapshotting the dump state) or resume the database's simulation."""
        conn = self.conn
        with conn.begin():
            progress = read_progress(conn)
            if progress is None:
                _snapshot_baseline(conn)
                max_event = conn.execute(
                    sa.text(f"SELECT coalesce(max(event_id), 0) FROM {C}.events")
                ).scalar_one()
                max_rental = conn.execute(
                    sa.text(f"SELECT coalesce(max(rental_id), 0) FROM {C}.rentals")
                ).scalar_one()
                progress = Progress(
                    self.seed, self.scenario_name, -1, max_event + 1, max_rental + 1
                )
                conn.execute(
                    sa.text(
                        f"INSERT INTO {C}.simulation_state (singleton, seed, scenario, last_tick, "
                        "next_event_id, next_rental_id) VALUES (true, :s, :sc, :t, :e, :r)"
                    ),
                    {
                        "s": progress.seed,
                        "sc": progress.scenario,
                        "t": progress.last_tick,
                        "e": progress.next_event_id,
                        "r": progress.next_rental_id,
                    },
                )
            elif (progress.seed, progress.scenario) != (self.seed, self.scenario_name):
                raise SimulationMismatch(
                    f"the database holds a simulation with seed {progress.seed} and scenario "
                    f"{progress.scenario!r} (last tick {progress.last_tick}); resume it with "
                    "those, or start again with --reset"
                )
            self.last_tick = progress.last_tick
            return load_world(conn, self.scenario, progress)

    def commit(self, batch: Sequence[TickEvents], state: WorldState) -> None:
        """Write the ticks of `batch` (consecutive, the last one leading to `state`) at once."""
        if not batch:
            return
        ticks = [events.tick for events in batch]
        if ticks != list(range(self.last_tick + 1, self.last_tick + 1 + len(batch))):
            raise ValueError(f"ticks {ticks[0]}..{ticks[-1]} do not follow tick {self.last_tick}")
        if state.next_tick != ticks[-1] + 1:
            raise ValueError("the state does not belong to the end of this batch")
        conn = self.conn
        with conn.begin():
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                self._write(cursor, batch, state)
            finally:
                cursor.close()
        self.last_tick = ticks[-1]

    def _write(self, cursor: Cursor, batch: Sequence[TickEvents], state: WorldState) -> None:
        times = [events.sim_time for events in batch]
        _write_replacements(cursor, batch, self.scenario)
        _write_customers(cursor, batch, state, times)
        _write_bikes(cursor, batch, state, self.scenario)
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
    """New bikes for totalled ones: the old bike's model and station, bought that day."""
    for events in batch:
        if not len(events.replacements):
            continue
        cursor.execute(
            f"INSERT INTO {C}.bikes (bike_id, frame_number, model, purchased_on, "
            "purchase_price_eur, status, station, latitude, longitude) "
            "SELECT v.new_id, 'REPLACEMENT-' || v.new_id, b.model, %s, %s, 'available', "
            "b.station, b.latitude, b.longitude "
            f"FROM unnest(%s::int[], %s::int[]) AS v(new_id, old_id) "
            f"JOIN {C}.bikes b ON b.bike_id = v.old_id",
            (
                events.sim_time.date(),
                scenario.prices.bike,
                events.replacements[:, 0].tolist(),
                events.replacements[:, 1].tolist(),
            ),
        )


def _write_customers(
    cursor: Cursor, batch: Sequence[TickEvents], state: WorldState, times: list
) -> None:
    ids, when = [], []
    for events, moment in zip(batch, times, strict=True):
        subscribed = events.customer_id[events.type == SUBSCRIBED]
        ids.append(subscribed)
        when.extend([moment.isoformat()] * len(subscribed))
    customer_ids = np.concatenate(ids)
    if not len(customer_ids):
        return
    insured = state.insured[np.searchsorted(state.customer_ids, customer_ids)]
    cursor.execute(
        f"UPDATE {C}.customers c SET registered_at = v.registered_at, insured = v.insured "
        f"FROM {_unnest('customer_id int', 'registered_at timestamptz', 'insured bool')} "
        "WHERE c.customer_id = v.customer_id",
        (customer_ids.tolist(), when, insured.tolist()),
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
    for i in np.flatnonzero(events.rental_id != NONE):
        fields = events.type_fields(int(i))
        data[i] = "{" + ", ".join(f'"{k}": {_json(v)}' for k, v in fields.items()) + "}"
    return data


def _json(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
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
            "customer_id": np.concatenate([events.customer_id for events in non_empty]),
            "bike_id": nullable(np.concatenate([events.bike_id for events in non_empty])),
            "rental_id": nullable(np.concatenate([events.rental_id for events in non_empty])),
            "data": pa.array(np.concatenate([_type_data(events) for events in non_empty])),
        },
    )
    return int(event_ids[0]), int(event_ids[-1])


def reset_simulation(engine: sa.Engine) -> None:
    """Back to the ingested dump: registrations, insurance and bike statuses as they were
    before the first tick, replacement bikes gone, rentals, events, outbox and progress
    cleared. Refused (SimulationBusy) while a simulation is writing."""
    conn = _acquire(engine)
    try:
        with conn.begin():
            if read_progress(conn) is not None:
                conn.execute(
                    sa.text(
                        f"UPDATE {C}.customers c SET registered_at = b.registered_at, "
                        f"insured = b.insured FROM {C}.simulation_baseline_customers b "
                        "WHERE c.customer_id = b.customer_id"
                    )
                )
            conn.execute(sa.text(f"TRUNCATE {C}.event_outbox, {C}.events, {C}.rentals"))
            if read_progress(conn) is not None:
                conn.execute(
                    sa.text(
                        f"DELETE FROM {C}.bikes WHERE bike_id NOT IN "
                        f"(SELECT bike_id FROM {C}.simulation_baseline_bikes)"
                    )
                )
                conn.execute(
                    sa.text(
                        f"UPDATE {C}.bikes k SET status = b.status, "
                        f"repair_done_at = b.repair_done_at FROM {C}.simulation_baseline_bikes b "
                        "WHERE k.bike_id = b.bike_id"
                    )
                )
            conn.execute(
                sa.text(
                    f"TRUNCATE {C}.simulation_state, {C}.simulation_baseline_customers, "
                    f"{C}.simulation_baseline_bikes"
                )
            )
    finally:
        _release(conn)
