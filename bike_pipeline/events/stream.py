"""Reading the events stream: its top event id, the events after a given id, a reset."""

from __future__ import annotations

from collections.abc import Iterator

import redis

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys, event_id_of, stream_id
from bike_pipeline.events.publisher import STREAM_FIELD

READ_COUNT = 10_000


def last_stream_event_id(client: redis.Redis, keys: EventKeys = EVENT_KEYS) -> int:
    """The highest event id ever appended to the stream (0 when there is no stream).

    This is the stream's last generated id, which survives trimming and deleting entries:
    every event up to it has been appended (or refused as a duplicate).
    """
    try:
        info = client.xinfo_stream(keys.stream)
    except redis.ResponseError:  # no such key
        return 0
    return event_id_of(info["last-generated-id"])


def read_after(
    client: redis.Redis,
    after_event_id: int,
    keys: EventKeys = EVENT_KEYS,
    count: int = READ_COUNT,
    until_event_id: int | None = None,
) -> Iterator[tuple[int, bytes]]:
    """Yield (event_id, payload) of every stream entry after `after_event_id`, in order."""
    start = after_event_id
    end = stream_id(until_event_id) if until_event_id is not None else "+"
    while True:
        entries = client.xrange(keys.stream, min=stream_id(start + 1), max=end, count=count)
        for entry_id, fields in entries:
            start = event_id_of(entry_id)
            yield start, fields.get(STREAM_FIELD.encode(), fields.get(STREAM_FIELD))
        if len(entries) < count:
            return


def reset_stream(client: redis.Redis, keys: EventKeys = EVENT_KEYS) -> None:
    """Drop the stream: call when the simulation starts again and event ids restart."""
    client.delete(keys.stream)
