"""Plotly figures of a snapshot as plain dicts; pure functions of the data, nothing is
queried here.

Plain dicts rather than `plotly.graph_objects.Figure`: a Figure validates every property
and deep-copies its template on each build, which cost ~200 ms of CPU per snapshot (most
of a refresh's work); these dicts are what Plotly.js receives either way.

The map is a longitude/latitude scatter on the outline of the Netherlands and its
provinces shipped with the package (`bike_pipeline.geo.netherlands`), the axes scaled for
52 degrees north, rather than a tile map: it needs no tile server and no WebGL, so it
renders the same in an offline container and in headless Chromium.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import plotly.io as pio

from bike_pipeline.dashboard.stations import StationActivity
from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES
from bike_pipeline.geo.netherlands import Ring, bounds, country_rings, province_rings

Figure = dict[str, Any]

TYPE_COLOURS = {
    "subscribed": "#4c78a8",
    "insured": "#72b7b2",
    "rented": "#54a24b",
    "dropped": "#eeca3b",
    "repair_needed": "#f58518",
    "totalled": "#b279a2",
    "rent_refused": "#e45756",
    "rebalanced": "#9d755d",
}
STATUS_COLOURS = {
    "available": "#54a24b",
    "rented": "#4c78a8",
    "in_repair": "#f58518",
    "totalled": "#9d755d",
}
HOURLY_UP_TO_HOURS = 48
LATITUDE_SCALE = 1 / math.cos(math.radians(52))
TEMPLATE = "plotly_white"
NAMED_STATIONS = 5  # the busiest stations named on the map; all on hover
MAP_MARGIN = 0.1  # degrees around the country


@cache
def _template() -> dict[str, Any]:
    """The template's layout, resolved once (Plotly.js takes templates as objects)."""
    return {"layout": pio.templates[TEMPLATE].to_plotly_json()["layout"]}


def _figure(data: list[dict[str, Any]], title: str, height: int = 320) -> Figure:
    return {
        "data": data,
        "layout": {
            "title": {"text": title, "x": 0.01},
            "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
            "height": height,
            "template": _template(),
            "legend": {"orientation": "h", "y": -0.2},
        },
    }


def _empty(figure: Figure, text: str) -> Figure:
    figure["layout"]["annotations"] = [
        {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}
    ]
    return figure


def counts_figure(counts: Mapping[str, int]) -> Figure:
    bars = {
        "type": "bar",
        "x": list(EVENT_TYPES),
        "y": [counts.get(t, 0) for t in EVENT_TYPES],
        "marker": {"color": [TYPE_COLOURS[t] for t in EVENT_TYPES]},
        "name": "events",
    }
    return _figure([bars], "Events per type")


def fleet_figure(fleet: Mapping[str, int]) -> Figure:
    bars = {
        "type": "bar",
        "x": [fleet.get(s, 0) for s in BIKE_STATUSES],
        "y": list(BIKE_STATUSES),
        "orientation": "h",
        "marker": {"color": [STATUS_COLOURS[s] for s in BIKE_STATUSES]},
        "name": "bikes",
    }
    figure = _figure([bars], "Fleet status (bikes)")
    figure["layout"]["yaxis"] = {"autorange": "reversed"}
    return figure


def demand_series(
    demand: Mapping[datetime, Mapping[str, int]],
) -> tuple[str, list[datetime], list[int], list[int]]:
    """(unit, bucket starts, rented, refused): per hour for up to two days, else per day."""
    hours = sorted(demand)
    by_day = bool(hours) and (hours[-1] - hours[0]).total_seconds() > HOURLY_UP_TO_HOURS * 3600
    buckets: dict[datetime, list[int]] = {}
    for hour in hours:
        key = hour.replace(hour=0) if by_day else hour
        bucket = buckets.setdefault(key, [0, 0])
        bucket[0] += demand[hour].get("rented", 0)
        bucket[1] += demand[hour].get("rent_refused", 0)
    starts = sorted(buckets)
    return (
        "day" if by_day else "hour",
        starts,
        [buckets[s][0] for s in starts],
        [buckets[s][1] for s in starts],
    )


def demand_figure(demand: Mapping[datetime, Mapping[str, int]]) -> Figure:
    unit, starts, rented, refused = demand_series(demand)
    at = [s.isoformat() for s in starts]
    figure = _figure(
        [
            {
                "type": "bar",
                "x": at,
                "y": refused,
                "name": "rent_refused (unmet)",
                "marker": {"color": TYPE_COLOURS["rent_refused"]},
            },
            {
                "type": "scatter",
                "x": at,
                "y": rented,
                "name": "rented (served)",
                "mode": "lines",
                "line": {"color": TYPE_COLOURS["rented"]},
            },
        ],
        f"Unmet demand per {unit} (simulated local time)",
    )
    return figure if starts else _empty(figure, "no rentals asked for yet")


@cache
def _outline() -> list[dict[str, Any]]:
    """The provinces' borders and the country's outline as line traces (rings joined by
    gaps), built once: they never change."""

    def lines(rings: list[Ring], colour: str, width: float, name: str) -> dict[str, Any]:
        x: list[float | None] = []
        y: list[float | None] = []
        for ring in rings:
            x += [lon for lon, _ in ring] + [None]
            y += [lat for _, lat in ring] + [None]
        return {
            "type": "scatter",
            "x": x,
            "y": y,
            "mode": "lines",
            "line": {"color": colour, "width": width},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": name,
        }

    provinces = [ring for rings in province_rings().values() for ring in rings]
    return [
        lines(provinces, "#c8c8c8", 0.8, "provinces"),
        lines(country_rings(), "#777", 1.2, "netherlands"),
    ]


def map_figure(stations: Sequence[StationActivity]) -> Figure:
    """The stations of recent events on the outline of the Netherlands and its provinces,
    sized and coloured by activity; the busiest are named on the map, every one on hover."""
    biggest = max((s.total for s in stations), default=1)
    hover = [
        f"<b>{s.station}</b><br>" + "<br>".join(f"{t}: {n}" for t, n in sorted(s.counts.items()))
        for s in stations
    ]
    markers = {
        "type": "scatter",
        "x": [s.longitude for s in stations],
        "y": [s.latitude for s in stations],
        "mode": "markers+text",
        "text": [s.station if i < NAMED_STATIONS else "" for i, s in enumerate(stations)],
        "textposition": "top center",
        "textfont": {"size": 10, "color": "#333"},
        "hovertext": hover,
        "hoverinfo": "text",
        "marker": {
            "size": [8 + 32 * math.sqrt(s.total / biggest) for s in stations],
            "color": [s.total for s in stations],
            "colorscale": "YlOrRd",
            "showscale": bool(stations),
            "colorbar": {"title": {"text": "events"}},
            "line": {"width": 1, "color": "#555"},
        },
        "name": "stations",
    }
    west, south, east, north = bounds()
    figure = _figure([*_outline(), markers], "Recent events at their stations", height=480)
    figure["layout"]["showlegend"] = False
    figure["layout"]["xaxis"] = {
        "title": {"text": "longitude (degrees east)"},
        "range": [west - MAP_MARGIN, east + MAP_MARGIN],
        "showgrid": False,
    }
    figure["layout"]["yaxis"] = {
        "title": {"text": "latitude (degrees north)"},
        "range": [south - MAP_MARGIN, north + MAP_MARGIN],
        "scaleanchor": "x",
        "scaleratio": LATITUDE_SCALE,
        "showgrid": False,
    }
    return figure if stations else _empty(figure, "no events with a bike yet")
