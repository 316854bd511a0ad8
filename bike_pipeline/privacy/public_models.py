"""The analysts' models of `analytics`: the same table, personal columns as plain strings.

These carry no key and no decryption: a data scientist using them sees the stored
base64 ciphertext ("gibberish"), different for equal values. They have their own
metadata so they never take part in creating the schema.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bike_pipeline.db.base import ANALYTICS_SCHEMA


class PublicBase(DeclarativeBase):
    pass


class PublicAnalyticsCustomer(PublicBase):
    __tablename__ = "customers"
    __table_args__ = ({"schema": ANALYTICS_SCHEMA},)

    customer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(sa.String)
    last_name: Mapped[str] = mapped_column(sa.String)
    bsn: Mapped[str] = mapped_column(sa.String)
    iban: Mapped[str] = mapped_column(sa.String)
    email: Mapped[str] = mapped_column(sa.String)
    phone: Mapped[str | None] = mapped_column(sa.String)
    date_of_birth: Mapped[str] = mapped_column(sa.String)
    street: Mapped[str] = mapped_column(sa.String)
    house_number: Mapped[str] = mapped_column(sa.String)
    postcode: Mapped[str] = mapped_column(sa.String)
    city: Mapped[str] = mapped_column(sa.String)
    registered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    insured: Mapped[bool] = mapped_column(sa.Boolean)
