"""Recent events placed at their bikes' stations, for the map.

Events without a bike (subscribed, insured, rent_refused) have no place and are left out.
Bikes do not move between stations in the simulation, but it buys replacement bikes, so
the locations are read again when an unknown bike id turns up.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.dashboard.queries import BikeLocation, RecentEvent, bike_locations


@dataclass(frozen=True)
class StationActivity:
    station: str
    latitude: float
    longitude: float
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class BikeLocations:
    """`core.bikes` coordinates, cached; reloaded when asked for a bike it does not know."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._locations: dict[int, BikeLocation] | None = None

    def lookup(self, bike_ids: Iterable[int]) -> dict[int, BikeLocation]:
        wanted = set(bike_ids)
        with self._lock:
            if self._locations is None or not wanted <= self._locations.keys():
                self._locations = bike_locations(self.engine)
            return {i: self._locations[i] for i in wanted if i in self._locations}


def station_activity(
    recent: Iterable[RecentEvent], locations: BikeLocations
) -> list[StationActivity]:
    """Events per type at each station, busiest station first."""
    placed = [event for event in recent if event.bike_id is not None]
    where = locations.lookup(event.bike_id for event in placed)
    by_station: dict[BikeLocation, Counter[str]] = {}
    for event in placed:
        location = where.get(event.bike_id)
        if location is not None:
            by_station.setdefault(location, Counter())[event.type] += 1
    activity = [
        StationActivity(place.station, place.latitude, place.longitude, dict(counts))
        for place, counts in by_station.items()
    ]
    return sorted(activity, key=lambda a: (-a.total, a.station))
