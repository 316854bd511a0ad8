"""`bike-pipeline generate`: write a synthetic client dump (CONTRACT section 1)."""

from __future__ import annotations

from pathlib import Path

import click

from bike_pipeline.generate.table_writer import MAX_DEFECT_RATE


@click.command()
@click.option(
    "--customers",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    help="Customer rows to write.",
)
@click.option(
    "--bikes", type=click.IntRange(min=0), default=1_500, show_default=True, help="Bike rows."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=42,
    show_default=True,
    help="Same seed, same bytes.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for customers.csv, bikes.csv and defects.json (created if missing).",
)
@click.option(
    "--defect-rate",
    type=click.FloatRange(0.0, MAX_DEFECT_RATE),
    default=0.0,
    show_default=True,
    help="Share of rows made bad on purpose (every kind in turn); listed in defects.json.",
)
def generate(customers: int, bikes: int, seed: int, out: Path, defect_rate: float) -> None:
    """Write a synthetic dump: customers.csv, bikes.csv and the defects.json sidecar."""
    from bike_pipeline.generate import write_dump

    try:
        dump = write_dump(out, customers, bikes, seed, defect_rate)
    except OSError as error:
        raise click.ClickException(f"cannot write the dump to {out}: {error.strerror}") from None
    for generated in (dump.customers, dump.bikes):
        click.echo(f"{generated.path}: {generated.rows:,} rows, {len(generated.defects)} bad rows")
    click.echo(f"{dump.defects_path}: the bad rows by line and kind")
