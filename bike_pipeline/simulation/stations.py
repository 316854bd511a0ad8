"""The station model's pure parts: home stations, the origin-destination matrix, rebalancing.

- A customer's home station is fixed: a hash of the customer id mapped through the stations'
  cumulative demand shares (`WorldState.station_demand`), so it needs no stored column and
  is the same after a resume.
- Destinations follow a gravity model: from origin i, station j is chosen with weight
  demand_j * exp(-d_ij / gravity_km), d the great-circle distance between the stations'
  coordinates (a ride back to the origin has d = 0). Without coordinates every distance is 0
  and destinations follow demand alone.
- Rebalancing moves one available bike at a time from the station with the largest surplus
  over its demand share of the available bikes to the one with the largest shortfall, while
  a move still narrows the gap.
"""

from __future__ import annotations

import numpy as np

EARTH_KM = 6371.0
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _uniform_hash(ids: np.ndarray) -> np.ndarray:
    """splitmix64 of each id, as a uniform float in [0, 1)."""
    z = ids.astype(np.uint64) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


def demand_shares(demand: np.ndarray) -> np.ndarray:
    total = float(demand.sum())
    if total <= 0:
        return np.full(len(demand), 1.0 / len(demand))
    return demand / total


def home_stations(customer_ids: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Each customer's fixed home station, drawn by demand share."""
    cumulative = np.cumsum(demand_shares(demand))
    found = np.searchsorted(cumulative, _uniform_hash(customer_ids), side="right")
    return np.minimum(found, len(demand) - 1).astype(np.int64)


def distances_km(coordinates: np.ndarray | None, stations: int) -> np.ndarray:
    """Great-circle distances between stations (haversine); zeros without coordinates."""
    if coordinates is None:
        return np.zeros((stations, stations))
    lat, lon = np.radians(coordinates[:, 0]), np.radians(coordinates[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def destination_matrix(
    coordinates: np.ndarray | None, demand: np.ndarray, gravity_km: float
) -> np.ndarray:
    """Row-stochastic origin-destination matrix of the gravity model."""
    weights = demand_shares(demand)[None, :] * np.exp(
        -distances_km(coordinates, len(demand)) / gravity_km
    )
    rows = weights.sum(axis=1, keepdims=True)
    return np.where(rows > 0, weights / np.where(rows > 0, rows, 1), 1.0 / len(demand))


def draw_destinations(matrix: np.ndarray, origins: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(matrix[origins], axis=1)
    found = (uniform[:, None] >= cumulative).sum(axis=1)
    return np.minimum(found, matrix.shape[0] - 1).astype(np.int64)


def rebalancing_plan(stock: np.ndarray, demand: np.ndarray, moves: int) -> list[tuple[int, int]]:
    """(from, to) station pairs, one per bike moved, at most `moves` of them."""
    stock = stock.astype(np.float64).copy()
    target = demand_shares(demand) * stock.sum()
    plan: list[tuple[int, int]] = []
    for _ in range(moves):
        surplus = stock - target
        source, sink = int(np.argmax(surplus)), int(np.argmin(surplus))
        if stock[source] < 1 or surplus[source] - surplus[sink] <= 1:
            break
        stock[source] -= 1
        stock[sink] += 1
        plan.append((source, sink))
    return plan
