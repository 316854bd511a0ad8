"""bikes.csv: the fleet, standing at named stations, assembled a chunk at a time."""

from __future__ import annotations

import numpy as np

from bike_pipeline.generate.bike_defects import BIKE_DEFECT_KINDS
from bike_pipeline.generate.calendar_text import DayTexts
from bike_pipeline.generate.dump_dates import FIRST_PURCHASE_DATE, LAST_PURCHASE_DATE
from bike_pipeline.generate.permutation import Permutation
from bike_pipeline.generate.stations import Stations
from bike_pipeline.ingest.specs import BIKES

BIKE_HEADER = BIKES.columns  # the contract's columns, in the order we write them
MODELS = ("city", "e-bike", "cargo")
MODEL_SHARES = (0.55, 0.35, 0.10)
# Catalogue prices per model: lowest and highest, in whole euros.
MODEL_PRICE_RANGE = {"city": (449, 1199), "e-bike": (1799, 3999), "cargo": (2499, 5999)}
STATUSES = ("available", "in_repair", "totalled")
STATUS_SHARES = (0.93, 0.05, 0.02)
FRAME_PREFIXES = np.array(["GZ", "BT", "SP", "CO", "VV", "UR", "AZ", "WB"], dtype=object)
PARKING_SPREAD_DEGREES = 0.0004  # bikes stand within a few tens of metres of their station


class BikeTable:
    """Valid bikes: unique ids and frame numbers, realistic prices, bought 2021-2025."""

    header = BIKE_HEADER
    defect_kinds = BIKE_DEFECT_KINDS

    def __init__(self, rng: np.random.Generator, stations: Stations) -> None:
        self._rng = rng
        self._stations = stations
        self._frames = Permutation(rng)
        self._frame_cursor = 0
        self._purchase_days = DayTexts(FIRST_PURCHASE_DATE, LAST_PURCHASE_DATE)
        self._last_id = 0

    def chunk(self, size: int) -> list[list[str]]:
        rng = self._rng
        models = rng.choice(len(MODELS), size=size, p=MODEL_SHARES)
        station = rng.integers(len(self._stations), size=size)
        latitudes, longitudes = self._positions(station)
        columns = {
            "bike_id": self._ids(size),
            "frame_number": self._frame_numbers(size),
            "model": np.array(MODELS, dtype=object)[models].tolist(),
            "purchased_on": self._purchase_days.texts(
                rng.integers(self._purchase_days.days, size=size)
            ),
            "purchase_price_eur": self._prices(models),
            "status": np.array(STATUSES, dtype=object)[
                rng.choice(len(STATUSES), size=size, p=STATUS_SHARES)
            ].tolist(),
            "station": self._stations.field_texts[station].tolist(),
            "latitude": [f"{x:.6f}" for x in latitudes.tolist()],
            "longitude": [f"{x:.6f}" for x in longitudes.tolist()],
        }
        return [columns[name] for name in self.header]

    def _ids(self, size: int) -> list[str]:
        steps = 1 + (self._rng.random(size) < 0.03) * self._rng.integers(1, 10, size)
        ids = self._last_id + np.cumsum(steps)
        self._last_id = int(ids[-1])
        return list(map(str, ids.tolist()))

    def _frame_numbers(self, size: int) -> list[str]:
        """A maker's two letters and a serial; serials come from a bijection, so unique."""
        walk = np.arange(self._frame_cursor, self._frame_cursor + size)
        self._frame_cursor += size
        prefixes = FRAME_PREFIXES[self._rng.integers(FRAME_PREFIXES.size, size=size)]
        serials = self._frames(walk)
        return [f"{p}{s:08d}" for p, s in zip(prefixes.tolist(), serials.tolist(), strict=True)]

    def _prices(self, models: np.ndarray) -> list[str]:
        """Catalogue prices ending in 9 euros (`1299.00`), a few with `.95` cents."""
        rng = self._rng
        low = np.array([MODEL_PRICE_RANGE[m][0] for m in MODELS])[models]
        high = np.array([MODEL_PRICE_RANGE[m][1] for m in MODELS])[models]
        euros = low + np.round((high - low) * rng.random(models.size) / 50).astype(np.int64) * 50
        cents = np.where(rng.random(models.size) < 0.1, 95, 0)
        euros = np.where(cents > 0, euros - 1, euros)
        return [f"{e}.{c:02d}" for e, c in zip(euros.tolist(), cents.tolist(), strict=True)]

    def _positions(self, station: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        jitter = self._rng.normal(0.0, PARKING_SPREAD_DEGREES, size=(station.size, 2))
        return (
            self._stations.latitudes[station] + jitter[:, 0],
            self._stations.longitudes[station] + jitter[:, 1],
        )
