"""The writer lock: one process at a time changes the simulation's state.

A PostgreSQL advisory lock (named in `db.writer_lock`; schema migrations take it too). A
simulation writer holds it at session level on a connection of its own for as long as it
runs; reset and ingestion take it for their transaction.
Waiting is bounded: past the deadline the caller gets `SimulationBusy` naming the lock.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from bike_pipeline.db.writer_lock import (
    LOCK_POLL_SECONDS,
    WRITER_LOCK,
    SimulationBusy,
    busy_message,
)

LOCK_NAME = WRITER_LOCK

__all__ = ["LOCK_NAME", "SimulationBusy", "acquire", "busy_message", "lock_transaction", "release"]


def _try_lock(conn: sa.Connection) -> bool:
    locked = conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:n))"), {"n": LOCK_NAME})
    return bool(locked.scalar_one())


def acquire(engine: sa.Engine, wait_s: float = 0.0, what: str = "simulation") -> sa.Connection:
    """The writer lock on a connection of its own (session level); waits up to `wait_s` for
    another writer to finish (live mode queues its next window behind the running one)."""
    conn = engine.connect()
    deadline = time.monotonic() + wait_s
    try:
        while not _try_lock(conn):
            conn.commit()
            if time.monotonic() >= deadline:
                raise SimulationBusy(busy_message(what, wait_s))
            time.sleep(LOCK_POLL_SECONDS)
        conn.commit()
    except BaseException:
        conn.close()
        raise
    return conn


def release(conn: sa.Connection) -> None:
    try:
        conn.rollback()
        conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": LOCK_NAME})
        conn.commit()
    finally:
        conn.close()


def lock_transaction(cursor: Any, wait_s: float, what: str) -> None:
    """The writer lock for the open transaction of a DB-API `cursor` (released at its end),
    waiting up to `wait_s` for a running simulation to finish."""
    deadline = time.monotonic() + wait_s
    while True:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (LOCK_NAME,))
        if cursor.fetchone()[0]:
            return
        if time.monotonic() >= deadline:
            raise SimulationBusy(busy_message(what, wait_s))
        time.sleep(LOCK_POLL_SECONDS)
