"""The Dagster wiring: the simulation assets run ticks in process; the live sensor requests
long paced windows, the next one ahead of the running one's end."""

import json
import time

import dagster as dg
import redis
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test

from bike_pipeline import services
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.assets import simulate_ticks
from bike_pipeline.defs.simulation.sensors import (
    LIVE_LEAD_SECONDS,
    LIVE_WINDOW_SECONDS,
    START_UP_SECONDS,
    live_simulation,
)
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump

WINDOW_TICKS = int(LIVE_WINDOW_SECONDS / 2)


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
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=_resources(database_url, redis_url)
    )
    return live_simulation(context), context.cursor


def test_live_sensor_requests_long_windows_ahead_of_their_start(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    url = servers.redis_url
    with dg.instance_for_test() as instance:
        before = time.time()
        request, cursor_text = _sensor(instance, None, database_url, url)
        assert isinstance(request, dg.RunRequest) and request.run_key == "0"
        config = request.run_config["ops"]["simulate_ticks"]["config"]
        assert config["pace_seconds"] == 2.0
        assert config["until_tick"] == config["more_ticks"] == WINDOW_TICKS
        cursor = json.loads(cursor_text)
        # the first tick is due once the run can have started, not at the request
        assert cursor["anchor_tick"] == 0 and cursor["anchor_epoch"] >= before + START_UP_SECONDS

        running = create_run_for_test(
            instance, job_name="simulation_ticks", status=dg.DagsterRunStatus.STARTED
        )
        early, _ = _sensor(instance, cursor_text, database_url, url)
        assert isinstance(early, dg.SkipReason) and running.run_id in str(early.skip_message)

        # once the running window ends within the lead time, the next one is requested
        shifted = time.time() + LIVE_LEAD_SECONDS - LIVE_WINDOW_SECONDS - 1
        near_end = json.dumps({**cursor, "anchor_epoch": shifted})
        following, next_cursor = _sensor(instance, near_end, database_url, url)
        assert isinstance(following, dg.RunRequest) and following.run_key == str(WINDOW_TICKS)
        next_config = following.run_config["ops"]["simulate_ticks"]["config"]
        assert next_config["more_ticks"] >= WINDOW_TICKS
        assert json.loads(next_cursor)["anchor_epoch"] == shifted  # same pace, no re-anchor

        queued = create_run_for_test(
            instance, job_name="simulation_ticks", status=dg.DagsterRunStatus.STARTING
        )
        full, _ = _sensor(instance, next_cursor, database_url, url)
        assert isinstance(full, dg.SkipReason) and queued.run_id

        # a crash: no run active, the window resumes from the last committed tick
        for run in (running, queued):
            instance.report_run_failed(run)
        result = _materialise(
            {**config, "more_ticks": 15, "until_tick": 15, "pace_seconds": 0.0},
            _resources(database_url, url),
        )
        assert result.success
        assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(14,)]
        resumed, _ = _sensor(instance, next_cursor, database_url, url)
        assert isinstance(resumed, dg.RunRequest) and resumed.run_key == "15"
