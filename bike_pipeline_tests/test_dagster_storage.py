"""Dagster's storage on the session's PostgreSQL, pooled: a run's events reuse a few
connections where dagster_postgres alone opens one per statement, and a connection the
server dropped is replaced, not raised."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import sqlalchemy as sa
import yaml
from dagster_postgres import DagsterPostgresStorage

from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.dagster_storage import MAX_OVERFLOW, POOL_SIZE, PooledPostgresStorage
from bike_pipeline.db.scratch import scratch_database


@dg.asset
def numbers() -> list[int]:
    return list(range(10))


@dg.asset
def total(numbers: list[int]) -> int:
    return sum(numbers)


def _instance(home: Path, storage: dict[str, object] | None = None) -> dg.DagsterInstance:
    """The instance of `home`'s dagster.yaml, its `storage` section replaced when given (use
    it in `with`: that makes it the one Dagster's definitions loading asks for state)."""
    if storage is not None:
        config = yaml.safe_load((home / "dagster.yaml").read_text())
        (home / "dagster.yaml").write_text(yaml.safe_dump({**config, "storage": storage}))
    return dg.DagsterInstance.from_config(str(home))


def _connections_during_a_run(instance: dg.DagsterInstance) -> int:
    """Connections the instance's storage opened while two assets materialised through it."""
    storages = (instance.run_storage, instance.event_log_storage, instance.schedule_storage)
    opened: list[object] = []
    for engine in {storage._engine for storage in storages}:
        sa.event.listen(engine, "connect", lambda *_: opened.append(None))
    result = dg.materialize([numbers, total], instance=instance)
    assert result.success and result.output_for_node("total") == 45
    return len(opened)


def test_a_run_reuses_a_few_pooled_connections(
    servers: services.ServiceUrls, tmp_path: Path
) -> None:
    with scratch_database(servers.database_url, "dagster_storage") as url:
        home = write_instance_yaml(tmp_path / "dagster", url)
        with (
            _instance(home) as pooled_instance,
            _instance(home, {"postgres": {"postgres_url": url}}) as plain_instance,
        ):
            assert isinstance(pooled_instance.get_ref().storage, PooledPostgresStorage)
            assert type(plain_instance.get_ref().storage) is DagsterPostgresStorage
            pooled = _connections_during_a_run(pooled_instance)
            plain = _connections_during_a_run(plain_instance)
    assert plain > 20, plain  # one per statement: what the pool is for
    assert 1 <= pooled <= POOL_SIZE + MAX_OVERFLOW, pooled


def test_connections_the_server_dropped_are_replaced_not_raised(
    servers: services.ServiceUrls, tmp_path: Path
) -> None:
    home = tmp_path / "dagster"
    with (
        scratch_database(servers.database_url, "dagster_storage") as url,
        _instance(write_instance_yaml(home, url)) as instance,
    ):
        assert dg.materialize([numbers, total], instance=instance).success
        database = sa.make_url(url).database
        admin = sa.create_engine(servers.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            dropped = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            ).scalar_one()
        admin.dispose()
        assert dropped >= 1  # the pool held a connection, and the server dropped it
        assert dg.materialize([numbers, total], instance=instance).success
        assert len(instance.get_runs()) == 2
