"""Live event figures: a PostgreSQL baseline, then the Redis stream read incrementally.

On the first refresh (and after a simulation reset) the counts, the hourly demand and the
recent events come from `core.events` up to its last event id M; every later refresh
reads only the stream entries after the last id it has seen (the first time: after M).
Events come on the stream in `event_id` order (one relay at a time), so the two sources
cover exactly the events 1..`last_event_id` between them: nothing is counted twice, a
trimmed stream does not matter, and the events the relay has not published yet when the
baseline is taken are already in it. A reset is recognised by the simulation's
`started_at`, which a new run sets afresh; a gap in the event ids (entries trimmed off the
stream before they were read: event ids are consecutive) by a new baseline. The recent
events kept are the last ones with a bike (the live map's), whatever came after them. A
stream entry that is not a signed, well-formed event (`events.inbound`) is logged once by
its id and skipped, never counted and never an error of the page.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa

from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.queries import DEMAND_TYPES, RecentEvent, SimulationRun
from bike_pipeline.db.models import EVENT_TYPES
from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.inbound import RejectedMessage, decode_event
from bike_pipeline.events.payload import SIM_TIME_ZONE
from bike_pipeline.events.signature import EventSigner, event_signer
from bike_pipeline.events.stream import read_after

log = logging.getLogger(__name__)

RECENT_EVENTS = 500
_LOCAL = ZoneInfo(SIM_TIME_ZONE)


@dataclass(frozen=True)
class LiveView:
    """What the events say, up to and including `last_event_id`."""

    last_event_id: int
    counts: dict[str, int]
    demand: dict[datetime, dict[str, int]]
    recent: tuple[RecentEvent, ...]  # the most recent events that have a bike (the map's)
    last_sim_time: datetime | None = None

    @property
    def sim_time(self) -> datetime | None:
        """The simulated local time of the last event counted."""
        return self.last_sim_time.astimezone(_LOCAL) if self.last_sim_time else None

    @property
    def unmet_demand(self) -> int:
        return self.counts["rent_refused"]


def hour_of(sim_time: datetime) -> datetime:
    """The simulated local hour (naive), as `queries.local_hour` computes it in SQL."""
    local = sim_time.astimezone(_LOCAL)
    return local.replace(minute=0, second=0, microsecond=0, tzinfo=None)


class LiveEvents:
    """Keeps the live figures of one database and its events stream; thread-safe."""

    def __init__(
        self,
        engine: sa.Engine,
        client: redis.Redis,
        keys: EventKeys = EVENT_KEYS,
        recent_size: int = RECENT_EVENTS,
        signer: EventSigner | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer or event_signer()
        self.rejected: set[int] = set()
        self.client = client
        self.keys = keys
        self._lock = threading.Lock()
        self._recent: deque[RecentEvent] = deque(maxlen=recent_size)
        self._last_sim_time: datetime | None = None
        self._run: SimulationRun | None = None
        self._last_event_id = 0
        self._counts: dict[str, int] = dict.fromkeys(EVENT_TYPES, 0)
        self._demand: dict[datetime, dict[str, int]] = {}

    def refresh(self) -> LiveView:
        """Catch up with the stream and return the figures. Raises `redis.RedisError`
        when Redis is unreachable (the figures already held stay as they were)."""
        with self._lock:
            run = queries.simulation_run(self.engine)
            same_run = run is not None and self._run is not None
            same_run = same_run and run.started_at == self._run.started_at
            if not same_run:
                self._baseline(run)
            else:
                previous = self._last_event_id
                for event_id, payload in read_after(self.client, self._last_event_id, self.keys):
                    if event_id != previous + 1:  # trimmed away unread, or forged: recount
                        self._baseline(run)
                        break
                    previous = event_id
                    try:
                        event = decode_event(self.signer, payload)
                    except RejectedMessage as error:
                        if event_id not in self.rejected:
                            self.rejected.add(event_id)
                            log.warning("skipped stream entry %d-0: %s", event_id, error)
                        continue
                    self._add(event)
            return LiveView(
                last_event_id=self._last_event_id,
                counts=dict(self._counts),
                demand={hour: dict(n) for hour, n in self._demand.items()},
                recent=tuple(self._recent),
                last_sim_time=self._last_sim_time,
            )

    def _baseline(self, run: SimulationRun | None) -> None:
        """Take the figures from PostgreSQL; then check that Redis answers, so an
        unreachable Redis is reported even when the database alone could answer."""
        self._run = run
        top = queries.last_event_id(self.engine)
        self._last_event_id = top
        self._counts = queries.event_counts_upto(self.engine, top)
        self._demand = queries.hourly_demand_upto(self.engine, top)
        self._last_sim_time = queries.event_sim_time(self.engine, top)
        self._recent.clear()
        self._recent.extend(queries.recent_events_upto(self.engine, top, self._recent.maxlen or 0))
        self.client.ping()

    def _add(self, event: dict[str, Any]) -> None:
        event_type = event["type"]
        sim_time = datetime.fromisoformat(event["sim_time"])
        self._last_event_id = int(event["event_id"])
        self._last_sim_time = sim_time
        self._counts[event_type] = self._counts.get(event_type, 0) + 1
        if event_type in DEMAND_TYPES:
            hour = self._demand.setdefault(hour_of(sim_time), dict.fromkeys(DEMAND_TYPES, 0))
            hour[event_type] += 1
        if event["bike_id"] is not None:  # the map's buffer: filtered before it cuts
            self._recent.append(
                RecentEvent(self._last_event_id, event_type, event["bike_id"], sim_time)
            )
