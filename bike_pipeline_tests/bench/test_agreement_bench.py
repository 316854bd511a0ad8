"""`bike-pipeline bench agreement` on a tiny world: a table per scenario, its throwaway
database dropped afterwards."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.agreement_bench import FIGURES, comparison_table
from bike_pipeline import services
from bike_pipeline.cli import main


def test_the_table_gives_welch_t_per_figure() -> None:
    runs = [dict.fromkeys(FIGURES, 1.0), dict.fromkeys(FIGURES, 3.0)]
    replications = [dict.fromkeys(FIGURES, 2.0), dict.fromkeys(FIGURES, 2.0)]
    rows = comparison_table(runs, replications)
    assert len(rows) == 2 + len(FIGURES)
    assert rows[2].startswith("| rentals | 2.00 | 1.41 | 2.00 | 0.00 | +0.00 |")


def test_the_command_prints_a_table_per_scenario_and_drops_its_database(
    servers: services.ServiceUrls,
) -> None:
    tiny = ["--customers", "60", "--bikes", "12", "--days", "1", "--runs", "2"]
    arguments = [
        "bench",
        "agreement",
        *tiny,
        "--replications",
        "2",
        "--scenarios",
        "seed,calibrated",
    ]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert "### seed" in result.output and "### calibrated" in result.output
    assert result.output.count("| profit_eur |") == 2
    admin = sa.create_engine(servers.database_url)
    with admin.connect() as conn:
        left = conn.execute(
            sa.text("SELECT count(*) FROM pg_database WHERE datname LIKE 'bench_agreement_%'")
        ).scalar_one()
    admin.dispose()
    assert left == 0
