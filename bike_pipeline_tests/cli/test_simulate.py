from pathlib import Path

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


def test_a_run_whose_file_changed_is_resumed_from_the_scenario_it_stored(
    engine: sa.Engine, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    write_small_dump(engine, customers=60, bikes=6)
    mine = tmp_path / "mine.yaml"
    mine.write_text("evaluate: all\nrules: {rent: 0.5}\n")
    args = ["simulate", "--ticks", "20", "--seed", "5"]
    first = CliRunner().invoke(main, [*args, "--scenario", str(mine)])
    assert first.exit_code == 0, first.output
    mine.write_text("evaluate: all\nrules: {rent: 0.8}\n")
    refused = CliRunner().invoke(main, ["simulate", "--ticks", "40", "--scenario", str(mine)])
    assert refused.exit_code == 1
    assert "seed: 5 stored, 42 asked; rules.rent: 0.5 stored, 0.8 asked." in refused.output
    assert "--show-scenario" in refused.output and "--reset" in refused.output

    shown = CliRunner().invoke(main, ["simulate", "--show-scenario"])
    assert shown.exit_code == 0, shown.output
    stored = tmp_path / "stored.yaml"
    stored.write_text(shown.output)
    resumed = CliRunner().invoke(
        main, ["simulate", "--ticks", "40", "--seed", "5", "--scenario", str(stored)]
    )
    assert resumed.exit_code == 0, resumed.output
    assert "ticks 20..39" in resumed.output


def test_show_scenario_without_a_run_says_so(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    shown = CliRunner().invoke(main, ["simulate", "--show-scenario"])
    assert shown.exit_code == 1 and "no simulation in this database" in shown.output
