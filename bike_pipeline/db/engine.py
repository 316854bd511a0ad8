"""Engines, sessions and the schema of the application database."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import bike_pipeline.db.hooks  # noqa: F401  (registers the dump-string hooks on the models)
from bike_pipeline.db import migrate


@cache
def engine_for(url: str) -> sa.Engine:
    """One pooled engine per URL and process."""
    return sa.create_engine(url, pool_pre_ping=True)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def create_schema(engine: sa.Engine) -> None:
    """Bring the database to this program's schema: the schemas, the roles (CONTRACT
    section 4) and every table, by the Alembic revisions (`db.migrate.upgrade`, under the
    writer lock); idempotent, and one catalog read when already current."""
    migrate.upgrade(engine)
