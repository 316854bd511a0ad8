"""The report's own simulation beside a live one: its own database, the live run untouched."""

from __future__ import annotations

import redis
import sqlalchemy as sa

from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.store.report_world import run_report_simulation
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline_tests.simulation.small_dump import EVENTS_SQL, table_rows, write_small_dump

LIVE = "SELECT last_tick, (SELECT count(*) FROM core.events) FROM core.simulation_state"
STATE = "SELECT customer_id, registered_at, insured FROM core.customers ORDER BY 1"


def test_a_report_run_beside_a_live_run_leaves_the_live_world_alone(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    write_small_dump(engine, customers=200, bikes=20)
    run_simulation(engine, SimulationRequest(ticks=50, seed=3, scenario="full"), redis_client)
    live_before = {sql: table_rows(engine, sql) for sql in (LIVE, STATE)}
    stream_before = redis_client.xlen(EVENT_KEYS.stream)

    request = SimulationRequest(ticks=72, seed=4, scenario="full")
    with SimulationWriter(engine, StoredScenario.load("full"), 3) as live_writer:
        live_writer.open_world()  # a live simulation holds the writer lock meanwhile
        report, result = run_report_simulation(engine, request)
    assert (result.first_tick, result.next_tick) == (0, 72) and result.events > 0
    for sql, rows in live_before.items():
        assert table_rows(engine, sql) == rows
    assert redis_client.xlen(EVENT_KEYS.stream) == stream_before

    # The report world started from the live dump baseline: the same as a fresh run there.
    reported = table_rows(report, EVENTS_SQL)
    again, _ = run_report_simulation(engine, request)
    assert table_rows(again, EVENTS_SQL) == reported
    assert table_rows(report, "SELECT count(*) FROM core.customers") == [(200,)]
    assert table_rows(
        report,
        "SELECT count(*) FROM core.customers WHERE registered_at IS NOT NULL "
        "AND customer_id % 3 <> 0",
    ) != [(0,)]  # registered by its own run, not by the live one's
    assert table_rows(
        report,
        "SELECT count(*) FROM core.simulation_baseline_customers WHERE registered_at IS NOT NULL",
    ) == [(200 // 3,)]
