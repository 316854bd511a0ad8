"""Publish a batch of events in one server-side Lua script: stream append + channel publish.

A redis-py pipeline of PUBLISH and XADD manages about 100k events/s here; one script call
per few thousand events does both on the server and removes the per-command client work.

Each event is appended with the explicit stream id `<event_id>-0`. Redis refuses an id at
or below the stream's top, so an event relayed twice (a crash between publishing and
deleting its outbox row) is refused instead of duplicated; the script then also skips its
PUBLISH, and channel subscribers see it once. The script runs atomically and its effects
reach the append-only file together, so a killed server keeps all of a batch or none.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys, stream_id

STREAM_FIELD = "event"
# Approximate cap on the stream's length: six months of the `seed` scenario (~0.5M events)
# fit four times over; a `full` run (~85M) would otherwise fill the server's memory.
STREAM_MAX_LENGTH = 2_000_000

_PUBLISH_BATCH_LUA = """
local stream, field = KEYS[1], ARGV[1]
local appended = 0
for i = 3, #ARGV, 3 do
  local added = redis.pcall('XADD', stream, ARGV[i], field, ARGV[i + 2])
  if type(added) == 'table' and added.err then
    if not string.find(added.err, 'equal or smaller', 1, true) then
      return added
    end
  else
    redis.call('PUBLISH', ARGV[i + 1], ARGV[i + 2])
    appended = appended + 1
  end
end
if tonumber(ARGV[2]) > 0 then
  redis.call('XTRIM', stream, 'MAXLEN', '~', ARGV[2])
end
return appended
"""

PendingEvent = tuple[int, str, str]  # event_id, type, payload JSON


class EventPublisher:
    """Publishes batches of (event_id, type, payload) on the type channels and the stream."""

    def __init__(
        self,
        client: redis.Redis,
        keys: EventKeys = EVENT_KEYS,
        stream_max_length: int = STREAM_MAX_LENGTH,
    ) -> None:
        self._client = client
        self._keys = keys
        self._max_length = stream_max_length
        self._script = client.register_script(_PUBLISH_BATCH_LUA)

    def publish(self, events: Sequence[PendingEvent]) -> int:
        """Publish `events` (increasing ids); return how many were new (not refused duplicates).

        Raises `redis.RedisError` when Redis is unreachable or refuses the batch; then some,
        all or none of the batch may have been published, and publishing it again is safe.
        """
        if not events:
            return 0
        arguments: list[str | int] = [STREAM_FIELD, self._max_length]
        channel = self._keys.channel
        for event_id, event_type, payload in events:
            arguments.extend((stream_id(event_id), channel(event_type), payload))
        return int(self._script(keys=[self._keys.stream], args=arguments))
