"""`bike-pipeline services up|down|status|env|purge|prune`."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click

from bike_pipeline import services as servers
from bike_pipeline.dagster_home import write_dagster_yaml
from bike_pipeline.settings import DATABASE_URL_VAR, GRAPH_URL_VAR, REDIS_URL_VAR, Settings


def without_password(url: str | None) -> str:
    """The URL with its password left out (only `services env` prints passwords)."""
    if not url:
        return "-"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}"))


@click.group()
def services() -> None:
    """Start, stop and show the embedded servers under BIKE_PIPELINE_HOME."""


@services.command()
def up() -> None:
    """Start the embedded PostgreSQL and Redis+FalkorDB (those not replaced by URL variables)
    and bring the application database to this program's schema."""
    settings = Settings.from_env()
    urls = servers.services_up(settings)
    write_dagster_yaml(settings)
    from bike_pipeline.db import migrate  # lazily: alembic and sqlalchemy only when needed
    from bike_pipeline.db.engine import engine_for

    schema = migrate.upgrade(engine_for(urls.database_url))
    click.echo(f"postgresql      {without_password(urls.database_url)}")
    click.echo(f"schema          {schema} (bike-pipeline db current)")
    click.echo(f"redis+falkordb  {without_password(urls.redis_url)}")
    click.echo(f"state folder    {settings.home}")


@services.command()
def down() -> None:
    """Stop the embedded servers; their data stays (see `status`) until `purge`."""
    stopped = servers.services_down(Settings.from_env())
    click.echo(f"stopped: {', '.join(stopped)}" if stopped else "no embedded server was running")


@services.command()
def status() -> None:
    """Show whether each embedded server runs, its pid and URL."""
    settings = Settings.from_env()
    for server in servers.services_status(settings):
        state = f"running (pid {server.pid})" if server.running else "stopped"
        url = without_password(server.url)
        click.echo(f"{server.name:<15} {state:<22} {url}  data: {server.data_dir}")
    for variable, value in (
        (DATABASE_URL_VAR, settings.database_url),
        (REDIS_URL_VAR, settings.redis_url),
        (GRAPH_URL_VAR, settings.graph_url),
    ):
        if value:
            click.echo(f"{variable} is set: that server is used instead of the embedded one")
    _echo_data_locations(settings)


def _echo_data_locations(settings: Settings) -> None:
    """Where this home's data lives and its size (as root PostgreSQL's is outside the home)."""
    from bike_pipeline.services.data_usage import data_locations

    click.echo("data of this home (`services purge` deletes all of it):")
    for place in data_locations(settings.home):
        click.echo(f"  {place.describe()}")
    if settings.database_url or settings.redis_url:
        click.echo("  servers given by URL variables keep their data on their own hosts")


@services.command()
def env() -> None:
    """Print export lines for the servers in use (for psql, redis-cli, DBeaver, dagster dev),
    with the passwords: the one command that prints them (Redis: its `admin` user)."""
    settings = Settings.from_env()
    urls = servers.resolve(settings)
    home = write_dagster_yaml(settings)
    exports = {
        DATABASE_URL_VAR: urls.database_url,
        REDIS_URL_VAR: urls.redis_url,
        GRAPH_URL_VAR: urls.graph_url,
        "DAGSTER_HOME": str(home),
    }
    for variable, value in exports.items():
        click.echo(f"export {variable}={shlex.quote(value)}")
    click.echo(f'# psql "{servers.libpq_url(urls.database_url)}"')


@services.command()
@click.option("--yes", is_flag=True, help="Delete without asking.")
def purge(yes: bool) -> None:
    """Stop this home's servers and delete ALL of its data, also the folders outside it.

    Refused while a simulation is writing. Servers given by URL variables are not touched.
    Stop `ui`, `dashboard` and `listen` of this home first: they would start the servers
    again on demand.
    """
    from bike_pipeline.services.data_usage import folder_size, human_size
    from bike_pipeline.services.erase import PurgeRefused, check_purgeable, purge_targets
    from bike_pipeline.services.erase import purge as purge_home
    from bike_pipeline.simulation.store.lock import SimulationBusy

    settings = Settings.from_env()
    try:
        check_purgeable(settings.home)
    except PurgeRefused as error:
        raise click.ClickException(str(error)) from None
    targets = purge_targets(settings)
    if not targets:
        click.echo(f"nothing of {settings.home} to delete")
        return
    click.echo("purge deletes, with the personal data they hold:")
    for path in targets:
        size = folder_size(path)
        click.echo(f"  {'absent' if size is None else human_size(size):>9}  {path}")
    if not yes:
        click.confirm("Stop the servers and delete all of it?", abort=True)
    try:
        deleted = purge_home(settings)
    except (PurgeRefused, SimulationBusy) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"deleted: {', '.join(map(str, deleted))}" if deleted else "nothing to delete")
    if settings.database_url or settings.redis_url:
        click.echo("servers given by URL variables were not touched: see PRIVACY.md to erase there")


@services.command()
@click.option("--yes", is_flag=True, help="Delete the folders listed.")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where root keeps PostgreSQL data outside the homes "
    "[default: /var/lib/bike_pipeline_postgres].",
)
@click.option(
    "--socket-base",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the socket folders are [default: /tmp].",
)
@click.option(
    "--homes-under",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("/"),
    show_default=True,
    help="Only homes that were under this folder.",
)
def prune(yes: bool, root: Path | None, socket_base: Path | None, homes_under: Path) -> None:
    """List (and with --yes delete) data folders outside any home whose home is gone, and
    end the embedded Redis servers of deleted homes. A home that exists is never pruned."""
    from bike_pipeline.services import embedded_postgres_server as pg
    from bike_pipeline.services.data_usage import human_size
    from bike_pipeline.services.erase import find_orphan_redis, find_orphans, stop_orphan_redis
    from bike_pipeline.services.erase import prune as prune_folders

    homes_under = homes_under.resolve()
    orphans, unknown = find_orphans(
        root or pg.ROOT_DATA_BASE, socket_base or pg.SOCKET_BASE, homes_under
    )
    servers = find_orphan_redis(homes_under)
    for folder in unknown:
        click.echo(f"kept (no home marker, home unknown): {folder.path}")
    if not orphans and not servers:
        click.echo("no data folder or server of a deleted home")
        return
    for orphan in orphans:
        size = "absent" if orphan.size is None else human_size(orphan.size)
        click.echo(f"{size:>9}  {orphan.path}  (home {orphan.home}, gone)")
    for server in servers:
        click.echo(f"redis-server pid {server.pid} still runs in {server.folder} (deleted)")
    if not yes:
        click.echo("run again with --yes to delete them")
        return
    deleted = prune_folders(orphans)
    ended = stop_orphan_redis(servers)
    click.echo(f"deleted {len(deleted)} folder(s), ended {len(ended)} server(s)")
