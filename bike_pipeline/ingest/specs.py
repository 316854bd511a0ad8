"""What each dump file holds (CONTRACT section 1): its columns and its unique columns.

The columns are the model's (`db.models.dump_columns`): the table's shape is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.models import Bike, Customer, dump_columns


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
    columns=dump_columns(Customer.__table__),  # type: ignore[arg-type]
    key="customer_id",
    unique=("customer_id", "bsn"),
    numeric_unique=("customer_id", "bsn"),
)

BIKES = DumpSpec(
    kind="bikes",
    table=Bike.__table__,  # type: ignore[arg-type]
    columns=dump_columns(Bike.__table__),  # type: ignore[arg-type]
    key="bike_id",
    unique=("bike_id", "frame_number"),
    numeric_unique=("bike_id",),
)

SPECS = {spec.kind: spec for spec in (CUSTOMERS, BIKES)}
