"""The declarative base shared by every model, with stable constraint names."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

CORE_SCHEMA = "core"
BI_SCHEMA = "bi"
ANALYTICS_SCHEMA = "analytics"
SCHEMAS = (CORE_SCHEMA, BI_SCHEMA, ANALYTICS_SCHEMA)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
