"""A failed background commit stops the run and leaves the database at a tick boundary."""

import pytest
import sqlalchemy as sa

from bike_pipeline.simulation import runner
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.store import tick_writer
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline_tests.simulation.small_dump import EVENTS_SQL, table_rows, write_small_dump


def test_a_failing_commit_is_raised_and_nothing_after_it_is_written(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_small_dump(engine, customers=200, bikes=20)
    request = SimulationRequest(ticks=60, seed=2, scenario="full")
    run_simulation(engine, request)
    expected = table_rows(engine, EVENTS_SQL)
    reset_simulation(engine)

    monkeypatch.setattr(runner, "BATCH_MAX_TICKS", 10)
    monkeypatch.setattr(runner, "BATCH_MAX_SECONDS", float("inf"))
    write_events = tick_writer._write_events
    calls = {"n": 0}

    def fail_on_the_third_batch(cursor: object, batch: list) -> tuple[int, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected commit failure")
        return write_events(cursor, batch)

    monkeypatch.setattr(tick_writer, "_write_events", fail_on_the_third_batch)
    with pytest.raises(RuntimeError, match="injected commit failure"):
        run_simulation(engine, request)
    (last_tick,) = table_rows(engine, "SELECT last_tick FROM core.simulation_state")[0]
    written = table_rows(engine, EVENTS_SQL)
    assert calls["n"] == 3 and last_tick == 19
    assert written == [row for row in expected if row[1] <= 19]
