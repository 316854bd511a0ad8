"""The Dagster wiring: the simulation assets run ticks in process; the live sensor keeps one
long paced window in flight; a run that simulates nothing materialises nothing."""

import json
import time

import dagster as dg
import pytest
import redis
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test

from bike_pipeline import services
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.assets import simulate_ticks
from bike_pipeline.defs.simulation.live_stop import LIVE_SENSOR_NAME, SENSOR_NAME_TAG
from bike_pipeline.defs.simulation.sensors import (
    LIVE_WINDOW_SECONDS,
    START_UP_SECONDS,
    live_simulation,
)
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline_tests.defs.project_instance import project_instance
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump

WINDOW_TICKS = int(LIVE_WINDOW_SECONDS / 2)
LIVE_TAGS = {SENSOR_NAME_TAG: LIVE_SENSOR_NAME}


def _resources(database_url: str, redis_url: str) -> dict:
    return {
        "postgres": PostgresResource(database_url=database_url),
        "redis": RedisResource(redis_url=redis_url),
    }


def _materialise(config: dict, resources: dict) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [simulate_ticks],
        run_config={"ops": {"simulate_ticks": {"config": config}}},
        resources=resources,
    )


def test_assets_run_ticks_and_resume(
    engine: sa.Engine,
    database_url: str,
    servers: services.ServiceUrls,
    redis_client: redis.Redis,
) -> None:
    write_small_dump(engine, customers=200, bikes=20)
    config = {"days": 1, "seed": 4, "scenario": "full"}
    resources = _resources(database_url, servers.redis_url)
    first = _materialise(config, resources)
    assert first.success
    again = _materialise(config, resources)
    assert again.success  # the same config: the run is already one day long
    assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(71,)]
    second = _materialise({"more_days": 1, "seed": 4, "scenario": "full"}, resources)
    assert second.success
    assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(143,)]
    (events,) = table_rows(engine, "SELECT count(*) FROM core.events")[0]
    assert events > 0 and redis_client.xlen(EVENT_KEYS.stream) == events
    world, stream = second.asset_materializations_for_node("simulate_ticks")
    assert (world.asset_key.path, stream.asset_key.path) == (
        ["simulated_world"],
        ["simulation_events"],
    )
    assert world.metadata["first_tick"].value == 72 and world.metadata["next_tick"].value == 144
    assert (
        stream.metadata["events"].value
        + first.asset_materializations_for_node("simulate_ticks")[1].metadata["events"].value
        == events
    )


def _sensor(instance: dg.DagsterInstance, cursor: str | None, database_url: str, redis_url: str):
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=_resources(database_url, redis_url)
    ) as context:
        return live_simulation(context), context.cursor


def test_live_sensor_keeps_one_live_run_in_flight_and_resumes_on_its_pace(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    url = servers.redis_url
    with project_instance() as instance:
        before = time.time()
        request, cursor_text = _sensor(instance, None, database_url, url)
        assert isinstance(request, dg.RunRequest) and request.run_key == "0"
        config = request.run_config["ops"]["simulate_ticks"]["config"]
        assert config["pace_seconds"] == 2.0
        assert config["until_tick"] == config["more_ticks"] == WINDOW_TICKS
        cursor = json.loads(cursor_text)
        # the first tick is due once the run can have started, not at the request
        assert cursor["anchor_tick"] == 0 and cursor["anchor_epoch"] >= before + START_UP_SECONDS

        for status in (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED):
            live = create_run_for_test(
                instance, job_name="simulation_ticks", status=status, tags=LIVE_TAGS
            )
            waiting, _ = _sensor(instance, cursor_text, database_url, url)
            assert isinstance(waiting, dg.SkipReason) and live.run_id in str(waiting.skip_message)
            instance.report_run_failed(live)

        # the run ended after 15 ticks: the next window resumes there, on the same pace
        result = _materialise(
            {**config, "more_ticks": 15, "until_tick": 15, "pace_seconds": 0.0},
            _resources(database_url, url),
        )
        assert result.success
        resumed, resumed_cursor = _sensor(instance, cursor_text, database_url, url)
        assert isinstance(resumed, dg.RunRequest) and resumed.run_key == "15"
        anchor = json.loads(resumed_cursor)
        assert anchor["anchor_tick"] == 15
        assert anchor["anchor_epoch"] == pytest.approx(cursor["anchor_epoch"] + 15 * 2.0)

        # after a long pause the pace re-anchors instead of racing through missed ticks
        stale = json.dumps({**cursor, "anchor_epoch": time.time() - 3600})
        later = time.time()
        _, fresh_cursor = _sensor(instance, stale, database_url, url)
        assert json.loads(fresh_cursor)["anchor_epoch"] >= later + START_UP_SECONDS


def test_a_run_that_simulates_no_tick_records_no_materialisation(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    resources = _resources(database_url, servers.redis_url)
    config = {"ticks": 3, "seed": 4, "scenario": "full"}
    assert _materialise(config, resources).success
    again = _materialise(config, resources)  # the run is already 3 ticks long
    assert again.success
    assert again.get_asset_materialization_events() == []
