"""The schema by Alembic revisions is the schema of the models; a newer database is refused.

Two empty databases, one brought to head by the revisions (`db.migrate.upgrade`), one by
`Base.metadata.create_all` of every model: their catalogs (columns, constraints with their
definitions, indexes, comments) must be identical, and Alembic's own comparison of the
migrated database with the models must find nothing to do. A model changed without a
revision (e.g. a new event type in the CHECK of `core.events.type`) fails here.
"""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bike_pipeline.all_models  # noqa: F401  (every table into Base.metadata)
from bike_pipeline import services
from bike_pipeline.db import migrate
from bike_pipeline.db.base import SCHEMAS, Base
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database

CATALOG = {
    "columns": """
        SELECT table_schema, table_name, column_name, data_type, character_maximum_length,
               numeric_precision, numeric_scale, is_nullable, column_default, is_identity,
               col_description(format('%I.%I', table_schema, table_name)::regclass,
                               ordinal_position)
        FROM information_schema.columns
        WHERE table_schema IN ('core', 'bi', 'analytics') AND table_name <> 'alembic_version'
        ORDER BY 1, 2, 3""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint AS c JOIN pg_namespace AS n ON n.oid = c.connamespace
        WHERE n.nspname IN ('core', 'bi', 'analytics')
          AND conrelid::regclass::text <> 'core.alembic_version'
        ORDER BY 1, 2""",
    "indexes": """
        SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname IN ('core', 'bi', 'analytics') AND tablename <> 'alembic_version'
        ORDER BY 1, 2, 3""",
}


def catalog(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {part: [tuple(r) for r in conn.execute(sa.text(q))] for part, q in CATALOG.items()}


def _by_models(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for schema in SCHEMAS:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        Base.metadata.create_all(conn)


def test_the_revisions_build_exactly_the_models_schema(servers: services.ServiceUrls) -> None:
    with (
        scratch_database(servers.database_url, "t_by_revisions") as by_revisions,
        scratch_database(servers.database_url, "t_by_models") as by_models,
    ):
        migrated = engine_for(by_revisions)
        assert migrate.upgrade(migrated) == migrate.head_revision()
        _by_models(engine_for(by_models))
        found, expected = catalog(migrated), catalog(engine_for(by_models))
        for part in CATALOG:
            assert set(found[part]) ^ set(expected[part]) == set(), part
        assert len(found["constraints"]) > 30 and len(found["indexes"]) > 20
        with migrated.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "include_schemas": True,
                    "include_name": lambda name, kind, _: (
                        name in SCHEMAS if kind == "schema" else name != "alembic_version"
                    ),
                    "compare_type": True,
                },
            )
            assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_upgrade_again(servers: services.ServiceUrls) -> None:
    with scratch_database(servers.database_url, "t_down", schema=True) as url:
        engine = engine_for(url)
        before = catalog(engine)
        assert migrate.downgrade(engine, "base") == "base"
        assert catalog(engine)["columns"] == []
        assert migrate.upgrade(engine) == migrate.head_revision()
        assert catalog(engine) == before


def test_a_database_newer_than_the_program_is_refused_in_one_line(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE core.alembic_version SET version_num = '9999'"))
    command = [sys.executable, "-m", "bike_pipeline.cli", "simulate", "--days", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    head = migrate.head_revision()
    assert done.stderr.strip().splitlines() == [
        f"Error: this database is newer than this program (schema 9999 > {head}): upgrade "
        f"bike_pipeline, or use a database of schema {head} or older"
    ]
    assert done.stdout == ""
