"""Publish a batch of events in one server-side Lua script: stream append + channel publish.

A redis-py pipeline of PUBLISH and XADD manages about 100k events/s here, and even a
script call with three arguments per event spends most of its time building and parsing
arguments. So a batch travels as ONE argument, the payloads joined by newlines (as
PostgreSQL aggregates them), and the script reads each payload's `event_id` and `type`
from its fixed opening `{"event_id":N,"type":"T",` (see `payload.py`).

Each event is appended with the explicit stream id `<event_id>-0`. Redis refuses an id at
or below the stream's top, so an event relayed twice (a crash between publishing and
deleting its outbox row) is refused instead of duplicated; the script then also skips its
PUBLISH, and channel subscribers see it once. The script runs atomically and its effects
reach the append-only file together, so a killed server keeps all of a batch or none.
"""

from __future__ import annotations

import redis

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys

STREAM_FIELD = "event"
# Approximate cap on the stream's length: six months of the `seed` scenario (~0.5M events)
# fit four times over; a `full` run (~85M) would otherwise fill the server's memory.
STREAM_MAX_LENGTH = 2_000_000

_PUBLISH_BATCH_LUA = r"""
local stream = KEYS[1]
local field, prefix, max_length = ARGV[1], ARGV[2], tonumber(ARGV[3])
local appended = 0
for payload in string.gmatch(ARGV[4], '[^\n]+') do
  local event_id, event_type = string.match(payload, '^{"event_id":(%d+),"type":"([%w_]+)"')
  if not event_id then
    return redis.error_reply('event payload does not open with event_id and type')
  end
  local added = redis.pcall('XADD', stream, event_id .. '-0', field, payload)
  if type(added) == 'table' and added.err then
    if not string.find(added.err, 'equal or smaller', 1, true) then
      return added
    end
  else
    redis.call('PUBLISH', prefix .. event_type, payload)
    appended = appended + 1
  end
end
if max_length > 0 then
  redis.call('XTRIM', stream, 'MAXLEN', '~', max_length)
end
return appended
"""


class EventPublisher:
    """Publishes batches of payloads on their type channels and the stream."""

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

    def publish(self, payload_lines: str) -> int:
        """Publish newline-joined payloads (increasing ids); return how many were new.

        Repeats of events already on the stream are refused and not counted. Raises
        `redis.RedisError` when Redis is unreachable or refuses the batch; then some, all
        or none of it may have been published, and publishing it again is safe.
        """
        if not payload_lines:
            return 0
        arguments = [STREAM_FIELD, self._keys.channel_prefix, self._max_length, payload_lines]
        return int(self._script(keys=[self._keys.stream], args=arguments))
