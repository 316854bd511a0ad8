import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump


def test_simulate_runs_to_the_runs_length_and_continues_only_on_request(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=100, bikes=10)
    args = ["simulate", "--ticks", "30", "--seed", "3", "--scenario", "full"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (events,) = table_rows(engine, "SELECT count(*) FROM core.events")[0]
    assert f"{events:,}" in result.output and "relayed to Redis" in result.output
    again = CliRunner().invoke(main, [*args[:2], "42", *args[3:]])
    assert again.exit_code == 0, again.output
    assert "ticks 30..41" in again.output
    same = CliRunner().invoke(main, [*args[:2], "42", *args[3:]])
    assert same.exit_code == 0 and "nothing to do" in same.output
    assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(41,)]
    more = CliRunner().invoke(main, [*args, "--more-days", "0.5"])
    assert more.exit_code == 0 and "ticks 42..77" in more.output
    reset = CliRunner().invoke(main, [*args, "--reset"])
    assert reset.exit_code == 0 and "ticks 0..29" in reset.output


def test_second_simulation_is_refused_with_exit_1(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=10, bikes=2)
    with SimulationWriter(engine, StoredScenario.load("seed"), 42):
        result = CliRunner().invoke(main, ["simulate", "--ticks", "3"])
    assert result.exit_code == 1
    assert "a simulation is writing" in result.output and "advisory lock" in result.output


def test_unknown_scenario_is_bad_usage(servers: services.ServiceUrls) -> None:
    result = CliRunner().invoke(main, ["simulate", "--scenario", "nonesuch"])
    assert result.exit_code == 2
    assert "nonesuch" in result.output
