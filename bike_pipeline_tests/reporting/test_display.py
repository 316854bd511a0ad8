"""Tables for people: names with units, money in EUR k/M, levels as percentages, zeros as 0."""

from bike_pipeline.reporting.document.display import column_name, for_people


def test_money_levels_counts_and_zeros_read_as_people_write_them() -> None:
    rows = [
        {
            "month": "2026-01",
            "revenue_repairs_paid_by_customers_eur": 3015.0,
            "cost_replaced_bikes_eur": 0.0,
            "profit_eur": -2_123_456.0,
            "worst_week_rush_service_level": 0.1046,
            "rentals": 3929.6666,
            "n": 20,
            "feasible": True,
            "initial_fleet": None,
        }
    ]
    assert for_people(rows) == [
        {
            "Month": "2026-01",
            "Revenue repairs paid by customers (EUR)": "3.0k",
            "Cost replaced bikes (EUR)": "0",
            "Profit (EUR)": "-2.12M",
            "Worst-week service level": "10.5%",
            "Rentals": "3,930",
            "Replications": "20",
            "Feasible": "yes",
            "Bikes at the start": "-",
        }
    ]


def test_interval_bounds_keep_their_unit() -> None:
    assert column_name("profit_eur_low") == "Profit low (EUR)"
    assert column_name("rush_service_level_high") == "Rush-hour service level high"


def test_the_terminal_summary_gives_each_scenario_its_row_and_why() -> None:
    from bike_pipeline.cli.report import summary_text

    row = {"Scenario": "seed", "Profit over the horizon": "EUR -2.12M (+/-0.01M)"}
    text = summary_text(
        {
            "question": "Question?",
            "rows": [row | {"Why": "Fleet erosion.", "scenario": "seed", "profit_eur": {}}],
            "recommendation": "Recommendation.",
        }
    )
    assert text.splitlines() == [
        "Question?",
        "- seed: Profit over the horizon: EUR -2.12M (+/-0.01M)",
        "  Fleet erosion.",
        "Recommendation.",
    ]
