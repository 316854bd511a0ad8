"""`bike-pipeline dashboard`: options, exit codes, and where it listens by default."""

from __future__ import annotations

import dash
import pytest
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.dashboard import server


def test_help_and_bad_usage() -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["dashboard", "--help"])
    assert shown.exit_code == 0
    assert "--port" in shown.output and "8501" in shown.output and "127.0.0.1" in shown.output
    assert runner.invoke(main, ["dashboard", "--port", "0"]).exit_code == 2
    assert runner.invoke(main, ["dashboard", "--refresh", "0.01"]).exit_code == 2


def test_serves_the_app_on_loopback_port_8501_by_default(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the WSGI server's start is replaced: the app is built on the real servers."""
    served: list[tuple[dash.Dash, str, int]] = []
    monkeypatch.setattr(server, "serve", lambda app, host, port: served.append((app, host, port)))
    result = CliRunner().invoke(main, ["dashboard"])
    assert result.exit_code == 0, result.output
    [(app, host, port)] = served
    assert (host, port) == ("127.0.0.1", 8501)
    assert isinstance(app, dash.Dash) and "http://127.0.0.1:8501/" in result.output
    client = app.server.test_client()
    assert client.get("/").status_code == 200
