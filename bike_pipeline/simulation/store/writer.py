"""The single writer of a simulation: take the lock, start or resume the run, commit ticks.

Each `commit` writes one or more whole ticks in ONE transaction (`tick_writer`), so the
database is always at a tick boundary and a resumed run continues from `last_tick + 1`.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

import numpy as np
import sqlalchemy as sa

from bike_pipeline.simulation.store.baseline import snapshot_baseline
from bike_pipeline.simulation.store.lock import acquire, release
from bike_pipeline.simulation.store.progress import read_progress, start_progress
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.tick_writer import write_ticks
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.tick_events import TickEvents
from bike_pipeline.simulation.world import WorldState


class SimulationWriter:
    """Holds the writer lock while open (`with`); `open_world`, then `commit` batches."""

    def __init__(
        self, engine: sa.Engine, scenario: StoredScenario, seed: int, lock_wait_s: float = 0.0
    ):
        self.engine = engine
        self.lock_wait_s = lock_wait_s
        self.stored = scenario
        self.scenario = scenario.scenario()
        self.seed = seed
        self._conn: sa.Connection | None = None
        self.last_tick = -1
        # Each bike's station as last written, when the scenario moves bikes between them.
        self._stations: np.ndarray | None = None

    def __enter__(self) -> SimulationWriter:
        self._conn = acquire(self.engine, self.lock_wait_s)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._conn is not None:
            release(self._conn)
            self._conn = None

    @property
    def conn(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("SimulationWriter used outside its `with` block")
        return self._conn

    def open_world(self) -> WorldState:
        """Start (snapshotting the dump baseline) or resume the database's simulation;
        `SimulationMismatch` when it holds a run with another seed or scenario content."""
        conn = self.conn
        with conn.begin():
            progress = read_progress(conn)
            if progress is None:
                snapshot_baseline(conn)
                progress = start_progress(conn, self.seed, self.stored)
            else:
                progress.check_same_run(self.seed, self.stored)
            self.last_tick = progress.last_tick
            state = load_world(conn, self.scenario)
            if self.scenario.stations.enabled:
                self._stations = state.bike_station.copy()
            return state

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
                write_ticks(cursor, batch, state, self.scenario, self._stations)
            finally:
                cursor.close()
        self.last_tick = ticks[-1]
        if self._stations is not None:
            self._stations = state.bike_station.copy()
