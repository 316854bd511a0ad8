"""`bike-pipeline services up|down|status|env`."""

from __future__ import annotations

import shlex
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
    """Start the embedded PostgreSQL and Redis+FalkorDB (those not replaced by URL variables)."""
    settings = Settings.from_env()
    urls = servers.services_up(settings)
    write_dagster_yaml(settings)
    click.echo(f"postgresql      {without_password(urls.database_url)}")
    click.echo(f"redis+falkordb  {without_password(urls.redis_url)}")
    click.echo(f"state folder    {settings.home}")


@services.command()
def down() -> None:
    """Stop the embedded servers; their data stays under BIKE_PIPELINE_HOME."""
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
