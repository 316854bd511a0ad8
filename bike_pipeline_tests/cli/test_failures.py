"""Failures every command may meet are recognised for a one-line message."""

from __future__ import annotations

from bike_pipeline.cli.failures import schema_too_new, server_message
from bike_pipeline.db.migrate import SchemaTooNew
from bike_pipeline.services.embedded_postgres_server import PostgresServerError


def test_a_servers_own_refusal_is_said_as_it_is() -> None:
    refusal = PostgresServerError("an embedded PostgreSQL of an earlier version runs on X")
    assert server_message(refusal) == str(refusal)
    assert server_message(RuntimeError("anything else")) is None


def test_a_newer_schema_is_recognised() -> None:
    assert schema_too_new(SchemaTooNew("schema 0002 > 0001"))
    assert not schema_too_new(RuntimeError("schema"))
