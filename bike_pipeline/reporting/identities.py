"""Identities a report's headline figures must satisfy against its world (the checks of the
report assets), without importing the report code: revenue - cost = profit, and the
totalled bikes and their cost equal the sums in SQL over the ticks the report covered."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from bike_pipeline.reporting.db_figures import totalled_dump_bikes_sql

CENT = 0.01


def money_mismatch(figures: Mapping[str, float]) -> float:
    """revenue - cost - profit, in EUR (zero when the figures add up)."""
    return figures["revenue_eur"] - figures["cost_eur"] - figures["profit_eur"]


def totalled_in_sql(engine: sa.Engine, ticks: int) -> tuple[int, float]:
    """Totalled events and the purchase price of the dump's bikes totalled, ticks < `ticks`."""
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM core.events WHERE type = 'totalled' AND tick < :t"),
            {"t": ticks},
        ).scalar_one()
        rows = conn.execute(
            sa.text(f"SELECT * FROM ({totalled_dump_bikes_sql(conn)}) t WHERE t.tick < :t"),
            {"t": ticks},
        ).all()
    return int(count), float(sum(row[3] for row in rows))
