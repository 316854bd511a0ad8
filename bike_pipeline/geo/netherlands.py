"""The outline of the Netherlands and its twelve provinces, for maps drawn offline.

Source: Natural Earth 1:10m (https://www.naturalearthdata.com/), which is in the public
domain ("No permission is needed to use Natural Earth"). The layers `ne_10m_land`,
`ne_10m_admin_0_boundary_lines_land` and `ne_10m_admin_1_states_provinces_lines` were clipped
to the Netherlands, the faces between coastline, national border and province lines were
polygonised, each face was named after the province whose seat (or island) it holds, and the
result was simplified (0.004 degrees, about 400 m) into `netherlands_provinces.geojson`
(about 20 KB). Inland water such as the IJsselmeer counts with the province around it; islets
smaller than about 4 km2 are left out. Coordinates are (longitude, latitude) in WGS 84.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

Ring = list[tuple[float, float]]

PROVINCES_FILE = "netherlands_provinces.geojson"


@cache
def province_rings() -> dict[str, list[Ring]]:
    """Each province's outer rings (one per island or mainland part), by province name."""
    text = files("bike_pipeline.geo").joinpath(PROVINCES_FILE).read_text(encoding="utf-8")
    collection = json.loads(text)
    rings: dict[str, list[Ring]] = {}
    for feature in collection["features"]:
        name = feature["properties"]["name"]
        geometry = feature["geometry"]
        if geometry["type"] != "MultiPolygon":
            raise ValueError(
                f"{PROVINCES_FILE}: province {name} is a {geometry['type']}, not a MultiPolygon"
            )
        rings[name] = [
            [(float(x), float(y)) for x, y in polygon[0]] for polygon in geometry["coordinates"]
        ]
    return rings


def country_rings() -> list[Ring]:
    """The provinces' rings together: drawn filled, they are the country's outline."""
    return [ring for rings in province_rings().values() for ring in rings]


def bounds() -> tuple[float, float, float, float]:
    """(west, south, east, north) of the country, in degrees."""
    points = [point for ring in country_rings() for point in ring]
    longitudes = [x for x, _ in points]
    latitudes = [y for _, y in points]
    return min(longitudes), min(latitudes), max(longitudes), max(latitudes)
