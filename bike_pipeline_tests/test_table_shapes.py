"""The customer table's shape is written once and everything derived from it stays in step.

`core.customers` is owned by `db.models.Customer`; the dump specs take their columns from it
(`db.models.dump_columns`), and both analytics models (the engineer's with encrypted types,
the analysts' without the key) from it by the privacy rule (privacy/analytics_shape.py):
they name exactly the core table's columns, in its order.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.ingest.specs import BIKES, CUSTOMERS
from bike_pipeline.privacy.analytics_models import (
    ENCRYPTED_COLUMNS,
    PLAIN_COLUMNS,
    AnalyticsCustomer,
)
from bike_pipeline.privacy.public_models import PublicAnalyticsCustomer


def _names(model: type) -> list[str]:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return [column.name for column in table.columns]


def test_the_dump_specs_are_the_models_dump_columns() -> None:
    assert list(CUSTOMERS.columns) == _names(Customer)
    assert list(BIKES.columns) == [name for name in _names(Bike) if name != "repair_done_at"]


def test_the_analytics_copies_name_the_core_customers_columns() -> None:
    core = _names(Customer)
    assert _names(AnalyticsCustomer) == core
    assert _names(PublicAnalyticsCustomer) == core
    assert sorted((*ENCRYPTED_COLUMNS, *PLAIN_COLUMNS)) == sorted(core)
    assert len(ENCRYPTED_COLUMNS) + len(PLAIN_COLUMNS) == len(core)
