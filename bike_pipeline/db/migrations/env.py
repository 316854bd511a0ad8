"""Alembic's environment: runs on the connection `bike_pipeline.db.migrate` hands over.

There is no alembic.ini and no URL here: the caller opens the connection (and holds the
writer lock on it), and passes `target_metadata` only when comparing with the models
(`bike-pipeline db revision --autogenerate`, the models-equal-migrations test).
"""

from __future__ import annotations

from alembic import context

from bike_pipeline.db.base import CORE_SCHEMA, SCHEMAS

config = context.config
connection = config.attributes["connection"]


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Compare only the application's schemas, never `public` (the version table lives in core)."""
    return name in SCHEMAS if type_ == "schema" else True


context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    version_table_schema=CORE_SCHEMA,
    include_schemas=True,
    include_name=_include_name,
    compare_type=True,
    compare_server_default=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
