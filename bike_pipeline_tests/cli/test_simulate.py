import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.simulation.persistence import SimulationWriter
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump


def test_simulate_runs_ticks_and_resumes(engine: sa.Engine, servers: services.ServiceUrls) -> None:
    write_small_dump(engine, customers=100, bikes=10)
    args = ["simulate", "--ticks", "30", "--seed", "3", "--scenario", "full"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (events,) = table_rows(engine, "SELECT count(*) FROM core.events")[0]
    assert f"{events:,}" in result.output and "relayed to Redis" in result.output
    again = CliRunner().invoke(main, [*args[:2], "12", *args[3:]])
    assert again.exit_code == 0, again.output
    assert "ticks 30..41" in again.output
    reset = CliRunner().invoke(main, [*args, "--reset"])
    assert reset.exit_code == 0 and "ticks 0..29" in reset.output


def test_second_simulation_is_refused_with_exit_1(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=10, bikes=2)
    with SimulationWriter(engine, load_scenario("seed"), 42, "seed"):
        result = CliRunner().invoke(main, ["simulate", "--ticks", "3"])
    assert result.exit_code == 1
    assert "another simulation is writing" in result.output


def test_unknown_scenario_is_bad_usage(servers: services.ServiceUrls) -> None:
    result = CliRunner().invoke(main, ["simulate", "--scenario", "nonesuch"])
    assert result.exit_code == 2
    assert "nonesuch" in result.output
