"""Real servers for the whole suite, started once per session under a temporary home.

The suite never depends on the machine's own PostgreSQL or Redis: the embedded servers
(the same code as `bike-pipeline services up`) run under a temporary BIKE_PIPELINE_HOME,
and the URL variables point every component at them. Each test that writes gets its own
database, cloned from a template that already holds the schema, and dropped afterwards;
Redis is flushed after each test that uses it.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.db.scratch import drop_database, scratch_database
from bike_pipeline.events.signature import EVENTS_KEY_VAR
from bike_pipeline.settings import (
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    PII_KEY_VAR,
    PSEUDONYM_KEY_VAR,
    REDIS_URL_VAR,
    Settings,
)

TEMPLATE_DATABASE = "bp_template"


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.ServiceUrls]:
    """Embedded PostgreSQL and Redis+FalkorDB for this session; stopped at its end."""
    home = tmp_path_factory.mktemp("bike_pipeline_home")
    variables = (HOME_VAR, DATABASE_URL_VAR, REDIS_URL_VAR, GRAPH_URL_VAR)
    keys = (PII_KEY_VAR, PSEUDONYM_KEY_VAR, EVENTS_KEY_VAR)
    saved = {k: os.environ.get(k) for k in (*variables, *keys)}
    for variable in (DATABASE_URL_VAR, REDIS_URL_VAR, GRAPH_URL_VAR):
        os.environ.pop(variable, None)
    os.environ[HOME_VAR] = str(home)
    os.environ[PII_KEY_VAR] = _random_key()
    os.environ[PSEUDONYM_KEY_VAR] = _random_key()
    os.environ[EVENTS_KEY_VAR] = _random_key()
    settings = Settings.from_env()
    urls = services.services_up(settings)
    template_url = services.embedded_postgres_server.ensure_database(
        urls.database_url, TEMPLATE_DATABASE
    )
    create_schema(engine_for(template_url))
    engine_for(template_url).dispose()
    os.environ[DATABASE_URL_VAR] = urls.database_url
    os.environ[REDIS_URL_VAR] = urls.redis_url
    try:
        yield urls
    finally:
        services.services_down(settings)
        services.embedded_postgres_server.delete_data(home)
        for variable, value in saved.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value


@pytest.fixture
def database_url(servers: services.ServiceUrls, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database with the schema, set as BIKE_PIPELINE_DATABASE_URL; dropped afterwards."""
    with scratch_database(servers.database_url, "t", template=TEMPLATE_DATABASE) as url:
        monkeypatch.setenv(DATABASE_URL_VAR, url)
        try:
            yield url
        finally:
            # the report's own world beside it (simulation.store.report_world), if made
            drop_database(servers.database_url, f"{sa.make_url(url).database}_report")


@pytest.fixture
def engine(database_url: str) -> sa.Engine:
    return engine_for(database_url)


@pytest.fixture
def redis_client(servers: services.ServiceUrls) -> Iterator[redis.Redis]:
    """A client of the session's Redis (with FalkorDB); the server is flushed afterwards."""
    client = redis.Redis.from_url(servers.redis_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(autouse=True)
def _flush_session_redis_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with an empty Redis: each test's database starts event ids at 1, so
    a stream left by an earlier test would look like a stream ahead of the database."""
    yield
    if "servers" in request.fixturenames:
        urls: services.ServiceUrls = request.getfixturevalue("servers")
        client = redis.Redis.from_url(urls.redis_url)
        client.flushall()
        client.close()
