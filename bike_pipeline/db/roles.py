"""The database roles that enforce who sees what (CONTRACT section 4).

- `bi_reader`: USAGE and SELECT on schema `bi` only (pseudonyms, no clear data).
- `analyst`: USAGE and SELECT on schema `analytics` only (ciphertext without the key).
- `data_engineer`: USAGE and SELECT on every schema of the application.

Set up once, with the schema (the baseline revision of `db.migrations`): the roles, USAGE
on their schemas, and `ALTER DEFAULT PRIVILEGES` so every table and view created later is
readable without another GRANT. A GRANT rewrites catalog rows: run again beside a step
that TRUNCATEs a table (Dagster's multiprocess executor runs the privacy steps in
parallel) it failed with "tuple concurrently updated". So a database already set up is
only read here, setting up is serialised by a transaction-level advisory lock, and the
one-time GRANT on tables that predate the default privileges (databases of earlier
versions) first locks those tables.

Roles are cluster-wide and several databases (tests, runs) may create them at once: each
CREATE ROLE runs in a DO block that treats "already exists" (also the unique violation a
concurrent creator can cause) as success.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import ANALYTICS_SCHEMA, BI_SCHEMA, SCHEMAS

ROLE_SCHEMAS: dict[str, tuple[str, ...]] = {
    "bi_reader": (BI_SCHEMA,),
    "analyst": (ANALYTICS_SCHEMA,),
    "data_engineer": SCHEMAS,
}
ROLES_LOCK = "bike_pipeline.roles"

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

# Set up: USAGE on the schema and a default SELECT for tables the current role creates.
_IS_SET_UP = sa.text(
    """
    SELECT has_schema_privilege(:role, :schema, 'USAGE') AND EXISTS (
        SELECT 1
        FROM pg_default_acl AS d, aclexplode(d.defaclacl) AS a
        WHERE d.defaclnamespace = CAST(:schema AS regnamespace)
          AND d.defaclrole = CAST(current_user AS regrole)
          AND d.defaclobjtype = 'r'
          AND a.grantee = CAST(:role AS regrole)
          AND a.privilege_type = 'SELECT'
    )
    """
)
_RELATIONS = sa.text(
    """
    SELECT format('%I.%I', n.nspname, c.relname)
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    ORDER BY 1
    """
)


def set_up_roles(
    conn: sa.Connection, role_schemas: dict[str, tuple[str, ...]] = ROLE_SCHEMAS
) -> None:
    """Create the roles and their grants in the caller's transaction, once per database.

    The schemas must exist. Cheap and catalog-read-only when the database is set up.
    """
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": ROLES_LOCK})
    for role in role_schemas:
        conn.execute(sa.text(_CREATE_ROLE.format(role=role)))
    for role, schemas in role_schemas.items():
        for schema in schemas:
            if conn.execute(_IS_SET_UP, {"role": role, "schema": schema}).scalar_one():
                continue
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA {schema} TO {role}"))
            conn.execute(
                sa.text(
                    f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}"
                )
            )
            relations = conn.execute(_RELATIONS, {"schema": schema}).scalars().all()
            if relations:
                # Wait for a running TRUNCATE or ALTER instead of colliding with it.
                conn.execute(sa.text(f"LOCK TABLE {', '.join(relations)} IN ACCESS SHARE MODE"))
                conn.execute(sa.text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"))


def ensure_roles(
    engine: sa.Engine, role_schemas: dict[str, tuple[str, ...]] = ROLE_SCHEMAS
) -> None:
    """`set_up_roles` in a transaction of its own; idempotent and safe beside other steps."""
    with engine.begin() as conn:
        set_up_roles(conn, role_schemas)
