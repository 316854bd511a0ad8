"""The committed default dump: exactly the lines listed in data/defects.json are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import bike_pipeline
from bike_pipeline.generate import read_defects_file
from bike_pipeline.ingest.pipeline import ingest_file

DATA = Path(bike_pipeline.__file__).resolve().parents[1] / "data"
ROW_KINDS = {"extra_field", "short_row", "invalid_utf8"}  # reasons about the whole row


@pytest.mark.parametrize("kind", ["customers", "bikes"])
def test_default_dump_rejects_exactly_the_listed_defects(engine: sa.Engine, kind: str) -> None:
    defects = read_defects_file(DATA / "defects.json")[f"{kind}.csv"]
    result = ingest_file(engine, DATA / f"{kind}.csv", kind)
    with engine.connect() as conn:
        rejects = dict(
            conn.execute(sa.text("SELECT line_number, reason FROM core.ingest_rejects")).all()
        )
    assert sorted(rejects) == [defect.line for defect in defects]
    assert result.rejected == len(defects)
    assert result.loaded == result.data_rows - len(defects)
    for defect in defects:
        expected = "row" if defect.kind in ROW_KINDS else defect.column
        assert rejects[defect.line].startswith(f"{expected}: "), (defect, rejects[defect.line])
