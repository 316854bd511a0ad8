"""The engineer's models of `analytics`: personal columns decrypted on the fly.

Only the data engineer, who holds `BIKE_PIPELINE_PII_KEY`, gets these models. Each
personal column is a `StringEncryptedType` with `AesGcmEngine` (random IV), so the stored
text is different for equal values and useless for joins or indexes by design. Dates
are encrypted as ISO text and parsed back (python-dateutil). Non-personal columns stay
plain so the analysts can work with them. `public_models.py` maps the same table
without the key.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bike_pipeline.db.base import ANALYTICS_SCHEMA, Base
from bike_pipeline.privacy.encrypted_types import PiiEncrypted

CUSTOMERS_TABLE = f"{ANALYTICS_SCHEMA}.customers"
ENCRYPTED_DATE_COLUMNS = ("date_of_birth",)
ENCRYPTED_TEXT_COLUMNS = (
    "first_name",
    "last_name",
    "bsn",
    "iban",
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "city",
)
ENCRYPTED_COLUMNS = (*ENCRYPTED_TEXT_COLUMNS, *ENCRYPTED_DATE_COLUMNS)
PLAIN_COLUMNS = ("customer_id", "registered_at", "insured")


def _encrypted(column: str, type_in: type[sa.types.TypeEngine] = sa.String) -> PiiEncrypted:
    return PiiEncrypted(type_in, where=f"{CUSTOMERS_TABLE}.{column}")


class AnalyticsCustomer(Base):
    __tablename__ = "customers"
    __table_args__ = ({"schema": ANALYTICS_SCHEMA},)

    customer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(_encrypted("first_name"))
    last_name: Mapped[str] = mapped_column(_encrypted("last_name"))
    bsn: Mapped[str] = mapped_column(_encrypted("bsn"))
    iban: Mapped[str] = mapped_column(_encrypted("iban"))
    email: Mapped[str] = mapped_column(_encrypted("email"))
    phone: Mapped[str | None] = mapped_column(_encrypted("phone"))
    date_of_birth: Mapped[date] = mapped_column(_encrypted("date_of_birth", sa.Date))
    street: Mapped[str] = mapped_column(_encrypted("street"))
    house_number: Mapped[str] = mapped_column(_encrypted("house_number"))
    postcode: Mapped[str] = mapped_column(_encrypted("postcode"))
    city: Mapped[str] = mapped_column(_encrypted("city"))
    registered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    insured: Mapped[bool] = mapped_column(sa.Boolean)
