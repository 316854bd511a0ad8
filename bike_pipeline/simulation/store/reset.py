"""Back to the dump baseline: the state `--reset` returns to."""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.store.baseline import BASELINES, simulation_holds_state
from bike_pipeline.simulation.store.lock import acquire, release

C = CORE_SCHEMA


def reset_simulation(engine: sa.Engine) -> None:
    """Registrations, insurance and bike statuses as in the baseline (the latest ingested
    dump), replacement bikes gone, rentals, events, outbox and progress cleared. Refused
    (SimulationBusy) while a simulation is writing."""
    conn = acquire(engine, what="reset")
    try:
        with conn.begin():
            simulated = simulation_holds_state(conn)
            conn.execute(sa.text(f"TRUNCATE {C}.event_outbox, {C}.events, {C}.rentals"))
            if simulated:
                bikes = BASELINES["bikes"]
                conn.execute(
                    sa.text(
                        f"DELETE FROM {C}.bikes WHERE bike_id NOT IN "
                        f"(SELECT bike_id FROM {bikes.table})"
                    )
                )
                for kind, baseline in BASELINES.items():
                    columns = (*baseline.dump_columns, *baseline.sim_only_columns)
                    assignments = ", ".join(f"{c} = b.{c}" for c in columns)
                    conn.execute(
                        sa.text(
                            f"UPDATE {C}.{kind} t SET {assignments} FROM {baseline.table} b "
                            f"WHERE t.{baseline.key} = b.{baseline.key}"
                        )
                    )
            tables = ", ".join(b.table for b in BASELINES.values())
            conn.execute(sa.text(f"TRUNCATE {C}.simulation_state, {tables}"))
    finally:
        release(conn)
