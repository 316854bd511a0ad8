"""Commit batches of ticks in a background thread while the engine computes the next ones.

For runs at full speed only: the database does most of its work while psycopg2 waits
without the GIL, so the NumPy engine and the CSV building of the next batch overlap with
the COPYs of the previous one. Each batch carries a snapshot of the world at its end
(what `SimulationWriter.commit` writes), batches are committed in order, and the first
error stops the committing and is raised to the producer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline.simulation.tick_events import TickEvents
from bike_pipeline.simulation.world import WorldState

_DONE = None


class BackgroundCommitter:
    def __init__(self, writer: SimulationWriter, depth: int = 2) -> None:
        self.writer = writer
        self.pending: queue.Queue[tuple[Sequence[TickEvents], WorldState] | None] = queue.Queue(
            maxsize=depth
        )
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="tick-committer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.pending.get()) is not _DONE:
            if self.error is None:
                try:
                    self.writer.commit(*item)
                except BaseException as error:
                    self.error = error

    def submit(self, batch: Sequence[TickEvents], state: WorldState) -> None:
        """Queue `batch` with a snapshot of `state` (waits while `depth` batches are queued)."""
        if self.error is not None:
            raise self.error
        self.pending.put((list(batch), state.copy()))

    def close(self, raise_error: bool = True) -> None:
        """Wait until every queued batch is committed (or the first failed)."""
        self.pending.put(_DONE)
        self.thread.join()
        if raise_error and self.error is not None:
            raise self.error
