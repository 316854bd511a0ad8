"""Every nightly move is a `rebalanced` event: in core.events, in bi.events, counted by the
report of the run (moves and their cost) and by the listener's tally; a run persisted
before moves were events says its rebalancing cost is not recorded, never 0."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.stream import read_after
from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.simulated_run import scalar, simulated_run

MOVES = "SELECT count(*) FROM {} WHERE type = 'rebalanced'"


def _report_json() -> dict:
    name = f"rebalancing-{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(main, ["report", "--json", "--no-monte-carlo", "--name", name])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def calibrated_run(engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """A day and a half of `calibrated` (two nights' rebalancing) on a small dump."""
    simulated_run(engine, tmp_path, scenario="calibrated", days=1.5, customers=300, bikes=60)
    return engine


def test_the_runs_moves_are_events_and_cost_what_the_scenario_says(
    calibrated_run: sa.Engine, redis_client: redis.Redis
) -> None:
    engine = calibrated_run
    moves = scalar(engine, MOVES.format("core.events"))
    assert moves > 0
    assert scalar(engine, "SELECT count(*) FROM core.events WHERE customer_id IS NULL") == moves

    build_bi_events(engine, Pseudonymiser("rebalancing-test-key"))
    assert scalar(engine, MOVES.format("bi.events")) == moves
    assert (
        scalar(
            engine,
            "SELECT count(*) FROM bi.events WHERE type = 'rebalanced' "
            "AND customer_pseudonym IS NULL AND age_band IS NULL AND postcode_area IS NULL "
            "AND data ? 'from_station'",
        )
        == moves
    )

    relay_pending(engine, redis_client)
    payloads = [json.loads(p) for _, p in read_after(redis_client, 0)]
    relayed = [p for p in payloads if p["type"] == "rebalanced"]
    assert len(relayed) == moves
    assert all(p["customer_id"] is None and p["bike_id"] for p in relayed)
    assert all(p["from_station"] != p["to_station"] for p in relayed)

    head = _report_json()
    price = load_scenario("calibrated").prices.rebalancing_per_move
    assert head["rebalancing_recorded"] is True
    assert head["rebalancing_moves"] == moves
    assert head["cost_rebalancing_eur"] == pytest.approx(moves * price)
    summary = (Path(head["report_dir"]) / "summary.md").read_text()
    assert f"{moves:,} bikes moved at night" in summary


def test_a_run_from_before_moves_were_events_says_its_cost_is_not_recorded(
    calibrated_run: sa.Engine,
) -> None:
    with calibrated_run.begin() as conn:  # what an older release left: moves without events
        conn.execute(sa.text("DELETE FROM core.event_outbox"))
        conn.execute(sa.text("DELETE FROM core.events WHERE type = 'rebalanced'"))

    head = _report_json()
    assert head["rebalancing_recorded"] is False
    assert head["rebalancing_moves"] is None and head["cost_rebalancing_eur"] is None
    folder = Path(head["report_dir"])
    assert "Rebalancing cost **not recorded**" in (folder / "summary.md").read_text()
    money = (folder / "money_per_month.csv").read_text()
    assert "not recorded" in money
