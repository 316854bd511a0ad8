"""The cheap question the sensor asks: is there anything for the graph sync to do?"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_PENDING = sa.text("""
    SELECT
        coalesce((SELECT last_rental_id FROM core.graph_link_cursors WHERE graph_name = :g), 0),
        coalesce((SELECT max(rental_id) FROM core.rentals), 0),
        (SELECT count(*) FROM core.graph_open_rentals WHERE graph_name = :g),
        (SELECT count(*) FROM core.graph_open_rentals o JOIN core.rentals r USING (rental_id)
         WHERE o.graph_name = :g AND r.ended_at IS NOT NULL)
""")


@dataclass(frozen=True)
class PendingLinks:
    cursor: int
    newest_rental_id: int
    linked_open: int
    newly_ended: int

    @property
    def has_work(self) -> bool:
        """New rentals, newly ended ones, or fewer rentals than linked (a simulation reset)."""
        return self.newest_rental_id != self.cursor or self.newly_ended > 0

    @property
    def run_key(self) -> str:
        """Never repeats for a state with work, so Dagster starts one run per such state.

        Between two cursor moves the linked-open count only falls (each synced end leaves
        the set), so a later batch of ends cannot reuse an earlier key.
        """
        return f"{self.cursor}-{self.newest_rental_id}-{self.linked_open}-{self.newly_ended}"


def pending_links(engine: sa.Engine, graph_name: str) -> PendingLinks:
    """Index lookups only: the cursor, max(rental_id), and the open set (at most one per bike)."""
    with engine.connect() as conn:
        cursor, newest, linked_open, ended = conn.execute(_PENDING, {"g": graph_name}).one()
    return PendingLinks(int(cursor), int(newest), int(linked_open), int(ended))
