"""Publish a batch of events in one server-side Lua script: stream append + channel publish.

A redis-py pipeline of PUBLISH and XADD manages about 100k events/s here, and even a
script call with three arguments per event spends most of its time building and parsing
arguments. So a batch travels as ONE argument, the payloads joined by newlines (as
PostgreSQL aggregates them), and the script reads each payload's `event_id` and `type`
from its fixed opening `{"event_id":N,"type":"T",` (see `payload.py`).

Each event is appended with the explicit stream id `<event_id>-0`. Redis refuses an id at
or below the stream's top. An event relayed twice (a crash between publishing and
deleting its outbox row) finds its own entry, identical, at that id: the script skips it
and its PUBLISH, and channel subscribers see it once. Any other refusal means the stream
went ahead without this event, by entries the relay did not write (a forged `XADD` just
ahead of the database): that is an error naming the id, never a skip. Before a batch the
stream's last entry must be the one the relay last confirmed (`expected_top`), so no
entry can slip in between the relay's own. The script runs atomically and its effects
reach the append-only file together, so a killed server keeps all of a batch or none.
"""

from __future__ import annotations

import redis

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys, stream_id

STREAM_FIELD = "event"
# Approximate cap on the stream's length: six months of the `seed` scenario (~0.5M events)
# fit four times over; a `full` run (~85M) would otherwise fill the server's memory.
STREAM_MAX_LENGTH = 2_000_000

FOREIGN_ENTRY_MARKER = "BP-FOREIGN-ENTRY"

_PUBLISH_BATCH_LUA = r"""
local stream = KEYS[1]
local field, prefix, max_length = ARGV[1], ARGV[2], tonumber(ARGV[3])
local expected_top, marker = ARGV[5], ARGV[6]
local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
local top = ''
if #last > 0 then top = last[1][1] end
if top ~= expected_top then
  return redis.error_reply(marker .. ' the stream ends at entry ' .. top ..
    ', not at the last event the relay appended (' .. expected_top .. ')')
end
local appended = 0
for payload in string.gmatch(ARGV[4], '[^\n]+') do
  local event_id, event_type = string.match(payload, '^{"event_id":(%d+),"type":"([%w_]+)"')
  if not event_id then
    return redis.error_reply('event payload does not open with event_id and type')
  end
  local id = event_id .. '-0'
  local added = redis.pcall('XADD', stream, id, field, payload)
  if type(added) == 'table' and added.err then
    if not string.find(added.err, 'equal or smaller', 1, true) then
      return added
    end
    local own = redis.call('XRANGE', stream, id, id)
    if #own == 1 then
      if own[1][2][2] ~= payload then
        return redis.error_reply(marker .. ' entry ' .. id ..
          ' holds a payload the relay did not write')
      end
    else
      local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
      local first_id = tonumber(string.match(first[1][1], '^(%d+)'))
      if tonumber(event_id) >= first_id then
        return redis.error_reply(marker .. ' event ' .. id ..
          ' refused: the stream went ahead of it (entries up to ' ..
          redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1][1] ..
          ') without this event')
      end
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


class ForeignStreamEntries(RuntimeError):
    """The stream holds entries the relay did not write; the message names them."""


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

    def publish(self, payload_lines: str, expected_top: int) -> int:
        """Publish newline-joined signed payloads (increasing ids); return how many were new.

        `expected_top` is the event id of the stream's last entry as the relay knows it
        (0: no entry). Repeats of events already on the stream are skipped and not
        counted. Raises `ForeignStreamEntries` when the stream holds entries the relay did
        not write, and `redis.RedisError` when Redis is unreachable or refuses the batch;
        then some, all or none of it may have been published, and publishing it again is
        safe.
        """
        if not payload_lines:
            return 0
        arguments = [
            STREAM_FIELD,
            self._keys.channel_prefix,
            self._max_length,
            payload_lines,
            stream_id(expected_top) if expected_top else "",
            FOREIGN_ENTRY_MARKER,
        ]
        try:
            return int(self._script(keys=[self._keys.stream], args=arguments))
        except redis.ResponseError as error:
            message = str(error)
            if FOREIGN_ENTRY_MARKER not in message:
                raise
            detail = message.split(FOREIGN_ENTRY_MARKER, 1)[1].strip()
            raise ForeignStreamEntries(
                f"the Redis stream {self._keys.stream!r} holds entries the relay did not "
                f"write: {detail}"
            ) from None
