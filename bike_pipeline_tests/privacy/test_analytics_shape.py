"""`analytics.customers` is derived from `core.customers` by the privacy rule, in both models.

The rule: the same columns in order, with the core's nullability and primary key; personal
columns (marked in db.models) encrypted for the engineer and plain text for the analysts;
the others keep the core's type.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.models import PERSONAL, Customer
from bike_pipeline.privacy.analytics_models import (
    ENCRYPTED_COLUMNS,
    PLAIN_COLUMNS,
    AnalyticsCustomer,
)
from bike_pipeline.privacy.encrypted_types import PiiEncrypted
from bike_pipeline.privacy.public_models import PublicAnalyticsCustomer

CORE: sa.Table = Customer.__table__  # type: ignore[assignment]
PERSONAL_VALUES = {
    "first_name", "last_name", "bsn", "iban", "email", "phone", "date_of_birth",
    "street", "house_number", "postcode", "city",
}  # fmt: skip


def _shape(column: sa.Column) -> tuple[str, bool, bool]:
    return column.name, column.nullable, column.primary_key


def test_the_personal_columns_are_the_contracts_personal_values() -> None:
    assert {c.name for c in CORE.columns if c.info.get(PERSONAL)} == PERSONAL_VALUES
    assert set(ENCRYPTED_COLUMNS) == PERSONAL_VALUES
    assert set(PLAIN_COLUMNS) == {c.name for c in CORE.columns} - PERSONAL_VALUES


def test_the_engineers_table_is_the_core_table_under_the_privacy_rule() -> None:
    table: sa.Table = AnalyticsCustomer.__table__  # type: ignore[assignment]
    assert table.schema == "analytics" and table.name == CORE.name
    assert [_shape(c) for c in table.columns] == [_shape(c) for c in CORE.columns]
    for core, copy in zip(CORE.columns, table.columns, strict=True):
        if core.name in PERSONAL_VALUES:
            assert isinstance(copy.type, PiiEncrypted), core.name
            assert copy.type.where == f"analytics.customers.{core.name}"
            assert isinstance(copy.type.underlying_type, sa.Date) == isinstance(core.type, sa.Date)
        else:
            assert type(copy.type) is type(core.type), core.name
    assert not table.constraints - {table.primary_key} and not table.indexes


def test_the_analysts_table_has_the_same_columns_as_plain_text() -> None:
    engineers: sa.Table = AnalyticsCustomer.__table__  # type: ignore[assignment]
    analysts: sa.Table = PublicAnalyticsCustomer.__table__  # type: ignore[assignment]
    assert [_shape(c) for c in analysts.columns] == [_shape(c) for c in engineers.columns]
    assert analysts.metadata is not engineers.metadata  # never part of creating the schema
    for column in analysts.columns:
        if column.name in PERSONAL_VALUES:
            assert type(column.type) is sa.String, column.name
