"""Figures are pure functions of the data: what goes in is what the traces hold."""

from __future__ import annotations

from datetime import datetime, timedelta

from bike_pipeline.dashboard import figures
from bike_pipeline.dashboard.stations import StationActivity
from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES
from bike_pipeline.geo.netherlands import country_rings

START = datetime(2026, 1, 1, 0)


def _demand(hours: int) -> dict[datetime, dict[str, int]]:
    return {
        START + timedelta(hours=h): {"rented": h % 5, "rent_refused": h % 3}
        for h in range(0, hours, 2)
    }


def test_demand_is_hourly_up_to_two_days_and_daily_beyond_with_the_same_totals() -> None:
    short = _demand(48)
    unit, starts, rented, refused = figures.demand_series(short)
    assert unit == "hour" and starts == sorted(short)
    assert rented == [short[s]["rented"] for s in starts]
    long = _demand(24 * 5 + 2)
    unit, starts, rented, refused = figures.demand_series(long)
    assert unit == "day" and starts == [START + timedelta(days=d) for d in range(6)]
    assert sum(rented) == sum(d["rented"] for d in long.values())
    assert sum(refused) == sum(d["rent_refused"] for d in long.values())
    day_two = [d for at, d in long.items() if at.day == 2]
    assert refused[1] == sum(d["rent_refused"] for d in day_two)
    assert figures.demand_series({}) == ("hour", [], [], [])


def test_counts_and_fleet_traces_follow_the_contract_order() -> None:
    counts = {t: i * 10 for i, t in enumerate(EVENT_TYPES)}
    bar = figures.counts_figure(counts)["data"][0]
    assert bar["x"] == list(EVENT_TYPES) and bar["y"] == list(counts.values())
    fleet = {"totalled": 3, "available": 9}
    bars = figures.fleet_figure(fleet)["data"][0]
    assert bars["y"] == list(BIKE_STATUSES) and bars["x"] == [9, 0, 0, 3]


def test_map_marks_each_station_at_its_coordinates_sized_by_activity() -> None:
    stations = [
        StationActivity("Noord", 53.2, 6.5, {"rented": 8}),
        StationActivity("Zuid", 51.4, 5.5, {"dropped": 1, "totalled": 1}),
    ]
    figure = figures.map_figure(stations)
    [trace] = [t for t in figure["data"] if t["name"] == "stations"]
    assert trace["x"] == [6.5, 5.5] and trace["y"] == [53.2, 51.4]
    assert trace["marker"]["color"] == [8, 2]
    assert trace["marker"]["size"][0] > trace["marker"]["size"][1]
    assert "dropped: 1" in trace["hovertext"][1] and "Zuid" in trace["hovertext"][1]
    assert trace["text"] == ["Noord", "Zuid"]  # the busiest are named on the map
    empty = figures.map_figure([])
    assert empty["layout"]["annotations"][0]["text"] == "no events with a bike yet"


def test_the_map_draws_the_netherlands_and_its_provinces_under_the_stations() -> None:
    data = figures.map_figure([StationActivity("Noord", 53.2, 6.5, {"rented": 1})])["data"]
    assert [t["name"] for t in data] == ["provinces", "netherlands", "stations"]
    outline = data[1]
    rings = len(country_rings())
    assert outline["x"].count(None) == rings and len(outline["x"]) > 100
    lons = [x for x in outline["x"] if x is not None]
    lats = [y for y in outline["y"] if y is not None]
    assert 3 < min(lons) < max(lons) < 7.5 and 50.5 < min(lats) < max(lats) < 53.7
