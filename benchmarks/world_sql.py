"""Synthetic rows generated inside PostgreSQL, in `INSERT ... SELECT` form.

The target columns of each INSERT come from the table's model (db.models), in its order;
a benchmark gives only the SQL value of each column, by name, so a column added to or
removed from a model is a clear error here instead of a misaligned INSERT. The values are
clearly fake: no real names, numbers or addresses.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from bike_pipeline.db.models import Bike, Customer

# Value of each column of core.customers for row `i` of generate_series.
CUSTOMER_VALUES: dict[str, str] = {
    "customer_id": "i",
    "first_name": "'Bench'",
    "last_name": "'Customer'",
    "bsn": "lpad(i::text, 9, '0')",
    "iban": "'NL00BENC' || lpad(i::text, 10, '0')",
    "email": "'bench' || i || '@example.invalid'",
    "phone": "NULL",
    "date_of_birth": "DATE '1990-01-01'",
    "street": "'Benchstraat'",
    "house_number": "'1'",
    "postcode": "'1234 AB'",
    "city": "'Utrecht'",
    "registered_at": "NULL",
    "insured": "false",
}
# Value of each dump column of core.bikes for row `i`: available at one station.
BIKE_VALUES: dict[str, str] = {
    "bike_id": "i",
    "frame_number": "'BENCH' || i",
    "model": "'city'",
    "purchased_on": "DATE '2025-01-01'",
    "purchase_price_eur": "650",
    "status": "'available'",
    "station": "'Utrecht Centraal'",
    "latitude": "52.09",
    "longitude": "5.11",
}


def insert_select(
    model: type, values: Mapping[str, str], rows: str, *, on_conflict: str = ""
) -> str:
    """`INSERT INTO <model's table> (<columns>) SELECT <values> FROM <rows>` with the columns
    in the model's order; raises ValueError naming an unknown column or a required one
    (NOT NULL, no default) without a value."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    unknown = sorted(set(values) - set(table.columns.keys()))
    required = [
        c.name
        for c in table.columns
        if not c.nullable and c.default is None and c.server_default is None
    ]
    missing = [name for name in required if name not in values]
    if unknown or missing:
        raise ValueError(f"{table.fullname}: unknown columns {unknown}, no value for {missing}")
    columns = [c.name for c in table.columns if c.name in values]
    return (
        f"INSERT INTO {table.fullname} ({', '.join(columns)})\n"
        f"SELECT {', '.join(values[c] for c in columns)}\nFROM {rows}\n{on_conflict}"
    )


def customers_sql(count: str, on_conflict: str = "", **overrides: str) -> str:
    """Customers 1..`count` (an SQL expression, e.g. a bind parameter)."""
    values = {**CUSTOMER_VALUES, **overrides}
    rows = f"generate_series(1, {count}) AS i"
    return insert_select(Customer, values, rows, on_conflict=on_conflict)


def bikes_sql(count: str, on_conflict: str = "", **overrides: str) -> str:
    """Bikes 1..`count` (an SQL expression), all available."""
    values = {**BIKE_VALUES, **overrides}
    rows = f"generate_series(1, {count}) AS i"
    return insert_select(Bike, values, rows, on_conflict=on_conflict)
