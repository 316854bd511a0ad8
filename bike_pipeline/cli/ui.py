"""`bike-pipeline ui`: the servers, then the Dagster UI (`dg dev`, which supersedes
`dagster dev`) on the project's own DAGSTER_HOME and workspace, so its runs, sensors and
schedules share one history with `bike-pipeline run`."""

from __future__ import annotations

import signal
import subprocess
from typing import NoReturn

import click

DEFAULT_PORT = 3000
STOP_TIMEOUT_S = 60


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt  # SIGTERM stops `dg dev` as Ctrl+C does


def _default_sigint() -> None:
    """A shell's background job starts with SIGINT ignored; `dg dev` must see it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """`dg dev` shuts its webserver, daemon and code servers down on SIGINT only."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="Port."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def ui(port: int, host: str) -> None:
    """Start what is needed and the Dagster UI; Ctrl+C stops the UI (the servers stay up)."""
    from bike_pipeline.dagster_home import dg_dev_command, project_environment
    from bike_pipeline.settings import Settings

    env = project_environment(Settings.from_env())
    command = dg_dev_command(host, port)
    click.echo(f"DAGSTER_HOME={env['DAGSTER_HOME']}")
    click.echo(f"Dagster UI on http://{host}:{port}/ (about 10 s to start; Ctrl+C stops it)")
    # Started as a shell's background job, this process too has SIGINT ignored: take it back
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    process = subprocess.Popen(command, env=env, preexec_fn=_default_sigint)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        _stop(process)
        return
    if code != 0:
        raise click.ClickException(f"dg dev exited with status {code}")
