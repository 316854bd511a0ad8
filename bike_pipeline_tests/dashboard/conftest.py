"""A database with a small synthetic dump ingested, for the dashboard tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline_tests.dashboard.world import ingest_synthetic_dump


@pytest.fixture
def dumped(engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    ingest_synthetic_dump(engine, tmp_path / "dump", customers=400, bikes=60)
    return engine
