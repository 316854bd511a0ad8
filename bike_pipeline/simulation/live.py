"""Live mode's schedule: which ticks are due at a fixed real-time pace.

An anchor pins tick `anchor_tick` to the wall-clock instant `anchor_epoch`; tick t is due
at `anchor_epoch + (t - anchor_tick) * pace`. Each sensor evaluation asks for the ticks
from the first uncommitted one up to those due within the next `horizon` seconds; the run
sleeps until each tick is due, so consecutive runs keep the pace without drifting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LIVE_PACE_SECONDS = 2.0
LIVE_HORIZON_SECONDS = 30.0


@dataclass(frozen=True)
class LiveWindow:
    anchor_epoch: float
    anchor_tick: int
    first_tick: int
    until_tick: int  # exclusive

    @property
    def ticks(self) -> int:
        return self.until_tick - self.first_tick


def live_window(
    now: float,
    next_tick: int,
    anchor: tuple[float, int] | None,
    pace: float = LIVE_PACE_SECONDS,
    horizon: float = LIVE_HORIZON_SECONDS,
) -> LiveWindow:
    """The window to run next. Without an anchor, or when the backlog of overdue ticks
    exceeds two horizons (live mode was off for a while), re-anchor at `now` on
    `next_tick`: live mode resumes from the last committed tick instead of racing
    through the missed hours."""
    if anchor is not None:
        anchor_epoch, anchor_tick = anchor
        overdue = (now - anchor_epoch) / pace - (next_tick - anchor_tick)
        if overdue * pace > 2 * horizon or next_tick < anchor_tick:
            anchor = None
    if anchor is None:
        anchor_epoch, anchor_tick = now, next_tick
    until = anchor_tick + math.floor((now + horizon - anchor_epoch) / pace)
    return LiveWindow(anchor_epoch, anchor_tick, next_tick, max(until, next_tick))
