"""Where the graph sync keeps its place: a cursor per graph and the rentals it linked open.

The cursor is the highest `rental_id` already linked. It is committed only after the graph
write of its batch, and that write is an idempotent MERGE on `rental_id`, so a crash in
between re-links the batch without duplicates. Rentals linked while still open are listed
in `graph_open_rentals` until their `ended_at` reached the graph: the re-sync touches only
those (at most one per bike) instead of rescanning every rental.

The cursor assumes rental ids become visible in increasing order (one simulation writer
committing tick after tick), which is how the simulation assigns them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bike_pipeline.db.base import CORE_SCHEMA, Base


class GraphLinkCursor(Base):
    __tablename__ = "graph_link_cursors"
    __table_args__ = ({"schema": CORE_SCHEMA},)

    graph_name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    last_rental_id: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )


class GraphOpenRental(Base):
    __tablename__ = "graph_open_rentals"
    __table_args__ = ({"schema": CORE_SCHEMA},)

    graph_name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    rental_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
