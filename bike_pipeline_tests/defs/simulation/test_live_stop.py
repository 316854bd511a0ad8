"""Switching the live sensor off (`dagster sensor stop`, as the UI's toggle) ends a paced
live run within two ticks, with the ticks it committed materialised."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.assets import simulate_ticks
from bike_pipeline.defs.simulation.live_stop import (
    LIVE_SENSOR_NAME,
    SENSOR_NAME_TAG,
    live_sensor_running,
)
from bike_pipeline_tests.defs.dagster_cli import MODULE, dagster, dagster_env
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump

PACE_S = 1.0
TICKS = 600  # far more than the test waits for: only the switch can end the run early


def _last_tick(engine: sa.Engine) -> int:
    rows = table_rows(engine, "SELECT last_tick FROM core.simulation_state")
    return rows[0][0] if rows else -1


def test_stopping_the_live_sensor_ends_ticking_within_two_ticks(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    write_small_dump(engine, customers=50, bikes=5)
    storage = services.embedded_postgres_server.ensure_database(
        servers.database_url, f"dg_{uuid.uuid4().hex[:12]}"
    )
    home = write_instance_yaml(tmp_path / "dagster_home", storage)
    env = dagster_env(database_url, servers, home)
    dagster("sensor", "start", LIVE_SENSOR_NAME, *MODULE, env=env)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert live_sensor_running(instance)
        outcome: dict[str, dg.ExecuteInProcessResult] = {}

        def live_run() -> None:
            outcome["result"] = dg.materialize(
                [simulate_ticks],
                instance=instance,
                tags={SENSOR_NAME_TAG: LIVE_SENSOR_NAME},
                run_config={
                    "ops": {
                        "simulate_ticks": {
                            "config": {"more_ticks": TICKS, "pace_seconds": PACE_S, "seed": 3}
                        }
                    }
                },
                resources={
                    "postgres": PostgresResource(database_url=database_url),
                    "redis": RedisResource(redis_url=servers.redis_url),
                },
            )

        runner = threading.Thread(target=live_run)
        runner.start()
        deadline = time.monotonic() + 120
        while _last_tick(engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _last_tick(engine) >= 2, "the live run did not tick"
        dagster("sensor", "stop", LIVE_SENSOR_NAME, *MODULE, env=env)
        stopped_at = _last_tick(engine)
        runner.join(timeout=30 * PACE_S)
        assert not runner.is_alive(), "the live run went on ticking after the sensor stopped"

    final = _last_tick(engine)
    assert final - stopped_at <= 2
    assert final < TICKS - 1
    result = outcome["result"]
    assert result.success
    world, _ = result.asset_materializations_for_node("simulate_ticks")
    assert world.metadata["next_tick"].value == final + 1
