"""The Dagster wiring: the op job runs ticks in process; the live sensor requests windows."""

import json

import dagster as dg
import redis
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test

from bike_pipeline import services
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.jobs import simulation_ticks
from bike_pipeline.defs.simulation.sensors import live_simulation
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump


def _resources(database_url: str, redis_url: str) -> dict:
    return {
        "postgres": PostgresResource(database_url=database_url),
        "redis": RedisResource(redis_url=redis_url),
    }


def test_job_runs_ticks_and_resumes(
    engine: sa.Engine,
    database_url: str,
    servers: services.ServiceUrls,
    redis_client: redis.Redis,
) -> None:
    write_small_dump(engine, customers=200, bikes=20)
    config = {"ops": {"simulate_ticks": {"config": {"days": 1, "seed": 4, "scenario": "full"}}}}
    resources = _resources(database_url, servers.redis_url)
    first = simulation_ticks.execute_in_process(run_config=config, resources=resources)
    assert first.success
    again = simulation_ticks.execute_in_process(run_config=config, resources=resources)
    assert again.success  # the same config: the run is already one day long
    assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(71,)]
    more = {"ops": {"simulate_ticks": {"config": {"more_days": 1, "seed": 4, "scenario": "full"}}}}
    second = simulation_ticks.execute_in_process(run_config=more, resources=resources)
    assert second.success
    assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(143,)]
    (events,) = table_rows(engine, "SELECT count(*) FROM core.events")[0]
    assert events > 0 and redis_client.xlen(EVENT_KEYS.stream) == events


def test_live_sensor_requests_the_due_window_from_the_last_committed_tick(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources=_resources(database_url, servers.redis_url)
        )
        request = live_simulation(context)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == "0"
        config = request.run_config["ops"]["simulate_ticks"]["config"]
        assert config["pace_seconds"] == 2.0 and config["until_tick"] == config["more_ticks"] == 15
        cursor = json.loads(context.cursor)
        assert cursor["anchor_tick"] == 0
        result = simulation_ticks.execute_in_process(
            run_config={"ops": {"simulate_ticks": {"config": {**config, "pace_seconds": 0.0}}}},
            resources=_resources(database_url, servers.redis_url),
        )
        assert result.success
        assert table_rows(engine, "SELECT last_tick FROM core.simulation_state") == [(14,)]
        later = live_simulation(
            dg.build_sensor_context(
                instance=instance,
                cursor=json.dumps({**cursor, "anchor_epoch": cursor["anchor_epoch"] - 30}),
                resources=_resources(database_url, servers.redis_url),
            )
        )
        assert isinstance(later, dg.RunRequest) and later.run_key == "15"
        retried = live_simulation(
            dg.build_sensor_context(
                instance=instance,
                cursor=later_context_cursor(
                    {**cursor, "anchor_epoch": cursor["anchor_epoch"] - 30}, first_tick=15
                ),
                resources=_resources(database_url, servers.redis_url),
            )
        )
        assert isinstance(retried, dg.RunRequest) and retried.run_key == "15-1"


def later_context_cursor(cursor: dict, first_tick: int) -> str:
    """The cursor after a window starting at `first_tick` was requested (and then failed)."""
    return json.dumps({**cursor, "first_tick": first_tick, "attempt": 0})


def test_live_sensor_queues_the_next_window_behind_a_running_one(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    resources = _resources(database_url, servers.redis_url)
    with dg.instance_for_test() as instance:
        first = dg.build_sensor_context(instance=instance, resources=resources)
        request = live_simulation(first)
        assert isinstance(request, dg.RunRequest) and request.run_key == "0"
        cursor = json.loads(first.cursor)
        create_run_for_test(
            instance, job_name=simulation_ticks.name, status=dg.DagsterRunStatus.STARTED
        )
        queued = live_simulation(
            dg.build_sensor_context(
                instance=instance,
                cursor=json.dumps({**cursor, "anchor_epoch": cursor["anchor_epoch"] - 30}),
                resources=resources,
            )
        )
        assert isinstance(queued, dg.RunRequest) and queued.run_key == "15"
        config = queued.run_config["ops"]["simulate_ticks"]["config"]
        assert config["until_tick"] == 30 and config["lock_wait_seconds"] > 0
        create_run_for_test(
            instance, job_name=simulation_ticks.name, status=dg.DagsterRunStatus.STARTING
        )
        assert isinstance(
            live_simulation(dg.build_sensor_context(instance=instance, resources=resources)),
            dg.SkipReason,
        )
