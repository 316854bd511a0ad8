"""`bike-pipeline db upgrade|current|downgrade|revision`: the database's schema version."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bike_pipeline import services
from bike_pipeline.settings import Settings

if TYPE_CHECKING:  # sqlalchemy and alembic are imported lazily, like in every command
    import sqlalchemy as sa


def _engine() -> sa.Engine:
    from bike_pipeline.db.engine import engine_for

    return engine_for(services.database_url(Settings.from_env()))


@click.group()
def db() -> None:
    """The application database's schema: Alembic revisions in bike_pipeline/db/migrations."""


@db.command()
def upgrade() -> None:
    """Bring the database to this program's schema (also recognises and upgrades a database
    of an earlier release without a version); every command that writes does this too."""
    from bike_pipeline.db import migrate

    engine = _engine()
    before = migrate.current(engine)
    after = migrate.upgrade(engine)
    click.echo(f"schema {before or 'none'} -> {after}" if before != after else f"schema {after}")


@db.command()
def current() -> None:
    """Print the database's revision and this program's head."""
    from bike_pipeline.db import migrate

    revision = migrate.current(_engine())
    click.echo(f"database {revision or 'none (empty, or an earlier release)'}")
    click.echo(f"program  {migrate.head_revision()}")
    migrate.check_not_newer(revision)


@db.command()
@click.argument("target")
@click.option("--yes", is_flag=True, help="Confirm: a downgrade drops what later revisions added.")
def downgrade(target: str, yes: bool) -> None:
    """Take the database back to revision TARGET (`base` drops every table and its data)."""
    from bike_pipeline.db import migrate

    if not yes:
        raise click.UsageError("a downgrade may drop tables and their data: add --yes")
    click.echo(f"schema {migrate.downgrade(_engine(), target)}")


@db.command()
@click.option("-m", "--message", required=True, help="What the revision changes.")
def revision(message: str) -> None:
    """For developers: write the next revision, compared against the models (review it!)."""
    from alembic import command

    import bike_pipeline.all_models  # noqa: F401  (every table into Base.metadata)
    from bike_pipeline.db import migrate
    from bike_pipeline.db.base import Base

    engine = _engine()
    migrate.upgrade(engine)
    following = f"{int(migrate.head_revision()) + 1:04d}"
    with engine.begin() as conn:
        config = migrate.alembic_config(conn, target_metadata=Base.metadata)
        script = command.revision(config, message=message, autogenerate=True, rev_id=following)
    click.echo(f"wrote {script.path}" if script else "no revision written")
