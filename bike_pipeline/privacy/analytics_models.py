"""The engineer's models of `analytics`: personal columns decrypted on the fly.

Only the data engineer, who holds `BIKE_PIPELINE_PII_KEY`, gets these models. Each
personal column is a `StringEncryptedType` with `AesGcmEngine` (random IV), so the stored
text is different for equal values and useless for joins or indexes by design. Dates
are encrypted as ISO text and parsed back (python-dateutil). Non-personal columns stay
plain so the analysts can work with them. `public_models.py` maps the same table
without the key. The columns come from `core.customers` (privacy/analytics_shape.py).
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import Base
from bike_pipeline.privacy.analytics_shape import (
    CUSTOMERS_TABLE,
    ENCRYPTED_COLUMNS,
    PLAIN_COLUMNS,
    analytics_customers,
)
from bike_pipeline.privacy.encrypted_types import PiiEncrypted

__all__ = ["CUSTOMERS_TABLE", "ENCRYPTED_COLUMNS", "PLAIN_COLUMNS", "AnalyticsCustomer"]


def encrypted_type(core: sa.Column) -> PiiEncrypted:
    """The encrypted type of a personal column: dates parsed back as dates, the rest text."""
    type_in = sa.Date if isinstance(core.type, sa.Date) else sa.String
    return PiiEncrypted(type_in, where=f"{CUSTOMERS_TABLE}.{core.name}")


class AnalyticsCustomer(Base):
    __table__ = analytics_customers(Base.metadata, encrypted_type)
