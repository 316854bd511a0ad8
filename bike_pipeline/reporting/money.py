"""Revenue and costs of a run at the scenario's prices, per tick and per calendar month.

Revenue: subscriptions and insurance pro rata per registered (insured) customer and
simulated time, rentals per started hour held (plus a per-ride fee), and repairs paid by
uninsured customers. Costs: every repair, and every bike bought to replace a totalled one.
The fleet the company already owns is sunk; the fleet search prices extra bikes itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bike_pipeline.reporting.series import TickSeries, registered_over_time
from bike_pipeline.simulation.clock import TICK_MINUTES
from bike_pipeline.simulation.scenario import Prices

MONTHS_PER_TICK = TICK_MINUTES / (60 * 24) * 12 / 365

REVENUE_SOURCES = ("subscriptions", "insurance", "rentals", "repairs_paid_by_customers")
COST_SOURCES = ("repairs", "replaced_bikes")


@dataclass
class Money:
    """Euro amounts per tick, by source."""

    revenue: dict[str, np.ndarray]
    cost: dict[str, np.ndarray]

    @property
    def revenue_per_tick(self) -> np.ndarray:
        return sum(self.revenue.values())  # type: ignore[return-value]

    @property
    def cost_per_tick(self) -> np.ndarray:
        return sum(self.cost.values())  # type: ignore[return-value]

    def totals(self) -> dict[str, float]:
        out = {f"revenue_{k}_eur": float(v.sum()) for k, v in self.revenue.items()}
        out |= {f"cost_{k}_eur": float(v.sum()) for k, v in self.cost.items()}
        revenue = float(self.revenue_per_tick.sum())
        cost = float(self.cost_per_tick.sum())
        out |= {"revenue_eur": revenue, "cost_eur": cost, "profit_eur": revenue - cost}
        return out


def money(series: TickSeries, prices: Prices) -> Money:
    registered, insured = registered_over_time(series)
    revenue = {
        "subscriptions": registered * prices.subscription_per_month * MONTHS_PER_TICK,
        "insurance": insured * prices.insurance_per_month * MONTHS_PER_TICK,
        "rentals": series.rental_hours * prices.rental_per_started_hour
        + series.dropped * prices.rental_per_ride,
        "repairs_paid_by_customers": series.repairs_paid * prices.repair,
    }
    cost = {
        "repairs": series.repairs * prices.repair,
        "replaced_bikes": series.replaced * prices.bike,
    }
    return Money(
        {k: np.asarray(v, np.float64) for k, v in revenue.items()},
        {k: np.asarray(v, np.float64) for k, v in cost.items()},
    )


def per_month(series: TickSeries, amounts: Money) -> list[dict[str, object]]:
    """One row per calendar month (local time) the run touches: revenue and cost by source,
    and the profit."""
    months = np.array([f"{t:%Y-%m}" for t in series.times()])
    rows: list[dict[str, object]] = []
    for month in dict.fromkeys(months.tolist()):
        mask = months == month
        row: dict[str, object] = {"month": month}
        row |= {
            f"revenue_{k}_eur": round(float(v[mask].sum()), 2) for k, v in amounts.revenue.items()
        }
        row |= {f"cost_{k}_eur": round(float(v[mask].sum()), 2) for k, v in amounts.cost.items()}
        revenue = float(amounts.revenue_per_tick[mask].sum())
        cost = float(amounts.cost_per_tick[mask].sum())
        row |= {
            "revenue_eur": round(revenue, 2),
            "cost_eur": round(cost, 2),
            "profit_eur": round(revenue - cost, 2),
        }
        rows.append(row)
    return rows
