"""The listener's core, without Redis: drop repeats, count per tick, keep running totals.

Events reach a listener twice in normal operation: the stream catch-up after a reconnect
overlaps with what the channels deliver, and the relay republishes after a crash. Every
source delivers in `event_id` order (one relay at a time, the stream is ordered), so the
highest id seen is all the memory deduplication needs: anything at or below it is a repeat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bike_pipeline.db.models import EVENT_TYPES


def _counts_text(counts: Mapping[str, int]) -> str:
    return " ".join(f"{event_type}={counts.get(event_type, 0)}" for event_type in EVENT_TYPES)


@dataclass(frozen=True)
class TickSummary:
    tick: int
    sim_time: str
    counts: dict[str, int]
    totals: dict[str, int]

    def line(self) -> str:
        return (
            f"tick {self.tick} {self.sim_time} | {_counts_text(self.counts)} "
            f"| totals {_counts_text(self.totals)}"
        )


class EventTally:
    """Counts events once each, per tick and in total; a tick's summary is ready when the
    next tick's first event arrives (or when the listener flushes it after a quiet spell)."""

    def __init__(self, last_event_id: int = 0) -> None:
        self.last_event_id = last_event_id
        self.repeats = 0
        self.totals: Counter[str] = Counter()
        self._tick = -1
        self._tick_time = ""
        self._tick_counts: Counter[str] = Counter()
        self._ready: list[TickSummary] = []

    def add(self, event: Mapping[str, Any]) -> bool:
        """Count `event` unless it is a repeat; True when it was new."""
        event_id = int(event["event_id"])
        if event_id <= self.last_event_id:
            self.repeats += 1
            return False
        self.last_event_id = event_id
        tick = int(event["tick"])
        if tick != self._tick:
            self.flush()
            self._tick, self._tick_time = tick, str(event["sim_time"])
        self._tick_counts[event["type"]] += 1
        self.totals[event["type"]] += 1
        return True

    def flush(self) -> None:
        """Close the open tick's counts (if any) into a summary."""
        if self._tick_counts:
            self._ready.append(
                TickSummary(self._tick, self._tick_time, dict(self._tick_counts), dict(self.totals))
            )
            self._tick_counts = Counter()

    def has_open_tick(self) -> bool:
        return bool(self._tick_counts)

    def take_summaries(self) -> list[TickSummary]:
        """The summaries completed since the last call, oldest first."""
        ready, self._ready = self._ready, []
        return ready

    def totals_line(self) -> str:
        return f"totals {_counts_text(self.totals)} | last event_id {self.last_event_id}"
