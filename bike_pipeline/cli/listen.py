"""`bike-pipeline listen`: a summary line per simulated tick, a warning per totalled bike,
and a line per finished Dagster run (channel `bike_pipeline.runs`)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import click

from bike_pipeline import services
from bike_pipeline.events.listener import EventListener
from bike_pipeline.events.run_notices import RunNoticeFollower
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.settings import Settings


def _redis_url(explicit: str | None) -> str | Callable[[], str | None]:
    """The given or configured URL; else the embedded server's, looked up at each reconnect
    (started once now when it is down, then followed across restarts, never restarted)."""
    settings = Settings.from_env()
    if explicit or settings.redis_url:
        return explicit or services.redis_url(settings)
    services.redis_url(settings)
    return lambda: embedded_redis_server.running_url(settings.home, embedded_redis_server.READER)


@click.command()
@click.option(
    "--from-start", is_flag=True, help="Count every event on the stream first, not only new ones."
)
@click.option("--once", is_flag=True, help="Stop at the end of the stream instead of listening.")
@click.option(
    "--max-seconds", type=click.FloatRange(min=0), default=None, help="Stop after this long."
)
@click.option("--redis-url", default=None, help="Redis URL; default: the configured one.")
def listen(from_start: bool, once: bool, max_seconds: float | None, redis_url: str | None) -> None:
    """Subscribe to every event channel: one line per tick with its counts per type and the
    running totals; reconnects after a Redis restart and catches up from the stream."""
    url = _redis_url(redis_url)
    listener = EventListener(url, emit=click.echo)
    notices_done = threading.Event()
    if not once:
        RunNoticeFollower(url, emit=click.echo).start(notices_done)
    try:
        listener.run(from_start=from_start, once=once, max_seconds=max_seconds)
    except KeyboardInterrupt:
        listener.finish()
    finally:
        notices_done.set()
