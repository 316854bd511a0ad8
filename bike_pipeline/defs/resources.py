"""Dagster resources: where the servers are. Unset URLs mean the embedded servers.

The servers' code, SQLAlchemy and redis-py are imported in the methods that use them:
loading the definitions (every run and step subprocess does) should not pay for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from bike_pipeline.defs.ingest.dump_files import DumpFilesResource
from bike_pipeline.settings import Settings

if TYPE_CHECKING:
    import redis
    import sqlalchemy as sa


class PostgresResource(dg.ConfigurableResource):
    """The application database; started on demand (embedded) when no URL is configured."""

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; empty: BIKE_PIPELINE_DATABASE_URL or embedded"
    )

    def url(self) -> str:
        from bike_pipeline import services  # the servers' code: only when a step asks

        return self.database_url or services.database_url(Settings.from_env())

    def engine(self) -> sa.Engine:
        """The pooled engine, the schema created once per process (not on every call)."""
        from bike_pipeline.db.app_engine import app_engine  # alembic: only in a step that needs it

        return app_engine(url=self.url())


class RedisResource(dg.ConfigurableResource):
    """Redis for events; started on demand (embedded, with FalkorDB) when no URL is configured."""

    redis_url: str | None = Field(
        default=None, description="Redis URL; empty: BIKE_PIPELINE_REDIS_URL or embedded"
    )

    def url(self) -> str:
        from bike_pipeline import services
        from bike_pipeline.services.embedded_redis_server import RELAY

        return self.redis_url or services.redis_url(Settings.from_env(), RELAY)

    def client(self) -> redis.Redis:
        import redis

        return redis.Redis.from_url(self.url())


class GraphResource(dg.ConfigurableResource):
    """A Redis server with the FalkorDB module; defaults to the events Redis."""

    graph_url: str | None = Field(
        default=None, description="Redis URL with FalkorDB; empty: BIKE_PIPELINE_GRAPH_URL"
    )

    def url(self) -> str:
        from bike_pipeline import services
        from bike_pipeline.services.embedded_redis_server import GRAPH

        return self.graph_url or services.graph_url(Settings.from_env(), GRAPH)


class DaskResource(dg.ConfigurableResource):
    """Where the report's Monte Carlo replications run: a Dask distributed scheduler's
    workers, or this machine's cores when no address is configured."""

    scheduler_address: str | None = Field(
        default=None,
        description="Dask scheduler address (tcp://host:8786); empty: "
        "BIKE_PIPELINE_DASK_SCHEDULER, or local cores when that is unset too",
    )

    def address(self) -> str | None:
        return self.scheduler_address or Settings.from_env().dask_scheduler


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "postgres": PostgresResource(),
            "redis": RedisResource(),
            "graph": GraphResource(),
            "dump_files": DumpFilesResource(),
            "dask": DaskResource(),
        }
    )
