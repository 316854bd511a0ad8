"""Running a listener in a thread for the tests, and waiting on it without sleeping blindly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
import sqlalchemy as sa

from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.listener import EventListener

WAIT_S = 20.0


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.02)


def database_counts(engine: sa.Engine, after_event_id: int = 0) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT type, count(*) FROM core.events WHERE event_id > :after GROUP BY type"),
            {"after": after_event_id},
        )
        return {event_type: int(count) for event_type, count in rows}


def subscribers(client: redis.Redis) -> int:
    return int(client.pubsub_numsub(EVENT_KEYS.channel("rented"))[0][1])


@contextmanager
def running_listener(
    redis_url: str,
    from_start: bool,
    follow: Callable[[], str | None] | None = None,
    lines: list[str] | None = None,
) -> Iterator[EventListener]:
    """A listener in a thread, yielded once it is subscribed; stopped and joined afterwards.

    With `follow`, the listener asks it for the URL at every reconnect; its output goes
    to `lines`."""
    probe = redis.Redis.from_url(redis_url)
    before = subscribers(probe)
    listener = EventListener(follow or redis_url, emit=(lines if lines is not None else []).append)
    stop = threading.Event()
    thread = threading.Thread(target=listener.run, kwargs={"from_start": from_start, "stop": stop})
    thread.start()
    try:
        wait_for(lambda: subscribers(probe) > before, "the listener to subscribe")
        yield listener
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
        probe.close()
    assert not thread.is_alive()
