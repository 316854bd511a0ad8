"""The model hooks: ORM users may assign the dump's own date strings (as the client asked)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bike_pipeline.db.models import Bike, Customer


def test_orm_customer_from_dump_strings_stores_date_and_datetime(engine: sa.Engine) -> None:
    with Session(engine) as session:
        session.add(
            Customer(
                customer_id=1,
                first_name="Anna",
                last_name="Visser",
                bsn="111222333",
                iban="NL91ABNA0417164300",
                email="anna@example.nl",
                date_of_birth="15-06-1990",
                street="Dorpsstraat",
                house_number="12",
                postcode="1234 AB",
                city="Utrecht",
                registered_at="27-10-2024 02:30:00",  # the ambiguous autumn hour: the first one
            )
        )
        session.add(
            Bike(
                bike_id=1,
                frame_number="FR1",
                model="city",
                purchased_on="10-01-2024",
                purchase_price_eur="899.00",
                status="available",
                station="Utrecht Centraal",
                latitude=52.09,
                longitude=5.11,
            )
        )
        session.commit()
    with engine.connect() as conn:
        customer = conn.execute(sa.text("SELECT * FROM core.customers")).one()
        bike = conn.execute(sa.text("SELECT purchased_on FROM core.bikes")).one()
    assert customer.date_of_birth == date(1990, 6, 15)
    assert customer.registered_at == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert bike.purchased_on == date(2024, 1, 10)


def test_empty_string_means_no_registration_and_dates_pass_through() -> None:
    customer = Customer(registered_at="", date_of_birth=date(2000, 1, 2))
    assert customer.registered_at is None
    assert customer.date_of_birth == date(2000, 1, 2)
