"""The report's pictures drawn from small made-up inputs: the station map names every station
in a <title> and sizes circles by stock-outs; money ticks read EUR k/M without an offset."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from bike_pipeline.reporting.document.pictures import eur_label, station_map_png, station_map_svg

NAMES = ("Amsterdam Centraal", "Utrecht, Biltstraat", "Groningen <Centraal>")
COORDINATES = np.array([[52.3730, 4.8924], [52.0907, 5.1214], [53.2194, 6.5665]])


def test_the_map_names_each_station_on_hover_and_sizes_it_by_stock_outs() -> None:
    svg = station_map_svg(NAMES, COORDINATES, [30.0, 0.0, 7.5])
    titles = re.findall(r"<circle [^>]*r=\"([0-9.]+)\"[^>]*><title>([^<]*)</title>", svg)
    by_name = {name.split(":")[0]: float(radius) for radius, name in titles}
    assert set(by_name) == {
        "Amsterdam Centraal",
        "Utrecht, Biltstraat",
        "Groningen &lt;Centraal&gt;",
    }
    assert (
        by_name["Amsterdam Centraal"]
        > by_name["Groningen &lt;Centraal&gt;"]
        > by_name["Utrecht, Biltstraat"]
    )
    assert svg.count("<polygon") >= 12  # the provinces, islands included


def test_the_map_as_a_picture(tmp_path: Path) -> None:
    path = station_map_png(NAMES, COORDINATES, [30.0, 0.0, 7.5], tmp_path / "map.png")
    assert path.stat().st_size > 10_000


def test_money_ticks() -> None:
    assert [eur_label(v) for v in (0, 950, -64_000, 2_120_000)] == ["0", "950", "-64k", "2.1M"]
