"""`bike-pipeline db current|downgrade|upgrade` on a test database."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.db.migrate import head_revision


def test_current_downgrade_and_upgrade(engine: sa.Engine, servers: services.ServiceUrls) -> None:
    head = head_revision()
    current = CliRunner().invoke(main, ["db", "current"])
    assert current.exit_code == 0, current.output
    assert current.output.splitlines() == [f"database {head}", f"program  {head}"]

    unconfirmed = CliRunner().invoke(main, ["db", "downgrade", "base"])
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output

    down = CliRunner().invoke(main, ["db", "downgrade", "base", "--yes"])
    assert down.exit_code == 0, down.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT to_regclass('core.customers')")).scalar() is None

    up = CliRunner().invoke(main, ["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert up.output.strip() == f"schema none -> {head}"
    again = CliRunner().invoke(main, ["db", "upgrade"])
    assert again.output.strip() == f"schema {head}"
