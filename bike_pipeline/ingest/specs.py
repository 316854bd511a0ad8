"""What each dump file holds (CONTRACT section 1): its columns and its unique columns."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.models import Bike, Customer


@dataclass(frozen=True)
class DumpSpec:
    """One dump file: its table, its columns (the header names) and its unique columns.

    `numeric_unique` are the unique columns whose valid values are whole numbers (ids,
    BSNs), so duplicates can be found with NumPy on integers.
    """

    kind: str
    table: sa.Table
    columns: tuple[str, ...]
    key: str
    unique: tuple[str, ...]
    numeric_unique: tuple[str, ...] = ()

    @property
    def qualified_table(self) -> str:
        return f"{self.table.schema}.{self.table.name}"


CUSTOMERS = DumpSpec(
    kind="customers",
    table=Customer.__table__,  # type: ignore[arg-type]
    columns=(
        "customer_id",
        "first_name",
        "last_name",
        "bsn",
        "iban",
        "email",
        "phone",
        "date_of_birth",
        "street",
        "house_number",
        "postcode",
        "city",
        "registered_at",
        "insured",
    ),
    key="customer_id",
    unique=("customer_id", "bsn"),
    numeric_unique=("customer_id", "bsn"),
)

BIKES = DumpSpec(
    kind="bikes",
    table=Bike.__table__,  # type: ignore[arg-type]
    columns=(
        "bike_id",
        "frame_number",
        "model",
        "purchased_on",
        "purchase_price_eur",
        "status",
        "station",
        "latitude",
        "longitude",
    ),
    key="bike_id",
    unique=("bike_id", "frame_number"),
    numeric_unique=("bike_id",),
)

SPECS = {spec.kind: spec for spec in (CUSTOMERS, BIKES)}
