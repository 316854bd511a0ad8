"""Recent events placed at stations; replacement bikes found after a reload."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from bike_pipeline.dashboard.queries import RecentEvent
from bike_pipeline.dashboard.stations import BikeLocations, station_activity
from bike_pipeline.db.models import Bike
from bike_pipeline_tests.dashboard.world import rows

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _add_bike(engine: sa.Engine, bike_id: int, station: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Bike),
            [
                {
                    "bike_id": bike_id,
                    "frame_number": f"NEW{bike_id}",
                    "model": "city",
                    "purchased_on": date(2026, 1, 1),
                    "purchase_price_eur": Decimal("900.00"),
                    "status": "available",
                    "station": station,
                    "latitude": 52.5,
                    "longitude": 5.5,
                }
            ],
        )


def test_events_are_counted_per_station_and_type(dumped: sa.Engine) -> None:
    bikes = rows(dumped, "SELECT bike_id, station FROM core.bikes ORDER BY bike_id LIMIT 6")
    recent = [RecentEvent(1, "subscribed", None, AT), RecentEvent(2, "rent_refused", None, AT)]
    recent += [
        RecentEvent(10 + i, ("rented", "dropped")[i % 2], bike_id, AT)
        for i, (bike_id, _) in enumerate(bikes * 3)
    ]
    activity = station_activity(recent, BikeLocations(dumped))
    expected: dict[str, Counter[str]] = {}
    for i, (_, station) in enumerate(bikes * 3):
        expected.setdefault(station, Counter())[("rented", "dropped")[i % 2]] += 1
    assert {a.station: Counter(a.counts) for a in activity} == expected
    assert sum(a.total for a in activity) == 18  # the events without a bike have no place
    assert [a.total for a in activity] == sorted((a.total for a in activity), reverse=True)


def test_a_bike_bought_after_the_first_lookup_is_found(dumped: sa.Engine) -> None:
    locations = BikeLocations(dumped)
    (top,) = rows(dumped, "SELECT max(bike_id) FROM core.bikes")[0]
    assert top + 1 not in locations.lookup([top, top + 1])
    _add_bike(dumped, top + 1, "Nieuw Station")
    activity = station_activity([RecentEvent(1, "rented", top + 1, AT)], locations)
    assert [(a.station, a.latitude, a.longitude, a.counts) for a in activity] == [
        ("Nieuw Station", 52.5, 5.5, {"rented": 1})
    ]
