"""Checks of the loaded tables, run in SQL so no personal value leaves the database.

Each returns how many rows (or values) break the rule; 0 means it holds.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.models import LATITUDE_RANGE, LONGITUDE_RANGE
from bike_pipeline.ingest.identifiers import BSN_WEIGHTS
from bike_pipeline.ingest.specs import DumpSpec


def duplicated_values(engine: sa.Engine, spec: DumpSpec) -> dict[str, int]:
    """Per unique column: rows minus distinct values (0 when every value is unique)."""
    counts = ", ".join(f"count(*) - count(DISTINCT {column})" for column in spec.unique)
    with engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT {counts} FROM {spec.qualified_table}")).one()
    return dict(zip(spec.unique, row, strict=True))


def bsns_failing_eleven_check(engine: sa.Engine) -> int:
    """Customers whose BSN is not 9 digits with a weighted sum divisible by 11."""
    weighted = " + ".join(
        f"({weight}) * substr(bsn, {position}, 1)::int"
        for position, weight in enumerate(BSN_WEIGHTS, start=1)
    )
    sql = (
        "SELECT count(*) FROM core.customers WHERE bsn !~ '^[0-9]{9}$' "
        f"OR bsn = '000000000' OR ({weighted}) % 11 <> 0"
    )
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def bikes_outside_the_netherlands(engine: sa.Engine) -> int:
    """Bikes whose coordinates fall outside the contract's bounding box."""
    sql = (
        "SELECT count(*) FROM core.bikes WHERE latitude NOT BETWEEN :lat_min AND :lat_max "
        "OR longitude NOT BETWEEN :lon_min AND :lon_max"
    )
    bounds = {
        "lat_min": LATITUDE_RANGE[0],
        "lat_max": LATITUDE_RANGE[1],
        "lon_min": LONGITUDE_RANGE[0],
        "lon_max": LONGITUDE_RANGE[1],
    }
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), bounds).scalar_one()
