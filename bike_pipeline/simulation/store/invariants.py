"""Invariants of a persisted simulated world, in SQL on one snapshot (the Dagster checks of
`simulated_world` and `six_month_simulation`, callable without Dagster).

Each is a count of rows that break a rule of the model; all zero is a sound world:
- a bike with status `rented` has exactly one open rental, and an open rental's bike is
  `rented`;
- a customer holds at most one open rental;
- a totalled bike is never rented again (no `rented` event after its `totalled` one).
"""

from __future__ import annotations

import sqlalchemy as sa

INVARIANTS: dict[str, str] = {
    "rented_bikes_without_one_open_rental": """
        SELECT count(*) FROM core.bikes b
        WHERE b.status = 'rented'
          AND (SELECT count(*) FROM core.rentals r
               WHERE r.bike_id = b.bike_id AND r.ended_at IS NULL) <> 1""",
    "open_rentals_of_bikes_not_rented": """
        SELECT count(*) FROM core.rentals r JOIN core.bikes b ON b.bike_id = r.bike_id
        WHERE r.ended_at IS NULL AND b.status <> 'rented'""",
    "customers_with_two_open_rentals": """
        SELECT count(*) FROM (
            SELECT customer_id FROM core.rentals WHERE ended_at IS NULL
            GROUP BY customer_id HAVING count(*) > 1) twice""",
    "totalled_bikes_rented_again": """
        SELECT count(*) FROM core.events t JOIN core.events r
          ON r.bike_id = t.bike_id AND r.type = 'rented' AND r.event_id > t.event_id
        WHERE t.type = 'totalled'""",
}


def broken_invariants(engine: sa.Engine) -> dict[str, int]:
    """Rows breaking each invariant, counted in one repeatable-read snapshot (a live run may
    be committing ticks meanwhile)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        return {
            name: int(conn.execute(sa.text(sql)).scalar_one()) for name, sql in INVARIANTS.items()
        }


def rentals_without_rented_event(engine: sa.Engine) -> int:
    """Rentals whose `rented` event is missing from core.events."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("""
                    SELECT count(*) FROM core.rentals r WHERE NOT EXISTS (
                        SELECT 1 FROM core.events e
                        WHERE e.rental_id = r.rental_id AND e.type = 'rented')""")
            ).scalar_one()
        )
