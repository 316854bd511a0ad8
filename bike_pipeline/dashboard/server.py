"""Wiring the dashboard to the configured servers, and serving it with waitress."""

from __future__ import annotations

from functools import partial

import dash
import redis
import waitress

from bike_pipeline import services
from bike_pipeline.dashboard.app import REFRESH_MS, create_app
from bike_pipeline.dashboard.matchmaking import lookup_matches
from bike_pipeline.dashboard.snapshot import DashboardData
from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.settings import Settings

REDIS_TIMEOUT_S = 5.0
THREADS = 8


def build_app(settings: Settings | None = None, refresh_ms: int = REFRESH_MS) -> dash.Dash:
    """The app on the environment's servers (the embedded ones, started when unset).

    The dashboard only reads, so it may point at a read-only role or a hot standby; it does
    not create the schema (the page says so until the tables exist)."""
    settings = settings or Settings.from_env()
    engine = app_engine(settings, schema=False)
    client = redis.Redis.from_url(
        services.redis_url(settings, embedded_redis_server.READER),
        socket_connect_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
    )
    data = DashboardData(engine, client, settings.reports_dir)
    return create_app(
        data,
        partial(lookup_matches, services.graph_url(settings, embedded_redis_server.GRAPH)),
        refresh_ms,
        reports_dir=settings.reports_dir,
    )


def serve(app: dash.Dash, host: str, port: int) -> None:
    """Serve until interrupted; a production WSGI server with a thread per request."""
    waitress.serve(app.server, host=host, port=port, threads=THREADS, ident="bike_pipeline")
