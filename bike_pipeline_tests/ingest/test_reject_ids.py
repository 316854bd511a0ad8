"""Reject ids do not depend on the order in which the ingest steps run (Dagster may run
`customers` and `bikes` in either order)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline_tests.conftest import TEMPLATE_DATABASE
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)


@pytest.fixture
def second_engine(servers: services.ServiceUrls) -> Iterator[sa.Engine]:
    """Another fresh database with the schema, for the other order."""
    with scratch_database(servers.database_url, "t", template=TEMPLATE_DATABASE) as url:
        engine = engine_for(url)
        yield engine
        engine.dispose()


def _dump(folder: Path, round_: int) -> dict[str, Path]:
    folder.mkdir()
    base = 100 * round_
    customers = [
        customer_row(base + 1),
        customer_row(base + 2, email="no-at-sign"),
        customer_row(base + 3),
        customer_row(base + 4, bsn="111222334"),
    ]
    bikes = [
        bike_row(base + 1, model="tandem"),
        bike_row(base + 2),
        bike_row(base + 3, latitude="60.0"),
        bike_row(base + 4, status="stolen"),
    ]
    return {
        "customers": write_dump(folder / "customers.csv", CUSTOMER_HEADER, customers),
        "bikes": write_dump(folder / "bikes.csv", BIKE_HEADER, bikes),
    }


def _rejects(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text(
                    "SELECT reject_id, table_name, file_name, line_number, reason "
                    "FROM core.ingest_rejects ORDER BY reject_id"
                )
            )
        ]


def test_the_same_dumps_give_the_same_reject_ids_in_either_order(
    engine: sa.Engine, second_engine: sa.Engine, tmp_path: Path
) -> None:
    dumps = [_dump(tmp_path / f"dump{n}", n) for n in range(2)]
    for dump in dumps:
        ingest_file(engine, dump["customers"], "customers")
        ingest_file(engine, dump["bikes"], "bikes")
    for dump in dumps:
        ingest_file(second_engine, dump["bikes"], "bikes")
        ingest_file(second_engine, dump["customers"], "customers")

    rejects = _rejects(engine)
    assert rejects == _rejects(second_engine)
    # dump by dump, customers first, lines in file order, ids from 1 without gaps
    assert [(r[0], r[1], r[3]) for r in rejects] == [
        (1, "core.customers", 3),
        (2, "core.customers", 5),
        (3, "core.bikes", 2),
        (4, "core.bikes", 4),
        (5, "core.bikes", 5),
        (6, "core.customers", 3),
        (7, "core.customers", 5),
        (8, "core.bikes", 2),
        (9, "core.bikes", 4),
        (10, "core.bikes", 5),
    ]


def test_reingesting_a_file_keeps_ids_and_new_rejects_follow(
    engine: sa.Engine, tmp_path: Path
) -> None:
    dump = _dump(tmp_path / "dump", 0)
    ingest_file(engine, dump["bikes"], "bikes")
    ingest_file(engine, dump["customers"], "customers")
    before = _rejects(engine)
    ingest_file(engine, dump["customers"], "customers")
    assert _rejects(engine) == before
    later = _dump(tmp_path / "later", 1)
    ingest_file(engine, later["customers"], "customers")
    after = _rejects(engine)
    assert after[: len(before)] == before
    assert [r[0] for r in after] == list(range(1, len(before) + 3))
    assert {r[2] for r in after[len(before) :]} == {"customers.csv"}
