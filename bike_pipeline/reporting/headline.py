"""The headline figures of one run (persisted or replicated): counts, service levels, money,
and the two facts the literal rules imply (how fast demand saturates, how fast the fleet
erodes).

Service levels count trip intentions: rentals / (rentals + refused intentions), a
customer's refusal streak counting once (`replication.Intentions`); the raw attempt-based
level (every `rent_refused` event) is `service_level_attempts`."""

from __future__ import annotations

import numpy as np

from bike_pipeline.reporting.money import money, monthly_profit
from bike_pipeline.reporting.series import TickSeries, fleet_over_time
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import Prices

TICKS_PER_WEEK = 7 * TICKS_PER_DAY


def service_level(rented: float, refused: float) -> float:
    """rented / (rented + refused); 1.0 when nobody asked for a bike."""
    asked = rented + refused
    return float(rented / asked) if asked else 1.0


def weekly_rush_service_levels(series: TickSeries, rush: np.ndarray) -> np.ndarray:
    """The rush-hour service level (from trip intentions) of each (started) simulated week."""
    week = np.arange(series.ticks) // TICKS_PER_WEEK
    weeks = int(week[-1]) + 1 if series.ticks else 0
    rented = np.bincount(week[rush], series.rented[rush], minlength=weeks)
    refused = np.bincount(week[rush], series.lost_intentions[rush], minlength=weeks)
    return np.array([service_level(a, b) for a, b in zip(rented, refused, strict=True)])


def _first_tick(condition: np.ndarray) -> int | None:
    hits = np.flatnonzero(condition)
    return int(hits[0]) if len(hits) else None


def headline(series: TickSeries, prices: Prices) -> dict[str, float | int | None]:
    """Counts, service levels, money and erosion of a run, as plain numbers."""
    totals = series.totals()
    rush = series.rush()
    fleet = fleet_over_time(series)
    usable = fleet.usable
    weekly = weekly_rush_service_levels(series, rush)
    outnumbered = _first_tick(series.refused > series.rented)
    registered = series.baseline.registered + np.cumsum(series.subscribed)
    saturated = _first_tick(registered >= 0.9 * series.baseline.customers)
    initial_usable = series.baseline.bikes - series.baseline.totalled
    half_gone = _first_tick(usable <= initial_usable / 2)
    none_left = _first_tick(usable <= 0)
    figures: dict[str, float | int | None] = {
        "ticks": series.ticks,
        "days": series.ticks / TICKS_PER_DAY,
        "customers": series.baseline.customers,
        "initial_fleet": initial_usable,
        "final_usable_fleet": int(usable[-1]) if series.ticks else None,
        "peak_rented": int(fleet.rented.max()) if series.ticks else 0,
        "rentals": totals["rented"],
        "refused": totals["refused"],
        "refused_intentions": totals["lost_intentions"],
        "service_level": service_level(totals["rented"], totals["lost_intentions"]),
        "rush_service_level": service_level(
            series.rented[rush].sum(), series.lost_intentions[rush].sum()
        ),
        "service_level_attempts": service_level(totals["rented"], totals["refused"]),
        "worst_week_rush_service_level": float(weekly.min()) if len(weekly) else 1.0,
        "totalled": totals["totalled"],
        "repairs": totals["repairs"],
        "repairs_paid_by_customers": totals["repairs_paid"],
        "repairs_covered_by_insurance": totals["repairs"] - totals["repairs_paid"],
        "replaced": totals["replaced"],
        "subscribed": totals["subscribed"],
        "insured": totals["insured"],
        "bought": totals["bought"],
        "churned": totals["churned"],
        "rebalancing_moves": totals["rebalancing_moves"],
        "mean_rental_ticks": totals["held_ticks"] / totals["dropped"]
        if totals["dropped"]
        else None,
        "mean_billed_hours": totals["dropped_hours"] / totals["dropped"]
        if totals["dropped"]
        else None,
        "totalled_per_ride": totals["totalled"] / totals["dropped"] if totals["dropped"] else None,
        "repairs_per_ride": totals["repairs"] / totals["dropped"] if totals["dropped"] else None,
        # The counts behind the per-ride figures, pooled over replications (`stats.POOLED`).
        "dropped": totals["dropped"],
        "held_ticks": totals["held_ticks"],
        "dropped_hours": totals["dropped_hours"],
        "utilisation": float(np.mean(fleet.rented / np.maximum(usable, 1))),
        "hours_until_90pct_registered": None if saturated is None else saturated / 3,
        "hours_until_refusals_outnumber_rentals": None if outnumbered is None else outnumbered / 3,
        "days_until_half_the_fleet_is_totalled": None
        if half_gone is None
        else half_gone / TICKS_PER_DAY,
        "days_until_no_usable_bike": None if none_left is None else none_left / TICKS_PER_DAY,
    }
    amounts = money(series, prices)
    figures |= amounts.totals()
    figures |= monthly_profit(series, amounts)
    return figures
