"""Rental stations: named spots in Dutch cities, with coordinates.

City centres are real (rounded); stations sit within a few kilometres of their centre,
named after the railway station or a Faker street of the city. Some names hold a comma
(`Utrecht, Biltstraat`) so the dump exercises quoting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker import Faker

from bike_pipeline.generate.csv_text import quote

# city, latitude, longitude, share of the stations
CITY_CENTRES = (
    ("Amsterdam", 52.3730, 4.8924, 10),
    ("Rotterdam", 51.9225, 4.4792, 7),
    ("Den Haag", 52.0786, 4.2889, 6),
    ("Utrecht", 52.0907, 5.1214, 6),
    ("Eindhoven", 51.4416, 5.4697, 4),
    ("Groningen", 53.2194, 6.5665, 4),
    ("Tilburg", 51.5555, 5.0913, 3),
    ("Almere", 52.3508, 5.2647, 2),
    ("Breda", 51.5719, 4.7683, 2),
    ("Nijmegen", 51.8126, 5.8372, 3),
    ("Haarlem", 52.3874, 4.6462, 2),
    ("Arnhem", 51.9851, 5.8987, 2),
    ("Leiden", 52.1601, 4.4970, 3),
    ("Delft", 52.0116, 4.3571, 2),
    ("Zwolle", 52.5168, 6.0830, 1),
    ("Maastricht", 50.8514, 5.6910, 2),
    ("Enschede", 52.2215, 6.8937, 1),
)
STATION_SPREAD_DEGREES = 0.02  # about 2 km around the centre


@dataclass(frozen=True)
class Stations:
    field_texts: np.ndarray  # the name as CSV field text
    latitudes: np.ndarray
    longitudes: np.ndarray

    def __len__(self) -> int:
        return self.field_texts.size

    @classmethod
    def draw(cls, seed: int, rng: np.random.Generator) -> Stations:
        fake = Faker("nl_NL")
        fake.seed_instance(seed)
        names: list[str] = []
        latitudes: list[float] = []
        longitudes: list[float] = []
        for city, latitude, longitude, count in CITY_CENTRES:
            seen = {f"{city} Centraal"}
            names.append(f"{city} Centraal")
            while len(seen) < count:
                street = fake.street_name()
                name = f"{city}, {street}" if rng.random() < 0.3 else f"{city} {street}"
                if name not in seen:
                    seen.add(name)
                    names.append(name)
            spread = rng.normal(0.0, STATION_SPREAD_DEGREES, size=(count, 2))
            spread[0] = 0.0  # the railway station is at the centre
            latitudes += (latitude + spread[:, 0]).tolist()
            longitudes += (longitude + spread[:, 1]).tolist()
        return cls(
            field_texts=np.array([quote(n) for n in names], dtype=object),
            latitudes=np.array(latitudes),
            longitudes=np.array(longitudes),
        )
