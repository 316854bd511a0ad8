"""The application database's schema version: read it, upgrade it, refuse a newer one.

Alembic runs the revisions of `db/migrations/versions` on a connection opened here, inside
one transaction that holds the writer lock (`db.writer_lock`): two processes never migrate
at once, and never under a running simulation. A database already at this program's head
is recognised without the lock (one catalog read), so the common case costs nothing.

A database without a version table but with `core.customers` was made by an earlier commit
of main: the baseline revision keeps its tables and repairs their shape
(`migrations/legacy.py`), then the later revisions run. A database at a revision this
program does not know is newer than it: `SchemaTooNew`, one line naming both versions.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.db.writer_lock import lock_for_transaction

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
VERSION_TABLE = f"{CORE_SCHEMA}.alembic_version"
MIGRATION_LOCK_WAIT_S = 30.0

log = logging.getLogger(__name__)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer release than this program."""


def alembic_config(conn: sa.Connection | None = None, **attributes: object) -> Config:
    """Alembic's configuration without an ini file; `conn` is the connection to migrate."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(attributes, connection=conn)
    return config


@cache
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None, f"no revisions in {MIGRATIONS}"
    return head


def current_revision(conn: sa.Connection) -> str | None:
    """The database's revision; None for an empty database or one of an earlier release."""
    context = MigrationContext.configure(conn, opts={"version_table_schema": CORE_SCHEMA})
    return context.get_current_revision()


def is_unversioned_release(conn: sa.Connection) -> bool:
    """Tables of an earlier release of main, made before the schema had a version."""
    return (
        current_revision(conn) is None
        and conn.execute(sa.text("SELECT to_regclass('core.customers')")).scalar() is not None
    )


def check_not_newer(revision: str | None) -> None:
    """Raise `SchemaTooNew` for a revision this program's migrations do not know."""
    if revision is None:
        return
    try:
        script_directory().get_revision(revision)
    except Exception:
        raise SchemaTooNew(
            f"this database is newer than this program (schema {revision} > "
            f"{head_revision()}): upgrade bike_pipeline, or use a database of schema "
            f"{head_revision()} or older"
        ) from None


def _at_head(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        revision = current_revision(conn)
    check_not_newer(revision)
    return revision == head_revision()


def upgrade(engine: sa.Engine, target: str = "head", wait_s: float = MIGRATION_LOCK_WAIT_S) -> str:
    """Bring the database to `target` (default: this program's head) under the writer lock;
    returns the revision it is at. Raises `SchemaTooNew` for a newer database and
    `SimulationBusy` when a simulation keeps the lock for longer than `wait_s`."""
    if target == "head" and _at_head(engine):
        return head_revision()
    with engine.begin() as conn:
        lock_for_transaction(conn, wait_s, "schema migration")
        before = current_revision(conn)
        check_not_newer(before)
        if is_unversioned_release(conn):
            log.warning(
                "database of an earlier release without a schema version: bringing it to "
                "the baseline %s",
                BASELINE,
            )
        # The version table lives in core, so core exists before the first revision.
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {CORE_SCHEMA}"))
        command.upgrade(alembic_config(conn), target)
        after = current_revision(conn)
    if after != before:
        log.info("database schema %s -> %s", before or "none", after)
    return after or "none"


def downgrade(engine: sa.Engine, target: str, wait_s: float = MIGRATION_LOCK_WAIT_S) -> str:
    """Take the database back to `target` (a revision, or `base`: no tables) under the
    writer lock; returns the revision it is at."""
    with engine.begin() as conn:
        lock_for_transaction(conn, wait_s, "schema migration")
        check_not_newer(current_revision(conn))
        command.downgrade(alembic_config(conn), target)
        return current_revision(conn) or "base"


def current(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision(conn)
