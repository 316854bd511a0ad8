"""`bike-pipeline privacy build`: bi.events and analytics.customers from a shell."""

import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump

_EVENT_COLUMNS = "event_id, type, tick, sim_time, bike_id, rental_id, data"


def _events(engine: sa.Engine, table: str) -> list[tuple]:
    return table_rows(engine, f"SELECT {_EVENT_COLUMNS} FROM {table} ORDER BY event_id")


def test_privacy_build_after_simulate_matches_core_events_row_for_row(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=120, bikes=12)
    runner = CliRunner()
    simulate = ["simulate", "--days", "1", "--seed", "5", "--scenario", "full"]
    assert runner.invoke(main, simulate).exit_code == 0

    built = runner.invoke(main, ["privacy", "build"])
    assert built.exit_code == 0, built.output
    core = _events(engine, "core.events")
    assert core and _events(engine, "bi.events") == core
    assert f"{len(core)} added, {len(core)} in total" in built.output
    assert "no personal value in bi" in built.output
    customers = table_rows(engine, "SELECT count(*) FROM core.customers")
    assert table_rows(engine, "SELECT count(*) FROM analytics.customers") == customers

    assert runner.invoke(main, [*simulate, "--more-days", "0.5"]).exit_code == 0
    again = runner.invoke(main, ["privacy", "build"])
    assert again.exit_code == 0, again.output
    more = _events(engine, "core.events")
    assert len(more) > len(core) and _events(engine, "bi.events") == more
    assert f"{len(more) - len(core)} added, {len(more)} in total" in again.output


def test_privacy_build_fails_naming_a_personal_value_left_in_bi(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=20, bikes=3)
    assert CliRunner().invoke(main, ["simulate", "--ticks", "6", "--seed", "5"]).exit_code == 0
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE bi.leak AS SELECT bsn FROM core.customers LIMIT 1"))
        (bsn,) = conn.execute(sa.text("SELECT bsn FROM bi.leak")).one()
    result = CliRunner().invoke(main, ["privacy", "build"])
    assert result.exit_code == 1
    assert "privacy checks failed" in result.output and "leak" in result.output
    assert bsn not in result.output
