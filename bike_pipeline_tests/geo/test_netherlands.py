"""The shipped outline: twelve provinces, closed rings, and every station of the dump inside it."""

import csv
from pathlib import Path

from matplotlib.path import Path as Polygon

from bike_pipeline.geo.netherlands import bounds, country_rings, province_rings

DATA = Path(__file__).resolve().parents[2] / "data"
PROVINCES = {
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
}


def test_twelve_named_provinces_with_closed_rings():
    rings = province_rings()
    assert set(rings) == PROVINCES
    for name, parts in rings.items():
        assert parts, name
        for ring in parts:
            assert len(ring) >= 4 and ring[0] == ring[-1], name


def test_every_station_of_the_dump_lies_within_the_bounds_and_in_a_province():
    west, south, east, north = bounds()
    polygons = [Polygon(ring) for ring in country_rings()]
    # The dump is messy on purpose (encodings, blank or swapped coordinates).
    with (DATA / "bikes.csv").open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if _number(row["longitude"]) and _number(row["latitude"])
        ]
    assert len(rows) > 1000
    outside: list[str] = []
    for row in rows:
        longitude, latitude = float(row["longitude"]), float(row["latitude"])
        point = (
            (latitude, longitude) if longitude > latitude else (longitude, latitude)
        )  # swapped in the dump
        assert west <= point[0] <= east and south <= point[1] <= north, row["station"]
        if not any(polygon.contains_point(point, radius=-0.02) for polygon in polygons):
            outside.append(row["station"])
    assert not outside, (
        f"stations outside every province (0.02 degree tolerance): {sorted(set(outside))[:5]}"
    )


def _number(text: str | None) -> bool:
    try:
        float(text or "")
    except ValueError:
        return False
    return True


def test_provinces_lie_where_the_netherlands_is():
    west, south, east, north = bounds()
    assert 3.2 < west < 3.6 and 50.7 < south < 50.8 and 7.1 < east < 7.3 and 53.4 < north < 53.7
