"""The replications benchmark on tiny settings: both engines per scenario with the floor,
and a generated world of a given size on the replication engine alone."""

from __future__ import annotations

import re

from click.testing import CliRunner

from benchmarks.replications_bench import replications, world_like_dump
from bike_pipeline.reporting.worlds import world_from_dump
from bike_pipeline.simulation.scenario import load_scenario


def test_both_engines_and_the_floor_per_scenario() -> None:
    result = CliRunner().invoke(
        replications,
        ["--scenarios", "full,calibrated", "--days", "1", "--fast-replications", "2"],
    )
    assert result.exit_code == 0, result.output
    for name in ("full", "calibrated"):
        line = re.search(rf"^{name}: x([\d,.]+) the canonical engine .* ([\d,.]+) x the floor "
                         rf"of drawing its ([\d,]+) uniforms", result.output, re.M)  # fmt: skip
        assert line, result.output
        ratio, over_floor, uniforms = (float(g.replace(",", "")) for g in line.groups())
        assert ratio > 0 and over_floor > 0 and uniforms > 0


def test_a_world_of_a_given_size_on_the_replication_engine() -> None:
    result = CliRunner().invoke(
        replications,
        ["--days", "1", "--fast-replications", "1", "--world-customers", "3000",
         "--world-bikes", "200"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "3,000 customers, 200 bikes" in result.output
    assert re.search(r"replications per minute per core, .* peak RSS [\d,]+ MiB", result.output)


def test_the_generated_world_keeps_the_dumps_shares_and_stations() -> None:
    dump = world_from_dump("data", load_scenario("calibrated"))
    big = world_like_dump(dump, 20_000, 600)
    assert (len(big.customer_ids), len(big.bike_ids)) == (20_000, 600)
    assert abs(big.registered.mean() - dump.registered.mean()) < 0.02
    assert big.station_names == dump.station_names
    assert set(big.bike_station) <= set(dump.bike_station)


def test_world_options_go_together() -> None:
    result = CliRunner().invoke(replications, ["--world-customers", "10"])
    assert result.exit_code != 0 and "go together" in result.output
