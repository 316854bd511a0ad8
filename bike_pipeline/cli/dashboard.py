"""`bike-pipeline dashboard`: the live web dashboard (CONTRACT section 2)."""

from __future__ import annotations

import click

DEFAULT_PORT = 8501


@click.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True, help="Port."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 only inside a container (docker-compose.yaml).",
)
@click.option(
    "--refresh",
    type=click.FloatRange(min=0.2),
    default=2.0,
    show_default=True,
    help="Seconds between page updates (a live tick is 2 s).",
)
def dashboard(port: int, host: str, refresh: float) -> None:
    """Serve the live dashboard: event counts per type, a map of recent events, fleet
    status, unmet demand over time, the latest report's headline and a matchmaking lookup."""
    from bike_pipeline.dashboard.server import build_app, serve

    app = build_app(refresh_ms=round(refresh * 1000))
    click.echo(f"Dashboard on http://{host}:{port}/ (Ctrl+C stops it)")
    serve(app, host, port)
