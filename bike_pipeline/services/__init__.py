"""Where the servers are: the `BIKE_PIPELINE_*_URL` ones, or embedded ones started on demand."""

from bike_pipeline.services.urls import (
    ServiceUrls,
    dagster_database_url,
    database_url,
    graph_url,
    libpq_url,
    redis_url,
    resolve,
    services_down,
    services_status,
    services_up,
)

__all__ = [
    "ServiceUrls",
    "dagster_database_url",
    "database_url",
    "graph_url",
    "libpq_url",
    "redis_url",
    "resolve",
    "services_down",
    "services_status",
    "services_up",
]
