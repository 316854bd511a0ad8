"""Revenue and costs of a run at the scenario's prices, per tick and per calendar month.

Revenue (as paid by the customers, VAT included): subscriptions and insurance pro rata per
registered (insured) customer and simulated time, whether or not a bike was to be had (the
rules bill until a customer cancels: churn, where the scenario has it), rentals per started
hour held (plus a per-ride fee), and repairs paid by uninsured customers.
Costs: every repair; the dump's bikes totalled, at their purchase price; bikes bought
(replacements at the new price of the model, a purchase policy and a fleet larger than the
dump's at the mix price), each costed once when bought; operating costs (maintenance per
usable bike and month, rebalancing moves, payment fees on the revenue); and the VAT in the
revenue. Bikes the company already owns and that survive are sunk: no cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.series import TickSeries, fleet_over_time, registered_over_time
from bike_pipeline.simulation.clock import TICK_MINUTES
from bike_pipeline.simulation.scenario import Prices

MONTHS_PER_TICK = TICK_MINUTES / (60 * 24) * 12 / 365

REVENUE_SOURCES = ("subscriptions", "insurance", "rentals", "repairs_paid_by_customers")
BIKE_COSTS = ("lost_bikes", "replaced_bikes", "bought_bikes")
OPERATING_COSTS = ("maintenance", "rebalancing", "payment_fees")
COST_SOURCES = ("repairs", *BIKE_COSTS, *OPERATING_COSTS, "vat")


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
        out |= {
            "revenue_eur": revenue,
            "cost_eur": cost,
            "profit_eur": revenue - cost,
            "lost_bikes_cost_eur": out["cost_lost_bikes_eur"],
            "bikes_bought_cost_eur": out["cost_replaced_bikes_eur"] + out["cost_bought_bikes_eur"],
            "operating_cost_eur": sum(out[f"cost_{k}_eur"] for k in OPERATING_COSTS),
        }
        return out


def money(series: TickSeries, prices: Prices) -> Money:
    costs = OperatingCosts.from_prices(prices)
    registered, insured = registered_over_time(series)
    revenue = {
        "subscriptions": registered * prices.subscription_per_month * MONTHS_PER_TICK,
        "insurance": insured * prices.insurance_per_month * MONTHS_PER_TICK,
        "rentals": series.rental_hours * prices.rental_per_started_hour
        + series.dropped * prices.rental_per_ride,
        "repairs_paid_by_customers": series.repairs_paid * prices.repair,
    }
    revenue = {k: np.asarray(v, np.float64) for k, v in revenue.items()}
    gross = sum(revenue.values())
    usable = fleet_over_time(series).usable
    cost = {
        "repairs": series.repairs * prices.repair,
        "lost_bikes": series.lost_bike_eur,
        "replaced_bikes": series.replaced_bike_eur,
        "bought_bikes": series.bought_bike_eur,
        "maintenance": usable * costs.maintenance_per_bike_month * MONTHS_PER_TICK,
        "rebalancing": series.rebalancing_moves * costs.rebalancing_per_move,
        "payment_fees": gross * costs.payment_fee_rate,
        "vat": gross * costs.vat_share(),
    }
    return Money(revenue, {k: np.asarray(v, np.float64) for k, v in cost.items()})


def per_month(series: TickSeries, amounts: Money) -> list[dict[str, object]]:
    """One row per calendar month (local time) the run touches: revenue and cost by source,
    and the profit."""
    months = series.months()
    rows: list[dict[str, object]] = []
    for month in dict.fromkeys(months.tolist()):
        mask = months == month
        row: dict[str, object] = {"month": month}
        row |= {f"revenue_{k}_eur": float(v[mask].sum()) for k, v in amounts.revenue.items()}
        row |= {f"cost_{k}_eur": float(v[mask].sum()) for k, v in amounts.cost.items()}
        revenue = float(amounts.revenue_per_tick[mask].sum())
        cost = float(amounts.cost_per_tick[mask].sum())
        row |= {"revenue_eur": revenue, "cost_eur": cost, "profit_eur": revenue - cost}
        rows.append(row)
    return rows


def monthly_profit(series: TickSeries, amounts: Money) -> dict[str, float]:
    """Profit per calendar month, keyed `profit_<YYYY-MM>_eur` (for intervals over
    replications)."""
    return {f"profit_{r['month']}_eur": float(r["profit_eur"]) for r in per_month(series, amounts)}  # type: ignore[arg-type]
