"""`bi.events`: every simulation event, with the customer replaced by keyed pseudonyms.

No clear personal value and no unkeyed hash: the customer is `customer_pseudonym`, the
personal fields are HMACs under the pseudonym key (`pseudonyms.py`), the birth date is an
age band at the event's date and the address a postcode area. `key_version` tells which
key made the pseudonyms of a row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from bike_pipeline.db.base import BI_SCHEMA, Base

PSEUDONYM_LENGTH = 64


class BiEvent(Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint(
            "(customer_pseudonym IS NULL) = (type = 'rebalanced')",
            name="customer_unless_rebalanced",
        ),
        {"schema": BI_SCHEMA},
    )

    event_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    tick: Mapped[int] = mapped_column(sa.Integer)
    sim_time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    bike_id: Mapped[int | None] = mapped_column(sa.Integer)
    rental_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, comment="the type's own fields")
    customer_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH), index=True)
    bsn_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH))
    iban_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH))
    email_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH))
    name_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH))
    phone_pseudonym: Mapped[str | None] = mapped_column(sa.String(PSEUDONYM_LENGTH))
    age_band: Mapped[str | None] = mapped_column(sa.String(8))
    postcode_area: Mapped[str | None] = mapped_column(sa.String(4))
    key_version: Mapped[str] = mapped_column(sa.String(8))
