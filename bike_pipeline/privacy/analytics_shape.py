"""The shape of `analytics.customers`, derived from `core.customers` (db.models.Customer).

The privacy rule: the same columns in the same order, nullability and primary key; a column
marked personal in the core model (`info={PERSONAL: True}`) gets the type the caller gives
(encrypted for the engineer, plain text for the analysts), every other column keeps its
type. No constraints, indexes or defaults: the copy is refilled from core, already checked.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from bike_pipeline.db.base import ANALYTICS_SCHEMA
from bike_pipeline.db.models import PERSONAL, Customer

CORE_CUSTOMERS: sa.Table = Customer.__table__  # type: ignore[assignment]
CUSTOMERS_TABLE = f"{ANALYTICS_SCHEMA}.{CORE_CUSTOMERS.name}"
ENCRYPTED_COLUMNS = tuple(c.name for c in CORE_CUSTOMERS.columns if c.info.get(PERSONAL))
PLAIN_COLUMNS = tuple(c.name for c in CORE_CUSTOMERS.columns if not c.info.get(PERSONAL))


def analytics_customers(
    metadata: sa.MetaData, personal_type: Callable[[sa.Column], sa.types.TypeEngine]
) -> sa.Table:
    """`analytics.customers` in `metadata`, personal columns typed by `personal_type(core)`."""
    return sa.Table(
        CORE_CUSTOMERS.name,
        metadata,
        *(
            sa.Column(
                core.name,
                personal_type(core) if core.info.get(PERSONAL) else core.type,
                primary_key=core.primary_key,
                nullable=core.nullable,
                autoincrement=False,
            )
            for core in CORE_CUSTOMERS.columns
        ),
        schema=ANALYTICS_SCHEMA,
    )
