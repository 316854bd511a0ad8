"""The cheap question the sensor asks: is there anything for the graph sync to do?"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

_PENDING = sa.text("""
    SELECT
        coalesce((SELECT last_rental_id FROM core.graph_link_cursors WHERE graph_name = :g), 0),
        coalesce((SELECT max(rental_id) FROM core.rentals), 0),
        (SELECT count(*) FROM core.graph_open_rentals o JOIN core.rentals r USING (rental_id)
         WHERE o.graph_name = :g AND r.ended_at IS NOT NULL)
""")


@dataclass(frozen=True)
class PendingLinks:
    cursor: int
    newest_rental_id: int
    newly_ended: int

    @property
    def has_work(self) -> bool:
        return self.newest_rental_id > self.cursor or self.newly_ended > 0

    @property
    def run_key(self) -> str:
        """Changes whenever a sync would change something, so each state starts one run."""
        return f"{self.cursor}-{self.newest_rental_id}-{self.newly_ended}"


def pending_links(engine: sa.Engine, graph_name: str) -> PendingLinks:
    """Index lookups only: the cursor, max(rental_id), and the open set (at most one per bike)."""
    with engine.connect() as conn:
        cursor, newest, ended = conn.execute(_PENDING, {"g": graph_name}).one()
    return PendingLinks(cursor=int(cursor), newest_rental_id=int(newest), newly_ended=int(ended))
