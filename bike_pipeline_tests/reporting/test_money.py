"""Money at scenario prices, on hand-made series (pure logic)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from bike_pipeline.reporting.money import MONTHS_PER_TICK, money, per_month
from bike_pipeline.reporting.series import Baseline, TickSeries, started_hours
from bike_pipeline.simulation.scenario import AMSTERDAM, Prices

PRICES = Prices(
    subscription_per_month=10.0,
    insurance_per_month=5.0,
    rental_per_started_hour=2.0,
    rental_per_ride=0.5,
    repair=40.0,
    bike=900.0,
    maintenance_per_bike_month=12.0,
    rebalancing_per_move=3.0,
    payment_fee_rate=0.02,
    vat_rate=0.21,
)


def _series(ticks: int, start: datetime) -> TickSeries:
    baseline = Baseline(100, 30, 10, 20, 0, np.empty(0, np.int64))
    return TickSeries.empty(ticks, start, 72, baseline)


def test_each_source_at_its_price() -> None:
    series = _series(4, datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    series.subscribed[1] = 2  # 30, 32, 32, 32 registered after each tick
    series.insured[2] = 1  # 10, 10, 11, 11 insured
    series.dropped[3] = 3
    series.rental_hours[3] = 5
    series.repairs[2] = 2
    series.repairs_paid[2] = 1
    series.replaced[3] = 1
    series.replaced_bike_eur[3] = 900.0
    totals = money(series, PRICES).totals()
    assert totals["revenue_subscriptions_eur"] == pytest.approx(126 * 10.0 * MONTHS_PER_TICK)
    assert totals["revenue_insurance_eur"] == pytest.approx(42 * 5.0 * MONTHS_PER_TICK)
    assert totals["revenue_rentals_eur"] == pytest.approx(5 * 2.0 + 3 * 0.5)
    assert totals["revenue_repairs_paid_by_customers_eur"] == 40.0
    assert totals["cost_repairs_eur"] == 80.0
    assert totals["cost_replaced_bikes_eur"] == 900.0
    revenue = totals["revenue_eur"]
    assert totals["cost_payment_fees_eur"] == pytest.approx(revenue * PRICES.payment_fee_rate)
    assert totals["cost_vat_eur"] == pytest.approx(revenue * 0.21 / 1.21)
    usable_ticks = 20 * 3 + 21  # 20 bikes, the replacement from the last tick on
    assert totals["cost_maintenance_eur"] == pytest.approx(
        usable_ticks * PRICES.maintenance_per_bike_month * MONTHS_PER_TICK
    )
    assert totals["profit_eur"] == pytest.approx(revenue - totals["cost_eur"])


def test_cancelled_subscriptions_stop_billing() -> None:
    series = _series(3, datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    series.churned[0] = 30  # everyone registered cancels in the first tick
    series.churned_insured[0] = 10
    totals = money(series, PRICES).totals()
    assert totals["revenue_subscriptions_eur"] == 0.0
    assert totals["revenue_insurance_eur"] == 0.0


def test_a_month_of_subscription_is_its_price() -> None:
    series = _series(round(365 / 12 * 72), datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    revenue = money(series, PRICES).revenue["subscriptions"].sum()
    assert revenue == pytest.approx(30 * 10.0, rel=1e-3)


def test_months_follow_the_local_calendar() -> None:
    series = _series(72 * 2, datetime(2026, 1, 31, tzinfo=AMSTERDAM))
    series.repairs[10] = 1
    series.repairs[100] = 2
    rows = per_month(series, money(series, PRICES))
    assert [r["month"] for r in rows] == ["2026-01", "2026-02"]
    for row in rows:
        assert row["revenue_eur"] - row["cost_eur"] == pytest.approx(row["profit_eur"])
    assert [r["cost_repairs_eur"] for r in rows] == [40.0, 80.0]


def test_started_hours_round_up() -> None:
    assert started_hours(np.array([20, 60, 61, 120, 140])).tolist() == [1, 1, 2, 2, 3]
