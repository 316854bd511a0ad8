"""The benchmarks' synthetic rows: INSERT columns taken from the models, rows the schema accepts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from benchmarks.world_sql import bikes_sql, customers_sql, insert_select
from bike_pipeline.db.models import Bike, Customer, dump_columns


def _target_columns(statement: str) -> list[str]:
    first_line = statement.splitlines()[0]
    return first_line[first_line.index("(") + 1 : first_line.rindex(")")].split(", ")


def test_the_insert_names_the_models_columns_in_its_order() -> None:
    assert _target_columns(customers_sql("3")) == [c.name for c in Customer.__table__.columns]
    # the dump's columns; the simulation-only ones are nullable and left out
    assert _target_columns(bikes_sql("3")) == list(dump_columns(Bike.__table__))


def test_an_unknown_or_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown columns \['shoe_size'\]"):
        insert_select(Customer, {"customer_id": "i", "shoe_size": "42"}, "generate_series(1, 1) i")
    with pytest.raises(ValueError, match="no value for .*'first_name'"):
        insert_select(Customer, {"customer_id": "i"}, "generate_series(1, 1) AS i")


def test_the_rows_pass_the_schemas_constraints(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(customers_sql(":n", insured="i % 2 = 0", registered_at="now()")), {"n": 5}
        )
        conn.execute(sa.text(bikes_sql(":n")), {"n": 4})
        customers = conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one()
        insured = conn.execute(
            sa.text("SELECT count(*) FROM core.customers WHERE insured")
        ).scalar_one()
        bikes = conn.execute(sa.text("SELECT count(*) FROM core.bikes")).scalar_one()
    assert (customers, insured, bikes) == (5, 2, 4)
