"""Redis names of the events (CONTRACT section 5): one channel per type and one stream.

`EventKeys` bundles them so a benchmark or a test can relay into its own namespace
without disturbing the listeners of the real one; everything defaults to `EVENT_KEYS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bike_pipeline.constants import EVENT_TYPES

STREAM = "bike_pipeline.events"
CHANNEL_PREFIX = "bike_pipeline.events."


@dataclass(frozen=True)
class EventKeys:
    stream: str = STREAM
    channel_prefix: str = CHANNEL_PREFIX

    def channel(self, event_type: str) -> str:
        """`<prefix><type>`, by default `bike_pipeline.events.<type>`."""
        return f"{self.channel_prefix}{event_type}"

    def channels(self) -> tuple[str, ...]:
        """Every type's channel, in `EVENT_TYPES` order."""
        return tuple(self.channel(event_type) for event_type in EVENT_TYPES)


EVENT_KEYS = EventKeys()


def stream_id(event_id: int) -> str:
    """The stream entry id of an event: `<event_id>-0`, so a re-append is refused by Redis."""
    return f"{event_id}-0"


def event_id_of(entry_id: bytes | str) -> int:
    """The event id back from a stream entry id."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(text.split("-", 1)[0])
