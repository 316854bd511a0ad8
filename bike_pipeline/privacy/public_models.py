"""The analysts' models of `analytics`: the same table, personal columns as plain strings.

These carry no key and no decryption: a data scientist using them sees the stored
base64 ciphertext ("gibberish"), different for equal values. They have their own
metadata so they never take part in creating the schema. The columns come from
`core.customers` (privacy/analytics_shape.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from bike_pipeline.privacy.analytics_shape import analytics_customers


class PublicBase(DeclarativeBase):
    pass


def _ciphertext(core: sa.Column) -> sa.String:
    return sa.String()


class PublicAnalyticsCustomer(PublicBase):
    __table__ = analytics_customers(PublicBase.metadata, _ciphertext)
