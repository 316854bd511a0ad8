"""The events listener: live from the type channels, gaps filled from the stream.

Pub/sub is at-most-once: a subscriber that is disconnected loses messages silently, and
redis-py would even resubscribe without telling. So this listener connects without
retries, and on every (re)connect subscribes first and then reads the stream after the
last event it counted; any later jump in `event_id` on a channel is filled from the stream
as well. Repeats from the overlap are dropped by `EventTally`. A stream reset by a new
simulation (ids start again) starts a new count.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.client import PubSub

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.connection import CONNECT_TIMEOUT_S, fail_fast_client
from bike_pipeline.events.stream import last_stream_event_id, read_after
from bike_pipeline.events.tally import EventTally

log = logging.getLogger(__name__)

POLL_S = 0.2
QUIET_FLUSH_S = 1.0  # a live tick's events arrive together; print its line a second later
RECONNECT_INTERVAL_S = 0.5


class EventListener:
    """Counts every event once; emits a line per tick and warns for each totalled bike.

    `redis_url` may be a function, asked again at every reconnect (None: not running), so
    the listener follows a server restarted on another port.
    """

    def __init__(
        self,
        redis_url: str | Callable[[], str | None],
        emit: Callable[[str], None] = print,
        keys: EventKeys = EVENT_KEYS,
        tally: EventTally | None = None,
    ) -> None:
        self._redis_url = redis_url
        self.emit = emit
        self.keys = keys
        self.tally = tally or EventTally()
        self.connection_failures = 0
        self._last_event_at = time.monotonic()

    def _current_url(self) -> str:
        if isinstance(self._redis_url, str):
            return self._redis_url
        url = self._redis_url()
        if url is None:
            raise redis.ConnectionError("Redis is not running")
        return url

    def accept(self, event: dict[str, Any]) -> None:
        """Count one event (repeats ignored) and emit what became ready."""
        if not self.tally.add(event):
            return
        self._last_event_at = time.monotonic()
        if event["type"] == "totalled":
            log.warning("bike %s totalled at %s", event["bike_id"], event["sim_time"])
        self._emit_summaries()

    def catch_up(self, client: redis.Redis, until_event_id: int | None = None) -> int:
        """Count the stream's events after the last one counted; return how many were read."""
        read = 0
        for _, payload in read_after(
            client, self.tally.last_event_id, self.keys, until_event_id=until_event_id
        ):
            self.accept(json.loads(payload))
            read += 1
        return read

    def skip_history(self, client: redis.Redis) -> None:
        """Start counting after the stream's current end (live events only)."""
        self.tally.last_event_id = max(
            self.tally.last_event_id, last_stream_event_id(client, self.keys)
        )

    def _follow_stream_reset(self, client: redis.Redis) -> None:
        """Start a new count when the stream was reset (`reset_stream`, a new simulation).

        Every event seen was on the stream first (the relay's script appends, then
        publishes), so a stream whose top is below the last event counted was reset.
        """
        if last_stream_event_id(client, self.keys) < self.tally.last_event_id:
            log.warning("the events stream was reset (a new simulation?): counting anew")
            self.finish()
            self.tally = EventTally()

    def finish(self) -> None:
        """Emit the open tick's line and the totals."""
        self.tally.flush()
        self._emit_summaries()
        self.emit(self.tally.totals_line())

    def run(
        self,
        from_start: bool = False,
        once: bool = False,
        max_seconds: float | None = None,
        stop: threading.Event | None = None,
    ) -> EventTally:
        """Listen until `stop`, `max_seconds` or (with `once`) the end of the stream."""
        stop = stop or threading.Event()
        deadline = time.monotonic() + max_seconds if max_seconds is not None else None

        def done() -> bool:
            return stop.is_set() or (deadline is not None and time.monotonic() >= deadline)

        skip_history = not from_start
        outage = False
        while not done():
            try:
                with self._connection() as (client, pubsub):
                    early = self._subscribe(pubsub)
                    self._follow_stream_reset(client)
                    if outage:
                        log.info("Redis is back; catching up from the stream")
                        outage = False
                    if skip_history:
                        self.skip_history(client)
                        skip_history = False
                    self.catch_up(client)
                    if once:
                        break
                    for message in early:
                        self._on_message(client, message)
                    self._listen(client, pubsub, done)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                self.connection_failures += 1
                if not outage:
                    log.warning("Redis unreachable (%s); reconnecting", type(error).__name__)
                outage = True
                stop.wait(RECONNECT_INTERVAL_S)
        self.finish()
        return self.tally

    @contextmanager
    def _connection(self) -> Iterator[tuple[redis.Redis, PubSub]]:
        client = fail_fast_client(self._current_url())
        pubsub = client.pubsub()
        try:
            yield client, pubsub
        finally:
            pubsub.close()
            client.close()

    def _subscribe(self, pubsub: PubSub) -> list[dict[str, Any]]:
        """Subscribe and wait until Redis confirms, so the catch-up that follows cannot
        miss an event published in between; return the messages that came meanwhile."""
        channels = self.keys.channels()
        pubsub.subscribe(*channels)
        confirmed, early = 0, []
        while confirmed < len(channels):
            message = pubsub.get_message(timeout=CONNECT_TIMEOUT_S)
            if message is None:
                raise redis.TimeoutError("no subscribe confirmation")
            if message["type"] == "subscribe":
                confirmed += 1
            else:
                early.append(message)
        return early

    def _listen(self, client: redis.Redis, pubsub: PubSub, done: Callable[[], bool]) -> None:
        while not done():
            message = pubsub.get_message(timeout=POLL_S)
            if message is None:
                self._flush_when_quiet()
            else:
                self._on_message(client, message)

    def _on_message(self, client: redis.Redis, message: dict[str, Any]) -> None:
        if message["type"] != "message":
            return
        event = json.loads(message["data"])
        if event["event_id"] <= self.tally.last_event_id:
            self._follow_stream_reset(client)
        if event["event_id"] > self.tally.last_event_id + 1:  # missed some: from the stream
            self.catch_up(client, until_event_id=event["event_id"] - 1)
        self.accept(event)

    def _flush_when_quiet(self) -> None:
        if self.tally.has_open_tick() and time.monotonic() - self._last_event_at > QUIET_FLUSH_S:
            self.tally.flush()
            self._emit_summaries()

    def _emit_summaries(self) -> None:
        for summary in self.tally.take_summaries():
            self.emit(summary.line())
