"""The events listener: live from the type channels, gaps filled from the stream.

Pub/sub is at-most-once: a subscriber that is disconnected loses messages silently, and
redis-py would even resubscribe without telling. So this listener connects without
retries, and on every (re)connect subscribes first and then reads the stream after the
last event it counted; any later jump in `event_id` on a channel is filled from the stream
as well. Repeats from the overlap are dropped by `EventTally`. A stream reset by a new
simulation (ids start again) starts a new count.

Nothing received is trusted: a message or stream entry that is not a signed, well-formed
event (`inbound.py`) is counted, logged once with its id (never its payload) and skipped.

Falling behind: Redis buffers a subscriber's unread messages and drops the connection
past its output-buffer limit (32 MB by default). So the listener compares, every second,
the stream's top with the last event it counted; more than `MAX_LAG_EVENTS` behind, it
unsubscribes and reads the stream alone (which Redis does not buffer) until it is close,
then subscribes again. A connection Redis closed while it answers others is logged as
that, with how far behind the listener was and how it caught up.
"""

from __future__ import annotations

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
from bike_pipeline.events.inbound import RejectedMessage, decode_event
from bike_pipeline.events.publisher import STREAM_FIELD
from bike_pipeline.events.signature import EventSigner, event_signer
from bike_pipeline.events.stream import READ_COUNT, last_stream_event_id
from bike_pipeline.events.tally import EventTally

log = logging.getLogger(__name__)

POLL_S = 0.2
QUIET_FLUSH_S = 1.0  # a live tick's events arrive together; print its line a second later
RECONNECT_INTERVAL_S = 0.5
LAG_CHECK_S = 1.0
# About 5 MB of payloads: well inside Redis's pub/sub buffer limits (8 MB for 60 s, 32 MB).
MAX_LAG_EVENTS = 20_000


class _FellBehind(Exception):
    """Leave the subscription to read the stream alone."""

    def __init__(self, lag: int) -> None:
        super().__init__(f"{lag} events behind")
        self.lag = lag


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
        signer: EventSigner | None = None,
        max_lag_events: int = MAX_LAG_EVENTS,
    ) -> None:
        self._redis_url = redis_url
        self.emit = emit
        self.keys = keys
        self.tally = tally or EventTally()
        self.signer = signer or event_signer()
        self.max_lag_events = max_lag_events
        self.connection_failures = 0
        self.rejected = 0
        self.trimmed = 0
        self._rejected_ids: set[str] = set()
        # The last stream entry read, counted or rejected, as (ms, seq) of its id.
        self._stream_position = (0, 0)
        self._last_event_at = time.monotonic()
        self._next_lag_check = 0.0

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
            log.warning("bike %s totalled at %s", event.get("bike_id"), event["sim_time"])
        self._emit_summaries()

    def _reject(self, where: str, error: RejectedMessage) -> None:
        """Count and log a bad message once (a stream entry may be read again)."""
        if where in self._rejected_ids:
            return
        self._rejected_ids.add(where)
        self.rejected += 1
        log.warning("skipped %s: %s", where, error)

    def catch_up(
        self, client: redis.Redis, until_event_id: int | None = None, one_page: bool = False
    ) -> int:
        """Count the stream's events after the last one counted (with `one_page`, at most
        `READ_COUNT` entries); return how many entries were read (counted, repeated or
        rejected)."""
        read = 0
        expected = self.tally.last_event_id + 1
        for entry, payload in self._entries_after(client, until_event_id, one_page):
            read += 1
            self._stream_position = entry
            where = f"stream entry {entry[0]}-{entry[1]}"
            try:
                event = decode_event(self.signer, payload)
            except RejectedMessage as error:
                self._reject(where, error)
                continue
            if entry != (event["event_id"], 0):
                self._reject(where, RejectedMessage("entry id is not the payload's event_id"))
                continue
            if event["event_id"] > expected and self.tally.last_event_id:
                self.trimmed += event["event_id"] - expected
                log.warning(
                    "events %d to %d were trimmed off the stream before the listener read "
                    "them: not counted",
                    expected,
                    event["event_id"] - 1,
                )
            expected = event["event_id"] + 1
            self.accept(event)
        return read

    def _entries_after(
        self, client: redis.Redis, until_event_id: int | None, one_page: bool = False
    ) -> Iterator[tuple[tuple[int, int], bytes | None]]:
        """((ms, seq), payload) of every entry after the position, in stream order."""
        start = max((self.tally.last_event_id, 0), self._stream_position)
        end = f"{until_event_id}-0" if until_event_id is not None else "+"
        field = STREAM_FIELD.encode()
        while True:
            entries = client.xrange(
                self.keys.stream, min=f"({start[0]}-{start[1]}", max=end, count=READ_COUNT
            )
            for entry_id, fields in entries:
                text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                ms, seq = text.split("-", 1)
                start = (int(ms), int(seq))
                yield start, fields.get(field)
            if len(entries) < READ_COUNT or one_page:
                return

    def skip_history(self, client: redis.Redis) -> None:
        """Start counting after the stream's current end (live events only)."""
        self.tally.last_event_id = max(
            self.tally.last_event_id, last_stream_event_id(client, self.keys)
        )

    def _position(self) -> int:
        """Where reading the stream goes on: past rejected entries too, read only once."""
        return max(self.tally.last_event_id, self._stream_position[0])

    def _lag(self, client: redis.Redis) -> int:
        return max(0, last_stream_event_id(client, self.keys) - self._position())

    def _follow_stream_reset(self, client: redis.Redis) -> None:
        """Start a new count when the stream was reset (`reset_stream`, a new simulation).

        Every event seen was on the stream first (the relay's script appends, then
        publishes), so a stream whose top is below the last event counted was reset.
        """
        if last_stream_event_id(client, self.keys) < self.tally.last_event_id:
            log.warning("the events stream was reset (a new simulation?): counting anew")
            self.finish()
            self.tally = EventTally()
            self._stream_position = (0, 0)

    def finish(self) -> None:
        """Emit the open tick's line and the totals."""
        self.tally.flush()
        self._emit_summaries()
        self.emit(self.tally.totals_line())
        if self.rejected:
            self.emit(f"{self.rejected} malformed or unsigned messages skipped (see the log)")

    def _read_stream_alone(self, client: redis.Redis, done: Callable[[], bool]) -> None:
        """While far behind, read the stream without a subscription Redis would buffer."""
        lag = self._lag(client)
        if lag <= self.max_lag_events:
            return
        log.info("%d events behind the stream: reading the stream alone until close", lag)
        read = 0
        while lag > self.max_lag_events and not done():
            # One read's worth at a time, so a stop request is heard in between.
            new = self.catch_up(client, one_page=True)
            if not new:  # nothing left to read up to the top (entries deleted)
                break
            read += new
            lag = self._lag(client)
        log.info("caught up from the stream (%d entries read); subscribing again", read)

    def _explain_drop(self, error: redis.ConnectionError) -> bool:
        """Log why the connection went; True when Redis itself is still up (it closed us)."""
        try:
            probe = fail_fast_client(self._current_url())
            try:
                lag = self._lag(probe)
            finally:
                probe.close()
        except redis.RedisError:
            return False
        log.warning(
            "Redis closed the listener's connection (%s) while it answers other clients: "
            "the listener was %d events behind the stream's top (a subscriber that falls "
            "behind past Redis's pub/sub output-buffer limit is dropped); catching up from "
            "the stream",
            error,
            lag,
        )
        return True

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
                    if outage:
                        log.info("Redis is back; catching up from the stream")
                        outage = False
                    if skip_history:
                        self.skip_history(client)
                        skip_history = False
                    self._follow_stream_reset(client)
                    if once:  # no subscription: nothing for Redis to buffer meanwhile
                        self.catch_up(client)
                        break
                    self._read_stream_alone(client, done)
                    early = self._subscribe(pubsub)
                    self._follow_stream_reset(client)
                    self.catch_up(client)
                    for message in early:
                        self._on_message(client, message)
                    self._listen(client, pubsub, done)
            except _FellBehind as behind:
                log.info(
                    "%d events behind the stream: leaving the channels to read the stream",
                    behind.lag,
                )
            except (redis.ConnectionError, redis.TimeoutError) as error:
                self.connection_failures += 1
                closed_by_server = isinstance(error, redis.ConnectionError) and (
                    self._explain_drop(error)
                )
                if not closed_by_server:
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
            now = time.monotonic()
            if now >= self._next_lag_check:
                self._next_lag_check = now + LAG_CHECK_S
                lag = self._lag(client)
                if lag > self.max_lag_events:
                    raise _FellBehind(lag)

    def _on_message(self, client: redis.Redis, message: dict[str, Any]) -> None:
        if message["type"] != "message":
            return
        try:
            event = decode_event(self.signer, message["data"])
        except RejectedMessage as error:
            channel = message.get("channel")
            name = channel.decode(errors="replace") if isinstance(channel, bytes) else channel
            self._reject(f"message #{self.rejected + 1} on channel {name}", error)
            return
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
