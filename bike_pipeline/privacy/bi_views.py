"""The BI team's views over `bi.events` (and nothing else, so `bi_reader` sees only `bi`).

A view runs with its owner's privileges: a view over `core` would hand core data to
`bi_reader`. These read `bi.events` only. Days and hours are Amsterdam local time.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.constants import TIME_ZONE_NAME

LOCAL_TIME = f"(sim_time AT TIME ZONE '{TIME_ZONE_NAME}')"

VIEWS: dict[str, str] = {
    "events_per_type_per_day": f"""
        SELECT {LOCAL_TIME}::date AS day, type, count(*) AS events
        FROM bi.events GROUP BY 1, 2""",
    "rentals_per_hour_of_day": f"""
        SELECT extract(hour FROM {LOCAL_TIME})::int AS hour_of_day, count(*) AS rentals
        FROM bi.events WHERE type = 'rented' GROUP BY 1""",
    "top_riders": """
        SELECT customer_pseudonym, count(*) AS rentals,
               rank() OVER (ORDER BY count(*) DESC) AS rank
        FROM bi.events WHERE type = 'rented' GROUP BY customer_pseudonym""",
    "busiest_days": f"""
        SELECT {LOCAL_TIME}::date AS day, count(*) AS events,
               count(*) FILTER (WHERE type = 'rented') AS rentals,
               count(*) FILTER (WHERE type = 'rent_refused') AS refused,
               rank() OVER (ORDER BY count(*) DESC) AS rank
        FROM bi.events GROUP BY 1""",
}


def create_bi_views(conn: sa.Connection) -> None:
    """CREATE OR REPLACE every view; idempotent."""
    for name, query in VIEWS.items():
        conn.execute(sa.text(f"CREATE OR REPLACE VIEW bi.{name} AS {query}"))
