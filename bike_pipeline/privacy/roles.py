"""The database roles that enforce who sees what (CONTRACT section 4).

- `bi_reader`: USAGE and SELECT on schema `bi` only (pseudonyms, no clear data).
- `analyst`: USAGE and SELECT on schema `analytics` only (ciphertext without the key).
- `data_engineer`: USAGE and SELECT on every schema of the application.

Roles are cluster-wide and several databases (tests, runs) may create them at once:
each CREATE ROLE runs in a DO block that treats "already exists" (also the unique
violation a concurrent creator can cause) as success. Grants are per database, taken
under an advisory lock, and ALTER DEFAULT PRIVILEGES extends them to the tables and
views the current owner creates later.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import ANALYTICS_SCHEMA, BI_SCHEMA, SCHEMAS

ROLE_SCHEMAS: dict[str, tuple[str, ...]] = {
    "bi_reader": (BI_SCHEMA,),
    "analyst": (ANALYTICS_SCHEMA,),
    "data_engineer": SCHEMAS,
}

_CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {role} NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$"""


def ensure_roles(
    engine: sa.Engine, role_schemas: dict[str, tuple[str, ...]] = ROLE_SCHEMAS
) -> None:
    """Create the roles if missing and grant each its schemas in this database; idempotent."""
    for role in role_schemas:
        with engine.begin() as conn:
            conn.execute(sa.text(_CREATE_ROLE.format(role=role)))
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bike_pipeline.roles'))"))
        for role, schemas in role_schemas.items():
            for schema in schemas:
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
                conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"))
                conn.execute(
                    sa.text(
                        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                        f"GRANT SELECT ON TABLES TO {role}"
                    )
                )
