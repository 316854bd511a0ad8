"""`bike-pipeline ingest --customers FILE --bikes FILE`: the dump into PostgreSQL.

The same code path as the Dagster assets `customers` and `bikes`
(`bike_pipeline.ingest.pipeline.ingest_file`). Rejected rows are kept and reported, not a
failure (exit 0); an unusable file is exit 2, checked for both files before either loads.
"""

from __future__ import annotations

from pathlib import Path

import click

from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.ingest.errors import DatabaseRefusedLoad, UnusableInputFile
from bike_pipeline.ingest.pipeline import check_file, ingest_file
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.store.lock import SimulationBusy


class UnusableFileError(click.ClickException):
    exit_code = 2


@click.command()
@click.option("--customers", type=click.Path(path_type=Path), help="The customers.csv dump file.")
@click.option("--bikes", type=click.Path(path_type=Path), help="The bikes.csv dump file.")
def ingest(customers: Path | None, bikes: Path | None) -> None:
    """Validate and load the client's dump; print loaded/updated/unchanged/rejected per file."""
    files = {kind: path for kind, path in (("customers", customers), ("bikes", bikes)) if path}
    if not files:
        raise click.UsageError("give --customers FILE, --bikes FILE or both")
    try:
        for kind, path in files.items():
            check_file(path, kind)
        engine = app_engine(Settings.from_env())
        for kind, path in files.items():
            result = ingest_file(engine, path, kind)
            for line in result.summary_lines():
                click.echo(line)
    except UnusableInputFile as error:
        raise UnusableFileError(str(error)) from None
    except (DatabaseRefusedLoad, SimulationBusy) as error:
        raise click.ClickException(str(error)) from None
