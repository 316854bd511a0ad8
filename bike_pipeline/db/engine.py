"""Engines, sessions and schema creation for the application database."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import bike_pipeline.db.all_models  # noqa: F401  (every table into Base.metadata)
import bike_pipeline.db.hooks  # noqa: F401  (registers the dump-string hooks on the models)
from bike_pipeline.db.base import SCHEMAS, Base
from bike_pipeline.privacy.roles import set_up_roles
from bike_pipeline.simulation.store.baseline import add_missing_place_columns


@cache
def engine_for(url: str) -> sa.Engine:
    """One pooled engine per URL and process."""
    return sa.create_engine(url, pool_pre_ping=True)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def create_schema(engine: sa.Engine) -> None:
    """Create the schemas, the roles (CONTRACT section 4) and every table of every imported
    model, in one transaction; idempotent.

    The roles' default privileges come before the tables, so new tables are granted as
    they are created.
    """
    with engine.begin() as conn:
        # Serialise concurrent first runs (CREATE SCHEMA IF NOT EXISTS races otherwise).
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bike_pipeline.schema'))"))
        for schema in SCHEMAS:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        set_up_roles(conn)
        Base.metadata.create_all(conn)
        add_missing_place_columns(conn)
