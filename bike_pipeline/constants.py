"""The project's fixed values, each in one place: time zone, run defaults, age, statuses.

A leaf module (standard library only), so every layer, `db/` included, may import it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

# The client's local time: the dump's datetimes, simulated time, rush hours, BI days.
TIME_ZONE_NAME = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TIME_ZONE_NAME)

# A run's length when none is given (`bike-pipeline run`, the report): six months.
DEFAULT_DAYS = 182
# The simulation's seed when none is given.
DEFAULT_SEED = 42

# Youngest age at which a customer may be registered (CONTRACT section 1).
MINIMUM_AGE = 16

# Every status a bike may have in core.bikes (the order is the engine's status code), and
# the ones a dump may hold (no open rentals in a dump).
BIKE_STATUSES = ("available", "rented", "in_repair", "totalled")
DUMP_BIKE_STATUSES = ("available", "in_repair", "totalled")

# Every event type (CONTRACT section 5), one Redis channel each.
EVENT_TYPES = (
    "subscribed",
    "insured",
    "rented",
    "dropped",
    "repair_needed",
    "totalled",
    "rent_refused",
    "rebalanced",  # the nightly van moved a bike between stations: no customer
)
