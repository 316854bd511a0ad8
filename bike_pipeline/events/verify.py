"""Check that every entry on the events stream is one the relay wrote from the database.

An entry of the relay has the id `<event_id>-0`, a payload whose `event_id` is that id,
and a valid MAC (`signature.py`). Anything else was added by someone else holding write
access to Redis: it is reported by its entry id (never by its payload, which may carry
anything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import redis

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.publisher import STREAM_FIELD
from bike_pipeline.events.signature import EventSigner

READ_COUNT = 10_000
_OWN_ID = re.compile(rb"\A(\d+)-0\Z")
_PAYLOAD_ID = re.compile(rb'\A\{"event_id":(\d+),')


@dataclass(frozen=True)
class ForeignEntry:
    entry_id: str
    reason: str

    def describe(self) -> str:
        return f"{self.entry_id} ({self.reason})"


def check_entry(signer: EventSigner, entry_id: bytes, payload: bytes | None) -> str | None:
    """Why the stream entry is not the relay's, or None when it is."""
    own = _OWN_ID.match(entry_id)
    if own is None:
        return "not an event id"
    if payload is None:
        return f"no {STREAM_FIELD!r} field"
    claimed = _PAYLOAD_ID.match(payload)
    if claimed is None or claimed.group(1) != own.group(1):
        return "payload event_id differs from the entry id"
    if not signer.verify(payload):
        return "no valid MAC"
    return None


def foreign_entries(
    client: redis.Redis,
    signer: EventSigner,
    keys: EventKeys = EVENT_KEYS,
    count: int = READ_COUNT,
) -> list[ForeignEntry]:
    """Every entry on the stream that the relay did not write, in stream order."""
    found: list[ForeignEntry] = []
    start = "-"
    field = STREAM_FIELD.encode()
    while True:
        entries = client.xrange(keys.stream, min=start, max="+", count=count)
        for entry_id, fields in entries:
            entry = entry_id if isinstance(entry_id, bytes) else entry_id.encode()
            payload = fields.get(field)
            reason = check_entry(signer, entry, payload)
            if reason is not None:
                found.append(ForeignEntry(entry.decode(), reason))
        if len(entries) < count:
            return found
        last = entries[-1][0]
        start = "(" + (last.decode() if isinstance(last, bytes) else last)


def describe_foreign(
    found: list[ForeignEntry], keys: EventKeys = EVENT_KEYS, shown: int = 5
) -> str:
    listed = ", ".join(entry.describe() for entry in found[:shown])
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return (
        f"the Redis stream {keys.stream!r} holds {len(found)} entries this database did not "
        f"write: {listed}{more}. Delete the stream (URL from `bike-pipeline services env`): "
        f'redis-cli -u "$BIKE_PIPELINE_REDIS_URL" DEL {keys.stream} (the next relay '
        "publishes every event again, in order, signed), and find who holds write access "
        "to Redis"
    )
