"""`bike-pipeline listen`: a summary line per simulated tick, a warning per totalled bike."""

from __future__ import annotations

import click

from bike_pipeline import services
from bike_pipeline.events.listener import EventListener


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
    listener = EventListener(redis_url or services.redis_url(), emit=click.echo)
    try:
        listener.run(from_start=from_start, once=once, max_seconds=max_seconds)
    except KeyboardInterrupt:
        listener.finish()
