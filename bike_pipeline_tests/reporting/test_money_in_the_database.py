"""The money of a seeded run on the real database: every row and the total add up, and the
lost bikes are the SQL sum of the purchase prices of the dump's bikes totalled."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline.reporting.build import ReportSettings, build_report
from bike_pipeline.reporting.money import COST_SOURCES, OPERATING_COSTS, REVENUE_SOURCES
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.simulated_run import simulated_run

SETTINGS = ReportSettings(monte_carlo=False, show_progress=False)
LOST_SQL = (
    "SELECT coalesce(sum(b.purchase_price_eur), 0) FROM core.events e "
    "JOIN core.bikes b ON b.bike_id = e.bike_id WHERE e.type = 'totalled' "
    "AND b.bike_id IN (SELECT bike_id FROM core.simulation_baseline_bikes)"
)


def _money(engine: sa.Engine, tmp_path: Path, scenario: str) -> tuple[dict, list[dict]]:
    simulated_run(engine, tmp_path, scenario=scenario, days=2, seed=5)
    report = build_report(engine, tmp_path / "reports", SETTINGS)
    with (report.directory / "money_per_month.csv").open() as handle:
        rows = [
            {k: v if k == "month" else float(v) for k, v in r.items()}
            for r in csv.DictReader(handle)
        ]
    return report.headline, rows


@pytest.mark.parametrize("scenario", ["full", "calibrated"])
def test_revenue_minus_cost_is_profit_in_every_row_and_in_total(
    engine: sa.Engine, tmp_path: Path, scenario: str
) -> None:
    head, rows = _money(engine, tmp_path, scenario)
    for row in rows:
        revenue = sum(row[f"revenue_{k}_eur"] for k in REVENUE_SOURCES)
        cost = sum(row[f"cost_{k}_eur"] for k in COST_SOURCES)
        assert row["revenue_eur"] == pytest.approx(revenue)
        assert row["cost_eur"] == pytest.approx(cost)
        assert row["profit_eur"] == pytest.approx(revenue - cost)
    for key in ("revenue_eur", "cost_eur", "profit_eur"):
        assert head[key] == pytest.approx(sum(r[key] for r in rows))
    operating = sum(sum(r[f"cost_{k}_eur"] for k in OPERATING_COSTS) for r in rows)
    assert head["operating_cost_eur"] == pytest.approx(operating) and operating > 0
    assert head["cost_eur"] >= head["lost_bikes_cost_eur"] + head["operating_cost_eur"]


def test_lost_bikes_cost_is_the_sql_sum_of_their_purchase_prices(
    engine: sa.Engine, tmp_path: Path
) -> None:
    head, rows = _money(engine, tmp_path, "full")
    with engine.connect() as conn:
        expected = float(conn.execute(sa.text(LOST_SQL)).scalar_one())
    assert expected > 0
    assert head["lost_bikes_cost_eur"] == pytest.approx(expected)
    assert sum(r["cost_lost_bikes_eur"] for r in rows) == pytest.approx(expected)


def test_replacements_are_priced_by_the_model_of_the_totalled_bike(
    engine: sa.Engine, tmp_path: Path
) -> None:
    replacing = tmp_path / "replacing.yaml"
    replacing.write_text(
        "evaluate: all\nreplace_totalled: true\n"
        "prices: {bike_by_model: {city: 799.0, e-bike: 2799.0, cargo: 4249.0}}\n"
    )
    head, _rows = _money(engine, tmp_path, str(replacing))
    with engine.connect() as conn:
        by_model = dict(
            conn.execute(
                sa.text(
                    "SELECT b.model, count(*) FROM core.events e JOIN core.bikes b "
                    "ON b.bike_id = e.bike_id WHERE e.type = 'totalled' GROUP BY b.model"
                )
            ).all()
        )
    assert by_model
    new = load_scenario(str(replacing)).prices.bike_by_model
    assert head["bikes_bought_cost_eur"] == pytest.approx(
        sum(count * new[model] for model, count in by_model.items())
    )
