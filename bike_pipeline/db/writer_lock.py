"""The writer lock's name and its error, shared by the schema migrations and the simulation.

One PostgreSQL advisory lock serialises every writer of the application's state: a
simulation (`simulation.store.lock`), an ingestion and a schema migration
(`db.migrate`), so two processes never migrate at once and never migrate under a running
simulation.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

WRITER_LOCK = "bike_pipeline.simulation.writer"
LOCK_POLL_SECONDS = 0.2


class SimulationBusy(RuntimeError):
    """Another writer (a simulation) holds the lock on this database."""


def busy_message(what: str, waited_s: float) -> str:
    waited = f" (waited {waited_s:g} s)" if waited_s > 0 else ""
    return (
        f"{what}: a simulation is writing to this database (advisory lock {WRITER_LOCK!r} is "
        f"held){waited}; wait for it to finish or stop it first"
    )


def lock_for_transaction(conn: sa.Connection, wait_s: float, what: str) -> None:
    """The writer lock for `conn`'s open transaction (released at its end), waiting up to
    `wait_s` for a running simulation to finish."""
    deadline = time.monotonic() + wait_s
    while True:
        locked = conn.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(hashtext(:n))"), {"n": WRITER_LOCK}
        ).scalar_one()
        if locked:
            return
        if time.monotonic() >= deadline:
            raise SimulationBusy(busy_message(what, wait_s))
        time.sleep(LOCK_POLL_SECONDS)
