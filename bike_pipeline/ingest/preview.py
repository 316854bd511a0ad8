"""A few loaded rows to show beside the counts, without any personal data.

Customers are shown by id, registration, insurance and postcode region (the first two
digits) only; bikes hold nothing personal.
"""

from __future__ import annotations

import sqlalchemy as sa

PREVIEW_QUERIES = {
    "customers": (
        "SELECT customer_id, registered_at IS NOT NULL AS registered, insured, "
        "left(postcode, 2) AS postcode_region FROM core.customers ORDER BY customer_id LIMIT :n"
    ),
    "bikes": (
        "SELECT bike_id, frame_number, model, purchased_on, purchase_price_eur, status, station, "
        "latitude, longitude FROM core.bikes ORDER BY bike_id LIMIT :n"
    ),
}


def preview_rows(engine: sa.Engine, kind: str, rows: int = 10) -> list[dict[str, object]]:
    with engine.connect() as conn:
        result = conn.execute(sa.text(PREVIEW_QUERIES[kind]), {"n": rows})
        return [dict(row._mapping) for row in result]


def as_markdown(rows: list[dict[str, object]]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)
